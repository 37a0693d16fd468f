package coverage

import (
	"context"
	"fmt"
	"slices"
)

// SiteOptions tune SelectSites. The embedded Options give the default
// radius, circuity, resolution, workers and progress (called with demand
// cells scanned, then with subgradient iterations done).
type SiteOptions struct {
	Options
	// Add is the number of sites MCLP adds. Exactly one of Add > 0 and
	// Target > 0 must be set.
	Add int
	// Target is the share of total demand (0 < Target ≤ 1) that LSCP must
	// cover, with the existing points and the new sites together.
	Target float64
	// Capacitated limits each site to its CapacityPerDay (Current & Storbeck
	// 1988); existing points then count only the demand they serve within
	// capacity.
	Capacitated bool
	// Iterations bounds the subgradient iterations of the Lagrangian bound;
	// 0 means 1000.
	Iterations int
	// SwapPasses bounds the interchange passes of MCLP; 0 means 50.
	SwapPasses int

	heuristicOnly bool // tests: skip exact enumeration on small instances
}

// Plan is the result of SelectSites.
type Plan struct {
	// Model is "MCLP", "LSCP", "capacitated MCLP" or "capacitated LSCP".
	Model string `json:"model"`
	// Chosen lists the ids of the chosen candidates, in the order picked.
	Chosen      []string `json:"chosen"`
	ChosenIndex []int    `json:"-"`
	TotalDemand float64  `json:"total_demand"`
	// ExistingCovered is the demand the existing points cover (served
	// within capacity, for capacitated models) without new sites.
	ExistingCovered float64 `json:"existing_covered"`
	// CoveredDemand is the demand covered with the chosen sites added
	// (served within capacity, for capacitated models).
	CoveredDemand float64 `json:"covered_demand"`
	// UpperBound bounds CoveredDemand over every choice of Add sites (MCLP;
	// a Lagrangian bound) or over every choice at all (LSCP: all demand some
	// point can reach).
	UpperBound float64 `json:"upper_bound"`
	// Cost is the total cost of the chosen sites (their number when no
	// costs are given); CostLowerBound is a Lagrangian lower bound on the
	// cost of any plan that reaches the target (LSCP only).
	Cost           float64 `json:"cost"`
	CostLowerBound float64 `json:"cost_lower_bound,omitempty"`
	// GapPercent is how far from optimal the plan can be: for MCLP
	// 100·(UpperBound − CoveredDemand)/UpperBound, for LSCP
	// 100·(Cost − CostLowerBound)/Cost.
	GapPercent float64 `json:"gap_percent"`
	// Units is the number of demand units (distinct coverage signatures)
	// the models worked on; Uncoverable is the demand no point reaches.
	Units       int     `json:"units"`
	Uncoverable float64 `json:"uncoverable"`
	// Exact is true when the plan is proven optimal by enumeration (small
	// instances); the bound then equals the plan's value.
	Exact bool `json:"exact"`
}

// SelectSites chooses new sites among candidates, keeping the existing
// points: MCLP (opts.Add sites maximising covered demand) or LSCP (the least
// cost, by default the fewest, sites reaching opts.Target), optionally
// capacitated. See the package documentation for the algorithms and bounds.
func SelectSites(ctx context.Context, demand []Demand, existing, candidates []Point, opts SiteOptions) (*Plan, error) {
	if err := checkSiteOptions(demand, candidates, &opts); err != nil {
		return nil, err
	}
	reach, err := validate(&opts.Options, demand, candidates, "candidate")
	if err != nil {
		return nil, err
	}
	exReach, err := validate(&opts.Options, nil, existing, "existing point")
	if err != nil {
		return nil, err
	}
	res, err := resolution(&opts.Options, append(slices.Clone(reach), exReach...))
	if err != nil {
		return nil, err
	}
	opts.Resolution = res
	residual, err := residualDemand(ctx, demand, existing, opts)
	if err != nil {
		return nil, err
	}
	m, err := newModel(ctx, demand, residual, candidates, reach, res, &opts.Options)
	if err != nil {
		return nil, err
	}
	var p *Plan
	if opts.Add > 0 {
		p, err = m.mclp(ctx, opts)
	} else {
		p, err = m.lscp(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	for _, j := range p.ChosenIndex {
		p.Chosen = append(p.Chosen, candidates[j].ID)
	}
	return p, nil
}

// checkSiteOptions checks that there is demand and candidates, and that
// opts asks for exactly one of MCLP and LSCP.
func checkSiteOptions(demand []Demand, candidates []Point, opts *SiteOptions) error {
	if len(demand) == 0 {
		return fmt.Errorf("%w: no demand points", ErrInvalid)
	}
	if len(candidates) == 0 {
		return fmt.Errorf("%w: no candidate sites", ErrInvalid)
	}
	switch {
	case opts.Add < 0:
		return errorf("number of sites to add %d < 0", opts.Add)
	case !(opts.Target >= 0 && opts.Target <= 1):
		return errorf("target %v outside 0..1", opts.Target)
	case (opts.Add > 0) == (opts.Target > 0):
		return errorf("give exactly one of a number of sites to add (MCLP) and a coverage target (LSCP)")
	}
	return nil
}

// residualDemand returns the demand of each point that new sites may still
// cover: all of it when no existing point covers it, none when one does,
// or, capacitated, what the existing points do not serve within capacity.
func residualDemand(ctx context.Context, demand []Demand, existing []Point, opts SiteOptions) ([]float64, error) {
	residual := make([]float64, len(demand))
	for i, d := range demand {
		residual[i] = d.Weight
	}
	if len(existing) == 0 {
		return residual, nil
	}
	o := opts.Options
	o.Progress = nil
	rep, err := Analyze(ctx, demand, existing, o)
	if err != nil {
		return nil, fmt.Errorf("existing points: %w", err)
	}
	for i := range residual {
		switch {
		case opts.Capacitated:
			residual[i] = max(0, demand[i].Weight-rep.Served[i])
		case rep.Nearest[i] >= 0:
			residual[i] = 0
		}
	}
	return residual, nil
}

func (o *SiteOptions) iterations() int {
	if o.Iterations <= 0 {
		return 1000
	}
	return o.Iterations
}

func (m *model) plan(name string) *Plan {
	return &Plan{Model: name, TotalDemand: m.total, ExistingCovered: m.base,
		Units: m.units(), Uncoverable: m.uncoverable, Chosen: []string{}}
}

// coverable is the residual demand some candidate reaches.
func (m *model) coverable() float64 {
	s := 0.0
	for _, w := range m.weight {
		s += w
	}
	return s
}

// tolerance for comparing sums of demand.
func (m *model) eps() float64 { return 1e-9 * max(1, m.total) }

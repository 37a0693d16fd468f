package coverage

import (
	"context"
	"fmt"
	"math"
)

// RuralOptions tune RuralAudit.
type RuralOptions struct {
	// ReachMeters is the travel distance in metres within which a village
	// counts as served by a station or service point (the policy's X km).
	ReachMeters float64
	// Circuity is road distance / great-circle distance; 0 means
	// DefaultRuralCircuity (1.6, for mountain roads).
	Circuity float64
	// Plan, when true, also solves the least-cost LSCP that brings every
	// village within reach, with the villages as candidate service points
	// (each at its Cost, 1 when zero).
	Plan       bool
	Workers    int
	Iterations int
	Progress   func(done, total int)
}

// RuralReport is the result of RuralAudit.
type RuralReport struct {
	Villages int `json:"villages"`
	// Within counts the villages within reach of a station or an existing
	// service point; Share = Within / Villages.
	Within int     `json:"within"`
	Share  float64 `json:"share"`
	// Outside lists the ids of the villages out of reach.
	Outside []string `json:"outside"`
	// OutsideIndex gives their positions in the villages slice.
	OutsideIndex []int `json:"-"`
	// Plan is the least-cost set of villages to equip as service points so
	// that every village is within reach (when RuralOptions.Plan is set);
	// nil when all villages are already within reach.
	Plan *Plan `json:"plan,omitempty"`
}

// RuralAudit reports which villages lie within opts.ReachMeters of travel
// (great-circle × circuity) of a township station or an existing village
// service point, and with opts.Plan the LSCP that covers all of them at
// least cost (Toregas et al. 1971; see SelectSites). Every village is its
// own candidate, so 100% is always reachable.
func RuralAudit(ctx context.Context, stations, servicePoints, villages []Point, opts RuralOptions) (*RuralReport, error) {
	if len(villages) == 0 {
		return nil, fmt.Errorf("%w: no villages", ErrInvalid)
	}
	if !(opts.ReachMeters > 0) || math.IsInf(opts.ReachMeters, 1) {
		return nil, fmt.Errorf("%w: reach %v m must be a positive finite number", ErrInvalid, opts.ReachMeters)
	}
	circ := opts.Circuity
	if circ == 0 {
		circ = DefaultRuralCircuity
	}
	base := Options{RadiusMeters: opts.ReachMeters, Circuity: circ, Workers: opts.Workers}
	demand := make([]Demand, len(villages))
	cands := make([]Point, len(villages))
	for i, v := range villages {
		demand[i] = Demand{Location: v.Location, Weight: 1}
		cands[i] = v
		cands[i].RadiusMeters = 0 // the audit's reach applies, not a walking radius
	}
	existing := make([]Point, 0, len(stations)+len(servicePoints))
	for _, group := range [][]Point{stations, servicePoints} {
		for _, p := range group {
			p.RadiusMeters = 0
			existing = append(existing, p)
		}
	}
	rep := &RuralReport{Villages: len(villages), Outside: []string{}}
	if len(existing) > 0 {
		a, err := Analyze(ctx, demand, existing, base)
		if err != nil {
			return nil, err
		}
		for i, j := range a.Nearest {
			if j >= 0 {
				rep.Within++
			} else {
				rep.Outside = append(rep.Outside, villages[i].ID)
				rep.OutsideIndex = append(rep.OutsideIndex, i)
			}
		}
	} else {
		if _, err := validate(&base, demand, cands, "village"); err != nil {
			return nil, err
		}
		for i, v := range villages {
			rep.Outside = append(rep.Outside, v.ID)
			rep.OutsideIndex = append(rep.OutsideIndex, i)
		}
	}
	rep.Share = float64(rep.Within) / float64(rep.Villages)
	if !opts.Plan || len(rep.OutsideIndex) == 0 {
		return rep, nil
	}
	// Only villages out of reach need covering; every village may host a
	// service point.
	outside := make([]Demand, len(rep.OutsideIndex))
	for k, i := range rep.OutsideIndex {
		outside[k] = demand[i]
	}
	so := SiteOptions{Options: base, Target: 1, Iterations: opts.Iterations}
	so.Progress = opts.Progress
	p, err := SelectSites(ctx, outside, nil, cands, so)
	if err != nil {
		return nil, err
	}
	// Report the plan against all villages.
	p.TotalDemand = float64(rep.Villages)
	p.ExistingCovered = float64(rep.Within)
	p.CoveredDemand += float64(rep.Within)
	p.UpperBound = float64(rep.Villages)
	p.Chosen = p.Chosen[:0]
	for _, j := range p.ChosenIndex {
		p.Chosen = append(p.Chosen, villages[j].ID)
	}
	rep.Plan = p
	return rep, nil
}

package coverage

import (
	"context"
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
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
	Plan bool
	// Travel, when set, replaces great-circle × circuity by a travel model's
	// road distances (Matrix.Meters, from the station or service point to
	// the village). It is asked for one matrix over the stations, the
	// service points and the villages, in that order, so it suits a few
	// thousand places; Circuity is then unused.
	Travel     geo.MatrixSource
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
	if opts.Travel != nil {
		return ruralByMatrix(ctx, stations, servicePoints, villages, opts)
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

// ruralByMatrix is RuralAudit with road distances from opts.Travel.
func ruralByMatrix(ctx context.Context, stations, servicePoints, villages []Point, opts RuralOptions) (*RuralReport, error) {
	var pts []orb.Point
	for _, group := range [][]Point{stations, servicePoints, villages} {
		for _, p := range group {
			if !checkCoord(p.Location) {
				return nil, fmt.Errorf("%w: %q: location [%v, %v] is not a valid [lon, lat]", ErrInvalid, p.ID, p.Location[0], p.Location[1])
			}
			if !finiteNonNeg(p.Cost) {
				return nil, fmt.Errorf("%w: %q: cost %v must be a finite number ≥ 0", ErrInvalid, p.ID, p.Cost)
			}
			pts = append(pts, p.Location)
		}
	}
	m, err := opts.Travel.Matrix(ctx, pts)
	if err != nil {
		return nil, fmt.Errorf("coverage: travel matrix: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("coverage: travel matrix: %w", err)
	}
	if m.N != len(pts) {
		return nil, fmt.Errorf("coverage: travel matrix has %d places, want %d", m.N, len(pts))
	}
	o := len(stations) + len(servicePoints)
	within := func(from, to int) bool { return float64(m.Meters[from*m.N+to]) <= opts.ReachMeters }
	rep := &RuralReport{Villages: len(villages), Outside: []string{}}
	for v := range villages {
		ok := false
		for e := 0; e < o && !ok; e++ {
			ok = within(e, o+v)
		}
		if ok {
			rep.Within++
		} else {
			rep.Outside = append(rep.Outside, villages[v].ID)
			rep.OutsideIndex = append(rep.OutsideIndex, v)
		}
	}
	rep.Share = float64(rep.Within) / float64(rep.Villages)
	if !opts.Plan || len(rep.OutsideIndex) == 0 {
		return rep, nil
	}
	weights := make([]float64, len(rep.OutsideIndex))
	sets := make([][]int32, len(rep.OutsideIndex))
	for k, v := range rep.OutsideIndex {
		weights[k] = 1
		for c := range villages {
			if within(o+c, o+v) {
				sets[k] = append(sets[k], int32(c))
			}
		}
	}
	cover := newModelFromSets(weights, sets, villages)
	p, err := cover.lscp(ctx, SiteOptions{Target: 1, Iterations: opts.Iterations, Options: Options{Progress: opts.Progress}})
	if err != nil {
		return nil, err
	}
	p.TotalDemand = float64(rep.Villages)
	p.ExistingCovered = float64(rep.Within)
	p.CoveredDemand += float64(rep.Within)
	p.UpperBound = float64(rep.Villages)
	for _, j := range p.ChosenIndex {
		p.Chosen = append(p.Chosen, villages[j].ID)
	}
	rep.Plan = p
	return rep, nil
}

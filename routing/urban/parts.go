package urban

import (
	"context"
	"encoding/json"
	"fmt"
)

// Kinds of Part.
const (
	PartPooled    = "pooled"    // the grand coalition's pooled plan
	PartSeparate  = "separate"  // every carrier alone
	PartCoalition = "coalition" // a smaller coalition's pooled plan
)

// Part is one sub-plan of a day that can be planned on its own, in any
// process, from the Input and Options alone: the pooled plan, the separate
// plan, or the pooled plan of one coalition the cost sharing needs. A
// coalition part also needs the pooled part's outcome, since it starts from
// its routes.
type Part struct {
	Kind string `json:"kind"`
	// Coalition is a coalition part's carriers: bit i is Input.Carriers[i].
	Coalition uint64 `json:"coalition,omitempty"`
	// Name is "pooled", "separate" or "coalition A+B".
	Name string `json:"name"`
}

// PartPlan is the outcome of one part. It round-trips through JSON
// exactly, so that a part planned in another process assembles into the
// same report.
type PartPlan struct {
	Part Part
	// CostYuan is the part's cost in the cost game: its routes' cost plus
	// Options.UnassignedPenaltyYuan per undelivered parcel (for the separate
	// part, the sum over the carriers).
	CostYuan float64
	plan     routed    // pooled and separate: the plan
	perCarr  []float64 // separate: each carrier's stand-alone cost
}

// Day is an urban day zoned and laid out once, whose parts can then be
// planned one by one, here or elsewhere, and assembled: Plan is
//
//	d, _ := NewDay(in, opts)
//	pooled, _ := d.PlanPart(ctx, d.Parts()[0], nil)
//	… every other part, coalitions with pooled …
//	rep, _ := d.Report(plans)
//
// and planning the parts in other processes (each with its own NewDay)
// gives the same report, byte for byte, when the routing searches are
// bounded by iterations only. Parts may be planned concurrently.
type Day struct {
	e        *env
	carriers []string
}

// NewDay checks the input and options, zones the day and lays out the
// pooled plans' tasks.
func NewDay(in Input, opts Options) (*Day, error) {
	e, err := envOf(in, opts)
	if err != nil {
		return nil, err
	}
	if e.zones, e.parcelZone, err = zonesOf(in, e.opts); err != nil {
		return nil, err
	}
	if e.layout, err = e.newLayout(); err != nil {
		return nil, err
	}
	d := &Day{e: e, carriers: make([]string, len(in.Carriers))}
	for i, c := range in.Carriers {
		d.carriers[i] = c.ID
	}
	return d, nil
}

// envOf checks the input and options and makes the env of their day,
// neither zoned nor laid out.
func envOf(in Input, opts Options) (*env, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return newEnv(in, o)
}

// Parts lists the day's parts: PartPooled, PartSeparate, then the
// coalitions the cost sharing plans (see Options.ExactShapleyCarriers),
// which need the pooled part's outcome.
func (d *Day) Parts() []Part {
	ps := []Part{{Kind: PartPooled, Name: PartPooled}, {Kind: PartSeparate, Name: PartSeparate}}
	masks, _ := d.e.coalitionMasks(len(d.carriers))
	for _, m := range masks {
		ps = append(ps, Part{Kind: PartCoalition, Coalition: m, Name: "coalition " + coalitionName(d.carriers, m)})
	}
	return ps
}

// PlanPart plans part p. A coalition part starts from pooled, the pooled
// part's outcome, which it requires.
func (d *Day) PlanPart(ctx context.Context, p Part, pooled *PartPlan) (*PartPlan, error) {
	e := d.e
	out := &PartPlan{Part: p}
	switch p.Kind {
	case PartPooled:
		r, err := e.pooled(ctx, d.all(), PartPooled, 1, nil)
		if err != nil {
			return nil, err
		}
		out.plan, out.CostYuan = r, e.gameCost(r)
	case PartSeparate:
		r, per, err := e.separate(ctx)
		if err != nil {
			return nil, err
		}
		out.plan, out.perCarr = r, per
		for _, c := range per {
			out.CostYuan += c
		}
	case PartCoalition:
		if pooled == nil || pooled.Part.Kind != PartPooled {
			return nil, fmt.Errorf("%w: %s needs the pooled plan", ErrInvalid, p.Name)
		}
		if err := d.check(pooled); err != nil {
			return nil, err
		}
		full := uint64(1)<<len(d.carriers) - 1
		if p.Coalition == 0 || p.Coalition&^full != 0 {
			return nil, fmt.Errorf("%w: coalition %b outside the day's %d carriers", ErrInvalid, p.Coalition, len(d.carriers))
		}
		idx := e.coalitionParcels(d.carriers, p.Coalition)
		// Unless told otherwise, coalition plans only polish the grand
		// coalition's routes restricted to their parcels by local search.
		effort := e.opts.CoalitionEffort
		if e.opts.polishCoalitions {
			effort = 0
		}
		r, err := e.pooled(ctx, idx, "coalition "+coalitionName(d.carriers, p.Coalition), effort, &pooled.plan)
		if err != nil {
			return nil, err
		}
		out.CostYuan = e.gameCost(r)
	default:
		return nil, fmt.Errorf("%w: unknown part kind %q", ErrInvalid, p.Kind)
	}
	return out, nil
}

// Report assembles Plan's report from the outcomes of every part of Parts.
func (d *Day) Report(plans []*PartPlan) (*Report, error) {
	e := d.e
	var pooled, separate *PartPlan
	costs := map[uint64]float64{}
	for _, pp := range plans {
		switch pp.Part.Kind {
		case PartPooled:
			pooled = pp
		case PartSeparate:
			separate = pp
		case PartCoalition:
			costs[pp.Part.Coalition] = pp.CostYuan
		}
	}
	if pooled == nil || separate == nil || len(separate.perCarr) != len(d.carriers) {
		return nil, fmt.Errorf("%w: report needs the pooled and the separate part", ErrInvalid)
	}
	masks, _ := e.coalitionMasks(len(d.carriers))
	for _, m := range masks {
		if _, ok := costs[m]; !ok {
			return nil, fmt.Errorf("%w: report needs coalition %s", ErrInvalid, coalitionName(d.carriers, m))
		}
	}
	for _, pp := range []*PartPlan{pooled, separate} {
		if err := d.check(pp); err != nil {
			return nil, err
		}
	}
	n := len(e.in.Parcels)
	pr, sr := pooled.plan, separate.plan
	rep := &Report{Parcels: n, Routes: clone(pr.routes), SeparateRoutes: clone(sr.routes),
		Unassigned: clone(pr.unassigned), SeparateUnassigned: clone(sr.unassigned)}
	e.finishRoutes(rep.Routes)
	e.finishRoutes(rep.SeparateRoutes)
	rep.Pooled = e.totals(rep.Routes, rep.Unassigned, n)
	rep.Separate = e.totals(rep.SeparateRoutes, rep.SeparateUnassigned, n)
	rep.compare()
	rep.Districts = e.districtTotals(rep.Routes, rep.SeparateRoutes, rep.Unassigned, rep.SeparateUnassigned)
	rep.Zoning = zoningSummary(e.zones, e.opts.Resolution)
	rep.FleetShortfall = e.shortfall(rep.Routes, rep.Unassigned)
	if len(pr.cut) > 0 {
		rep.BudgetExhausted = append(rep.BudgetExhausted, Cut{Plan: PartPooled, Tasks: pr.cut})
	}
	if len(sr.cut) > 0 {
		rep.BudgetExhausted = append(rep.BudgetExhausted, Cut{Plan: PartSeparate, Tasks: sr.cut})
	}
	for i, c := range separate.perCarr {
		costs[1<<i] = c
	}
	costs[uint64(1)<<len(d.carriers)-1] = pooled.CostYuan
	e.share(rep, d.carriers, costs, separate.perCarr)
	return rep, nil
}

// check refuses an outcome that names parcels the day does not have (a
// decoded outcome of another day).
func (d *Day) check(pp *PartPlan) error {
	n := len(d.e.in.Parcels)
	for _, r := range pp.plan.routes {
		for _, i := range r.seq {
			if i < -1 || i >= n {
				return fmt.Errorf("%w: %s: route of %s visits parcel %d of %d", ErrInvalid, pp.Part.Name, r.Vehicle, i, n)
			}
		}
	}
	for _, u := range pp.plan.unassigned {
		if u.index < 0 || u.index >= n {
			return fmt.Errorf("%w: %s: unassigned parcel %d of %d", ErrInvalid, pp.Part.Name, u.index, n)
		}
	}
	return nil
}

// gameCost is what plan r costs in the cost game: its routes plus the
// penalty of every parcel it leaves undelivered.
func (e *env) gameCost(r routed) float64 {
	return r.cost + e.opts.UnassignedPenaltyYuan*float64(len(r.unassigned))
}

func clone[T any](s []T) []T { return append([]T(nil), s...) }

// coalitionParcels returns the parcels of the coalition's carriers.
func (e *env) coalitionParcels(carriers []string, mask uint64) []int {
	carrierIdx := map[string]int{}
	for k, c := range carriers {
		carrierIdx[c] = k
	}
	var idx []int
	for i := range e.in.Parcels {
		if mask&(1<<carrierIdx[e.in.Parcels[i].Carrier]) != 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

// all returns the indexes of every parcel of the day.
func (d *Day) all() []int {
	idx := make([]int, len(d.e.in.Parcels))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// partWire is PartPlan's JSON: the plan with the visiting orders and
// parcel indexes a coalition's warm start needs.
type partWire struct {
	Part     Part    `json:"part"`
	CostYuan float64 `json:"cost_yuan"`
	planWire
	PerCarrier []float64 `json:"per_carrier,omitempty"`
}

// planWire is a plan's JSON.
type planWire struct {
	Routes     []routeWire      `json:"routes,omitempty"`
	Unassigned []unassignedWire `json:"unassigned,omitempty"`
	RouteCost  float64          `json:"route_cost_yuan,omitempty"`
	Cut        []string         `json:"cut,omitempty"`
}

type routeWire struct {
	Route
	Seq  []int  `json:"seq"`
	Task string `json:"task,omitempty"`
}

type unassignedWire struct {
	Unassigned
	Index int `json:"index"`
}

// MarshalJSON encodes the outcome with what Report and a coalition's warm
// start need.
func (pp *PartPlan) MarshalJSON() ([]byte, error) {
	return json.Marshal(partWire{Part: pp.Part, CostYuan: pp.CostYuan, planWire: wireOf(pp.plan), PerCarrier: pp.perCarr})
}

// UnmarshalJSON decodes what MarshalJSON encoded.
func (pp *PartPlan) UnmarshalJSON(b []byte) error {
	var w partWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*pp = PartPlan{Part: w.Part, CostYuan: w.CostYuan, perCarr: w.PerCarrier, plan: w.routed()}
	return nil
}

// wireOf is r's JSON, without its unused vehicles (which the reader
// knows).
func wireOf(r routed) planWire {
	w := planWire{RouteCost: r.cost, Cut: r.cut}
	for _, rt := range r.routes {
		w.Routes = append(w.Routes, routeWire{Route: rt, Seq: rt.seq, Task: rt.task})
	}
	for _, u := range r.unassigned {
		w.Unassigned = append(w.Unassigned, unassignedWire{Unassigned: u, Index: u.index})
	}
	return w
}

// routed is the plan w encodes.
func (w planWire) routed() routed {
	r := routed{cost: w.RouteCost, cut: w.Cut}
	for _, rt := range w.Routes {
		rt.Route.seq, rt.Route.task = rt.Seq, rt.Task
		r.routes = append(r.routes, rt.Route)
	}
	for _, u := range w.Unassigned {
		u.Unassigned.index = u.Index
		r.unassigned = append(r.unassigned, u.Unassigned)
	}
	return r
}

package depots

import (
	"context"
	"fmt"
	"maps"
	"math"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/field"
	"github.com/paulmach/orb"
)

// Demand is the daily volume of one category that must reach one place: an
// H3 cell or a zone, represented by a point that the travel matrix is built
// on.
type Demand struct {
	// Cell is the demand's H3 cell; zero when the demand is per zone.
	Cell h3cell.Cell
	// Zone names the demand's zone when it is given per zone.
	Zone string
	// Location is the point travel is measured to: the cell centre or a
	// zone's centroid ([lon, lat], WGS-84).
	Location orb.Point
	// Category is the goods category, matched against
	// Capacity.PerCategory; "" is a category like any other.
	Category string
	// Volume is in parcels per day.
	Volume float64
	// ColdChain demand can only be served by a warehouse with cold-chain
	// capacity, and uses it.
	ColdChain bool
	// PromiseSeconds is the delivery promise: the drive time from the
	// warehouse to Location may not exceed it. Zero means no promise.
	PromiseSeconds int32
}

// Tariff prices the transport from warehouse to demand. A parcel sent from
// warehouse w to demand d costs w.HandlingCost + PerParcelKm·km(w,d) +
// PerParcelHour·hours(w,d), in currency units.
type Tariff struct {
	PerParcelKm   float64 `json:"per_parcel_km"`
	PerParcelHour float64 `json:"per_parcel_hour"`
	// UnservedPerParcel prices a parcel that could be served by some
	// warehouse but is not, for lack of capacity. Zero chooses a penalty
	// higher than any rerouting can cost, so that the most volume possible
	// is served (a minimum-cost maximum flow).
	UnservedPerParcel float64 `json:"unserved_per_parcel,omitempty"`
}

// AllocationProblem is the input of Allocate.
type AllocationProblem struct {
	// Warehouses may serve the demand: usually the network's
	// CloudWarehouse facilities (see Network.OfKind), but any list does.
	Warehouses []Facility `json:"warehouses"`
	Demand     []Demand   `json:"demand"`
	// Matrix holds travel between Points(): the warehouses first, then the
	// demand locations, so the drive from warehouse w to demand d is entry
	// (w, len(Warehouses)+d). Only the warehouse rows are read.
	Matrix *geo.Matrix `json:"-"`
	Tariff Tariff      `json:"tariff"`
}

// Points returns the points Matrix must be built on: warehouse locations,
// then demand locations.
func (p *AllocationProblem) Points() []orb.Point {
	pts := make([]orb.Point, 0, len(p.Warehouses)+len(p.Demand))
	for i := range p.Warehouses {
		pts = append(pts, p.Warehouses[i].Location)
	}
	for i := range p.Demand {
		pts = append(pts, p.Demand[i].Location)
	}
	return pts
}

// Reason says why demand volume is not served.
type Reason string

const (
	// ReasonSLA: no warehouse is within the delivery promise.
	ReasonSLA Reason = "sla"
	// ReasonColdChain: no warehouse within the promise has a cold chain.
	ReasonColdChain Reason = "cold_chain"
	// ReasonCategory: no cold-fitting warehouse within the promise takes
	// the category.
	ReasonCategory Reason = "category"
	// ReasonCapacity: warehouses could serve it, but their capacity is used.
	ReasonCapacity Reason = "capacity"
)

// Allocation is the result of Allocate. Volumes are parcels per day; costs
// are currency units per day.
type Allocation struct {
	// Cost = TransportCost + HandlingCost of the served volume.
	Cost          float64 `json:"cost"`
	TransportCost float64 `json:"transport_cost"`
	HandlingCost  float64 `json:"handling_cost"`
	// PenaltyCost prices the volume unserved for lack of capacity at the
	// Tariff's (or the default) UnservedPerParcel. Volume that no warehouse
	// may serve (SLA, cold chain, category) is not priced: no allocation
	// could serve it.
	PenaltyCost float64 `json:"penalty_cost"`
	// Objective = Cost + PenaltyCost, the value Allocate minimises.
	Objective         float64 `json:"objective"`
	UnservedPerParcel float64 `json:"unserved_per_parcel"`

	ServedVolume   float64 `json:"served_volume"`
	UnservedVolume float64 `json:"unserved_volume"`

	Assignments []Assignment  `json:"assignments"`
	Utilisation []Utilisation `json:"utilisation"` // one per warehouse, in problem order
	Unserved    []Unserved    `json:"unserved"`

	// LowerBound is a lower bound on Objective over all allocations of the
	// same kind (splittable or single-source), and Gap is
	// (Objective − LowerBound) / LowerBound, or 0 when both are 0. For an
	// exact splittable solve Gap is 0.
	LowerBound float64 `json:"lower_bound"`
	Gap        float64 `json:"gap"`
	// LagrangianBound is the single-source Lagrangian bound alone, at most
	// the splittable optimum (see AllocateOptions.SingleSource); 0 for
	// splittable allocations.
	LagrangianBound float64 `json:"lagrangian_bound,omitempty"`
	SingleSource    bool    `json:"single_source"`
}

// Assignment sends Volume parcels per day of demand Demand (an index into
// AllocationProblem.Demand) from the warehouse Facility.
type Assignment struct {
	Demand        int     `json:"demand"`
	Facility      ID      `json:"facility"`
	Volume        float64 `json:"volume"`
	TravelSeconds int32   `json:"travel_seconds"`
	// CostPerParcel is handling plus transport for one parcel.
	CostPerParcel float64 `json:"cost_per_parcel"`
}

// Utilisation is one warehouse's load against its capacity.
type Utilisation struct {
	Facility     ID      `json:"facility"`
	Volume       float64 `json:"volume"`
	Capacity     float64 `json:"capacity"`
	Share        float64 `json:"share"` // Volume / Capacity, 0 when Capacity is 0
	Cold         float64 `json:"cold"`
	ColdCapacity float64 `json:"cold_capacity"`
	// PerCategory holds the volume of each category served; CategoryCapacity
	// the category caps of the facility.
	PerCategory      map[string]float64 `json:"per_category"`
	CategoryCapacity map[string]float64 `json:"category_capacity,omitempty"`
}

// Unserved is demand volume left unserved, with the reason.
type Unserved struct {
	Demand int     `json:"demand"`
	Volume float64 `json:"volume"`
	Reason Reason  `json:"reason"`
}

// AllocateOptions tunes Allocate.
type AllocateOptions struct {
	// SingleSource serves each demand from at most one warehouse (all of
	// it, or as much as that warehouse has room for). The result is a
	// heuristic's, with a lower bound: the better of a Lagrangian bound and
	// the splittable optimum, which is the LP relaxation's.
	SingleSource bool
	// Iterations caps the subgradient iterations of the Lagrangian bound
	// for single sourcing; 0 means 200.
	Iterations int
}

// Allocate assigns demand to warehouses so that every warehouse stays within
// its daily, per-category and cold-chain capacity, categories and cold chain
// match, and the drive from warehouse to demand keeps the promise, at the
// least transport plus handling cost. Demand that cannot be served is
// reported in Allocation.Unserved with its reason, never as an error.
//
// Splittable allocation is solved as a minimum-cost flow; single sourcing
// by LP rounding and regret heuristics with local search, bounded by the
// LP and a Lagrangian bound. The package documentation describes both. Errors wrap ErrInvalid for a bad
// problem, or are ctx's error.
func Allocate(ctx context.Context, p *AllocationProblem, opts AllocateOptions) (*Allocation, error) {
	in, err := newModel(p)
	if err != nil {
		return nil, err
	}
	sp, err := solveSplittable(ctx, in)
	if err != nil {
		return nil, err
	}
	if !opts.SingleSource {
		a := in.allocation(sp.served)
		a.LowerBound = sp.bound
		a.setGap()
		return a, nil
	}
	iters := opts.Iterations
	if iters <= 0 {
		iters = 200
	}
	ss, err := solveSingleSource(ctx, in, iters, sp)
	if err != nil {
		return nil, err
	}
	a := in.allocation(ss.served)
	a.SingleSource = true
	a.LagrangianBound = ss.bound
	a.LowerBound = max(ss.bound, sp.bound)
	a.setGap()
	return a, nil
}

func (a *Allocation) setGap() {
	// Float noise can put the bound a hair above the objective.
	if a.LowerBound > a.Objective {
		a.LowerBound = a.Objective
	}
	if a.LowerBound > 0 {
		a.Gap = (a.Objective - a.LowerBound) / a.LowerBound
	}
}

// model is an AllocationProblem in flat arrays. Demand i and warehouse w
// meet at index i*W+w.
type model struct {
	p       *AllocationProblem
	W, D, K int
	cats    []string // category names, index k
	vol     []float64
	cat     []int32
	cold    []bool
	cost    []float64 // per parcel, +Inf when w cannot serve i
	secs    []int32
	day     []float64 // PerDay
	catCap  []float64 // W*K, +Inf when uncapped, 0 when not taken
	coldCap []float64
	forced  []Reason // per demand: why no warehouse may serve it, or ""
	penalty float64  // per parcel unserved for lack of capacity
}

func newModel(p *AllocationProblem) (*model, error) {
	W, D := len(p.Warehouses), len(p.Demand)
	if err := p.validate(); err != nil {
		return nil, err
	}
	t := p.Tariff
	if p.Matrix == nil {
		return nil, fmt.Errorf("%w: no travel matrix", ErrInvalid)
	}
	if err := p.Matrix.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if p.Matrix.N != W+D {
		return nil, fmt.Errorf("%w: travel matrix has %d points, want %d warehouses + %d demand", ErrInvalid, p.Matrix.N, W, D)
	}
	in := &model{p: p, W: W, D: D}
	index := map[string]int32{}
	in.cat = make([]int32, D)
	in.vol = make([]float64, D)
	in.cold = make([]bool, D)
	for i := range p.Demand {
		d := &p.Demand[i]
		k, ok := index[d.Category]
		if !ok {
			k = int32(len(in.cats))
			index[d.Category] = k
			in.cats = append(in.cats, d.Category)
		}
		in.cat[i], in.vol[i], in.cold[i] = k, d.Volume, d.ColdChain
	}
	K := len(in.cats)
	in.K = K
	in.day = make([]float64, W)
	in.coldCap = make([]float64, W)
	in.catCap = make([]float64, W*K)
	for w := range p.Warehouses {
		c := &p.Warehouses[w].Capacity
		in.day[w], in.coldCap[w] = c.PerDay, c.ColdChain
		for k, name := range in.cats {
			v, ok := c.PerCategory[name]
			switch {
			case ok:
				in.catCap[w*K+k] = v
			case len(c.PerCategory) == 0:
				in.catCap[w*K+k] = math.Inf(1)
			}
		}
	}
	in.cost = make([]float64, D*W)
	in.secs = make([]int32, D*W)
	in.forced = make([]Reason, D)
	maxCost := 0.0
	for i := range p.Demand {
		d := &p.Demand[i]
		sla, coldOK, catOK := false, false, false
		for w := range p.Warehouses {
			f := &p.Warehouses[w]
			s, m := p.Matrix.Duration(w, W+i), p.Matrix.Distance(w, W+i)
			in.secs[i*W+w] = int32(s)
			in.cost[i*W+w] = math.Inf(1)
			if d.PromiseSeconds > 0 && int32(s) > d.PromiseSeconds {
				continue
			}
			sla = true
			if d.ColdChain && f.Capacity.ColdChain <= 0 {
				continue
			}
			coldOK = true
			if len(f.Capacity.PerCategory) > 0 {
				if _, ok := f.Capacity.PerCategory[d.Category]; !ok {
					continue
				}
			}
			catOK = true
			c := f.HandlingCost + t.PerParcelKm*float64(m)/1000 + t.PerParcelHour*float64(s)/3600
			in.cost[i*W+w] = c
			maxCost = max(maxCost, c)
		}
		switch {
		case !sla:
			in.forced[i] = ReasonSLA
		case !coldOK:
			in.forced[i] = ReasonColdChain
		case !catOK:
			in.forced[i] = ReasonCategory
		}
	}
	in.penalty = t.UnservedPerParcel
	if in.penalty == 0 {
		// A residual path enters each warehouse-side node of the flow
		// network at most once, so it costs less than this per parcel.
		in.penalty = float64(W*(2*K+2)+2)*maxCost + 1
	}
	return in, nil
}

func checkWarehouses(ws []Facility) error {
	seen := make(map[ID]bool, len(ws))
	for i := range ws {
		if err := ws[i].Validate(); err != nil {
			return field.Within(fmt.Sprintf("warehouses[%d]", i), err)
		}
		if seen[ws[i].ID] {
			return field.New(ErrInvalid, fmt.Sprintf("warehouses[%d].id", i), "duplicate warehouse id %q", ws[i].ID)
		}
		seen[ws[i].ID] = true
	}
	return nil
}

func (d *Demand) validate() error {
	if err := geo.ValidatePoint(d.Location); err != nil {
		return field.New(ErrInvalid, "location", "%w", err)
	}
	if badAmount(d.Volume) {
		return field.New(ErrInvalid, "volume", "%v is negative or not finite", d.Volume)
	}
	if d.PromiseSeconds < 0 {
		return field.New(ErrInvalid, "promise_seconds", "negative promise %d s", d.PromiseSeconds)
	}
	if d.Cell != 0 && !d.Cell.IsValid() {
		return field.New(ErrInvalid, "cell", "%x is not an H3 cell", uint64(d.Cell))
	}
	return nil
}

// allocation reports the plan in which served[i*W+w] parcels of demand i
// come from warehouse w.
func (in *model) allocation(served []float64) *Allocation {
	p, W := in.p, in.W
	a := &Allocation{UnservedPerParcel: in.penalty, Utilisation: make([]Utilisation, W)}
	for w := range p.Warehouses {
		f := &p.Warehouses[w]
		u := &a.Utilisation[w]
		u.Facility, u.Capacity, u.ColdCapacity = f.ID, f.Capacity.PerDay, f.Capacity.ColdChain
		u.PerCategory = map[string]float64{}
		if len(f.Capacity.PerCategory) > 0 {
			u.CategoryCapacity = maps.Clone(f.Capacity.PerCategory)
		}
	}
	for i := range p.Demand {
		left := in.vol[i]
		for w := range W {
			v := served[i*W+w]
			if v <= 0 {
				continue
			}
			c := in.cost[i*W+w]
			handling := p.Warehouses[w].HandlingCost
			a.Assignments = append(a.Assignments, Assignment{Demand: i, Facility: p.Warehouses[w].ID, Volume: v, TravelSeconds: in.secs[i*W+w], CostPerParcel: c})
			a.HandlingCost += v * handling
			a.TransportCost += v * (c - handling)
			a.ServedVolume += v
			u := &a.Utilisation[w]
			u.Volume += v
			u.PerCategory[in.cats[in.cat[i]]] += v
			if in.cold[i] {
				u.Cold += v
			}
			left -= v
		}
		if left <= volumeEpsilon {
			continue
		}
		r := in.forced[i]
		if r == "" {
			r = ReasonCapacity
			a.PenaltyCost += left * in.penalty
		}
		a.Unserved = append(a.Unserved, Unserved{Demand: i, Volume: left, Reason: r})
		a.UnservedVolume += left
	}
	for w := range a.Utilisation {
		if u := &a.Utilisation[w]; u.Capacity > 0 {
			u.Share = u.Volume / u.Capacity
		}
	}
	a.Cost = a.TransportCost + a.HandlingCost
	a.Objective = a.Cost + a.PenaltyCost
	return a
}

// volumeEpsilon is the volume below which a remainder is float noise; the
// flow solver works in units of 1/volumeScale parcel.
const volumeEpsilon = 0.5 / volumeScale

package urban

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"golang.org/x/sync/errgroup"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// ErrInvalid is returned (wrapped) for an input or options Plan cannot use.
var ErrInvalid = errors.New("urban: invalid input")

// ReasonNoVehicle is the reason of a parcel left unassigned because no
// vehicle was available for it at all; the other reasons are
// routing.Reason values.
const ReasonNoVehicle = "no_vehicle"

// Progress reports a stage of Plan: "pooled", "separate" or "coalitions",
// with tasks done out of total.
type Progress struct {
	Stage string
	Done  int
	Total int
}

// Options control Plan. The zero value is valid: every zero field takes
// the default given with it.
type Options struct {
	// Seed seeds zoning and every routing search.
	Seed int64
	// TimeLimit is the wall-clock budget of each of the two plans (pooled
	// and separate); each routing task gets a share in proportion to its
	// parcels, by the same rule on both sides. Zero means no time limit.
	TimeLimit time.Duration
	// IterationsPerParcel bounds each routing search at this many SISR
	// iterations per parcel of the task. Zero means 20 when TimeLimit is
	// zero (so a run always ends), else no iteration limit. With
	// iterations alone a plan is deterministic.
	IterationsPerParcel int
	// Workers bounds the routing tasks solved at once; 0 means GOMAXPROCS.
	Workers int
	// RespectDistricts keeps every zone inside one district and routes it
	// from that district's shared centre with that centre's vehicles.
	RespectDistricts bool
	// Resolution is the H3 resolution of the zone cells; 0 means 8
	// (about 0.7 km² a cell).
	Resolution int
	// TargetZoneSeconds is the workload a zone aims at and that of a
	// routing task of the pooled plan; 0 means 12 vehicle-hours. Zones
	// come out smaller where balance across districts needs it (a small
	// district sets the band), and a centre's zones are then swept into
	// tasks of about this workload.
	TargetZoneSeconds float64
	// StopSeconds is the driving time per parcel counted in a cell's
	// workload on top of its service time; 0 means 120.
	StopSeconds float64
	// BalanceRatio is the max/min zone workload over all zones (across
	// districts) that zoning aims at; 0 means 1.2.
	BalanceRatio float64
	// BulkyMinKg is the payload from which a vehicle type carries bulky
	// parcels; 0 means 500 kg (vans and trucks, not tricycles).
	BulkyMinKg float64
	// MaxTrips is how many times a vehicle may go out from its centre in
	// its shift, reloading ReloadSeconds between trips (multi-trip VRP),
	// in both plans; 0 means 3 trips and 900 s.
	MaxTrips      int
	ReloadSeconds float64
	// CO2KgPerKm is the emission factor per vehicle type ID; a type not in
	// the map uses DefaultCO2KgPerKm. Nil means DefaultCO2.
	CO2KgPerKm map[string]float64
	// UnassignedPenaltyYuan is what an undelivered parcel costs in the cost
	// game, so a plan cannot look cheap by leaving parcels behind; 0 means
	// 30 yuan.
	UnassignedPenaltyYuan float64
	// ExactShapleyCarriers is the largest number of carriers for which the
	// Shapley value is computed exactly over all coalitions (and the core
	// checked); beyond it, it is estimated from ShapleySamples coalitions
	// per carrier and coalition size. 0 means 6.
	ExactShapleyCarriers int
	// ShapleySamples is the number of coalitions sampled per carrier and
	// size of the coalition it joins (stratified sampling); 0 means 2, and
	// at least 2 give a standard error.
	ShapleySamples int
	// MaxRouteHours limits every route, reloads included, to a driver's
	// shift, in both plans; 0 means 10 hours. The vehicle model has no
	// breaks: the limit includes them.
	MaxRouteHours float64
	// CoalitionEffort is the fraction of the plan budget spent on each
	// coalition's pooled plan, which starts from the grand coalition's
	// routes restricted to its parcels; 0 means local search on that start
	// alone (no ruin and recreate).
	CoalitionEffort float64
	// polishCoalitions is set when CoalitionEffort is 0.
	polishCoalitions bool
	// Travel builds travel matrices; nil means geo.GreatCircle with every
	// point in the urban core class. TravelSpeedKmh is the speed Travel's
	// durations assume, which vehicle speeds are scaled against; 0 means
	// the urban core speed of geo.DefaultClassTravel.
	Travel         geo.MatrixSource
	TravelSpeedKmh float64
	// Progress, when set, is called as tasks finish, from several
	// goroutines one at a time. It must return quickly.
	Progress func(Progress)
}

// DefaultCO2KgPerKm is the emission factor of a vehicle type missing from
// Options.CO2KgPerKm.
const DefaultCO2KgPerKm = 0.25

// DefaultCO2 returns the default tank-to-wheel (for electric, grid) CO2
// factors in kg per km of the Chongqing vehicle types: an electric
// tricycle uses about 0.05 kWh/km on a grid of about 0.58 kg/kWh; a
// light van burns about 9 l/100 km of petrol at 2.3 kg/l; a 4.2 m truck
// about 13 l/100 km of diesel at 2.6 kg/l; a refrigerated van adds its
// reefer unit to the van.
func DefaultCO2() map[string]float64 {
	return map[string]float64{"e_tricycle": 0.03, "van": 0.21, "light_truck": 0.34, "cold_van": 0.27}
}

func (o Options) withDefaults() (Options, error) {
	if o.TimeLimit < 0 || o.IterationsPerParcel < 0 || o.Workers < 0 || o.ShapleySamples < 0 || o.ExactShapleyCarriers < 0 {
		return o, fmt.Errorf("%w: negative time limit, iterations, workers or samples", ErrInvalid)
	}
	if o.TimeLimit == 0 && o.IterationsPerParcel == 0 {
		o.IterationsPerParcel = 20
	}
	if o.MaxTrips < 0 || o.MaxTrips > 1000 || o.ReloadSeconds < 0 {
		return o, fmt.Errorf("%w: max trips %d outside 0..1000 or negative reload time", ErrInvalid, o.MaxTrips)
	}
	if o.MaxTrips == 0 {
		o.MaxTrips = 3
		if o.ReloadSeconds == 0 {
			o.ReloadSeconds = 900
		}
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Resolution == 0 {
		o.Resolution = 8
	}
	if o.Resolution < 0 || o.Resolution > h3cell.MaxResolution {
		return o, fmt.Errorf("%w: resolution %d outside 1..15", ErrInvalid, o.Resolution)
	}
	def := func(x *float64, v float64, name string) error {
		if *x == 0 {
			*x = v
		}
		if !(*x > 0) || math.IsInf(*x, 0) {
			return fmt.Errorf("%w: %s %v must be positive", ErrInvalid, name, *x)
		}
		return nil
	}
	o.polishCoalitions = o.CoalitionEffort == 0
	for _, d := range []struct {
		x    *float64
		v    float64
		name string
	}{
		{&o.TargetZoneSeconds, 12 * 3600, "target zone seconds"},
		{&o.StopSeconds, 120, "stop seconds"},
		{&o.BalanceRatio, 1.2, "balance ratio"},
		{&o.MaxRouteHours, 10, "max route hours"},
		{&o.BulkyMinKg, 500, "bulky minimum kg"},
		{&o.UnassignedPenaltyYuan, 30, "unassigned penalty"},
		{&o.CoalitionEffort, 0.05, "coalition effort"},
	} {
		if err := def(d.x, d.v, d.name); err != nil {
			return o, err
		}
	}
	if o.BalanceRatio < 1 {
		return o, fmt.Errorf("%w: balance ratio %v below 1", ErrInvalid, o.BalanceRatio)
	}
	if o.ExactShapleyCarriers == 0 {
		o.ExactShapleyCarriers = 6
	}
	if o.ExactShapleyCarriers > 20 {
		return o, fmt.Errorf("%w: exact Shapley over %d carriers is 2^%d coalition plans; at most 20", ErrInvalid, o.ExactShapleyCarriers, o.ExactShapleyCarriers)
	}
	if o.ShapleySamples == 0 {
		o.ShapleySamples = 2
	}
	if o.CO2KgPerKm == nil {
		o.CO2KgPerKm = DefaultCO2()
	}
	if o.Travel == nil {
		o.Travel = geo.GreatCircle{Default: geo.ClassUrbanCore}
		if o.TravelSpeedKmh == 0 {
			o.TravelSpeedKmh = geo.DefaultClassTravel()[geo.ClassUrbanCore].SpeedKmh
		}
	}
	if o.TravelSpeedKmh == 0 {
		o.TravelSpeedKmh = geo.DefaultClassTravel()[geo.ClassUrbanCore].SpeedKmh
	}
	return o, nil
}

// Route is one vehicle's route in a plan.
type Route struct {
	Vehicle string `json:"vehicle"`
	Type    string `json:"type"`
	// Operator is depots.Shared in the pooled plan, the carrier alone.
	Operator string `json:"operator"`
	Depot    string `json:"depot"`
	// Zone is the zone of a pooled route ("bulky-…" and "cold-…" for the
	// district layers, "mop-up" for leftovers routed across zones), the
	// carrier station of a separate one.
	Zone string `json:"zone"`
	// District is where most of the route's parcels are.
	District string   `json:"district"`
	Parcels  []string `json:"parcels"`
	Km       float64  `json:"km"`
	Hours    float64  `json:"hours"`
	CostYuan float64  `json:"cost_yuan"`
	CO2Kg    float64  `json:"co2_kg"`
	// StartSeconds and EndSeconds are when the route leaves its depot and
	// is back, in seconds after midnight; LoadParcels and LoadKg what it
	// delivers over all its trips.
	StartSeconds int32       `json:"start_seconds"`
	EndSeconds   int32       `json:"end_seconds"`
	LoadParcels  int         `json:"load_parcels"`
	LoadKg       float64     `json:"load_kg"`
	Stops        []Stop      `json:"stops"`
	Path         []orb.Point `json:"path"` // depot, stops (and reloads), depot
	// seq is the visiting order: parcel indexes, -1 for a reload; task
	// the name of the routing task that planned it (warm starts match on
	// it).
	seq  []int
	task string
}

// Stop is one delivery of a route.
type Stop struct {
	Parcel   string    `json:"parcel"`
	Carrier  string    `json:"carrier"`
	Kind     Category  `json:"kind"`
	Location orb.Point `json:"location"`
	// ArrivalSeconds is when the vehicle arrives, StartSeconds when service
	// starts (after waiting for the window), in seconds after midnight.
	ArrivalSeconds int32      `json:"arrival_seconds"`
	StartSeconds   int32      `json:"start_seconds"`
	Window         TimeWindow `json:"window"`
}

// Unassigned is a parcel no route delivers, with the reason.
type Unassigned struct {
	Parcel  string `json:"parcel"`
	Carrier string `json:"carrier"`
	Reason  string `json:"reason"`
	index   int
}

// Totals sum a plan or a part of one.
type Totals struct {
	VehicleKm   float64 `json:"vehicle_km"`
	Vehicles    int     `json:"vehicles"`
	DriverHours float64 `json:"driver_hours"`
	CO2Kg       float64 `json:"co2_kg"`
	CostYuan    float64 `json:"cost_yuan"`
	Parcels     int     `json:"parcels"`
	Unassigned  int     `json:"unassigned"`
}

// DistrictTotals compares the plans in one district (routes counted in
// the district of most of their parcels).
type DistrictTotals struct {
	District string `json:"district"`
	Pooled   Totals `json:"pooled"`
	Separate Totals `json:"separate"`
}

// CarrierCost is one carrier's share of the pooled cost.
type CarrierCost struct {
	ID      string `json:"id"`
	Parcels int    `json:"parcels"`
	// AllocatedCost is the carrier's share of the pooled cost in yuan,
	// StandaloneCost its cost delivering alone; Shapley is its Shapley
	// value, whichever rule was applied.
	AllocatedCost  float64 `json:"allocated_cost"`
	StandaloneCost float64 `json:"standalone_cost"`
	Shapley        float64 `json:"shapley"`
	// ShapleyStdErr is the standard error of a sampled Shapley value (0
	// when exact).
	ShapleyStdErr float64 `json:"shapley_std_err"`
	Proportional  float64 `json:"proportional"`
}

// CoreViolation is a coalition whose members together are allocated more
// than the coalition's own pooled plan costs.
type CoreViolation struct {
	Coalition string  `json:"coalition"`
	Pays      float64 `json:"pays"`
	Cost      float64 `json:"cost"`
}

// Cut names a plan whose routing searches the budget or the deadline
// stopped before their iterations were done.
type Cut struct {
	Plan  string   `json:"plan"` // "pooled", "separate", "coalition A+B" or "coalitions" (plans not made: proportional rule)
	Tasks []string `json:"tasks"`
}

// Shortfall is what the shared fleet of a centre lacks: Vehicles more of
// Type would serve the Parcels it left unassigned.
type Shortfall struct {
	Centre   string `json:"centre"`
	Type     string `json:"type"`
	Vehicles int    `json:"vehicles"`
	Parcels  int    `json:"parcels"`
}

// Allocation rules.
const (
	RuleShapleyExact   = "shapley_exact"
	RuleShapleySampled = "shapley_sampled"
	RuleProportional   = "proportional"
)

// Zoning summarises the zones of the pooled plan.
type Zoning struct {
	// Resolution is the base H3 resolution (Options.Resolution); a zone
	// whose district's cells were too coarse has a finer one (Zone.Resolution).
	Resolution int    `json:"resolution"`
	Zones      []Zone `json:"zones"`
	// MaxMinWorkload is max/min zone workload over all zones;
	// MaxMinWithinDistrict the worst such ratio within one district.
	MaxMinWorkload       float64 `json:"max_min_workload"`
	MaxMinWithinDistrict float64 `json:"max_min_within_district"`
	// MinCompactness and MedianCompactness summarise the zones'
	// compactness (see Compactness).
	MinCompactness    float64 `json:"min_compactness"`
	MedianCompactness float64 `json:"median_compactness"`
}

// Report is the outcome of Plan.
type Report struct {
	Parcels  int    `json:"parcels"`
	Pooled   Totals `json:"pooled"`
	Separate Totals `json:"separate"`
	// SavingPercent is the vehicle-km pooled delivery saves over separate
	// delivery, in percent of separate.
	SavingPercent float64 `json:"vehicle_km_saving_percent"`
	// SavingPerParcelPercent is the saving in vehicle-km per delivered
	// parcel; it differs from SavingPercent when the plans deliver
	// different numbers of parcels, which Comparison then names.
	SavingPerParcelPercent float64 `json:"vehicle_km_per_parcel_saving_percent"`
	Comparison             string  `json:"comparison"`
	// BudgetExhausted lists the plans whose searches were cut short by the
	// budget or the deadline; empty when every search ran its course.
	BudgetExhausted []Cut `json:"budget_exhausted"`
	// FleetShortfall says which vehicles the pooled plan lacks, per
	// centre, to deliver the parcels it leaves unassigned.
	FleetShortfall []Shortfall      `json:"fleet_shortfall"`
	Districts      []DistrictTotals `json:"districts"`
	Carriers       []CarrierCost    `json:"carriers"`
	// CostRule is how the pooled cost was shared: RuleShapleyExact or
	// RuleShapleySampled when the Shapley value is individually rational,
	// else RuleProportional (shares of stand-alone cost scaled to the
	// pooled cost). IndividuallyRational tells whether every carrier pays
	// at most its stand-alone cost; it is false only when pooling costs
	// more in total than going alone.
	CostRule             string `json:"cost_rule"`
	IndividuallyRational bool   `json:"individually_rational"`
	// InCore tells, up to Options.ExactShapleyCarriers carriers, whether
	// the allocation is in the core: no coalition is allocated more than
	// its own pooled plan costs; CoreViolations lists those that are. Nil
	// beyond.
	InCore         *bool           `json:"in_core,omitempty"`
	CoreViolations []CoreViolation `json:"core_violations,omitempty"`
	// CoalitionCosts is the cost of each coalition's pooled plan, keyed by
	// its carriers joined with "+" (singletons: the stand-alone cost).
	CoalitionCosts     map[string]float64 `json:"coalition_costs"`
	Zoning             Zoning             `json:"zoning"`
	Routes             []Route            `json:"routes"`
	SeparateRoutes     []Route            `json:"separate_routes"`
	Unassigned         []Unassigned       `json:"unassigned"`
	SeparateUnassigned []Unassigned       `json:"separate_unassigned"`
}

// Plan plans the urban day twice, pooled and separate, and shares the
// pooled cost among the carriers.
//
// Pooled: the districts are zoned into territories (Zones, Partition);
// every zone's general parcels are routed from its shared centre with its
// share of the centre's small vehicles, fresh parcels per centre with its
// refrigerated vans, and then each centre's vans take the bulky parcels
// and what the small vehicles could not serve; tasks run in parallel, and
// parcels still left are offered to every idle vehicle in one city-wide
// task. Separate: each carrier routes its own parcels from its own depot
// or district stations with its own fleet, under the same effort rule.
// See the package documentation for the report and the cost sharing.
func Plan(ctx context.Context, in Input, opts Options) (*Report, error) {
	d, err := NewDay(in, opts)
	if err != nil {
		return nil, err
	}
	parts := d.Parts()
	plans := make([]*PartPlan, len(parts))
	// The separate plan runs beside the pooled plan and its coalitions,
	// which start from it: each part's largest task is a single search
	// that would otherwise leave a core idle while it ends.
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		plans[1], err = d.PlanPart(ctx, parts[1], nil)
		return err
	})
	g.Go(func() (err error) {
		if plans[0], err = d.PlanPart(ctx, parts[0], nil); err != nil {
			return err
		}
		return d.planCoalitions(ctx, parts[2:], plans[2:], plans[0])
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return d.Report(plans)
}

// planCoalitions plans the coalition parts, Options.Workers at a time:
// they depend only on the pooled plan, and each solves its tasks on a
// worker pool of its own whose stages (zones, vans, mop-up) leave cores
// idle at their ends, so that one coalition at a time would not keep the
// machine busy. The outcomes do not depend on the order.
func (d *Day) planCoalitions(ctx context.Context, parts []Part, plans []*PartPlan, pooled *PartPlan) error {
	order := make([]int, len(parts))
	for k := range order {
		order[k] = k
	}
	return d.e.inParallel(ctx, "coalitions", order, func(ctx context.Context, k int) (err error) {
		plans[k], err = d.PlanPart(ctx, parts[k], pooled)
		return err
	})
}

// compare fills the savings. When the plans deliver different numbers of
// parcels the saving is also given per delivered parcel, and Comparison
// names the difference.
func (r *Report) compare() {
	if r.Separate.VehicleKm > 0 {
		r.SavingPercent = 100 * (r.Separate.VehicleKm - r.Pooled.VehicleKm) / r.Separate.VehicleKm
	}
	dp, ds := r.Parcels-r.Pooled.Unassigned, r.Parcels-r.Separate.Unassigned
	if dp > 0 && ds > 0 && r.Separate.VehicleKm > 0 {
		per := r.Pooled.VehicleKm / float64(dp)
		sep := r.Separate.VehicleKm / float64(ds)
		r.SavingPerParcelPercent = 100 * (sep - per) / sep
	}
	if dp == ds {
		r.Comparison = fmt.Sprintf("like for like: both plans deliver %d of %d parcels", dp, r.Parcels)
	} else {
		r.Comparison = fmt.Sprintf("pooled delivers %d, separate %d of %d parcels: the saving is %.1f%% as measured, %.1f%% per delivered parcel",
			dp, ds, r.Parcels, r.SavingPercent, r.SavingPerParcelPercent)
	}
}

// shortfall counts, per centre, the pooled plan's unassigned parcels and
// the vehicles that would serve them: for want of a skill (or of any
// vehicle), more of the parcel's class; for capacity, time or range,
// more vans (or refrigerated vans for fresh parcels), whose range and
// speed reach where the small vehicles could not. The number is the
// parcels over what a route of that type delivered on average in this
// plan (its capacity if none ran).
func (e *env) shortfall(routes []Route, un []Unassigned) []Shortfall {
	type key struct {
		centre string
		class  int
	}
	count := map[key]int{}
	var keys []key
	for _, u := range un {
		p := &e.in.Parcels[u.index]
		c := parcelClass(p)
		if c == classParcel && u.Reason != string(routing.ReasonSkills) && u.Reason != ReasonNoVehicle {
			c = classBulky
		}
		k := key{string(e.layout.tasks[e.parcelZone[u.index]].centre), c}
		if count[k] == 0 {
			keys = append(keys, k)
		}
		count[k]++
	}
	per := map[string][2]int{} // type: parcels, routes
	for _, r := range routes {
		x := per[r.Type]
		per[r.Type] = [2]int{x[0] + r.LoadParcels, x[1] + 1}
	}
	var out []Shortfall
	for _, k := range keys {
		var t *fleet.VehicleType
		for i := range e.in.VehicleTypes {
			if vt := &e.in.VehicleTypes[i]; e.class(vt) == k.class {
				t = vt
				break
			}
		}
		s := Shortfall{Centre: k.centre, Parcels: count[k], Vehicles: 1}
		if t != nil {
			s.Type = t.ID
			load := t.CapacityParcels
			if x := per[t.ID]; x[1] > 0 && x[0] > 0 {
				load = (x[0] + x[1] - 1) / x[1]
			}
			if load > 0 {
				s.Vehicles = (count[k] + load - 1) / load
			}
		}
		out = append(out, s)
	}
	return out
}

func newEnv(in Input, o Options) (*env, error) {
	if len(in.Carriers) == 0 {
		return nil, fmt.Errorf("%w: no carriers", ErrInvalid)
	}
	e := &env{in: in, opts: o, depotLoc: map[depots.ID]orb.Point{}, cache: map[string]routed{}}
	for i := range in.Facilities {
		f := &in.Facilities[i]
		e.depotLoc[f.ID] = f.Location
	}
	types := map[string]*fleet.VehicleType{}
	for i := range in.VehicleTypes {
		types[in.VehicleTypes[i].ID] = &in.VehicleTypes[i]
	}
	carriers := map[string]bool{}
	for _, c := range in.Carriers {
		carriers[c.ID] = true
	}
	for i := range in.Parcels {
		p := &in.Parcels[i]
		if !carriers[p.Carrier] {
			return nil, fmt.Errorf("%w: parcel %q: unknown carrier %q", ErrInvalid, p.ID, p.Carrier)
		}
		if err := geo.ValidatePoint(p.Location); err != nil {
			return nil, fmt.Errorf("%w: parcel %q: %w", ErrInvalid, p.ID, err)
		}
		if p.WeightKg < 0 || p.VolumeLitres < 0 || p.ServiceSeconds < 0 || p.Window.EndSeconds < p.Window.StartSeconds || p.Window.StartSeconds < 0 {
			return nil, fmt.Errorf("%w: parcel %q: negative size, service or window", ErrInvalid, p.ID)
		}
	}
	e.fleet = map[string][]vehicle{}
	for _, v := range in.Vehicles {
		t, ok := types[v.Type]
		if !ok {
			return nil, fmt.Errorf("%w: vehicle %q: unknown type %q", ErrInvalid, v.ID, v.Type)
		}
		if _, ok := e.depotLoc[v.Depot]; !ok {
			return nil, fmt.Errorf("%w: vehicle %q: unknown depot %q", ErrInvalid, v.ID, v.Depot)
		}
		e.fleet[v.Operator] = append(e.fleet[v.Operator], vehicle{ID: v.ID, Type: t, Depot: v.Depot, Operator: v.Operator})
	}
	for i := range in.Facilities {
		f := &in.Facilities[i]
		if f.Kind == depots.DistributionCentre && f.Operator == depots.Shared {
			e.centres = append(e.centres, f)
		}
	}
	if len(e.centres) == 0 {
		return nil, fmt.Errorf("%w: no shared distribution centre", ErrInvalid)
	}
	return e, nil
}

// finishRoutes fills the CO2 of each route.
func (e *env) finishRoutes(rs []Route) {
	for i := range rs {
		f, ok := e.opts.CO2KgPerKm[rs[i].Type]
		if !ok {
			f = DefaultCO2KgPerKm
		}
		rs[i].CO2Kg = rs[i].Km * f
	}
}

func (e *env) totals(rs []Route, un []Unassigned, parcels int) Totals {
	t := Totals{Parcels: parcels, Unassigned: len(un)}
	vs := map[string]bool{}
	for _, r := range rs {
		t.VehicleKm += r.Km
		t.DriverHours += r.Hours
		t.CO2Kg += r.CO2Kg
		t.CostYuan += r.CostYuan
		vs[r.Vehicle] = true
	}
	t.Vehicles = len(vs)
	return t
}

func (e *env) districtTotals(pooled, separate []Route, pu, su []Unassigned) []DistrictTotals {
	parcels := map[string]int{}
	for i := range e.in.Parcels {
		parcels[e.in.Parcels[i].District]++
	}
	var out []DistrictTotals
	for _, d := range e.in.Districts {
		pick := func(rs []Route) []Route {
			var o []Route
			for _, r := range rs {
				if r.District == d {
					o = append(o, r)
				}
			}
			return o
		}
		unOf := func(us []Unassigned) []Unassigned {
			var o []Unassigned
			for _, u := range us {
				if e.in.Parcels[u.index].District == d {
					o = append(o, u)
				}
			}
			return o
		}
		out = append(out, DistrictTotals{District: d,
			Pooled: e.totals(pick(pooled), unOf(pu), parcels[d]), Separate: e.totals(pick(separate), unOf(su), parcels[d])})
	}
	return out
}

func zoningSummary(zones []Zone, res int) Zoning {
	z := Zoning{Resolution: res, Zones: zones}
	lo, hi := math.Inf(1), 0.0
	byGroup := map[string][2]float64{}
	for _, zz := range zones {
		lo, hi = min(lo, zz.WorkloadSeconds), max(hi, zz.WorkloadSeconds)
		g, ok := byGroup[zz.Group]
		if !ok {
			g = [2]float64{math.Inf(1), 0}
		}
		byGroup[zz.Group] = [2]float64{min(g[0], zz.WorkloadSeconds), max(g[1], zz.WorkloadSeconds)}
	}
	if len(zones) > 0 && lo > 0 {
		z.MaxMinWorkload = hi / lo
	}
	var cs []float64
	for _, zz := range zones {
		cs = append(cs, zz.Compactness)
	}
	if len(cs) > 0 {
		slices.Sort(cs)
		z.MinCompactness = cs[0]
		z.MedianCompactness = cs[len(cs)/2]
		if len(cs)%2 == 0 {
			z.MedianCompactness = (cs[len(cs)/2-1] + cs[len(cs)/2]) / 2
		}
	}
	z.MaxMinWithinDistrict = 1
	for _, g := range byGroup {
		if g[0] > 0 {
			z.MaxMinWithinDistrict = max(z.MaxMinWithinDistrict, g[1]/g[0])
		}
	}
	return z
}

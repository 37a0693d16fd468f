package rural

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/fleet"

	"golang.org/x/sync/errgroup"
)

// ErrInvalid is returned (wrapped) for an input or options Plan cannot use.
var ErrInvalid = errors.New("rural: invalid input")

// SkillColdChain is the skill of refrigerated vehicles, required by
// perishable produce.
const SkillColdChain = "cold_chain"

// Capacity dimensions of the rural problems.
const (
	dimParcels = 0
	dimKg      = 1 // ambient produce, whole kg
	dimColdKg  = 2 // cold-chain produce, whole kg
	dims       = 3

	microPerYuan = 1e6
)

// Progress reports days routed out of the total (counties × days).
type Progress struct {
	Done  int
	Total int
}

// Options control Plan. The zero value is valid.
type Options struct {
	Seed int64
	// TimeLimit bounds each routing search; IterationsPerTask bounds it by
	// SISR iterations per task. Both zero means 1,000 iterations per task.
	TimeLimit         time.Duration
	IterationsPerTask int
	// Workers bounds the days routed at once; 0 means GOMAXPROCS.
	Workers int
	// PickupRadiusMeters: a village this close to its township station is
	// served by pickup at the station (its parcels ride to the station, its
	// people collect them and bring their produce) instead of by a visit.
	// 0 means 2,000 m; negative means never.
	PickupRadiusMeters float64
	// VillageVehicleType is the vehicle type of the station vans that run
	// the village rounds; "" means the non-refrigerated type with the
	// least payload among the hub fleet's types (the van).
	// StationVehicles is how many a station may use a day; 0 means 2.
	VillageVehicleType string
	StationVehicles    int
	// MaxTrips lets every vehicle go out again after reloading at its base
	// (ReloadSeconds); 0 means 2 trips and 1,200 s.
	MaxTrips      int
	ReloadSeconds float64
	// Travel builds travel matrices; nil means geo.GreatCircle in the
	// county's class (rural mountain or suburban), whose speed vehicle
	// rural speeds are scaled against.
	Travel         geo.MatrixSource
	TravelSpeedKmh float64
	Progress       func(Progress)
}

func (o Options) withDefaults() (Options, error) {
	if o.TimeLimit < 0 || o.IterationsPerTask < 0 || o.Workers < 0 || o.StationVehicles < 0 || o.MaxTrips < 0 || o.ReloadSeconds < 0 {
		return o, fmt.Errorf("%w: negative option", ErrInvalid)
	}
	if o.TimeLimit == 0 && o.IterationsPerTask == 0 {
		o.IterationsPerTask = 1000
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.PickupRadiusMeters == 0 {
		o.PickupRadiusMeters = 2000
	}
	if o.StationVehicles == 0 {
		o.StationVehicles = 2
	}
	if o.MaxTrips == 0 {
		o.MaxTrips = 2
		if o.ReloadSeconds == 0 {
			o.ReloadSeconds = 1200
		}
	}
	if o.MaxTrips > 1000 {
		return o, fmt.Errorf("%w: max trips %d above 1000", ErrInvalid, o.MaxTrips)
	}
	return o, nil
}

// Stop is one stop of a route.
type Stop struct {
	ID       string    `json:"id"` // village or station
	Location orb.Point `json:"location"`
	// Kind is "delivery" (parcels down), "pickup" (ambient produce up) or
	// "cold_pickup" (cold-chain produce up).
	Kind string `json:"kind"`
	// Trip counts the vehicle's trips from its base, from 1: the
	// backhaul rule orders deliveries before pickups within each trip.
	Trip    int     `json:"trip"`
	Parcels int     `json:"parcels,omitempty"`
	Kg      float64 `json:"kg,omitempty"`
	ColdKg  float64 `json:"cold_kg,omitempty"`
}

// Route is one vehicle's route on one day.
type Route struct {
	County string `json:"county"`
	Day    int    `json:"day"` // 0–6
	// Echelon is 1 for hub branch lines, 2 for station village rounds.
	Echelon   int         `json:"echelon"`
	Vehicle   string      `json:"vehicle"`
	Type      string      `json:"type"`
	ColdChain bool        `json:"cold_chain"`
	Base      string      `json:"base"` // hub or station
	Stops     []Stop      `json:"stops"`
	Km        float64     `json:"km"`
	Hours     float64     `json:"hours"`
	CostYuan  float64     `json:"cost_yuan"`
	Path      []orb.Point `json:"path"`
}

// Day sums one day of one county... and of the week.
type Day struct {
	Day      int     `json:"day"`
	Km       float64 `json:"km"`
	Vehicles int     `json:"vehicles"`
	Routes   []Route `json:"routes"`
}

// VillageService says how a village was served.
type VillageService struct {
	ID       string `json:"id"`
	County   string `json:"county"`
	Station  string `json:"station"`
	Required int    `json:"visits_required"`
	// Mode is "visit" (a station van calls) or "pickup" (at the station).
	Mode string `json:"mode"`
	// Days are the planned visit days (0–6); Served the days the village
	// was in fact served (a visit routed, or for pickup its station
	// supplied).
	Days   []int `json:"days"`
	Served []int `json:"served"`
	// Met is whether Served reaches Required.
	Met bool `json:"met"`
	// Reason says why a village falls short: the solver's reason for the
	// missed visit or station supply.
	Reason string `json:"reason,omitempty"`
}

// ProduceCarried is the farm produce carried to the city in the week, in kg.
type ProduceCarried struct {
	ColdChain float64 `json:"cold_chain"`
	Ambient   float64 `json:"ambient"`
	Total     float64 `json:"total"`
	// Offered is the produce the villages had to give; Missed lists the
	// pickups no route made, with the reason.
	Offered float64        `json:"offered"`
	Missed  []MissedPickup `json:"missed,omitempty"`
}

// MissedPickup is a produce pickup left out of the plan.
type MissedPickup struct {
	ID        string  `json:"id"` // village or station
	County    string  `json:"county"`
	Day       int     `json:"day"`
	Kg        float64 `json:"kg"`
	ColdChain bool    `json:"cold_chain"`
	Reason    string  `json:"reason"`
}

// Report is the outcome of Plan.
type Report struct {
	VillagesTotal  int `json:"villages_total"`
	VillagesServed int `json:"villages_served"`
	// ServedShare is VillagesServed / VillagesTotal; ByFrequency counts
	// served villages per required visits a week ("7", "3", "2").
	ServedShare      float64          `json:"served_share"`
	ByFrequency      map[string]int   `json:"served_by_frequency"`
	ByPickup         int              `json:"served_by_pickup"`
	ProduceKgPerWeek ProduceCarried   `json:"produce_kg_per_week"`
	Days             []Day            `json:"days"`
	Villages         []VillageService `json:"villages"`
	// Unserved lists villages whose frequency is not met, with the reason.
	Unserved []VillageService `json:"unserved"`
	WeekKm   float64          `json:"week_km"`
}

// Plan plans the rural week.
//
// Each village is served by pickup at its station when within
// PickupRadiusMeters of it, else visited on the days of its pattern
// (assignDays). Per county and day, every station with villages to visit
// runs a village round (second echelon): station vans deliver the parcels
// and then, under the backhaul rule, collect ambient produce. Then the
// branch lines (first echelon) leave the county hub: trucks carry every
// station's parcels down and, on the way back, collect the ambient
// produce the rounds (and pickup villages) brought to the stations; cold
// vans collect the cold-chain produce at the villages (and stations) that
// day, in their own capacity dimension, which only they have. Parcels and
// produce of a visit are what accumulated since the last one.
func Plan(ctx context.Context, in Input, opts Options) (*Report, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(in.Counties) == 0 {
		return nil, fmt.Errorf("%w: no counties", ErrInvalid)
	}
	types := map[string]*fleet.VehicleType{}
	for i := range in.VehicleTypes {
		types[in.VehicleTypes[i].ID] = &in.VehicleTypes[i]
	}
	var cs []*county
	for i := range in.Counties {
		c, err := newCounty(&in.Counties[i], types, o)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	// Route every county-day in parallel.
	type job struct{ c, d int }
	var jobs []job
	for c := range cs {
		for d := range DaysPerWeek {
			jobs = append(jobs, job{c, d})
		}
	}
	results := make([][]Route, len(jobs))
	var (
		mu   sync.Mutex
		done int
		g    errgroup.Group
	)
	g.SetLimit(max(1, o.Workers))
	for _, j := range jobs {
		g.Go(func() error {
			r, err := cs[j.c].routeDay(ctx, j.d, o)
			if err != nil {
				return err
			}
			results[j.c*DaysPerWeek+j.d] = r
			mu.Lock()
			defer mu.Unlock()
			done++
			if o.Progress != nil {
				o.Progress(Progress{Done: done, Total: len(jobs)})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	rep := &Report{ByFrequency: map[string]int{}}
	for d := range DaysPerWeek {
		day := Day{Day: d}
		for c := range cs {
			day.Routes = append(day.Routes, results[c*DaysPerWeek+d]...)
		}
		used := map[string]bool{}
		for _, r := range day.Routes {
			day.Km += r.Km
			used[r.Vehicle] = true
			for _, s := range r.Stops {
				switch s.Kind {
				case "pickup":
					if r.Echelon == 1 {
						rep.ProduceKgPerWeek.Ambient += s.Kg
					}
				case "cold_pickup":
					rep.ProduceKgPerWeek.ColdChain += s.ColdKg
				}
			}
		}
		day.Vehicles = len(used)
		rep.WeekKm += day.Km
		rep.Days = append(rep.Days, day)
	}
	rep.ProduceKgPerWeek.Total = rep.ProduceKgPerWeek.Ambient + rep.ProduceKgPerWeek.ColdChain
	for _, c := range cs {
		slices.SortFunc(c.missed, func(a, b MissedPickup) int {
			if a.Day != b.Day {
				return a.Day - b.Day
			}
			return strings.Compare(a.ID, b.ID)
		})
		rep.ProduceKgPerWeek.Missed = append(rep.ProduceKgPerWeek.Missed, c.missed...)
		for i := range c.villages {
			rep.ProduceKgPerWeek.Offered += c.villages[i].ambientKg + c.villages[i].coldKg
			v := c.report(i)
			rep.VillagesTotal++
			if v.Met {
				rep.VillagesServed++
				rep.ByFrequency[fmt.Sprint(v.Required)]++
				if v.Mode == "pickup" {
					rep.ByPickup++
				}
			} else {
				rep.Unserved = append(rep.Unserved, v)
			}
			rep.Villages = append(rep.Villages, v)
		}
	}
	if rep.VillagesTotal > 0 {
		rep.ServedShare = float64(rep.VillagesServed) / float64(rep.VillagesTotal)
	}
	return rep, nil
}

// village is a village's plan for the week.
type village struct {
	src       *Village
	station   int
	pickup    bool    // served at the station
	days      uint8   // visit pattern
	parcels   int     // per visit
	ambientKg float64 // per week
	coldKg    float64 // per week
	// outcome per day: served, and the reason when a planned call failed
	served [DaysPerWeek]bool
	reason string
}

func (v *village) perVisit(kg float64) float64 {
	return math.Round(kg / float64(max(1, v.src.VisitsPerWeek)))
}

type county struct {
	src      *County
	villages []village
	travel   geo.MatrixSource
	speedKmh float64
	hubFleet []fleetVehicle
	van      *fleet.VehicleType
	// coldCapKg is the largest refrigerated payload of the hub fleet, and
	// truckCapKg the largest other one: pickups are split to fit.
	coldCapKg, truckCapKg float64
	mu                    sync.Mutex // guards villages' outcomes and missed
	missed                []MissedPickup
}

type fleetVehicle struct {
	id string
	t  *fleet.VehicleType
}

func newCounty(rc *County, types map[string]*fleet.VehicleType, o Options) (*county, error) {
	c := &county{src: rc}
	class := geo.ClassSuburban
	if rc.Mountain {
		class = geo.ClassRuralMountain
	}
	c.travel, c.speedKmh = o.Travel, o.TravelSpeedKmh
	if c.travel == nil {
		c.travel = geo.GreatCircle{Default: class}
		if c.speedKmh == 0 {
			c.speedKmh = geo.DefaultClassTravel()[class].SpeedKmh
		}
	}
	if c.speedKmh == 0 {
		c.speedKmh = geo.DefaultClassTravel()[class].SpeedKmh
	}
	for _, v := range rc.Vehicles {
		t, ok := types[v.Type]
		if !ok {
			return nil, fmt.Errorf("%w: county %s: vehicle %q: unknown type %q", ErrInvalid, rc.ID, v.ID, v.Type)
		}
		c.hubFleet = append(c.hubFleet, fleetVehicle{v.ID, t})
		if t.ColdChain {
			c.coldCapKg = max(c.coldCapKg, t.CapacityKg)
		} else {
			c.truckCapKg = max(c.truckCapKg, t.CapacityKg)
		}
		if o.VillageVehicleType == "" && !t.ColdChain && (c.van == nil || t.CapacityKg < c.van.CapacityKg) {
			c.van = t
		}
	}
	if o.VillageVehicleType != "" {
		c.van = types[o.VillageVehicleType]
	}
	if c.van == nil {
		return nil, fmt.Errorf("%w: county %s: no vehicle type for village rounds", ErrInvalid, rc.ID)
	}
	stIdx := map[depots.ID]int{}
	for i, s := range rc.Stations {
		stIdx[s.ID] = i
		if err := geo.ValidatePoint(s.Location); err != nil {
			return nil, fmt.Errorf("%w: station %s: %w", ErrInvalid, s.ID, err)
		}
	}
	var loads []float64
	var stations, visits []int
	for i := range rc.Villages {
		sv := &rc.Villages[i]
		s, ok := stIdx[sv.Station]
		if !ok {
			return nil, fmt.Errorf("%w: village %s: unknown station %q", ErrInvalid, sv.ID, sv.Station)
		}
		if err := geo.ValidatePoint(sv.Location); err != nil {
			return nil, fmt.Errorf("%w: village %s: %w", ErrInvalid, sv.ID, err)
		}
		if sv.VisitsPerWeek < 1 || sv.VisitsPerWeek > DaysPerWeek || sv.ParcelsPerDay < 0 {
			return nil, fmt.Errorf("%w: village %s: %d visits a week, %v parcels a day", ErrInvalid, sv.ID, sv.VisitsPerWeek, sv.ParcelsPerDay)
		}
		v := village{src: sv, station: s}
		v.parcels = int(math.Ceil(sv.ParcelsPerDay * DaysPerWeek / float64(sv.VisitsPerWeek)))
		for _, p := range sv.Produce {
			if p.KgPerWeek < 0 || math.IsNaN(p.KgPerWeek) {
				return nil, fmt.Errorf("%w: village %s: produce %q %v kg", ErrInvalid, sv.ID, p.Product, p.KgPerWeek)
			}
			if p.ColdChain {
				v.coldKg += p.KgPerWeek
			} else {
				v.ambientKg += p.KgPerWeek
			}
		}
		v.pickup = o.PickupRadiusMeters > 0 && geo.HaversineMeters(sv.Location, rc.Stations[s].Location) <= o.PickupRadiusMeters
		c.villages = append(c.villages, v)
		loads = append(loads, float64(v.parcels)+v.perVisit(v.ambientKg+v.coldKg)/10)
		stations = append(stations, s)
		visits = append(visits, sv.VisitsPerWeek)
	}
	pat := assignDays(loads, stations, visits, len(rc.Stations))
	for i := range c.villages {
		c.villages[i].days = pat[i]
	}
	return c, nil
}

func (c *county) report(i int) VillageService {
	v := &c.villages[i]
	out := VillageService{ID: v.src.ID, County: c.src.ID, Station: string(v.src.Station), Required: v.src.VisitsPerWeek, Mode: "visit", Reason: v.reason}
	if v.pickup {
		out.Mode = "pickup"
	}
	for d := range DaysPerWeek {
		if v.days&(1<<d) != 0 {
			out.Days = append(out.Days, d)
			if v.served[d] {
				out.Served = append(out.Served, d)
			}
		}
	}
	out.Met = len(out.Served) >= out.Required
	if out.Met {
		out.Reason = ""
	} else if out.Reason == "" {
		out.Reason = "unassigned"
	}
	return out
}

// vehicleFor converts a vehicle type based at location loc.
func (c *county) vehicleFor(id string, t *fleet.VehicleType, loc int, o Options) routing.Vehicle {
	kg := int64(t.CapacityKg)
	cap := []int64{int64(t.CapacityParcels), kg, 0}
	var skills []string
	if t.ColdChain {
		cap = []int64{int64(t.CapacityParcels), 0, kg}
		skills = []string{SkillColdChain}
	}
	v := routing.Vehicle{
		ID: id, Start: loc, End: loc, Capacity: cap, Skills: skills,
		Shift: routing.TimeWindow{Start: int64(t.ShiftStartSeconds), End: int64(t.ShiftEndSeconds)},
		Costs: routing.Costs{
			Fixed:     int64(math.Round(t.FixedYuan * microPerYuan)),
			PerMeter:  int64(math.Round(t.YuanPerKm * microPerYuan / 1000)),
			PerSecond: int64(math.Round(t.YuanPerHour * microPerYuan / 3600)),
		},
		MaxDistance: int64(t.RangeMeters),
		SpeedFactor: 1,
		MaxTrips:    o.MaxTrips,
		ReloadTime:  int64(o.ReloadSeconds),
	}
	speed := t.RuralSpeedKmh
	if speed == 0 {
		speed = t.SpeedKmh
	}
	if speed > 0 {
		v.SpeedFactor = speed / c.speedKmh
	}
	return v
}

// stopJob is one job of a day problem with what it stands for.
type stopJob struct {
	job      routing.Job
	stop     Stop
	villages []int // villages this job serves (delivery) on the day
}

// solveTask routes jobs from base with vehicles; it returns the routes and
// the reason of each unassigned job (by index).
func (c *county) solveTask(ctx context.Context, day, echelon int, base string, baseLoc orb.Point,
	vs []fleetVehicle, jobs []stopJob, o Options) ([]Route, map[int]string, error) {
	if len(jobs) == 0 {
		return nil, nil, nil
	}
	pts := []orb.Point{baseLoc}
	for i := range jobs {
		jobs[i].job.Location = len(pts)
		pts = append(pts, jobs[i].stop.Location)
	}
	m, err := c.travel.Matrix(ctx, pts)
	if err != nil {
		return nil, nil, fmt.Errorf("county %s day %d %s: %w", c.src.ID, day, base, err)
	}
	p := &routing.Problem{Locations: len(pts), Durations: m.Seconds, Distances: m.Meters, Dimensions: dims, Backhaul: true}
	for _, v := range vs {
		p.Vehicles = append(p.Vehicles, c.vehicleFor(v.id, v.t, 0, o))
	}
	for _, j := range jobs {
		p.Jobs = append(p.Jobs, j.job)
	}
	ro := routing.Options{Seed: o.Seed + int64(day)*7919, Iterations: o.IterationsPerTask, TimeLimit: o.TimeLimit}
	sol, err := routing.Solve(ctx, p, ro)
	if err != nil {
		return nil, nil, fmt.Errorf("county %s day %d %s: %w", c.src.ID, day, base, err)
	}
	var routes []Route
	for _, r := range sol.Routes {
		v := vs[r.Vehicle]
		rt := Route{County: c.src.ID, Day: day, Echelon: echelon, Vehicle: v.id, Type: v.t.ID, ColdChain: v.t.ColdChain, Base: base,
			Km: float64(r.Distance) / 1000, Hours: float64(r.Duration) / 3600, CostYuan: float64(r.Cost) / microPerYuan}
		trip := 1
		for _, s := range r.Stops {
			switch s.Kind {
			case routing.KindJob:
				st := jobs[s.Task].stop
				st.Trip = trip
				rt.Stops = append(rt.Stops, st)
				rt.Path = append(rt.Path, st.Location)
			case routing.KindReload:
				trip++
				rt.Path = append(rt.Path, baseLoc)
			default:
				rt.Path = append(rt.Path, baseLoc)
			}
		}
		routes = append(routes, rt)
	}
	un := map[int]string{}
	for _, u := range sol.Unassigned {
		un[u.Task] = string(u.Reason)
	}
	return routes, un, nil
}

// routeDay routes one day of the county: the village rounds of every
// station, then the branch lines from the hub.
func (c *county) routeDay(ctx context.Context, day int, o Options) ([]Route, error) {
	rc := c.src
	var routes []Route
	// Second echelon, per station.
	stationParcels := make([]int, len(rc.Stations))
	stationKg := make([]float64, len(rc.Stations))
	stationColdKg := make([]float64, len(rc.Stations))
	var stationVillages = make([][]int, len(rc.Stations)) // served through the station today
	var coldJobs []stopJob
	for s := range rc.Stations {
		var jobs []stopJob
		for i := range c.villages {
			v := &c.villages[i]
			if v.station != s || v.days&(1<<day) == 0 {
				continue
			}
			if v.pickup {
				stationParcels[s] += v.parcels
				stationKg[s] += v.perVisit(v.ambientKg)
				stationColdKg[s] += v.perVisit(v.coldKg)
				stationVillages[s] = append(stationVillages[s], i)
				continue
			}
			loc := v.src.Location
			d := []int64{int64(v.parcels), 0, 0}
			jobs = append(jobs, stopJob{
				job:      routing.Job{ID: v.src.ID, Delivery: d, Pickup: make([]int64, dims), Service: 300},
				stop:     Stop{ID: v.src.ID, Location: loc, Kind: "delivery", Parcels: v.parcels},
				villages: []int{i},
			})
			// A load bigger than a vehicle is split into equal pickups.
			for _, part := range split(v.perVisit(v.ambientKg), c.van.CapacityKg) {
				jobs = append(jobs, stopJob{
					job:  routing.Job{ID: v.src.ID + "/produce", Delivery: make([]int64, dims), Pickup: []int64{0, int64(part), 0}, Service: 600},
					stop: Stop{ID: v.src.ID, Location: loc, Kind: "pickup", Kg: part},
				})
			}
			for _, part := range split(v.perVisit(v.coldKg), c.coldCapKg) {
				coldJobs = append(coldJobs, stopJob{
					job:  routing.Job{ID: v.src.ID + "/cold", Delivery: make([]int64, dims), Pickup: []int64{0, 0, int64(part)}, Service: 600, Skills: []string{SkillColdChain}},
					stop: Stop{ID: v.src.ID, Location: loc, Kind: "cold_pickup", ColdKg: part},
				})
			}
		}
		st := rc.Stations[s]
		var vs []fleetVehicle
		for k := range o.StationVehicles {
			vs = append(vs, fleetVehicle{fmt.Sprintf("%s-%s-%d", st.ID, c.van.ID, k+1), c.van})
		}
		rs, un, err := c.solveTask(ctx, day, 2, string(st.ID), st.Location, vs, jobs, o)
		if err != nil {
			return nil, err
		}
		routes = append(routes, rs...)
		// What the rounds delivered and collected goes through the station.
		for k, j := range jobs {
			if reason, missed := un[k]; missed {
				for _, i := range j.villages {
					c.fail(i, reason)
				}
				c.miss(j.stop, day, reason)
				continue
			}
			if j.stop.Kind == "delivery" {
				stationParcels[s] += j.stop.Parcels
				stationVillages[s] = append(stationVillages[s], j.villages...)
			} else {
				stationKg[s] += j.stop.Kg
			}
		}
	}
	// First echelon: hub → stations (parcels), back with produce.
	var jobs []stopJob
	for s, st := range rc.Stations {
		if stationParcels[s] > 0 {
			jobs = append(jobs, stopJob{
				job:      routing.Job{ID: string(st.ID), Delivery: []int64{int64(stationParcels[s]), 0, 0}, Pickup: make([]int64, dims), Service: 900},
				stop:     Stop{ID: string(st.ID), Location: st.Location, Kind: "delivery", Parcels: stationParcels[s]},
				villages: stationVillages[s],
			})
		}
		for _, part := range split(stationKg[s], c.truckCapKg) {
			jobs = append(jobs, stopJob{
				job:  routing.Job{ID: string(st.ID) + "/produce", Delivery: make([]int64, dims), Pickup: []int64{0, int64(part), 0}, Service: 900},
				stop: Stop{ID: string(st.ID), Location: st.Location, Kind: "pickup", Kg: part},
			})
		}
		for _, part := range split(stationColdKg[s], c.coldCapKg) {
			jobs = append(jobs, stopJob{
				job:  routing.Job{ID: string(st.ID) + "/cold", Delivery: make([]int64, dims), Pickup: []int64{0, 0, int64(part)}, Service: 600, Skills: []string{SkillColdChain}},
				stop: Stop{ID: string(st.ID), Location: st.Location, Kind: "cold_pickup", ColdKg: part},
			})
		}
	}
	jobs = append(jobs, coldJobs...)
	var hubVs []fleetVehicle
	for _, v := range c.hubFleet {
		if v.t != c.van { // vans run the village rounds
			hubVs = append(hubVs, v)
		}
	}
	rs, un, err := c.solveTask(ctx, day, 1, string(rc.Hub.ID), rc.Hub.Location, hubVs, jobs, o)
	if err != nil {
		return nil, err
	}
	routes = append(routes, rs...)
	for k, j := range jobs {
		if j.stop.Kind != "delivery" {
			if reason, missed := un[k]; missed {
				c.miss(j.stop, day, reason)
			}
			continue
		}
		if reason, missed := un[k]; missed {
			for _, i := range j.villages {
				c.fail(i, "station supply: "+reason)
			}
			continue
		}
		c.mu.Lock()
		for _, i := range j.villages {
			c.villages[i].served[day] = true
		}
		c.mu.Unlock()
	}
	slices.SortStableFunc(routes, func(a, b Route) int { return a.Echelon - b.Echelon })
	return routes, nil
}

func (c *county) miss(s Stop, day int, reason string) {
	if s.Kind == "delivery" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.missed = append(c.missed, MissedPickup{ID: s.ID, County: c.src.ID, Day: day, Kg: s.Kg + s.ColdKg, ColdChain: s.Kind == "cold_pickup", Reason: reason})
}

func (c *county) fail(i int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.villages[i].reason == "" {
		c.villages[i].reason = reason
	}
}

// split divides kg into the fewest equal whole-kg parts of at most capKg
// (parts differ by at most one kg); none for kg <= 0, one part when
// capKg <= 0.
func split(kg, capKg float64) []float64 {
	if kg <= 0 {
		return nil
	}
	n := 1
	if capKg > 0 {
		n = int(math.Ceil(kg / capKg))
	}
	each := math.Floor(kg / float64(n))
	rem := kg - each*float64(n) // < n: one more kg to the first parts
	out := make([]float64, n)
	for i := range out {
		out[i] = each
		if rem >= 1 {
			out[i]++
			rem--
		}
	}
	out[n-1] += rem // a fraction of a kg, if kg is not whole
	return out
}

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

// Progress reports county-days routed out of the total (counties × days).
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
	// Workers bounds the counties planned at once; 0 means GOMAXPROCS.
	Workers int
	// PickupRadiusMeters: a village this close to its township station is
	// served by pickup at the station (its parcels ride to the station, its
	// people collect them and bring their produce) instead of by a visit.
	// 0 means 2,000 m; negative means never.
	PickupRadiusMeters float64
	// VillageVehicleType is the vehicle type of the county vans that run
	// the village rounds; "" means the non-refrigerated type with the
	// least payload among the county fleet's types (the van, or the small
	// mountain van). StationVehicles is how many rounds a station may run
	// a day; 0 means 2. The rounds are then chained onto the county's
	// vans (a van may run the rounds of several stations in a day).
	VillageVehicleType string
	StationVehicles    int
	// MaxTrips lets every vehicle go out again after reloading at its base
	// (ReloadSeconds); 0 means 2 trips and 1,200 s.
	MaxTrips      int
	ReloadSeconds float64
	// HandlingSeconds is the cross-docking time at a hub or station
	// between a feeding arrival and the departures it feeds; 0 means
	// 1,800 s, negative means none.
	HandlingSeconds float64
	// MaxDutyHours bounds a driver's day (driving, service, waiting);
	// 0 means 10 h.
	MaxDutyHours float64
	// ColdStorage prices the cold rooms that may be sited at township
	// stations; the zero value has defaults (see ColdStorage).
	ColdStorage ColdStorage
	// Travel builds travel matrices; nil means geo.GreatCircle in the
	// county's class (rural mountain or suburban), whose speed vehicle
	// rural speeds are scaled against.
	Travel         geo.MatrixSource
	TravelSpeedKmh float64
	Progress       func(Progress)
}

func (o Options) withDefaults() (Options, error) {
	if o.TimeLimit < 0 || o.IterationsPerTask < 0 || o.Workers < 0 || o.StationVehicles < 0 || o.MaxTrips < 0 || o.ReloadSeconds < 0 || o.MaxDutyHours < 0 {
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
	switch {
	case o.HandlingSeconds == 0:
		o.HandlingSeconds = 1800
	case o.HandlingSeconds < 0:
		o.HandlingSeconds = 0
	}
	if o.MaxDutyHours == 0 {
		o.MaxDutyHours = 10
	}
	var err error
	if o.ColdStorage, err = o.ColdStorage.withDefaults(); err != nil {
		return o, err
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
	// Arrival and Departure are seconds after the day's midnight.
	Arrival   int64 `json:"arrival"`
	Departure int64 `json:"departure"`
	// tripEnd is when the vehicle is back at its base after this trip.
	tripEnd int64
}

// Route is one vehicle's route on one day.
type Route struct {
	County string `json:"county"`
	Day    int    `json:"day"` // 0–6
	// Echelon is 0 for trunk lines (city distribution centre ↔ county
	// hub), 1 for the hub's branch lines and cold-produce runs, 2 for the
	// village rounds from a township station.
	Echelon   int    `json:"echelon"`
	Vehicle   string `json:"vehicle"`
	Type      string `json:"type"`
	ColdChain bool   `json:"cold_chain"`
	Base      string `json:"base"` // distribution centre, hub or station
	Stops     []Stop `json:"stops"`
	// Start and End are when the vehicle leaves and is back at its base,
	// in seconds after the day's midnight (a trunk may leave the evening
	// before: Start < 0).
	Start    int64   `json:"start"`
	End      int64   `json:"end"`
	Km       float64 `json:"km"`
	Hours    float64 `json:"hours"`
	CostYuan float64 `json:"cost_yuan"`
	// Path is the route's polyline for maps; report.json leaves it out
	// (routes.geojson has it).
	Path []orb.Point `json:"-"`
}

// Day sums one day of the week across counties.
type Day struct {
	Day int `json:"day"`
	// Km is the routes' km plus the vans' empty drives between stations.
	Km       float64 `json:"km"`
	Vehicles int     `json:"vehicles"`
	Routes   []Route `json:"routes"`
	// Shifts are the day's vehicle duties: a village-round van's chain of
	// rounds across stations, and every other route.
	Shifts []Shift `json:"shifts"`
}

// VillageService says how a village was served.
type VillageService struct {
	ID       string `json:"id"`
	County   string `json:"county"`
	Station  string `json:"station"`
	Required int    `json:"visits_required"`
	// Mode is "visit" (a van calls) or "pickup" (at the station, within
	// Options.PickupRadiusMeters).
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
	// Fleet names the vehicle that would serve it, when one would.
	Fleet string `json:"fleet,omitempty"`
}

// Report is the outcome of Plan.
type Report struct {
	VillagesTotal  int `json:"villages_total"`
	VillagesServed int `json:"villages_served"`
	// ServedShare is VillagesServed / VillagesTotal; ByFrequency counts
	// served villages per required visits a week ("7", "3", "2").
	ServedShare      float64        `json:"served_share"`
	ByFrequency      map[string]int `json:"served_by_frequency"`
	ByPickup         int            `json:"served_by_pickup"`
	PickupRadiusKm   float64        `json:"pickup_radius_km"`
	ProduceKgPerWeek ProduceCarried `json:"produce_kg_per_week"`
	// Coverage is per county (villages only, 村; urban communities 社区
	// are counted apart) and, in Municipality, for all of them.
	Coverage     []Coverage `json:"coverage"`
	Municipality Coverage   `json:"municipality"`
	// Trunks are the trunk lines, per county, day and kind.
	Trunks []Trunk `json:"trunks"`
	// Backhaul is the loaded-km share of the trunks in both directions.
	Backhaul []Backhaul `json:"backhaul"`
	// Chain gives dwell times, transit and the cold chain's time out of
	// refrigeration; Loads lists every produce load.
	Chain ChainSummary `json:"chain"`
	Loads []Load       `json:"loads"`
	// ColdStorage is the siting of cold rooms at township stations.
	ColdStorage ColdStorageReport `json:"cold_storage"`
	// Fleet compares the vehicles used each day with each county's fleet;
	// ExtraFleet lists the pickups and deliveries only vehicles beyond a
	// county's fleet could make, and which.
	Fleet      []FleetUse       `json:"fleet"`
	ExtraFleet []MissedPickup   `json:"extra_fleet,omitempty"`
	Days       []Day            `json:"days"`
	Villages   []VillageService `json:"villages"`
	// Unserved lists villages whose frequency is not met, with the reason.
	Unserved []VillageService `json:"unserved"`
	WeekKm   float64          `json:"week_km"`
}

// Plan plans the rural week.
//
// Each village is served by pickup at its station when within
// PickupRadiusMeters of it, else visited on the days of its pattern
// (assignDays). Cold rooms are sited at township stations first
// (siteColdRooms). Then, per county and day, the chain is routed in time
// order (see routeDay): trunk down, branch lines, village rounds, cold
// runs, trunk up; each echelon leaves after the arrivals that feed it plus
// HandlingSeconds. Counties are planned in parallel, the days of a county
// in order, since a day's branch lines collect the produce the previous
// day's rounds left at the stations.
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
	tr, err := newTrunks(in, types)
	if err != nil {
		return nil, err
	}
	var cs []*county
	for i := range in.Counties {
		c, err := newCounty(ctx, &in.Counties[i], types, tr, o)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	rep := &Report{ByFrequency: map[string]int{}, PickupRadiusKm: max(0, o.PickupRadiusMeters) / 1000}
	if rep.ColdStorage, err = siteColdRooms(ctx, cs, o); err != nil {
		return nil, err
	}
	var (
		mu   sync.Mutex
		done int
		g    errgroup.Group
	)
	g.SetLimit(max(1, o.Workers))
	for _, c := range cs {
		g.Go(func() error {
			if err := c.planWeek(ctx, o); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			done += DaysPerWeek
			if o.Progress != nil {
				o.Progress(Progress{Done: done, Total: DaysPerWeek * len(cs)})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	rep.assemble(cs)
	return rep, nil
}

// assemble sums the counties' weeks into the report.
func (rep *Report) assemble(cs []*county) {
	for d := range DaysPerWeek {
		day := Day{Day: d}
		for _, c := range cs {
			day.Routes = append(day.Routes, c.days[d].routes...)
			day.Shifts = append(day.Shifts, c.days[d].shifts...)
			rep.Trunks = append(rep.Trunks, c.days[d].trunks...)
		}
		for _, r := range day.Routes {
			day.Km += r.Km
			for _, s := range r.Stops {
				switch {
				case s.Kind == "pickup" && r.Echelon == 1:
					rep.ProduceKgPerWeek.Ambient += s.Kg
				case s.Kind == "cold_pickup" && r.Echelon == 1:
					rep.ProduceKgPerWeek.ColdChain += s.ColdKg
				}
			}
		}
		for _, sh := range day.Shifts {
			day.Km += sh.DeadheadKm // vans driving empty between stations
		}
		day.Vehicles = len(day.Shifts)
		rep.WeekKm += day.Km
		rep.Days = append(rep.Days, day)
	}
	rep.ProduceKgPerWeek.Total = rep.ProduceKgPerWeek.Ambient + rep.ProduceKgPerWeek.ColdChain
	all := Coverage{County: "municipality"}
	for _, c := range cs {
		slices.SortFunc(c.missed, func(a, b MissedPickup) int {
			if a.Day != b.Day {
				return a.Day - b.Day
			}
			return strings.Compare(a.ID, b.ID)
		})
		rep.ProduceKgPerWeek.Missed = append(rep.ProduceKgPerWeek.Missed, c.missed...)
		rep.ExtraFleet = append(rep.ExtraFleet, c.short...)
		cov := Coverage{County: c.src.ID, Name: c.src.Name, Stations: len(c.src.Stations), UrbanCommunities: c.src.UrbanCommunities}
		for i := range c.villages {
			rep.ProduceKgPerWeek.Offered += c.villages[i].ambientKg + c.villages[i].coldKg
			v := c.report(i)
			rep.VillagesTotal++
			cov.Villages++
			if v.Met {
				rep.VillagesServed++
				cov.Served++
				rep.ByFrequency[fmt.Sprint(v.Required)]++
				if v.Mode == "pickup" {
					rep.ByPickup++
					cov.ByPickup++
				} else {
					cov.ByVisit++
				}
			} else {
				rep.Unserved = append(rep.Unserved, v)
			}
			rep.Villages = append(rep.Villages, v)
		}
		cov.finish()
		rep.Coverage = append(rep.Coverage, cov)
		all.add(cov)
		rep.Loads = append(rep.Loads, c.loads...)
		rep.Fleet = append(rep.Fleet, c.fleetUse()...)
	}
	all.finish()
	rep.Municipality = all
	if rep.VillagesTotal > 0 {
		rep.ServedShare = float64(rep.VillagesServed) / float64(rep.VillagesTotal)
	}
	rep.Backhaul = backhaul(rep.Trunks, cs)
	rep.ColdStorage.roomUse(cs)
	rep.Chain = summarise(rep.Loads, cs)
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
	// room is set when the village's cold produce goes to its station's
	// cold room (siteColdRooms) rather than straight to a hub cold van.
	room bool
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
	// net is the travel matrix of the hub (0), the stations (1…) and the
	// villages' locations, in County.Facilities order.
	net *geo.Matrix
	// trucks run the branch lines, colds the cold-produce runs, vans the
	// village rounds; van and coldVan are the types of the rounds.
	trucks, colds, vans []fleetVehicle
	van, coldVan        *fleet.VehicleType
	// coldCapKg is the largest refrigerated payload of the county fleet,
	// and truckCapKg the largest truck one: pickups are split to fit.
	coldCapKg, truckCapKg float64
	// rooms[s] is the cold room sited at station s, in kg (0: none).
	rooms []float64
	trunk trunkPlan
	days  [DaysPerWeek]dayResult
	// loads are the produce loads, complete once the week is planned.
	loads  []Load
	missed []MissedPickup
	// short lists pickups served only by vehicles beyond the fleet.
	short []MissedPickup
}

type fleetVehicle struct {
	id string
	t  *fleet.VehicleType
}

func newCounty(ctx context.Context, rc *County, types map[string]*fleet.VehicleType, tr trunks, o Options) (*county, error) {
	c := &county{src: rc}
	class := geo.ClassSuburban
	if rc.Mountain {
		class = geo.ClassRuralMountain
	}
	c.travel, c.speedKmh = o.Travel, o.TravelSpeedKmh
	if c.travel == nil {
		c.travel = geo.GreatCircle{Default: class}
	}
	if c.speedKmh == 0 {
		c.speedKmh = geo.DefaultClassTravel()[class].SpeedKmh
	}
	for _, v := range rc.Vehicles {
		if _, ok := types[v.Type]; !ok {
			return nil, fmt.Errorf("%w: county %s: vehicle %q: unknown type %q", ErrInvalid, rc.ID, v.ID, v.Type)
		}
	}
	for _, v := range rc.Vehicles {
		t := types[v.Type]
		if o.VillageVehicleType == "" && !t.ColdChain && (c.van == nil || t.CapacityKg < c.van.CapacityKg) {
			c.van = t
		}
		if t.ColdChain && (c.coldVan == nil || t.CapacityKg < c.coldVan.CapacityKg) {
			c.coldVan = t
		}
	}
	if o.VillageVehicleType != "" {
		c.van = types[o.VillageVehicleType]
	}
	if c.van == nil {
		return nil, fmt.Errorf("%w: county %s: no vehicle type for village rounds", ErrInvalid, rc.ID)
	}
	for _, v := range rc.Vehicles {
		t := types[v.Type]
		fv := fleetVehicle{v.ID, t}
		switch {
		case t.ColdChain:
			c.colds = append(c.colds, fv)
			c.coldCapKg = max(c.coldCapKg, t.CapacityKg)
		case t == c.van:
			c.vans = append(c.vans, fv)
		default:
			c.trucks = append(c.trucks, fv)
			c.truckCapKg = max(c.truckCapKg, t.CapacityKg)
		}
	}
	if err := geo.ValidatePoint(rc.Hub.Location); err != nil {
		return nil, fmt.Errorf("%w: county %s hub: %w", ErrInvalid, rc.ID, err)
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
			if p.KgPerWeek < 0 || math.IsNaN(p.KgPerWeek) || math.IsInf(p.KgPerWeek, 0) {
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
	c.rooms = make([]float64, len(rc.Stations))
	var err error
	pts := []orb.Point{rc.Hub.Location}
	for _, s := range rc.Stations {
		pts = append(pts, s.Location)
	}
	for _, v := range rc.Villages {
		pts = append(pts, v.Location)
	}
	if c.net, err = c.travel.Matrix(ctx, pts); err != nil {
		return nil, fmt.Errorf("county %s: %w", rc.ID, err)
	}
	c.trunk, err = tr.plan(ctx, c)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// roadMeters is the road distance between two points of the county's
// network: -1 is the hub, 0… the stations, then the villages from
// len(Stations).
func (c *county) roadMeters(a, b int) float64 {
	return float64(c.net.Distance(a+1, b+1))
}

// villageNode is village i's index for roadMeters.
func (c *county) villageNode(i int) int { return len(c.src.Stations) + i }

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

// vehicleFor converts a vehicle type based at location loc, free from
// notBefore (seconds after midnight) within its shift and the duty limit.
func (c *county) vehicleFor(id string, t *fleet.VehicleType, loc int, notBefore int64, o Options) routing.Vehicle {
	kg := int64(t.CapacityKg)
	cap := []int64{int64(t.CapacityParcels), kg, 0}
	var skills []string
	if t.ColdChain {
		cap = []int64{int64(t.CapacityParcels), 0, kg}
		skills = []string{SkillColdChain}
	}
	v := routing.Vehicle{
		ID: id, Start: loc, End: loc, Capacity: cap, Skills: skills,
		Shift: routing.TimeWindow{Start: max(int64(t.ShiftStartSeconds), notBefore), End: int64(t.ShiftEndSeconds)},
		Costs: routing.Costs{
			Fixed:     int64(math.Round(t.FixedYuan * microPerYuan)),
			PerMeter:  int64(math.Round(t.YuanPerKm * microPerYuan / 1000)),
			PerSecond: int64(math.Round(t.YuanPerHour * microPerYuan / 3600)),
		},
		MaxDistance: int64(t.RangeMeters),
		MaxDuration: int64(o.MaxDutyHours * 3600),
		SpeedFactor: c.speedFactor(t),
		MaxTrips:    o.MaxTrips,
		ReloadTime:  int64(o.ReloadSeconds),
	}
	if v.Shift.End != 0 && v.Shift.Start >= v.Shift.End {
		v.Shift.End = v.Shift.Start + 1 // free too late: it can serve nothing
	}
	return v
}

func (c *county) speedFactor(t *fleet.VehicleType) float64 {
	speed := t.RuralSpeedKmh
	if speed == 0 {
		speed = t.SpeedKmh
	}
	if speed > 0 {
		return speed / c.speedKmh
	}
	return 1
}

// stopJob is one job of a day problem with what it stands for.
type stopJob struct {
	job      routing.Job
	stop     Stop
	villages []int // villages this job serves (delivery) on the day
	// loads are the produce loads this pickup carries.
	loads []*load
}

// solveTask routes jobs from base with vehicles free from notBefore; it
// returns the routes (stops carry the index of their job in Trip's
// place until solveTask returns) and the reason of each unassigned job
// (by index), and done[k] for the job of each routed stop.
func (c *county) solveTask(ctx context.Context, day, echelon int, base string, baseLoc orb.Point, notBefore int64,
	vs []fleetVehicle, jobs []stopJob, o Options) ([]Route, [][]int, map[int]string, error) {
	if len(jobs) == 0 {
		return nil, nil, nil, nil
	}
	pts := []orb.Point{baseLoc}
	for i := range jobs {
		jobs[i].job.Location = len(pts)
		pts = append(pts, jobs[i].stop.Location)
	}
	m, err := c.travel.Matrix(ctx, pts)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("county %s day %d %s: %w", c.src.ID, day, base, err)
	}
	p := &routing.Problem{Locations: len(pts), Durations: m.Seconds, Distances: m.Meters, Dimensions: dims, Backhaul: true}
	for _, v := range vs {
		p.Vehicles = append(p.Vehicles, c.vehicleFor(v.id, v.t, 0, notBefore, o))
	}
	for _, j := range jobs {
		p.Jobs = append(p.Jobs, j.job)
	}
	ro := routing.Options{Seed: o.Seed + int64(day)*7919, Iterations: o.IterationsPerTask, TimeLimit: o.TimeLimit}
	sol, err := routing.Solve(ctx, p, ro)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("county %s day %d %s: %w", c.src.ID, day, base, err)
	}
	var routes []Route
	var tasks [][]int
	for _, r := range sol.Routes {
		v := vs[r.Vehicle]
		rt := Route{County: c.src.ID, Day: day, Echelon: echelon, Vehicle: v.id, Type: v.t.ID, ColdChain: v.t.ColdChain, Base: base,
			Km: float64(r.Distance) / 1000, Hours: float64(r.Duration) / 3600, CostYuan: float64(r.Cost) / microPerYuan}
		var ts []int
		trip, tripStart := 1, 0
		for _, s := range r.Stops {
			switch s.Kind {
			case routing.KindJob:
				st := jobs[s.Task].stop
				st.Trip, st.Arrival, st.Departure = trip, s.Arrival+s.Waiting, s.Departure
				rt.Stops = append(rt.Stops, st)
				ts = append(ts, s.Task)
				rt.Path = append(rt.Path, st.Location)
			case routing.KindStart:
				rt.Start = s.Departure
				rt.Path = append(rt.Path, baseLoc)
			default: // reload or end: back at the base
				for k := tripStart; k < len(rt.Stops); k++ {
					rt.Stops[k].tripEnd = s.Arrival
				}
				tripStart = len(rt.Stops)
				trip++
				rt.End = s.Arrival
				rt.Path = append(rt.Path, baseLoc)
			}
		}
		routes = append(routes, rt)
		tasks = append(tasks, ts)
	}
	un := map[int]string{}
	for _, u := range sol.Unassigned {
		un[u.Task] = string(u.Reason)
	}
	return routes, tasks, un, nil
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

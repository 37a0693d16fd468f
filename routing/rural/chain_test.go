package rural

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// withTrunks adds a city distribution centre with cold storage, 90 km
// east of smallWeek's county, and trunk vehicle types.
func withTrunks(in Input) Input {
	in.VehicleTypes = append(slices.Clone(in.VehicleTypes),
		fleet.VehicleType{ID: "trunk_truck", CapacityParcels: 3000, CapacityKg: 12000, RuralSpeedKmh: 60,
			ShiftStartSeconds: 2 * 3600, ShiftEndSeconds: 24 * 3600, FixedYuan: 900, YuanPerKm: 3, YuanPerHour: 60},
		fleet.VehicleType{ID: "cold_truck", CapacityParcels: 1000, CapacityKg: 6000, ColdChain: true, RuralSpeedKmh: 60,
			ShiftStartSeconds: 6 * 3600, ShiftEndSeconds: 24 * 3600, FixedYuan: 1100, YuanPerKm: 3.6, YuanPerHour: 60})
	in.DCs = []depots.Facility{{ID: "dc-city", Kind: depots.DistributionCentre, Location: orb.Point{106.50, 29.60},
		Capacity: depots.Capacity{PerDay: 1e5, ColdChain: 1e4}}}
	in.Counties = slices.Clone(in.Counties)
	in.Counties[0].Hub.Capacity.ColdChain = 100 // the hub has a cold room
	return in
}

func TestChainTimed(t *testing.T) {
	in := withTrunks(smallWeek())
	o := Options{Seed: 1, IterationsPerTask: 300}
	rep, err := Plan(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	handling := int64(1800)
	if len(rep.Trunks) == 0 {
		t.Fatal("no trunk lines")
	}
	for _, d := range rep.Days {
		var trunk, coldTrunk *Trunk
		for i := range rep.Trunks {
			if tk := &rep.Trunks[i]; tk.Day == d.Day {
				if tk.Kind == "cold" {
					coldTrunk = tk
				} else {
					trunk = tk
				}
			}
		}
		if trunk == nil {
			t.Fatalf("day %d: no ambient trunk", d.Day)
		}
		if trunk.AtHub <= trunk.LeaveDC || trunk.AtCity <= trunk.LeaveHub || trunk.LeaveHub < trunk.AtHub {
			t.Errorf("day %d trunk times out of order: %+v", d.Day, *trunk)
		}
		// Branch lines leave after the trunk's parcels are sorted; each
		// station's rounds after its branch line's arrival plus handling.
		ready := map[string]int64{}
		for _, r := range d.Routes {
			if r.Echelon != 1 || r.ColdChain {
				continue
			}
			if r.Start < trunk.AtHub+handling {
				t.Errorf("day %d: branch line %s leaves %s, before the trunk's %s + handling", d.Day, r.Vehicle, Clock(r.Start), Clock(trunk.AtHub))
			}
			if trunk.LeaveHub < r.End+handling {
				t.Errorf("day %d: trunk leaves the hub %s, before branch line %s is back (%s) + handling", d.Day, Clock(trunk.LeaveHub), r.Vehicle, Clock(r.End))
			}
			for _, s := range r.Stops {
				if s.Kind == "delivery" {
					ready[s.ID] = s.Departure + handling
				}
			}
		}
		for _, r := range d.Routes {
			switch {
			case r.Echelon == 2 && !r.ColdChain:
				at, ok := ready[r.Base]
				if !ok || r.Start < at {
					t.Errorf("day %d: round %s from %s leaves %s, before its parcels are in (%s, %v)", d.Day, r.Vehicle, r.Base, Clock(r.Start), Clock(at), ok)
				}
			case r.Echelon == 1 && r.ColdChain:
				if coldTrunk == nil || coldTrunk.LeaveHub < r.End+handling {
					t.Errorf("day %d: cold trunk %v leaves before cold van %s is back (%s)", d.Day, coldTrunk, r.Vehicle, Clock(r.End))
				}
			}
			for _, s := range r.Stops {
				if s.Departure < s.Arrival || s.Arrival < r.Start || (r.Echelon > 0 && s.Departure > r.End) {
					t.Errorf("day %d %s: stop %s at %s–%s outside the route %s–%s", d.Day, r.Vehicle, s.ID, Clock(s.Arrival), Clock(s.Departure), Clock(r.Start), Clock(r.End))
				}
			}
		}
		// A vehicle works one shift a day, its routes one after another,
		// within the duty limit.
		byVehicle := map[string][]Route{}
		for _, r := range d.Routes {
			if r.Echelon > 0 {
				byVehicle[r.Vehicle] = append(byVehicle[r.Vehicle], r)
			}
		}
		for v, rs := range byVehicle {
			slices.SortFunc(rs, func(a, b Route) int { return int(a.Start - b.Start) })
			for k := 1; k < len(rs); k++ {
				if rs[k].Start < rs[k-1].End {
					t.Errorf("day %d: %s's routes overlap: %s–%s and %s–%s", d.Day, v, Clock(rs[k-1].Start), Clock(rs[k-1].End), Clock(rs[k].Start), Clock(rs[k].End))
				}
			}
			if span := rs[len(rs)-1].End - rs[0].Start; float64(span) > 10*3600 {
				t.Errorf("day %d: %s on duty %.1f h, over 10", d.Day, v, float64(span)/3600)
			}
		}
	}
	// Every load reaches the city, in order; cold ones never leave the
	// cold chain.
	coldKg := 0.0
	for _, l := range rep.Loads {
		if l.Missed != "" {
			t.Errorf("load %+v missed", l)
			continue
		}
		if !(l.PickedUp <= l.AtHub && l.AtHub <= l.AtCity) || l.DwellHubHours < 0 || l.DwellStationHours < 0 {
			t.Errorf("load %+v: times out of order", l)
		}
		if l.ColdChain {
			coldKg += l.Kg
			if l.OutOfRefrigerationSeconds != 0 {
				t.Errorf("cold load %+v out of refrigeration", l)
			}
		}
	}
	if math.Abs(coldKg-200) > 7 {
		t.Errorf("cold loads %.0f kg, want the week's 200 (±1 kg a visit)", coldKg)
	}
	if rep.Chain.ColdOutOfRefrigerationSeconds.Max != 0 || rep.Chain.ColdLoads == 0 {
		t.Errorf("chain summary %+v", rep.Chain)
	}
	for _, b := range rep.Backhaul {
		if b.LoadedKmShare < 0 || b.LoadedKmShare > 1 || b.Km <= 0 {
			t.Errorf("backhaul %+v", b)
		}
		if b.Kind == "cold" && b.DownLoadedShare != 0 {
			t.Errorf("cold trunk loaded down: %+v", b)
		}
	}
	if rep.Municipality.Villages != 5 || rep.Municipality.Served != 5 || len(rep.Coverage) != 1 {
		t.Errorf("coverage %+v, %+v", rep.Municipality, rep.Coverage)
	}
}

// TestColdRoomsSited builds a county whose far township has many villages
// with cold produce, and a near one with a single small supplier: the
// siting must put a room at the far station, none at the near one, and
// bound its cost from below.
func TestColdRoomsSited(t *testing.T) {
	in := smallWeek()
	c := &in.Counties[0]
	c.Stations = append(slices.Clone(c.Stations), depots.Facility{ID: "st-far", Kind: depots.TownshipStation, Location: orb.Point{106.10, 29.70}, Parent: "hub"})
	for k := range 6 {
		a := float64(k) * math.Pi / 3
		c.Villages = append(c.Villages, Village{ID: fmt.Sprintf("far-%d", k), Station: "st-far",
			Location:      orb.Point{106.10 + 0.04*math.Cos(a), 29.70 + 0.035*math.Sin(a)},
			VisitsPerWeek: 3, ParcelsPerDay: 5, Produce: []Produce{{Product: "pork", ColdChain: true, KgPerWeek: 210}}})
	}
	c.Vehicles = append(slices.Clone(c.Vehicles), fleet.Vehicle{ID: "hub-cold-2", Type: "cold_van", Depot: "hub"},
		fleet.Vehicle{ID: "hub-van-2", Type: "van", Depot: "hub"}, fleet.Vehicle{ID: "hub-van-3", Type: "van", Depot: "hub"})
	rep, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerTask: 200})
	if err != nil {
		t.Fatal(err)
	}
	cs := rep.ColdStorage
	var far bool
	for _, s := range cs.Sites {
		switch s.Station {
		case "st-far":
			far = len(s.Villages) > 0 && s.Kg > 0
			if s.DailyKgMax <= 0 || s.DailyKgMax > s.Kg {
				t.Errorf("far room of %.0f kg holds up to %.0f kg a day", s.Kg, s.DailyKgMax)
			}
		case "st-west":
			t.Errorf("a room at st-west, whose one cold village supplies 60 kg a week: %+v", s)
		}
	}
	if !far {
		t.Errorf("no cold room at the far station: %+v", cs)
	}
	if cs.LowerBound > cs.CostYuanPerWeek+1e-6 || cs.CostYuanPerWeek >= cs.BaselineYuanPerWeek || cs.RefrigeratedKmSaved <= 0 {
		t.Errorf("cold storage cost %.0f, bound %.0f, baseline %.0f, km saved %.0f", cs.CostYuanPerWeek, cs.LowerBound, cs.BaselineYuanPerWeek, cs.RefrigeratedKmSaved)
	}
	// The room's villages go by refrigerated round into it, and the hub's
	// refrigerated van empties it the next day.
	var rounds, emptied int
	for _, d := range rep.Days {
		for _, r := range d.Routes {
			for _, s := range r.Stops {
				if r.Echelon == 2 && r.ColdChain && r.Base == "st-far" && s.Kind == "cold_pickup" {
					rounds++
				}
				if r.Echelon == 1 && r.ColdChain && s.ID == "st-far" {
					emptied++
				}
			}
		}
	}
	if rounds == 0 || emptied == 0 {
		t.Errorf("far room: %d refrigerated round pickups, %d collections by the hub", rounds, emptied)
	}
	for _, l := range rep.Loads {
		if l.ColdChain && l.OutOfRefrigerationSeconds != 0 {
			t.Errorf("cold load %+v out of refrigeration", l)
		}
	}
}

func TestChainRounds(t *testing.T) {
	in := smallWeek()
	c, err := newCounty(context.Background(), &in.Counties[0], map[string]*fleet.VehicleType{
		"van": &in.VehicleTypes[0], "light_truck": &in.VehicleTypes[1], "cold_van": &in.VehicleTypes[2]}, trunks{}, Options{MaxDutyHours: 10})
	if err != nil {
		t.Fatal(err)
	}
	h := int64(3600)
	block := func(base string, start, end int64) Route {
		return Route{Echelon: 2, Base: base, Type: "van", Start: start * h, End: end * h, Km: 10}
	}
	tests := []struct {
		name   string
		blocks []Route
		want   int // shifts
		extra  int
	}{
		{"one after another at one station", []Route{block("st-east", 9, 11), block("st-east", 12, 14)}, 1, 0},
		{"overlapping", []Route{block("st-east", 9, 11), block("st-west", 10, 12)}, 2, 1},
		// The stations lie about 20 km apart: a van back at 11:00 is not
		// at the other station by 11:05.
		{"no time to drive over", []Route{block("st-east", 9, 11), {Echelon: 2, Base: "st-west", Type: "van", Start: 11*h + 300, End: 13 * h}}, 2, 1},
		{"time to drive over", []Route{block("st-east", 9, 11), block("st-west", 13, 15)}, 1, 0},
		{"duty over 10 h", []Route{block("st-east", 7, 11), block("st-east", 12, 18)}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sh := c.chainRounds(0, slices.Clone(tt.blocks), map[string]bool{}, Options{MaxDutyHours: 10})
			extra := 0
			for _, s := range sh {
				if s.Extra {
					extra++
				}
			}
			if len(sh) != tt.want || extra != tt.extra {
				t.Errorf("chainRounds = %d shifts (%d extra), want %d (%d extra): %+v", len(sh), extra, tt.want, tt.extra, sh)
			}
		})
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		sec  int64
		want string
	}{{0, "00:00"}, {7*3600 + 5*60, "07:05"}, {-3600, "23:00 −1d"}, {86400 + 60, "00:01 +1d"}}
	for _, tt := range tests {
		if got := Clock(tt.sec); got != tt.want {
			t.Errorf("Clock(%d) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

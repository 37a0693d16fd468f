package urban

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// checkCoverage asserts that every parcel is on exactly one route or
// unassigned with a reason.
func checkCoverage(t *testing.T, plan string, in Input, routes []Route, un []Unassigned) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range routes {
		if len(r.Parcels) == 0 {
			t.Errorf("%s: route of %s has no parcels", plan, r.Vehicle)
		}
		for _, p := range r.Parcels {
			seen[p]++
		}
	}
	for _, u := range un {
		if u.Reason == "" {
			t.Errorf("%s: parcel %s unassigned without a reason", plan, u.Parcel)
		}
		seen[u.Parcel]++
	}
	for _, p := range in.Parcels {
		if seen[p.ID] != 1 {
			t.Errorf("%s: parcel %s routed or reported %d times, want 1", plan, p.ID, seen[p.ID])
		}
	}
	if len(seen) != len(in.Parcels) {
		t.Errorf("%s: %d parcel ids in the plan, want %d", plan, len(seen), len(in.Parcels))
	}
}

// connected reports whether cells form one component of the H3 grid,
// checked pairwise with IsNeighbor, independently of the zoning code.
func connected(t *testing.T, cells []h3cell.Cell) bool {
	t.Helper()
	seen := make([]bool, len(cells))
	seen[0] = true
	queue := []int{0}
	for q := 0; q < len(queue); q++ {
		for j := range cells {
			if seen[j] {
				continue
			}
			ok, err := cells[queue[q]].IsNeighbor(cells[j])
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				seen[j] = true
				queue = append(queue, j)
			}
		}
	}
	return len(queue) == len(cells)
}

func TestPlanSmallDay(t *testing.T) {
	in := smallDay(120, 1)
	rep, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 20, RespectDistricts: true})
	if err != nil {
		t.Fatal(err)
	}
	checkCoverage(t, "pooled", in, rep.Routes, rep.Unassigned)
	checkCoverage(t, "separate", in, rep.SeparateRoutes, rep.SeparateUnassigned)
	if rep.Pooled.Unassigned != 0 || rep.Separate.Unassigned != 0 {
		t.Errorf("unassigned pooled %d, separate %d; want 0: the fleets are large enough", rep.Pooled.Unassigned, rep.Separate.Unassigned)
	}
	if !(rep.Pooled.VehicleKm < rep.Separate.VehicleKm) {
		t.Errorf("pooled vehicle-km %.1f, separate %.1f: want pooled fewer", rep.Pooled.VehicleKm, rep.Separate.VehicleKm)
	}
	for _, r := range rep.Routes {
		if r.Operator != depots.Shared || (r.Depot != "dc-north" && r.Depot != "dc-south") {
			t.Errorf("pooled route of %s: operator %s from %s, want the shared fleet from a shared centre", r.Vehicle, r.Operator, r.Depot)
		}
	}
	for _, r := range rep.SeparateRoutes {
		if r.Depot != "depot-"+r.Operator {
			t.Errorf("separate route of %s from %s, want its carrier's depot", r.Vehicle, r.Depot)
		}
	}
	var km float64
	for _, d := range rep.Districts {
		km += d.Pooled.VehicleKm
	}
	if len(rep.Districts) != 2 || math.Abs(km-rep.Pooled.VehicleKm) > 1e-6 {
		t.Errorf("%d districts with pooled km %.3f, want 2 summing to the plan's %.3f", len(rep.Districts), km, rep.Pooled.VehicleKm)
	}
	var shares float64
	for _, c := range rep.Carriers {
		shares += c.AllocatedCost
	}
	if full := rep.CoalitionCosts["a+b"]; len(rep.Carriers) != 2 || math.Abs(shares-full) > 0.01 {
		t.Errorf("%d carriers' shares sum to %.2f, want 2 summing to the pooled cost %.2f", len(rep.Carriers), shares, full)
	}
	t.Logf("pooled %.1f km %d vehicles, separate %.1f km %d vehicles, rule %s",
		rep.Pooled.VehicleKm, rep.Pooled.Vehicles, rep.Separate.VehicleKm, rep.Separate.Vehicles, rep.CostRule)
}

func TestAllocate(t *testing.T) {
	vs := make([]vehicle, 5)
	for i := range vs {
		vs[i].ID = fmt.Sprint(i)
	}
	tests := []struct {
		name    string
		n       int
		weights []float64
		want    []int
	}{
		{"proportional", 5, []float64{3, 1, 1}, []int{3, 1, 1}},
		{"minimum one", 5, []float64{100, 1, 0}, []int{4, 1, 0}},
		{"too few for all", 2, []float64{1, 2, 3}, []int{0, 1, 1}},
		{"no weight", 5, []float64{0, 0}, []int{0, 0}},
		{"no vehicles", 0, []float64{1}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := allocate(vs[:tt.n], tt.weights)
			total := 0
			for i, g := range got {
				total += len(g)
				if len(g) != tt.want[i] {
					t.Errorf("allocate(%d, %v)[%d] has %d vehicles, want %d", tt.n, tt.weights, i, len(g), tt.want[i])
				}
			}
			if sum := func() (s int) {
				for _, w := range tt.want {
					s += w
				}
				return
			}(); total != sum {
				t.Errorf("allocated %d, want %d", total, sum)
			}
		})
	}
}

func TestPlanInvalid(t *testing.T) {
	in := smallDay(20, 1)
	badCarrier := in
	badCarrier.Parcels = append([]Parcel(nil), in.Parcels...)
	badCarrier.Parcels[0].Carrier = "nobody"
	badWindow := in
	badWindow.Parcels = append([]Parcel(nil), in.Parcels...)
	badWindow.Parcels[1].Window.EndSeconds = badWindow.Parcels[1].Window.StartSeconds - 1
	noCentre := in
	noCentre.Facilities = in.Facilities[:2] // the carriers' depots and fleets only
	noCentre.Vehicles = in.Vehicles[:8]
	tests := []struct {
		name string
		in   Input
		opts Options
	}{
		{"no carriers", Input{}, Options{}},
		{"unknown carrier", badCarrier, Options{}},
		{"window ends before it starts", badWindow, Options{}},
		{"unknown vehicle type", Input{Districts: in.Districts, Carriers: in.Carriers, Facilities: in.Facilities, Vehicles: in.Vehicles, Parcels: in.Parcels}, Options{}},
		{"no shared centre", noCentre, Options{}},
		{"negative time", in, Options{TimeLimit: -1}},
		{"bad resolution", in, Options{Resolution: 16}},
		{"balance below 1", in, Options{BalanceRatio: 0.5}},
	}
	for _, tt := range tests {
		if _, err := Plan(context.Background(), tt.in, tt.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("Plan(%s) error = %v, want ErrInvalid", tt.name, err)
		}
	}
	if _, err := Partition([]DistrictArea{{Cells: []h3cell.Cell{1}}}, nil, ZoningOptions{TargetWorkloadSeconds: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Partition(invalid cell) error = %v, want ErrInvalid", err)
	}
	if _, err := Partition(nil, nil, ZoningOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Partition(zero target) error = %v, want ErrInvalid", err)
	}
}

func TestPlanDistrictWithoutVehicles(t *testing.T) {
	in := smallDay(40, 1)
	var vs []fleet.Vehicle
	for _, v := range in.Vehicles {
		if v.Depot != "dc-north" {
			vs = append(vs, v)
		}
	}
	in.Vehicles = vs
	if _, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 2, RespectDistricts: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Plan(centre with parcels and no vehicle) error = %v, want ErrInvalid", err)
	}
}

func TestPlanBudgetExhausted(t *testing.T) {
	in := smallDay(120, 1)
	rep, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 1_000_000, TimeLimit: 20 * time.Millisecond, RespectDistricts: true})
	if err != nil {
		t.Fatal(err)
	}
	plans := map[string]bool{}
	for _, c := range rep.BudgetExhausted {
		plans[c.Plan] = len(c.Tasks) > 0
	}
	if !plans["pooled"] || !plans["separate"] {
		t.Errorf("budget_exhausted = %+v, want the pooled and separate plans named with their tasks", rep.BudgetExhausted)
	}
	rep, err = Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 3, RespectDistricts: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.BudgetExhausted) != 0 {
		t.Errorf("budget_exhausted = %+v with iterations alone, want none", rep.BudgetExhausted)
	}
}

// TestRoutesAndStops checks the route and stop fields: stops in order of
// arrival, service within the window, routes within the shift limit, load
// summed over the stops.
func TestRoutesAndStops(t *testing.T) {
	in := smallDay(120, 2)
	rep, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 5, RespectDistricts: true, MaxRouteHours: 8})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Parcel{}
	for _, p := range in.Parcels {
		byID[p.ID] = p
	}
	for _, r := range append(rep.Routes, rep.SeparateRoutes...) {
		if len(r.Stops) != len(r.Parcels) || r.LoadParcels != len(r.Parcels) {
			t.Errorf("route %s: %d stops, load %d, %d parcels", r.Vehicle, len(r.Stops), r.LoadParcels, len(r.Parcels))
		}
		if r.Hours > 8+1e-9 || r.EndSeconds < r.StartSeconds {
			t.Errorf("route %s: %.2f h from %d to %d s, want at most 8 h", r.Vehicle, r.Hours, r.StartSeconds, r.EndSeconds)
		}
		kg := 0.0
		for i, s := range r.Stops {
			p := byID[s.Parcel]
			if s.Carrier != p.Carrier || s.Kind != p.Category || s.Window != p.Window {
				t.Errorf("stop %s: carrier %s kind %s window %v, parcel says %s %s %v", s.Parcel, s.Carrier, s.Kind, s.Window, p.Carrier, p.Category, p.Window)
			}
			if s.StartSeconds < s.Window.StartSeconds || s.StartSeconds > s.Window.EndSeconds || s.ArrivalSeconds > s.StartSeconds {
				t.Errorf("stop %s: arrives %d, starts %d, window %v", s.Parcel, s.ArrivalSeconds, s.StartSeconds, s.Window)
			}
			if i > 0 && s.ArrivalSeconds < r.Stops[i-1].ArrivalSeconds {
				t.Errorf("route %s: stop %d arrives before stop %d", r.Vehicle, i, i-1)
			}
			if s.ArrivalSeconds < r.StartSeconds || s.ArrivalSeconds > r.EndSeconds {
				t.Errorf("route %s: stop %s at %d outside the route's %d..%d", r.Vehicle, s.Parcel, s.ArrivalSeconds, r.StartSeconds, r.EndSeconds)
			}
			kg += p.WeightKg
		}
		if math.Abs(kg-r.LoadKg) > 0.01 {
			t.Errorf("route %s: load %.2f kg, stops weigh %.2f", r.Vehicle, r.LoadKg, kg)
		}
	}
}

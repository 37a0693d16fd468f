package urban

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/scenario"
)

func testInput(t testing.TB, parcels, carriers int) Input {
	t.Helper()
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{
		Seed: 1, Kind: scenario.KindUrban, Parcels: parcels, Carriers: carriers, CarrierStations: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	in, err := InputFrom(s)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

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
	for _, p := range in.Day.Parcels {
		if seen[p.ID] != 1 {
			t.Errorf("%s: parcel %s routed or reported %d times, want 1", plan, p.ID, seen[p.ID])
		}
	}
	if len(seen) != len(in.Day.Parcels) {
		t.Errorf("%s: %d parcel ids in the plan, want %d", plan, len(seen), len(in.Day.Parcels))
	}
}

func TestPlanPooledVersusSeparate(t *testing.T) {
	in := testInput(t, 300, 4)
	tests := []struct {
		name string
		opts Options
	}{
		{"a zone per district", Options{Seed: 1, IterationsPerParcel: 8, RespectDistricts: true}},
		{"city zones", Options{Seed: 1, IterationsPerParcel: 8, TargetZoneSeconds: 3 * 3600, CrossZoneEffort: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Plan(context.Background(), in, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkCoverage(t, "pooled", in, rep.Routes, rep.Unassigned)
			checkCoverage(t, "separate", in, rep.SeparateRoutes, rep.SeparateUnassigned)
			if !(rep.Pooled.VehicleKm < rep.Separate.VehicleKm) {
				t.Errorf("pooled vehicle-km %.1f, separate %.1f: want pooled fewer", rep.Pooled.VehicleKm, rep.Separate.VehicleKm)
			}
			t.Logf("%d zones; pooled %.1f km %d vehicles %d unassigned, separate %.1f km %d vehicles, saving %.1f%%, rule %s",
				len(rep.Zoning.Zones), rep.Pooled.VehicleKm, rep.Pooled.Vehicles, rep.Pooled.Unassigned,
				rep.Separate.VehicleKm, rep.Separate.Vehicles, rep.SavingPercent, rep.CostRule)
			// District totals add up to the plan totals.
			var km float64
			for _, d := range rep.Districts {
				km += d.Pooled.VehicleKm
			}
			if math.Abs(km-rep.Pooled.VehicleKm) > 1e-6 {
				t.Errorf("district pooled km sum %.3f, plan %.3f", km, rep.Pooled.VehicleKm)
			}
			if !(rep.Pooled.CO2Kg > 0) || !(rep.Separate.CO2Kg > 0) {
				t.Errorf("CO2 pooled %.1f separate %.1f", rep.Pooled.CO2Kg, rep.Separate.CO2Kg)
			}
		})
	}
}

func TestZonesReSolvedAcross(t *testing.T) {
	in := testInput(t, 900, 1)
	rep, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 2, RespectDistricts: true, TargetZoneSeconds: 2 * 3600})
	if err != nil {
		t.Fatal(err)
	}
	checkCoverage(t, "pooled", in, rep.Routes, rep.Unassigned)
	if len(rep.Zoning.Zones) <= len(in.Day.Districts) {
		t.Fatalf("%d zones for %d districts: want several zones in some district", len(rep.Zoning.Zones), len(in.Day.Districts))
	}
	// A lone carrier pays the whole pooled cost; it is individually
	// rational only if pooling is cheaper for it.
	c := rep.Carriers[0]
	pooled := rep.Pooled.CostYuan + 30*float64(rep.Pooled.Unassigned)
	if math.Abs(c.AllocatedCost-pooled) > 0.01 || rep.IndividuallyRational != (pooled <= c.StandaloneCost+1e-6) {
		t.Errorf("lone carrier allocated %.2f, pooled %.2f, standalone %.2f, rational %v", c.AllocatedCost, pooled, c.StandaloneCost, rep.IndividuallyRational)
	}
	t.Logf("%d zones; pooled %.1f km, separate %.1f km", len(rep.Zoning.Zones), rep.Pooled.VehicleKm, rep.Separate.VehicleKm)
}

func TestCostShareIndividuallyRational(t *testing.T) {
	in := testInput(t, 300, 4)
	rep, err := Plan(context.Background(), in, Options{Seed: 2, IterationsPerParcel: 5, RespectDistricts: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Carriers) != 4 {
		t.Fatalf("%d carriers in the report, want 4", len(rep.Carriers))
	}
	var sum float64
	for _, c := range rep.Carriers {
		if c.AllocatedCost > c.StandaloneCost+1e-6 {
			t.Errorf("carrier %s allocated %.2f yuan > standalone %.2f", c.ID, c.AllocatedCost, c.StandaloneCost)
		}
		sum += c.AllocatedCost
	}
	full := rep.CoalitionCosts["zto+yto+sf+jd"]
	if math.Abs(sum-full) > 0.01 {
		t.Errorf("allocations sum to %.2f, pooled cost is %.2f", sum, full)
	}
	if len(rep.CoalitionCosts) != 15 {
		t.Errorf("%d coalition costs, want 15", len(rep.CoalitionCosts))
	}
	if !rep.IndividuallyRational || (rep.CostRule != RuleShapleyExact && rep.CostRule != RuleProportional) {
		t.Errorf("rule %s, individually rational %v", rep.CostRule, rep.IndividuallyRational)
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

// MaxZoneRatio is the bound on max/min zone workload within a district
// (or overall, when zones ignore districts) that zoning is tested against.
const MaxZoneRatio = 1.5

func TestZonesContiguousAndBalanced(t *testing.T) {
	in := testInput(t, 3000, 4)
	tests := []struct {
		name    string
		respect bool
		res     int
		hours   float64
	}{
		{"city res 8", false, 8, 16},
		{"districts res 8", true, 8, 12},
		{"city res 9", false, 9, 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zones, of, err := Zones(in.Day.Parcels, Options{Seed: 3, RespectDistricts: tt.respect, Resolution: tt.res, TargetZoneSeconds: tt.hours * 3600})
			if err != nil {
				t.Fatal(err)
			}
			owner := map[h3cell.Cell]int{}
			parcels := 0
			for z, zone := range zones {
				if !connected(t, zone.Cells) {
					t.Errorf("zone %s (%d cells) is not one connected component", zone.ID, len(zone.Cells))
				}
				for _, c := range zone.Cells {
					if o, dup := owner[c]; dup {
						t.Errorf("cell %v in zones %d and %d", c, o, z)
					}
					owner[c] = z
				}
				parcels += zone.Parcels
			}
			if parcels != len(in.Day.Parcels) {
				t.Errorf("zones hold %d parcels, want %d", parcels, len(in.Day.Parcels))
			}
			for i, p := range in.Day.Parcels {
				c, err := h3cell.FromPoint(p.Location, tt.res)
				if err != nil {
					t.Fatal(err)
				}
				if owner[c] != of[i] {
					t.Fatalf("parcel %s in zone %d, its cell in zone %d", p.ID, of[i], owner[c])
				}
				if tt.respect && zones[of[i]].Group == "" {
					t.Fatalf("zone %s has no district", zones[of[i]].ID)
				}
			}
			s := zoningSummary(zones, tt.res)
			ratio := s.MaxMinWithinDistrict
			if !tt.respect {
				ratio = s.MaxMinWorkload
			}
			if len(zones) < 3 || ratio > MaxZoneRatio {
				t.Errorf("%d zones, max/min workload %.3f, want ≥ 3 zones and ≤ %v", len(zones), ratio, MaxZoneRatio)
			}
			t.Logf("%d zones, max/min %.3f (overall %.3f)", len(zones), ratio, s.MaxMinWorkload)
		})
	}
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
	in := testInput(t, 50, 2)
	badDay := *in.Day
	badDay.Parcels = append([]scenario.Parcel(nil), in.Day.Parcels...)
	badDay.Parcels[0].Carrier = "nobody"
	tests := []struct {
		name string
		in   Input
		opts Options
	}{
		{"no day", Input{}, Options{}},
		{"unknown carrier", Input{Day: &badDay, VehicleTypes: in.VehicleTypes}, Options{}},
		{"unknown vehicle type", Input{Day: in.Day}, Options{}},
		{"negative time", in, Options{TimeLimit: -1}},
		{"bad resolution", in, Options{Resolution: 16}},
		{"balance below 1", in, Options{BalanceRatio: 0.5}},
	}
	for _, tt := range tests {
		if _, err := Plan(context.Background(), tt.in, tt.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("Plan(%s) error = %v, want ErrInvalid", tt.name, err)
		}
	}
	if _, err := Partition([]CellLoad{{Cell: 1}}, ZoningOptions{TargetWorkloadSeconds: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Partition(invalid cell) error = %v, want ErrInvalid", err)
	}
	if _, err := Partition(nil, ZoningOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Partition(zero target) error = %v, want ErrInvalid", err)
	}
}

func ExamplePlan() {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{
		Seed: 1, Kind: scenario.KindUrban, Parcels: 200, Carriers: 3, CarrierStations: true,
	})
	if err != nil {
		panic(err)
	}
	in, _ := InputFrom(s)
	rep, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 5, RespectDistricts: true})
	if err != nil {
		panic(err)
	}
	fmt.Println("pooled uses fewer vehicle-km:", rep.Pooled.VehicleKm < rep.Separate.VehicleKm)
	fmt.Println("cost rule:", rep.CostRule, "individually rational:", rep.IndividuallyRational)
	for _, c := range rep.Carriers {
		fmt.Printf("%s pays at most its stand-alone cost: %v\n", c.ID, c.AllocatedCost <= c.StandaloneCost)
	}
	// Output:
	// pooled uses fewer vehicle-km: true
	// cost rule: shapley_exact individually rational: true
	// zto pays at most its stand-alone cost: true
	// yto pays at most its stand-alone cost: true
	// sf pays at most its stand-alone cost: true
}

func TestCutOffAllocs(t *testing.T) {
	in := testInput(t, 1000, 2)
	o, _ := Options{Resolution: 8}.withDefaults()
	idx := make([]int, len(in.Day.Parcels))
	for i := range idx {
		idx[i] = i
	}
	zones, _, err := zonesOf(in.Day.Parcels, idx, o, 0)
	if err != nil {
		t.Fatal(err)
	}
	// One area of the zone's cells, all in zone 0: cut each cell in turn.
	g := &grid{nb: map[h3cell.Cell][]h3cell.Cell{}, owner: map[h3cell.Cell]string{}}
	cells := map[h3cell.Cell]CellLoad{}
	for _, c := range zones[0].Cells {
		cells[c] = CellLoad{Cell: c, WorkloadSeconds: 1}
	}
	a, err := g.newArea("", cells)
	if err != nil {
		t.Fatal(err)
	}
	zone := make([]int, len(a.cells))
	mark := make([]int, len(a.cells))
	dst := make([]int, 0, len(a.cells))
	stamp, drop := 0, 0
	cut := func() {
		stamp++
		drop = (drop + 1) % len(a.cells)
		dst, _, _ = a.cutOff(zone, 0, drop, mark, stamp, dst[:0])
	}
	cut() // warm the scratch buffers
	if n := testing.AllocsPerRun(100, cut); n != 0 {
		t.Errorf("cutOff allocates %v times per call, want 0", n)
	}
}

// FuzzPartition checks Partition's invariants on random clustered cells:
// no error, every cell in exactly one zone, every zone connected.
func FuzzPartition(f *testing.F) {
	f.Add(uint64(1), uint8(40), uint8(3), false)
	f.Add(uint64(7), uint8(200), uint8(9), true)
	f.Add(uint64(3), uint8(1), uint8(1), false)
	f.Fuzz(func(t *testing.T, seed uint64, n, clusters uint8, groups bool) {
		if n == 0 || clusters == 0 {
			t.Skip()
		}
		rng := rand.New(rand.NewPCG(seed, 1))
		centres := make([]orb.Point, int(clusters)%12+1)
		for i := range centres {
			centres[i] = orb.Point{106.3 + 0.4*rng.Float64(), 29.4 + 0.4*rng.Float64()}
		}
		byCell := map[h3cell.Cell]*CellLoad{}
		var cells []h3cell.Cell
		for i := range int(n) {
			k := i % len(centres)
			p := orb.Point{centres[k][0] + 0.01*rng.NormFloat64(), centres[k][1] + 0.01*rng.NormFloat64()}
			c, err := h3cell.FromPoint(p, 8)
			if err != nil {
				t.Fatal(err)
			}
			cl := byCell[c]
			if cl == nil {
				cl = &CellLoad{Cell: c}
				if groups {
					cl.Group = fmt.Sprint(k % 2)
				}
				byCell[c] = cl
				cells = append(cells, c)
			}
			cl.Parcels++
			cl.WorkloadSeconds += 60 + float64(rng.IntN(240))
		}
		in := make([]CellLoad, 0, len(cells))
		for _, c := range cells {
			in = append(in, *byCell[c])
		}
		zones, err := Partition(in, ZoningOptions{TargetWorkloadSeconds: 3000, Seed: seed, Restarts: 2})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[h3cell.Cell]int{}
		for _, z := range zones {
			if len(z.Cells) == 0 || !connected(t, z.Cells) {
				t.Fatalf("zone %s with %d cells is empty or not connected", z.ID, len(z.Cells))
			}
			for _, c := range z.Cells {
				seen[c]++
			}
		}
		for _, c := range cells {
			if seen[c] != 1 {
				t.Fatalf("cell %v in %d zones", c, seen[c])
			}
		}
	})
}

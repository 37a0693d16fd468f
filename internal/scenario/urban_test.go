package scenario_test

// These tests plan generated Chongqing days: the urban planner end to end on
// realistic data. routing/urban tests itself on small hand-made days.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing/urban"
)

// urbanInput generates the Chongqing day of seed 1 with the given parcels
// and carriers, with carrier stations.
func urbanInput(t testing.TB, parcels, carriers int) urban.Input {
	t.Helper()
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{
		Seed: 1, Kind: scenario.KindUrban, Parcels: parcels, Carriers: carriers, CarrierStations: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.UrbanInput()
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// workloadRatios returns max/min zone workload over all zones and the worst
// such ratio within one group, computed here independently of the planner.
func workloadRatios(zones []urban.Zone) (overall, withinGroup float64) {
	lo, hi := math.Inf(1), 0.0
	groups := map[string][2]float64{}
	for _, z := range zones {
		lo, hi = min(lo, z.WorkloadSeconds), max(hi, z.WorkloadSeconds)
		g, ok := groups[z.Group]
		if !ok {
			g = [2]float64{math.Inf(1), 0}
		}
		groups[z.Group] = [2]float64{min(g[0], z.WorkloadSeconds), max(g[1], z.WorkloadSeconds)}
	}
	if len(zones) > 0 && lo > 0 {
		overall = hi / lo
	}
	withinGroup = 1
	for _, g := range groups {
		if g[0] > 0 {
			withinGroup = max(withinGroup, g[1]/g[0])
		}
	}
	return overall, withinGroup
}

// checkCoverage asserts that every parcel is on exactly one route or
// unassigned with a reason.
func checkCoverage(t *testing.T, plan string, in urban.Input, routes []urban.Route, un []urban.Unassigned) {
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

func TestPlanPooledVersusSeparate(t *testing.T) {
	in := urbanInput(t, 300, 4)
	tests := []struct {
		name string
		opts urban.Options
	}{
		{"a zone per district", urban.Options{Seed: 1, IterationsPerParcel: 8, RespectDistricts: true}},
		{"city zones", urban.Options{Seed: 1, IterationsPerParcel: 8, TargetZoneSeconds: 3 * 3600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := urban.Plan(context.Background(), in, tt.opts)
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

func TestLoneCarrier(t *testing.T) {
	in := urbanInput(t, 900, 1)
	rep, err := urban.Plan(context.Background(), in, urban.Options{Seed: 1, IterationsPerParcel: 2, RespectDistricts: true, TargetZoneSeconds: 2 * 3600})
	if err != nil {
		t.Fatal(err)
	}
	checkCoverage(t, "pooled", in, rep.Routes, rep.Unassigned)
	if len(rep.Zoning.Zones) <= len(in.Districts) {
		t.Fatalf("%d zones for %d districts: want several zones in some district", len(rep.Zoning.Zones), len(in.Districts))
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
	in := urbanInput(t, 300, 4)
	rep, err := urban.Plan(context.Background(), in, urban.Options{Seed: 2, IterationsPerParcel: 5, RespectDistricts: true})
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
	if !rep.IndividuallyRational || (rep.CostRule != urban.RuleShapleyExact && rep.CostRule != urban.RuleProportional) {
		t.Errorf("rule %s, individually rational %v", rep.CostRule, rep.IndividuallyRational)
	}
	if rep.InCore == nil {
		t.Error("no core check with 4 carriers")
	} else if *rep.InCore != (len(rep.CoreViolations) == 0) {
		t.Errorf("in core %v with %d violations", *rep.InCore, len(rep.CoreViolations))
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

// TestZonesAreTerritories checks the zones of the default day and of the
// city day of 20,000 parcels and ten carriers: every cell inside a
// district's real outline (at the district's resolution, the base one or,
// where its cells were too coarse, the next finer) in exactly one zone of
// that district, zones connected, balanced across the city (max/min ≤
// 1.25 over all zones) and compact (each ≥ 0.4, median ≥ 0.6).
func TestZonesAreTerritories(t *testing.T) {
	if testing.Short() {
		t.Skip("zones the 5,000- and 20,000-parcel days")
	}
	for _, tc := range []struct {
		name              string
		parcels, carriers int
	}{
		{"5000x4", scenario.DefaultParcels, scenario.DefaultCarriers},
		{"20000x10", 20000, 10},
	} {
		t.Run(tc.name, func(t *testing.T) { checkTerritories(t, urbanInput(t, tc.parcels, tc.carriers)) })
	}
}

func checkTerritories(t *testing.T, in urban.Input) {
	const res = 8
	zones, of, err := urban.Zones(in, urban.Options{Seed: 1, RespectDistricts: true, Resolution: res})
	if err != nil {
		t.Fatal(err)
	}
	owner := map[h3cell.Cell]int{}
	districtRes := map[string]int{}
	var cs []float64
	for z, zone := range zones {
		if r, ok := districtRes[zone.Group]; ok && r != zone.Resolution {
			t.Errorf("%s zoned at resolutions %d and %d", zone.Group, r, zone.Resolution)
		}
		districtRes[zone.Group] = zone.Resolution
		if zone.Resolution != res && zone.Resolution != res+1 {
			t.Errorf("zone %s at resolution %d, want %d or %d", zone.ID, zone.Resolution, res, res+1)
		}
		if !connected(t, zone.Cells) {
			t.Errorf("zone %s (%d cells) is not one connected component", zone.ID, len(zone.Cells))
		}
		for _, c := range zone.Cells {
			if o, dup := owner[c]; dup {
				t.Errorf("cell %v in zones %d and %d", c, o, z)
			}
			owner[c] = z
		}
		if zone.Compactness < 0.4 {
			t.Errorf("zone %s compactness %.2f, want ≥ 0.4", zone.ID, zone.Compactness)
		}
		cs = append(cs, zone.Compactness)
		t.Logf("%s: %d parcels, %.1f h, %.0f km², resolution %d, compactness %.2f", zone.ID, zone.Parcels, zone.WorkloadSeconds/3600, zone.AreaKm2, zone.Resolution, zone.Compactness)
	}
	slices.Sort(cs)
	if med := cs[len(cs)/2]; med < 0.6 {
		t.Errorf("median compactness %.2f, want ≥ 0.6", med)
	}
	// Every cell of every district's outline is in a zone of that district.
	for d, b := range in.Boundaries {
		cells, err := h3cell.CoverMulti(b, districtRes[d])
		if err != nil {
			t.Fatal(err)
		}
		other := 0
		for _, c := range cells {
			z, ok := owner[c]
			switch {
			case !ok:
				t.Errorf("cell %v of %s in no zone", c, d)
			case zones[z].Group != d:
				other++ // simplified neighbours overlap by up to ~60 m
			}
		}
		if other > len(cells)/50 {
			t.Errorf("%s: %d of %d cells in another district's zones", d, other, len(cells))
		}
	}
	for i := range in.Parcels {
		if of[i] < 0 || of[i] >= len(zones) {
			t.Fatalf("parcel %d in zone %d", i, of[i])
		}
	}
	overall, within := workloadRatios(zones)
	if overall > 1.25 {
		t.Errorf("max/min zone workload over all zones %.3f (within a district %.3f), want ≤ 1.25", overall, within)
	}
	t.Logf("%d zones, max/min %.3f within districts, %.3f overall; compactness min %.2f median %.2f", len(zones), within, overall, cs[0], cs[len(cs)/2])
}

func ExampleScenario_UrbanInput() {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{
		Seed: 1, Kind: scenario.KindUrban, Parcels: 200, Carriers: 3, CarrierStations: true,
	})
	if err != nil {
		panic(err)
	}
	in, err := s.UrbanInput()
	if err != nil {
		panic(err)
	}
	rep, err := urban.Plan(context.Background(), in, urban.Options{Seed: 1, IterationsPerParcel: 5, RespectDistricts: true})
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

// BenchmarkUrbanPlan times the full urban report as `lastmile plan urban`
// makes it (zoning, pooled and separate plans, coalition plans and cost
// shares) on the default day and on a city day of 20,000 parcels and ten
// carriers, and reports seconds, costs, zoning figures and the Shapley
// standard errors in the same run (routing/urban's
// BenchmarkPooledConvergence compares the pooled cost with a run ten times
// longer). Run it alone:
//
//	go test ./internal/scenario -run '^$' -bench UrbanPlan -benchtime 1x -timeout 30m
func BenchmarkUrbanPlan(b *testing.B) {
	for _, tc := range []struct {
		name                string
		parcels, carriers   int
		iterationsPerParcel int
	}{
		{"5000x4", scenario.DefaultParcels, scenario.DefaultCarriers, 0},
		{"20000x10", 20000, 10, 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := scenario.UrbanRequest{Seed: 1, Parcels: tc.parcels, Carriers: tc.carriers, Iterations: tc.iterationsPerParcel}
			s, err := req.UrbanDay()
			if err != nil {
				b.Fatal(err)
			}
			var rep *urban.Report
			start := time.Now()
			for b.Loop() {
				if _, rep, err = scenario.PlanUrban(context.Background(), req, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/report")
			b.ReportMetric(rep.Pooled.CostYuan, "pooled-yuan")
			b.ReportMetric(rep.Separate.CostYuan, "separate-yuan")
			b.ReportMetric(rep.Pooled.VehicleKm, "pooled-km")
			b.ReportMetric(rep.SavingPercent, "km-saved%")
			b.ReportMetric(float64(rep.Pooled.Unassigned), "pooled-unassigned")
			b.ReportMetric(float64(rep.Separate.Unassigned), "separate-unassigned")
			b.ReportMetric(rep.Zoning.MedianCompactness, "median-compactness")
			b.ReportMetric(rep.Zoning.MinCompactness, "min-compactness")
			b.ReportMetric(rep.Zoning.MaxMinWorkload, "max/min-workload")
			rel := 0.0
			for _, c := range rep.Carriers {
				rel = max(rel, c.ShapleyStdErr/max(1, c.Shapley))
			}
			b.ReportMetric(100*rel, "max-shapley-se%")
		})
	}
}

// BenchmarkZones times zoning alone on the default day and on the city day
// of 20,000 parcels and ten carriers, and reports the zoning figures.
func BenchmarkZones(b *testing.B) {
	for _, tc := range []struct {
		name              string
		parcels, carriers int
	}{
		{"5000x4", scenario.DefaultParcels, scenario.DefaultCarriers},
		{"20000x10", 20000, 10},
	} {
		b.Run(tc.name, func(b *testing.B) {
			in := urbanInput(b, tc.parcels, tc.carriers)
			b.ReportAllocs()
			var zones []urban.Zone
			for b.Loop() {
				var err error
				if zones, _, err = urban.Zones(in, urban.Options{Seed: 1, RespectDistricts: true}); err != nil {
					b.Fatal(err)
				}
			}
			overall, within := workloadRatios(zones)
			cs := make([]float64, len(zones))
			for i, z := range zones {
				cs[i] = z.Compactness
			}
			slices.Sort(cs)
			b.ReportMetric(float64(len(zones)), "zones")
			b.ReportMetric(overall, "max/min-workload")
			b.ReportMetric(within, "max/min-within")
			b.ReportMetric(cs[0], "min-compactness")
			b.ReportMetric(cs[len(cs)/2], "median-compactness")
		})
	}
}

// TestSampledShapley checks cost sharing beyond the exact bound: seven
// carriers, coalitions sampled per carrier and size, standard errors
// reported, shares summing to the pooled cost, no core check.
func TestSampledShapley(t *testing.T) {
	in := urbanInput(t, 240, 7)
	rep, err := urban.Plan(context.Background(), in, urban.Options{Seed: 1, IterationsPerParcel: 2, RespectDistricts: true, ShapleySamples: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.CostRule != urban.RuleShapleySampled && rep.CostRule != urban.RuleProportional {
		t.Errorf("rule %s with 7 carriers, want sampled (or proportional)", rep.CostRule)
	}
	if rep.InCore != nil {
		t.Errorf("core checked with 7 carriers: %v", *rep.InCore)
	}
	var sum, phi, se float64
	for _, c := range rep.Carriers {
		sum += c.AllocatedCost
		phi += c.Shapley
		se += c.ShapleyStdErr
		if c.ShapleyStdErr < 0 || math.IsNaN(c.ShapleyStdErr) {
			t.Errorf("carrier %s std err %v", c.ID, c.ShapleyStdErr)
		}
	}
	pooled := rep.CoalitionCosts[coalitionOf(rep)]
	if math.Abs(sum-pooled) > 0.01 || math.Abs(phi-pooled) > 0.01 {
		t.Errorf("allocations sum to %.2f and Shapley values to %.2f, want the pooled cost %.2f", sum, phi, pooled)
	}
	if !(se > 0) {
		t.Errorf("standard errors sum to %v, want some sampling error with 2 samples per stratum", se)
	}
	// 7 carriers, 2 samples in each of the 5 inner strata: at most 7 × 5
	// × 2 × 2 sampled coalitions, the 7 of six carriers, the 7 singletons
	// and the grand coalition.
	if n := len(rep.CoalitionCosts); n > 7*5*2*2+7+7+1 {
		t.Errorf("%d coalition plans, want at most %d", n, 7*5*2*2+7+7+1)
	}
}

// coalitionOf names the grand coalition of a report.
func coalitionOf(rep *urban.Report) string {
	var ids []string
	for _, c := range rep.Carriers {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, "+")
}

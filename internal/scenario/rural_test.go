package scenario_test

// These tests plan the generated Chongqing rural week: the rural planner
// end to end on realistic data. routing/rural tests itself on small
// hand-made counties.

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing/rural"
)

var (
	weekOnce sync.Once
	weekRep  *rural.Report
	weekIn   rural.Input
	weekErr  error
)

// bundledWeek plans the bundled Chongqing rural week once per test binary.
func bundledWeek(t *testing.T) (rural.Input, *rural.Report) {
	t.Helper()
	weekOnce.Do(func() {
		var s *scenario.Scenario
		s, weekErr = scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Kind: scenario.KindRural, Counties: []string{"rongchang", "youyang"}})
		if weekErr != nil {
			return
		}
		weekIn, weekErr = s.RuralInput()
		if weekErr != nil {
			return
		}
		weekRep, weekErr = rural.Plan(context.Background(), weekIn, rural.Options{Seed: 1, IterationsPerTask: 300})
	})
	if weekErr != nil {
		t.Fatal(weekErr)
	}
	return weekIn, weekRep
}

func TestWeekFrequencyMetOrReported(t *testing.T) {
	in, rep := bundledWeek(t)
	total := 0
	for _, c := range in.Counties {
		total += len(c.Villages)
	}
	if rep.VillagesTotal != total || len(rep.Villages) != total {
		t.Fatalf("villages total = %d (%d listed), want %d", rep.VillagesTotal, len(rep.Villages), total)
	}
	// Count, independently of the planner's bookkeeping, the days each
	// visited village appears as a delivery stop of a station round, and
	// each station as a delivery stop of a branch line.
	visited := map[string]map[int]bool{}
	supplied := map[string]map[int]bool{}
	for _, d := range rep.Days {
		for _, r := range d.Routes {
			for _, s := range r.Stops {
				if s.Kind != "delivery" {
					continue
				}
				m := visited
				if r.Echelon == 1 {
					m = supplied
				}
				if m[s.ID] == nil {
					m[s.ID] = map[int]bool{}
				}
				m[s.ID][d.Day] = true
			}
		}
	}
	unserved := map[string]bool{}
	for _, v := range rep.Unserved {
		if v.Reason == "" {
			t.Errorf("unserved village %s has no reason", v.ID)
		}
		unserved[v.ID] = true
	}
	for _, v := range rep.Villages {
		got := 0
		for _, d := range v.Days {
			if supplied[v.Station][d] && (v.Mode == "pickup" || visited[v.ID][d]) {
				got++
			}
		}
		if len(v.Days) != v.Required {
			t.Errorf("village %s: %d planned days, want %d", v.ID, len(v.Days), v.Required)
		}
		if got < v.Required && !unserved[v.ID] {
			t.Errorf("village %s: served %d of %d days and not reported unserved", v.ID, got, v.Required)
		}
		if got >= v.Required && !v.Met {
			t.Errorf("village %s: served %d of %d days but reported not met", v.ID, got, v.Required)
		}
	}
	if rep.VillagesServed+len(rep.Unserved) != total {
		t.Errorf("served %d + unserved %d != %d villages", rep.VillagesServed, len(rep.Unserved), total)
	}
	t.Logf("%d of %d villages served (%d by pickup); produce %.0f kg/week (cold %.0f, ambient %.0f)",
		rep.VillagesServed, total, rep.ByPickup, rep.ProduceKgPerWeek.Total, rep.ProduceKgPerWeek.ColdChain, rep.ProduceKgPerWeek.Ambient)
}

func TestDeliveriesBeforePickups(t *testing.T) {
	_, rep := bundledWeek(t)
	routes := 0
	for _, d := range rep.Days {
		for _, r := range d.Routes {
			routes++
			picked := map[int]bool{} // trips that have started picking up
			for k, s := range r.Stops {
				switch s.Kind {
				case "delivery":
					if picked[s.Trip] {
						t.Fatalf("day %d %s: stop %d (%s) delivers after a pickup on trip %d", d.Day, r.Vehicle, k, s.ID, s.Trip)
					}
				case "pickup", "cold_pickup":
					picked[s.Trip] = true
				default:
					t.Fatalf("day %d %s: stop %d has kind %q", d.Day, r.Vehicle, k, s.Kind)
				}
			}
		}
	}
	if routes == 0 {
		t.Fatal("no routes")
	}
}

func TestColdProduceOnlyOnColdVehicles(t *testing.T) {
	in, rep := bundledWeek(t)
	cold := map[string]bool{}
	for _, vt := range in.VehicleTypes {
		cold[vt.ID] = vt.ColdChain
	}
	coldKg := 0.0
	for _, d := range rep.Days {
		for _, r := range d.Routes {
			for _, s := range r.Stops {
				if s.ColdKg > 0 || s.Kind == "cold_pickup" {
					if !cold[r.Type] {
						t.Fatalf("day %d: cold produce at %s on %s, a %s without cold chain", d.Day, s.ID, r.Vehicle, r.Type)
					}
					if r.Echelon == 1 { // what reaches the hub; rounds and trunks move it again
						coldKg += s.ColdKg
					}
				}
				if s.Kind == "pickup" && s.ColdKg > 0 {
					t.Fatalf("ambient pickup at %s carries cold kg", s.ID)
				}
			}
		}
	}
	if coldKg == 0 || coldKg != rep.ProduceKgPerWeek.ColdChain {
		t.Errorf("cold produce on routes = %.0f kg, report says %.0f", coldKg, rep.ProduceKgPerWeek.ColdChain)
	}
}

func TestProduceAccounted(t *testing.T) {
	_, rep := bundledWeek(t)
	missed := 0.0
	for _, m := range rep.ProduceKgPerWeek.Missed {
		if m.Reason == "" {
			t.Errorf("missed pickup %s day %d without reason", m.ID, m.Day)
		}
		missed += m.Kg
	}
	// Produce per visit is rounded to whole kg: allow 1 kg per visit.
	visits := 0
	for _, v := range rep.Villages {
		visits += v.Required
	}
	p := rep.ProduceKgPerWeek
	if diff := p.Offered - p.Total - missed; diff < -float64(visits) || diff > float64(visits) {
		t.Errorf("offered %.0f kg − carried %.0f − missed %.0f = %.0f, want within ±%d (rounding)", p.Offered, p.Total, missed, diff, visits)
	}
}

func ExampleScenario_RuralInput() {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Kind: scenario.KindRural, Counties: []string{"rongchang", "youyang"}})
	if err != nil {
		panic(err)
	}
	in, err := s.RuralInput()
	if err != nil {
		panic(err)
	}
	rep, err := rural.Plan(context.Background(), in, rural.Options{Seed: 1, IterationsPerTask: 200})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d of %d villages served at their frequency, %d by pickup at the station\n",
		rep.VillagesServed, rep.VillagesTotal, rep.ByPickup)
	fmt.Println("days planned:", len(rep.Days))
	fmt.Println("cold-chain produce carried:", rep.ProduceKgPerWeek.ColdChain > 0)
	// Output:
	// 309 of 309 villages served at their frequency, 23 by pickup at the station
	// days planned: 7
	// cold-chain produce carried: true
}

// BenchmarkPlanRuralWeek plans the default week, every county, as
// `lastmile plan rural` does, and reports its quality beside its speed.
// It takes about a minute a run on two cores: go test -run '^$' -bench
// PlanRuralWeek -benchtime 1x ./internal/scenario.
func BenchmarkPlanRuralWeek(b *testing.B) {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Kind: scenario.KindRural})
	if err != nil {
		b.Fatal(err)
	}
	in, err := s.RuralInput()
	if err != nil {
		b.Fatal(err)
	}
	var rep *rural.Report
	for b.Loop() {
		if rep, err = rural.Plan(context.Background(), in, rural.Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	ambient := 0.0
	for _, x := range rep.Backhaul {
		if x.County == "municipality" && x.Kind == "ambient" {
			ambient = x.LoadedKmShare
		}
	}
	b.ReportMetric(100*rep.Municipality.Share, "served%")
	b.ReportMetric(rep.WeekKm, "km/week")
	b.ReportMetric(rep.Chain.ColdOutOfRefrigerationSeconds.Max, "cold-out-s")
	b.ReportMetric(100*ambient, "trunk-loaded%")
	cs := rep.ColdStorage
	b.ReportMetric(100*(cs.CostYuanPerWeek-cs.LowerBound)/cs.CostYuanPerWeek, "coldroom-gap%")
}

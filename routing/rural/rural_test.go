package rural

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/scenario"
)

var (
	weekOnce sync.Once
	weekRep  *Report
	weekIn   Input
	weekErr  error
)

// bundledWeek plans the bundled Chongqing rural week once per test binary.
func bundledWeek(t *testing.T) (Input, *Report) {
	t.Helper()
	weekOnce.Do(func() {
		var s *scenario.Scenario
		s, weekErr = scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Kind: scenario.KindRural})
		if weekErr != nil {
			return
		}
		weekIn, weekErr = InputFrom(s)
		if weekErr != nil {
			return
		}
		weekRep, weekErr = Plan(context.Background(), weekIn, Options{Seed: 1, IterationsPerTask: 300})
	})
	if weekErr != nil {
		t.Fatal(weekErr)
	}
	return weekIn, weekRep
}

func TestWeekFrequencyMetOrReported(t *testing.T) {
	in, rep := bundledWeek(t)
	total := 0
	for _, c := range in.Week.Counties {
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
					coldKg += s.ColdKg
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

func TestPatterns(t *testing.T) {
	tests := []struct {
		k, n, gap int
	}{
		{1, 7, 7}, {2, 7, 4}, {3, 7, 3}, {7, 1, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.k), func(t *testing.T) {
			ps := Patterns(tt.k)
			if len(ps) != tt.n {
				t.Fatalf("Patterns(%d) has %d patterns, want %d", tt.k, len(ps), tt.n)
			}
			for _, p := range ps {
				if popcount(p) != tt.k || maxGap(p) != tt.gap {
					t.Errorf("pattern %07b: %d days, gap %d; want %d days, gap %d", p, popcount(p), maxGap(p), tt.k, tt.gap)
				}
			}
		})
	}
	if Patterns(0) != nil {
		t.Error("Patterns(0) not nil")
	}
}

func TestAssignDaysLevelsLoad(t *testing.T) {
	// Seven villages visited twice a week at one station: every day should
	// get exactly two visits.
	loads := []float64{5, 5, 5, 5, 5, 5, 5}
	st := make([]int, 7)
	visits := []int{2, 2, 2, 2, 2, 2, 2}
	pat := assignDays(loads, st, visits, 1)
	var perDay [DaysPerWeek]int
	for _, p := range pat {
		for d := range DaysPerWeek {
			if p&(1<<d) != 0 {
				perDay[d]++
			}
		}
	}
	for d, n := range perDay {
		if n != 2 {
			t.Errorf("day %d has %d visits, want 2 (%v)", d, n, perDay)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		kg, capKg float64
		want      []float64
	}{
		{0, 800, nil},
		{500, 800, []float64{500}},
		{1167, 800, []float64{584, 583}},
		{99, 20.5, []float64{20, 20, 20, 20, 19}},
		{2400, 800, []float64{800, 800, 800}},
		{90, 0, []float64{90}},
	}
	for _, tt := range tests {
		got := split(tt.kg, tt.capKg)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("split(%v, %v) = %v, want %v", tt.kg, tt.capKg, got, tt.want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add(1167.0, 800.0)
	f.Add(0.0, 0.0)
	f.Add(1e6, 1.0)
	f.Fuzz(func(t *testing.T, kg, capKg float64) {
		if !(kg >= 0 && kg <= 1e7) || !(capKg >= 0 && capKg <= 1e7) || kg != float64(int64(kg)) || (capKg > 0 && kg/capKg > 1e5) {
			t.Skip()
		}
		parts := split(kg, capKg)
		sum := 0.0
		for _, p := range parts {
			if p < 0 || (capKg >= 1 && p > capKg+1) {
				t.Fatalf("split(%v, %v) part %v out of range", kg, capKg, p)
			}
			sum += p
		}
		if sum != kg {
			t.Fatalf("split(%v, %v) sums to %v", kg, capKg, sum)
		}
	})
}

func TestPlanInvalid(t *testing.T) {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 2, Kind: scenario.KindRural, MinVillages: 1, MaxVillages: 1})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := InputFrom(s)
	bad := *in.Week
	bad.Counties = append([]scenario.RuralCounty(nil), in.Week.Counties...)
	bad.Counties[0].Villages = append([]scenario.Village(nil), bad.Counties[0].Villages...)
	bad.Counties[0].Villages[0].VisitsPerWeek = 9
	tests := []struct {
		name string
		in   Input
		opts Options
	}{
		{"no week", Input{}, Options{}},
		{"negative workers", in, Options{Workers: -1}},
		{"visits 9", Input{Week: &bad, VehicleTypes: in.VehicleTypes}, Options{}},
		{"unknown type", Input{Week: in.Week}, Options{}},
	}
	for _, tt := range tests {
		if _, err := Plan(context.Background(), tt.in, tt.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("Plan(%s) error = %v, want ErrInvalid", tt.name, err)
		}
	}
	if _, err := InputFrom(&scenario.Scenario{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("InputFrom(empty) error = %v, want ErrInvalid", err)
	}
}

func ExamplePatterns() {
	// Three visits a week, two or three days apart; bit d is day d.
	for _, p := range Patterns(3) {
		fmt.Printf("%07b\n", p)
	}
	// Output:
	// 0010101
	// 0100101
	// 0101001
	// 0101010
	// 1001010
	// 1010010
	// 1010100
}

package rural

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

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

func TestPlanSmallWeek(t *testing.T) {
	in := smallWeek()
	rep, err := Plan(context.Background(), in, Options{Seed: 1, IterationsPerTask: 300})
	if err != nil {
		t.Fatal(err)
	}
	if rep.VillagesTotal != 5 || rep.VillagesServed != 5 || len(rep.Unserved) != 0 {
		t.Fatalf("%d of %d villages served, unserved %v; want all 5", rep.VillagesServed, rep.VillagesTotal, rep.Unserved)
	}
	for _, v := range rep.Villages {
		wantMode := "visit"
		if v.ID == "near" {
			wantMode = "pickup"
		}
		if v.Mode != wantMode || len(v.Days) != v.Required || len(v.Served) < v.Required {
			t.Errorf("village %s: mode %s, days %v, served %v; want mode %s and %d days served", v.ID, v.Mode, v.Days, v.Served, wantMode, v.Required)
		}
	}
	cold := map[string]bool{}
	for _, vt := range in.VehicleTypes {
		cold[vt.ID] = vt.ColdChain
	}
	coldKg := 0.0
	for _, d := range rep.Days {
		for _, r := range d.Routes {
			picked := map[int]bool{}
			for _, s := range r.Stops {
				switch s.Kind {
				case "delivery":
					if picked[s.Trip] {
						t.Errorf("day %d %s: delivery at %s after a pickup on trip %d", d.Day, r.Vehicle, s.ID, s.Trip)
					}
				case "pickup", "cold_pickup":
					picked[s.Trip] = true
				}
				if s.ColdKg > 0 && !cold[r.Type] {
					t.Errorf("day %d: cold produce at %s on %s, a %s", d.Day, s.ID, r.Vehicle, r.Type)
				}
				coldKg += s.ColdKg
			}
		}
	}
	// 140 + 60 kg of cold produce a week, rounded per visit.
	if coldKg != rep.ProduceKgPerWeek.ColdChain || coldKg < 195 || coldKg > 205 {
		t.Errorf("cold produce on routes %.0f kg, report %.0f; want about 200", coldKg, rep.ProduceKgPerWeek.ColdChain)
	}
	t.Logf("week %.1f km, produce %.0f kg (cold %.0f)", rep.WeekKm, rep.ProduceKgPerWeek.Total, rep.ProduceKgPerWeek.ColdChain)
}

func TestPlanInvalid(t *testing.T) {
	in := smallWeek()
	withVillage := func(edit func(v *Village)) Input {
		bad := in
		bad.Counties = append([]County(nil), in.Counties...)
		bad.Counties[0].Villages = append([]Village(nil), bad.Counties[0].Villages...)
		edit(&bad.Counties[0].Villages[0])
		return bad
	}
	tests := []struct {
		name string
		in   Input
		opts Options
	}{
		{"no counties", Input{}, Options{}},
		{"negative workers", in, Options{Workers: -1}},
		{"visits 9", withVillage(func(v *Village) { v.VisitsPerWeek = 9 }), Options{}},
		{"unknown station", withVillage(func(v *Village) { v.Station = "nowhere" }), Options{}},
		{"negative produce", withVillage(func(v *Village) { v.Produce = []Produce{{Product: "oranges", KgPerWeek: -1}} }), Options{}},
		{"unknown type", Input{Counties: in.Counties}, Options{}},
	}
	for _, tt := range tests {
		if _, err := Plan(context.Background(), tt.in, tt.opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("Plan(%s) error = %v, want ErrInvalid", tt.name, err)
		}
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

package benchset

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
	"github.com/lastmile-dev/lastmile/routing"
)

// dataDir is the shared benchmark folder beside the repository: absent, it
// skips the test, or fails it in CI.
func dataDir(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Path(tb, "benchmarks")
}

func TestSummarize(t *testing.T) {
	nan := Float(math.NaN())
	tests := []struct {
		name             string
		in               []Result
		feasible         int
		mean, median, mx float64
	}{
		{"odd", []Result{{Instance: "a", Gap: 1, Feasible: true}, {Instance: "b", Gap: 3, Feasible: true}, {Instance: "c", Gap: 2, Feasible: true}}, 3, 2, 2, 3},
		{"even", []Result{{Gap: 1, Feasible: true}, {Gap: 2, Feasible: true}}, 2, 1.5, 1.5, 2},
		{"infeasible and no BKS skipped", []Result{{Gap: 9, Feasible: false}, {Gap: nan, Feasible: true}, {Gap: 1, Feasible: true}}, 2, 1, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(tc.in)
			if s.Feasible != tc.feasible || float64(s.MeanGap) != tc.mean || float64(s.MedianGap) != tc.median || float64(s.MaxGap) != tc.mx {
				t.Errorf("Summarize() = %+v, want feasible %d, mean %g, median %g, max %g", s, tc.feasible, tc.mean, tc.median, tc.mx)
			}
		})
	}
	s := Summarize([]Result{{Gap: -20, Routes: 10, BKSVehicles: 9, Feasible: true}, {Gap: 1, Routes: 9, BKSVehicles: 9, Feasible: true}, {Gap: 3, Routes: 8, BKSVehicles: 9, Feasible: true}})
	if s.WithinBKSRoutes != 2 || s.MeanGapWithinBKSRoutes != 2 {
		t.Errorf("Summarize() within BKS routes = %d, mean %v; want 2, 2", s.WithinBKSRoutes, s.MeanGapWithinBKSRoutes)
	}
	if s := Summarize(nil); !math.IsNaN(float64(s.MeanGap)) {
		t.Errorf("Summarize(nil).MeanGap = %v, want NaN", s.MeanGap)
	}
}

func TestFloatJSON(t *testing.T) {
	for _, tc := range []struct {
		in   Float
		want string
	}{{1.5, "1.5"}, {Float(math.NaN()), "null"}, {0, "0"}} {
		b, _ := tc.in.MarshalJSON()
		if string(b) != tc.want {
			t.Errorf("Float(%v).MarshalJSON() = %s, want %s", float64(tc.in), b, tc.want)
		}
	}
}

func TestLessNatural(t *testing.T) {
	if !lessNatural("X-n101-k25", "X-n1001-k43") || lessNatural("A-n80-k10", "A-n9-k2") {
		t.Error("lessNatural does not order by embedded numbers")
	}
}

// TestEntries checks that every set finds its files and a BKS for each.
func TestEntries(t *testing.T) {
	dir := dataDir(t)
	for _, s := range Sets() {
		es, err := s.Entries(dir, nil)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		for _, e := range es {
			if math.IsNaN(e.BKS) {
				t.Errorf("%s: %s has no BKS", s.Name, e.Name)
			}
			if _, err := Load(s, e); err != nil {
				t.Errorf("%s: %v", s.Name, err)
			}
		}
	}
	s, _ := Lookup("solomon")
	// The table marks R109 and RC103 optimal=lower_bound and lists the
	// proven truncated-arc optima (1146.90, 1258.00) as their bounds.
	es, _ := s.Entries(dir, regexp.MustCompile(`^(R109|RC103|R101)$`))
	want := map[string]struct {
		bounded bool
		bks     float64
	}{"R101": {false, 1642.88}, "R109": {true, 1146.9}, "RC103": {true, 1258.0}}
	if len(es) != len(want) {
		t.Errorf("solomon R101, R109, RC103: %d entries, want %d", len(es), len(want))
	}
	for _, e := range es {
		if w := want[e.Name]; e.Bounded != w.bounded || math.Abs(e.BKS-w.bks) > 0.005 {
			t.Errorf("solomon %s: Bounded = %t, BKS %.2f; want %t, %.2f", e.Name, e.Bounded, e.BKS, w.bounded, w.bks)
		}
	}
	s, _ = Lookup("x")
	es, _ = s.Entries(dir, regexp.MustCompile(`^X-n1\d\d-`))
	if len(es) != 21 {
		t.Errorf("X n101–n199 = %d instances, want 21", len(es))
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup(nope) = nil error")
	}
	if _, err := Dir(filepath.Join(dir, "missing")); !errors.Is(err, ErrData) {
		t.Errorf("Dir(missing) = %v, want ErrData", err)
	}
}

// TestRunSmoke solves one small instance for a few iterations and checks
// that the harness reports a checked, feasible result.
func TestRunSmoke(t *testing.T) {
	dir := dataDir(t)
	s, _ := Lookup("solomon-25")
	es, err := s.Entries(dir, regexp.MustCompile(`^C101$`))
	if err != nil || len(es) != 1 {
		t.Fatalf("Entries = %v, %v", es, err)
	}
	r, err := Run(context.Background(), s, es[0], routing.Options{Seed: 1, Iterations: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Feasible || r.Cost < float64(r.BKS)-1e-6 {
		t.Errorf("Run(C101/25) = %+v, want feasible and cost ≥ BKS %v", r, r.BKS)
	}
}

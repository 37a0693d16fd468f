package check

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

// sharedDir is the benchmark data folder beside the repository: absent, it
// skips the test, or fails it in CI. The checker's own small cases in
// testdata/ run either way.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Path(tb, "benchmarks")
}

func load(tb testing.TB, path string, read func(*os.File) (*instance.Instance, error)) *instance.Instance {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	in, err := read(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return in
}

// readRoutes reads "Route ... : a b c" lines (SINTEF and CVRPLIB .sol
// formats), mapping each number through id, and the "Cost z" line if any.
func readRoutes(tb testing.TB, path string, id func(int) string) (routes []Route, cost float64) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	cost = math.NaN()
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if rest, ok := strings.CutPrefix(line, "Cost"); ok {
			cost, _ = strconv.ParseFloat(strings.TrimSpace(rest), 64)
			continue
		}
		if !strings.HasPrefix(line, "Route") {
			continue
		}
		_, stops, _ := strings.Cut(line, ":")
		r := Route{Vehicle: len(routes)}
		for _, tok := range strings.Fields(stops) {
			n, err := strconv.Atoi(tok)
			if err != nil {
				tb.Fatalf("%s: %q: %v", path, line, err)
			}
			r.Stops = append(r.Stops, id(n))
		}
		routes = append(routes, r)
	}
	return routes, cost
}

// TestLiLimBKS checks every SINTEF best-known Li & Lim solution: all must be
// feasible at the cost in their file names.
func TestLiLimBKS(t *testing.T) {
	dir := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "lilim", "bks_solutions", "*.txt"))
	if len(files) != 56 {
		t.Fatalf("found %d Li & Lim solutions, want 56", len(files))
	}
	name := regexp.MustCompile(`^(\w+)\.(\d+)_([0-9.]+)\.txt$`)
	for _, path := range files {
		m := name.FindStringSubmatch(filepath.Base(path))
		if m == nil {
			t.Fatalf("unexpected file name %s", path)
		}
		in := load(t, filepath.Join(dir, "lilim", m[1]+".txt"), func(f *os.File) (*instance.Instance, error) { return instance.ReadLiLim(f) })
		routes, _ := readRoutes(t, path, strconv.Itoa)
		rep, err := Check(in, routes, nil)
		if err != nil {
			t.Fatalf("%s: %v", m[1], err)
		}
		want, _ := strconv.ParseFloat(m[3], 64)
		vehicles, _ := strconv.Atoi(m[2])
		if !rep.Complete() || math.Abs(rep.Cost-want) > 0.00005+1e-9 || rep.Routes != vehicles {
			t.Errorf("Check(%s) = cost %.4f, routes %d, complete %v %v; want cost %.4f, routes %d, complete",
				m[1], rep.Cost, rep.Routes, rep.Complete(), rep.Violations, want, vehicles)
		}
	}
}

// TestCVRPLIBSolutions checks the X set's .sol files at their stated cost.
// Customers in .sol files are numbered from 1, i.e. node number minus 1.
func TestCVRPLIBSolutions(t *testing.T) {
	dir := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "cvrp", "X", "*.sol"))
	if len(files) == 0 {
		t.Fatalf("no X solutions under %s", filepath.Join(dir, "cvrp", "X"))
	}
	for _, path := range files {
		if testing.Short() && !strings.Contains(path, "n1") {
			continue
		}
		in := load(t, strings.TrimSuffix(path, ".sol")+".vrp", func(f *os.File) (*instance.Instance, error) { return instance.ReadVRPLIB(f) })
		routes, want := readRoutes(t, path, func(c int) string { return strconv.Itoa(c + 1) })
		rep, err := Check(in, routes, nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !rep.Complete() || rep.Cost != want {
			t.Errorf("Check(%s) = cost %g, complete %v %v; want %g, complete", filepath.Base(path), rep.Cost, rep.Complete(), rep.Violations, want)
		}
	}
}

// TestBroken breaks a known-feasible Li & Lim solution in each way the
// checker must catch.
func TestBroken(t *testing.T) {
	dir := sharedDir(t)
	in := load(t, filepath.Join(dir, "lilim", "lc101.txt"), func(f *os.File) (*instance.Instance, error) { return instance.ReadLiLim(f) })
	good, _ := readRoutes(t, filepath.Join(dir, "lilim", "bks_solutions", "lc101.10_828.9369.txt"), strconv.Itoa)
	clone := func() []Route {
		out := make([]Route, len(good))
		for i, r := range good {
			out[i] = Route{Vehicle: r.Vehicle, Stops: slices.Clone(r.Stops)}
		}
		return out
	}
	tests := []struct {
		name  string
		edit  func([]Route) ([]Route, []string)
		wantV string // substring of a violation
	}{
		{"missing task", func(r []Route) ([]Route, []string) {
			r[0].Stops = r[0].Stops[1:]
			return r, nil
		}, "only one end"},
		{"served twice", func(r []Route) ([]Route, []string) {
			r[1].Stops = append(r[1].Stops, r[0].Stops[0])
			return r, nil
		}, "served twice"},
		{"reversed route", func(r []Route) ([]Route, []string) {
			slices.Reverse(r[0].Stops)
			return r, nil
		}, "before its pickup"},
		{"same vehicle twice", func(r []Route) ([]Route, []string) {
			r[1].Vehicle = r[0].Vehicle
			return r, nil
		}, "already drives"},
		{"served and unassigned", func(r []Route) ([]Route, []string) {
			return r, []string{r[0].Stops[0]}
		}, "listed unassigned but served"},
		{"time window", func(r []Route) ([]Route, []string) {
			// Swap two routes' first halves: times no longer fit.
			r[0].Stops = append(slices.Clone(r[1].Stops), r[0].Stops...)
			r[1].Stops = nil
			return r, nil
		}, "time window"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			routes, un := tc.edit(clone())
			rep, err := Check(in, routes, un)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Feasible || !slices.ContainsFunc(rep.Violations, func(v string) bool { return strings.Contains(v, tc.wantV) }) {
				t.Errorf("Check(%s) = feasible %v, violations %q; want one containing %q", tc.name, rep.Feasible, rep.Violations, tc.wantV)
			}
		})
	}
	if _, err := Check(in, []Route{{Vehicle: 0, Stops: []string{"999"}}}, nil); err == nil {
		t.Errorf("Check(unknown id) = nil error, want ErrInvalid")
	}
	if _, err := Check(in, []Route{{Vehicle: 99, Stops: []string{"1"}}}, nil); err == nil {
		t.Errorf("Check(vehicle 99) = nil error, want ErrInvalid")
	}
}

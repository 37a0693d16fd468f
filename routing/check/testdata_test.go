package check

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/routing/instance"
)

// TestTestdataSolutions checks the hand-made instances in testdata/ against
// their hand-worked .sol files (each .sol shows its arithmetic), so the
// checker's ground truth runs without ../shared: one CVRPLIB-format CVRP
// (arcs rounded to integers), one Solomon-format VRPTW and one Li & Lim
// PDPTW (both unrounded). A broken copy of each solution must be caught.
func TestTestdataSolutions(t *testing.T) {
	tests := []struct {
		instance, solution string
		read               func(*os.File) (*instance.Instance, error)
		id                 func(int) string // .sol number → task id
		tolerance          float64          // on the .sol's cost
		routes             int
		broken             func([]Route) []Route
		violation          string
	}{
		{
			"tiny-cvrp.vrp", "tiny-cvrp.sol",
			func(f *os.File) (*instance.Instance, error) { return instance.ReadVRPLIB(f) },
			func(c int) string { return strconv.Itoa(c + 1) }, 0, 2,
			// All five customers on one vehicle: load 19 > 10.
			func(r []Route) []Route { return []Route{{0, slices.Concat(r[0].Stops, r[1].Stops)}} },
			"exceeds capacity",
		},
		{
			"tiny-vrptw.txt", "tiny-vrptw.sol",
			func(f *os.File) (*instance.Instance, error) { return instance.ReadSolomon(f) },
			strconv.Itoa, 0.00005, 2,
			func(r []Route) []Route { slices.Reverse(r[1].Stops); return r },
			"time window",
		},
		{
			"tiny-pdptw.txt", "tiny-pdptw.sol",
			func(f *os.File) (*instance.Instance, error) { return instance.ReadLiLim(f) },
			strconv.Itoa, 0.00005, 2,
			func(r []Route) []Route { slices.Reverse(r[0].Stops); return r },
			"before its pickup",
		},
	}
	for _, tc := range tests {
		t.Run(tc.instance, func(t *testing.T) {
			in := load(t, filepath.Join("testdata", tc.instance), tc.read)
			routes, want := readRoutes(t, filepath.Join("testdata", tc.solution), tc.id)
			if math.IsNaN(want) {
				t.Fatalf("%s has no Cost line", tc.solution)
			}
			rep, err := Check(in, routes, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Complete() || math.Abs(rep.Cost-want) > tc.tolerance+1e-9 || rep.Routes != tc.routes {
				t.Errorf("Check = cost %.5f, routes %d, complete %t %q; want cost %.4f, routes %d, complete",
					rep.Cost, rep.Routes, rep.Complete(), rep.Violations, want, tc.routes)
			}
			rep, err = Check(in, tc.broken(routes), nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Feasible || !slices.ContainsFunc(rep.Violations, func(v string) bool { return strings.Contains(v, tc.violation) }) {
				t.Errorf("Check(broken) = feasible %t, violations %q; want one containing %q", rep.Feasible, rep.Violations, tc.violation)
			}
		})
	}
}

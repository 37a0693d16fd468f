package check

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/routing/instance"
)

const vrpbTiny = `NAME : T-n5-50-k1
TYPE : CVRP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 -1 0 0
2 0 3 4
3 0 6 8
4 1 0 5
5 1 0 10
DEMAND_SECTION
1 0
2 6
3 4
4 7
5 3
DEPOT_SECTION
1
-1
EOF
`

// A two-hour problem on a user matrix: the depot 0, jobs at 1 and 2.
const jsonTiny = `{
  "matrix": {"durations": [[0, 600, 900], [600, 0, 300], [900, 300, 0]],
             "distances": [[0, 5000, 8000], [5000, 0, 3000], [8000, 3000, 0]]},
  "vehicles": [{"id": "v1", "start": 0, "end": 0, "capacity": [3], "shift": [0, 7200],
                "costs": {"fixed": 10, "per_km": 2, "per_hour": 36}, "max_stops": 2}],
  "jobs": [
    {"id": "a", "location": 1, "delivery": [2], "service": 60, "time_windows": [[1800, 2400]]},
    {"id": "b", "location": 2, "pickup": [3], "service": 60, "penalty": 5, "skills": ["cold"]}
  ]
}`

func TestCheckTable(t *testing.T) {
	vrpb, err := instance.ReadVRPB(strings.NewReader(vrpbTiny))
	if err != nil {
		t.Fatal(err)
	}
	vrpb9, err := instance.ReadVRPB(strings.NewReader(strings.Replace(vrpbTiny, "CAPACITY : 10", "CAPACITY : 9", 1)))
	if err != nil {
		t.Fatal(err)
	}
	js, err := instance.DecodeJSON(strings.NewReader(jsonTiny))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		in         *instance.Instance
		routes     []Route
		unassigned []string
		cost       float64
		violation  string // "" for feasible
	}{
		// Arcs rounded to integers: √40 = 6.32 counts 6, √10 = 3.16 counts 3.
		{"vrpb feasible", vrpb, []Route{{0, []string{"2", "3", "5", "4"}}}, nil, 5 + 5 + 6 + 5 + 5, ""},
		{"vrpb backhaul first", vrpb, []Route{{0, []string{"4", "2", "3", "5"}}}, nil, 5 + 5 + 5 + 10 + 10, "linehaul 2 after a backhaul"},
		{"vrpb capacity", vrpb9, []Route{{0, []string{"2", "3", "4", "5"}}}, nil, 0, "load 10 leaving the depot exceeds capacity 9"},
		{"vrpb two routes", vrpb, []Route{{0, []string{"2", "4"}}, {1, []string{"3", "5"}}}, nil, 5 + 3 + 5 + 10 + 6 + 10, ""},
		// a then b would need skill "cold": leave b out, paying its penalty.
		// Depart 1200, arrive 1800, serve 60, back at 2460: 1260 s, 10 km.
		{"json with penalty", js, []Route{{0, []string{"a"}}}, []string{"b"}, 10 + 2*10 + 36*1260.0/3600 + 5, ""},
		{"json skills", js, []Route{{0, []string{"a", "b"}}}, nil, 0, `needs skill "cold"`},
		{"json empty route ignored", js, []Route{{0, []string{"a"}}, {0, []string{}}}, []string{"b"}, 0, ""},
		{"json missing", js, []Route{{0, []string{"a"}}}, nil, 0, "job b is neither served"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Check(tc.in, tc.routes, tc.unassigned)
			if err != nil {
				t.Fatal(err)
			}
			if tc.violation == "" {
				if !rep.Feasible {
					t.Fatalf("Check() violations = %q, want feasible", rep.Violations)
				}
				if tc.cost != 0 && math.Abs(rep.Cost-tc.cost) > 1e-9 {
					t.Errorf("Check() cost = %g, want %g", rep.Cost, tc.cost)
				}
				return
			}
			if rep.Feasible || !slices.ContainsFunc(rep.Violations, func(v string) bool { return strings.Contains(v, tc.violation) }) {
				t.Errorf("Check() violations = %q, want one containing %q", rep.Violations, tc.violation)
			}
		})
	}
}

// TestSolomonWindows checks service times and waiting on a Solomon file:
// 1 must be served by 100 and 2 opens at 20.
func TestSolomonWindows(t *testing.T) {
	const file = `TINY

VEHICLE
NUMBER     CAPACITY
  2         30

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0           0          0        200          0
    1      3          4          10          0        100         10
    2      6          8          10         20         24         10
`
	in, err := instance.ReadSolomon(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	// 0→1 at 5, serve till 15, →2 at 20, serve till 30, home at 40.
	rep, err := Check(in, []Route{{0, []string{"1", "2"}}}, nil)
	if err != nil || !rep.Complete() || rep.Cost != 20 || rep.RouteDuration[0] != 40 {
		t.Errorf("Check(1 2) = %+v, %v; want complete, cost 20, duration 40", rep, err)
	}
	// 2 first: 0→2 at 10, wait till 20, serve till 30, →1 at 35, serve
	// till 45, home at 50; the departure slides 10 later (the forward slack
	// at 2 is 10 + 4), so the duration is 40, not 50.
	rep, err = Check(in, []Route{{0, []string{"2", "1"}}}, nil)
	if err != nil || !rep.Complete() || rep.RouteDuration[0] != 40 {
		t.Errorf("Check(2 1) = %+v, %v; want complete, duration 40", rep, err)
	}
	// One route each is fine; a third route exceeds nothing but uses
	// vehicle 0 twice.
	rep, _ = Check(in, []Route{{0, []string{"1"}}, {0, []string{"2"}}}, nil)
	if rep.Feasible {
		t.Errorf("Check(vehicle 0 twice) feasible, want a violation")
	}
}

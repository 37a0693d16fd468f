package instance_test

import (
	"fmt"
	"strings"

	"github.com/lastmile-dev/lastmile/routing/instance"
)

func ExampleReadVRPLIB() {
	const file = `NAME : T-n4-k1
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 4
3 1 1
4 6 8
DEMAND_SECTION
1 0
2 4
3 5
4 1
DEPOT_SECTION
1
-1
EOF
`
	in, err := instance.ReadVRPLIB(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	p := in.Problem
	fmt.Println(in.Name, in.Convention, len(p.Jobs), "jobs, fleet", len(p.Vehicles), "of capacity", p.Vehicles[0].Capacity[0])
	fmt.Println("job", p.Jobs[0].ID, "is", p.Distances[p.Jobs[0].Location], "from the depot")
	// Output:
	// T-n4-k1 nint 3 jobs, fleet 1 of capacity 10
	// job 2 is 5 from the depot
}

func ExampleDecodeJSON() {
	const doc = `{
	  "matrix": {"durations": [[0, 600], [600, 0]], "distances": [[0, 5000], [5000, 0]]},
	  "vehicles": [{"id": "van", "start": 0, "end": 0, "capacity": [8], "shift": [0, 3600]}],
	  "jobs": [{"id": "a", "location": 1, "delivery": [2], "time_windows": [[4000, 5000]]}]
	}`
	_, err := instance.DecodeJSON(strings.NewReader(doc))
	fmt.Println(err == nil)
	_, err = instance.DecodeJSON(strings.NewReader(strings.Replace(doc, "[[4000, 5000]]", "[[5000, 4000]]", 1)))
	fmt.Println(err)
	// Output:
	// true
	// instance: malformed input: jobs[0].time_windows[0]: end 4000 before start 5000
}

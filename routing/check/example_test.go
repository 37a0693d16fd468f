package check_test

import (
	"fmt"
	"strings"

	"github.com/lastmile-dev/lastmile/routing/check"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

func ExampleCheck() {
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
	in, _ := instance.ReadVRPLIB(strings.NewReader(file))
	// One route 3 → 2 → 4: arcs 1, 4, 5 and 10 after rounding.
	rep, _ := check.Check(in, []check.Route{{Vehicle: 0, Stops: []string{"3", "2", "4"}}}, nil)
	fmt.Println(rep.Cost, rep.Feasible, rep.Violations)
	// Node 2 twice and 4 never: too heavy, a duplicate and a missing job.
	rep, _ = check.Check(in, []check.Route{{Vehicle: 0, Stops: []string{"3", "2", "2"}}}, nil)
	fmt.Println(rep.Feasible, len(rep.Violations))
	for _, v := range rep.Violations {
		fmt.Println(v)
	}
	// Output:
	// 20 true []
	// false 3
	// route 0 (vehicle 1): load 13 leaving the depot exceeds capacity 10 in dimension 0
	// task 2 served twice: on route 0 (vehicle 1) stop 1 and route 0 (vehicle 1) stop 2
	// job 4 is neither served nor listed unassigned
}

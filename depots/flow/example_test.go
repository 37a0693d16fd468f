package flow_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

func ExampleTransport() {
	// Two warehouses with 30 and 20 units; three shops need 10, 25 and 15.
	supply := []int64{30, 20}
	demand := []int64{10, 25, 15}
	cost := []float64{ // per unit, row = warehouse
		1, 4, 6,
		5, 2, 3,
	}
	tr, err := flow.Transport(context.Background(), supply, demand, cost, flow.TransportOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("cost", tr.Cost)
	fmt.Println("warehouse 0:", tr.Flow[0:3])
	fmt.Println("warehouse 1:", tr.Flow[3:6])
	// Output:
	// cost 145
	// warehouse 0: [10 20 0]
	// warehouse 1: [0 5 15]
}

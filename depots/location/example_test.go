package location_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/depots/location"
)

func ExampleSolveCFLP() {
	// Two candidate warehouses, three shops. Cost[i*N+j] is the cost of
	// serving all of shop j from warehouse i.
	p := &location.CFLP{
		Capacity: []int64{50, 40},
		Fixed:    []float64{100, 80},
		Demand:   []int64{20, 20, 30},
		Cost: []float64{
			10, 20, 60,
			50, 30, 15,
		},
	}
	sol, err := location.SolveCFLP(context.Background(), p, location.Options{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("cost %.1f, open %v, optimal %v\n", sol.Cost, sol.Open, sol.Optimal)
	for _, f := range sol.Flows {
		fmt.Printf("shop %d gets %d from warehouse %d\n", f.Customer, f.Amount, f.Facility)
	}
	// Output:
	// cost 225.0, open [0 1], optimal true
	// shop 0 gets 20 from warehouse 0
	// shop 1 gets 20 from warehouse 0
	// shop 2 gets 30 from warehouse 1
}

func ExampleSolvePMedian() {
	// Four customers on a line at 0, 1, 10 and 11; the candidates are the
	// same points. Dist[j*M+i] = |x_j − x_i|.
	x := []int32{0, 1, 10, 11}
	p := &location.PMedian{N: 4, M: 4, P: 2, Dist: make([]int32, 16)}
	for j := range x {
		for i := range x {
			p.Dist[j*4+i] = max(x[j]-x[i], x[i]-x[j])
		}
	}
	sol, err := location.SolvePMedian(context.Background(), p, location.Options{Seed: 1, Iterations: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("cost", sol.Cost, "open", sol.Open, "assign", sol.Assign, "optimal", sol.Optimal)
	// Output:
	// cost 2 open [1 2] assign [1 1 2 2] optimal true
}

func ExampleSolveCPMP() {
	// Six customers on a line in two groups of three, each with demand 4;
	// every customer is also a candidate median of capacity 12. The
	// middle of each group serves it.
	x := []int32{0, 1, 2, 20, 21, 22}
	p := &location.CPMP{N: 6, M: 6, P: 2, Capacity: make([]int64, 6), Demand: make([]int64, 6), Dist: make([]int32, 36)}
	for j := range x {
		p.Capacity[j], p.Demand[j] = 12, 4
		for i := range x {
			p.Dist[j*6+i] = max(x[j]-x[i], x[i]-x[j])
		}
	}
	sol, err := location.SolveCPMP(context.Background(), p, location.Options{Seed: 1, Iterations: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("cost", sol.Cost, "open", sol.Open, "assign", sol.Assign, "optimal", sol.Optimal)
	// Output:
	// cost 4 open [1 4] assign [1 1 1 4 4 4] optimal true
}

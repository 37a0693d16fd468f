package routing_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/routing"
)

func ExampleSolve() {
	// A depot (0) and three customers on a line, 1 km apart; 10 m/s.
	const n = 4
	dist := make([]int32, n*n)
	dur := make([]int32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			d := int32(1000 * (i - j))
			if d < 0 {
				d = -d
			}
			dist[i*n+j], dur[i*n+j] = d, d/10
		}
	}
	p := &routing.Problem{
		Locations: n, Distances: dist, Durations: dur, Dimensions: 1,
		Vehicles: []routing.Vehicle{{ID: "van", Start: 0, End: 0, Capacity: []int64{10},
			Costs: routing.Costs{PerMeter: 1}}},
		Jobs: []routing.Job{
			{ID: "a", Location: 1, Delivery: []int64{3}, Service: 60},
			{ID: "b", Location: 2, Delivery: []int64{3}, Service: 60},
			// c must start by 300 s: the van goes there first.
			{ID: "c", Location: 3, Delivery: []int64{3}, Service: 60,
				TimeWindows: []routing.TimeWindow{{Start: 0, End: 300}}},
		},
	}
	sol, err := routing.Solve(context.Background(), p, routing.Options{Seed: 1, Iterations: 100})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sol.Routes[0].Stops {
		id := "depot"
		if s.Kind == routing.KindJob {
			id = p.Jobs[s.Task].ID
		}
		fmt.Printf("%-5s %-5s arrive %4d s, load %v\n", s.Kind, id, s.Arrival, s.Load)
	}
	fmt.Println("distance", sol.Routes[0].Distance, "m, duration", sol.Routes[0].Duration, "s")
	// Output:
	// start depot arrive    0 s, load [9]
	// job   c     arrive  300 s, load [6]
	// job   b     arrive  460 s, load [3]
	// job   a     arrive  620 s, load [0]
	// end   depot arrive  780 s, load [0]
	// distance 6000 m, duration 780 s
}

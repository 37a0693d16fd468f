package rural_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing/rural"
)

func ExamplePlan() {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Kind: scenario.KindRural})
	if err != nil {
		panic(err)
	}
	in, err := rural.InputFrom(s)
	if err != nil {
		panic(err)
	}
	rep, err := rural.Plan(context.Background(), in, rural.Options{Seed: 1, IterationsPerTask: 200})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d of %d villages served at their frequency, %d by pickup at the station\n",
		rep.VillagesServed, rep.VillagesTotal, rep.ByPickup)
	fmt.Println("days planned:", len(rep.Days))
	fmt.Println("cold-chain produce carried:", rep.ProduceKgPerWeek.ColdChain > 0)
	// Output:
	// 81 of 81 villages served at their frequency, 8 by pickup at the station
	// days planned: 7
	// cold-chain produce carried: true
}

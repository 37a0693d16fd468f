package depots_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
)

func Example() {
	ctx := context.Background()
	west := depots.Facility{
		ID: "cw-west", Kind: depots.CloudWarehouse, Location: orb.Point{106.36, 29.61}, Operator: depots.Shared,
		Capacity:     depots.Capacity{PerDay: 300, PerCategory: map[string]float64{"general": 250, "fresh": 60}, ColdChain: 60},
		HandlingCost: 1.1,
	}
	south := depots.Facility{
		ID: "cw-south", Kind: depots.CloudWarehouse, Location: orb.Point{106.61, 29.37}, Operator: depots.Shared,
		Capacity:     depots.Capacity{PerDay: 200, PerCategory: map[string]float64{"general": 200}},
		HandlingCost: 0.9,
	}
	p := &depots.AllocationProblem{
		Warehouses: []depots.Facility{west, south},
		Demand: []depots.Demand{
			{Zone: "shapingba", Location: orb.Point{106.45, 29.54}, Category: "general", Volume: 200, PromiseSeconds: 7200},
			{Zone: "yuzhong", Location: orb.Point{106.57, 29.56}, Category: "general", Volume: 150, PromiseSeconds: 7200},
			{Zone: "yuzhong", Location: orb.Point{106.57, 29.56}, Category: "fresh", Volume: 40, ColdChain: true, PromiseSeconds: 3600},
			{Zone: "banan", Location: orb.Point{106.54, 29.40}, Category: "fresh", Volume: 10, ColdChain: true, PromiseSeconds: 1800},
		},
		Tariff: depots.Tariff{PerParcelKm: 0.03},
	}
	var err error
	if p.Matrix, err = (geo.GreatCircle{}).Matrix(ctx, p.Points()); err != nil {
		fmt.Println(err)
		return
	}
	a, err := depots.Allocate(ctx, p, depots.AllocateOptions{SingleSource: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, as := range a.Assignments {
		fmt.Printf("%-9s %-7s %5.0f parcels from %s\n", p.Demand[as.Demand].Zone, p.Demand[as.Demand].Category, as.Volume, as.Facility)
	}
	for _, u := range a.Unserved {
		fmt.Printf("%-9s %-7s %5.0f parcels unserved: %s\n", p.Demand[u.Demand].Zone, p.Demand[u.Demand].Category, u.Volume, u.Reason)
	}
	for _, u := range a.Utilisation {
		fmt.Printf("%s at %.0f%%\n", u.Facility, 100*u.Share)
	}
	fmt.Printf("cost %.2f, gap %.1f%%\n", a.Cost, 100*a.Gap)
	// Output:
	// shapingba general   200 parcels from cw-west
	// yuzhong   general   150 parcels from cw-south
	// yuzhong   fresh      40 parcels from cw-west
	// banan     fresh      10 parcels unserved: cold_chain
	// cw-west at 80%
	// cw-south at 75%
	// cost 648.57, gap 0.0%
}

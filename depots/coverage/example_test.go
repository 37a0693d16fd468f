package coverage_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/depots/coverage"
	"github.com/paulmach/orb"
)

// Two lockers in Jiefangbei serve four demand points; the one at the
// Chaotianmen end is 900 m from the nearest locker, out of walking reach.
func ExampleAnalyze() {
	demand := []coverage.Demand{
		{Location: orb.Point{106.5770, 29.5580}, Weight: 40},
		{Location: orb.Point{106.5790, 29.5590}, Weight: 25},
		{Location: orb.Point{106.5800, 29.5610}, Weight: 30},
		{Location: orb.Point{106.5880, 29.5660}, Weight: 15},
	}
	points := []coverage.Point{
		{ID: "locker-A", Location: orb.Point{106.5775, 29.5585}, CapacityPerDay: 50},
		{ID: "store-B", Location: orb.Point{106.5805, 29.5605}},
	}
	rep, err := coverage.Analyze(context.Background(), demand, points,
		coverage.Options{RadiusMeters: 500, Circuity: 1.3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("covered %.0f of %.0f, served within capacity %.0f (%s)\n",
		rep.CoveredDemand, rep.TotalDemand, rep.CoveredWithCapacity, rep.Assignment)
	for _, p := range rep.Points {
		fmt.Printf("%s: %.0f assigned\n", p.ID, p.AssignedDemand)
	}
	fmt.Printf("top hot spot: %.0f uncovered\n", rep.HotSpots[0].Uncovered)
	// Output:
	// covered 95 of 110, served within capacity 95 (min-cost flow)
	// locker-A: 50 assigned
	// store-B: 45 assigned
	// top hot spot: 15 uncovered
}

// Choose one of three candidate sites to add to an existing locker (MCLP),
// then the fewest sites that cover all demand (LSCP).
func ExampleSelectSites() {
	demand := []coverage.Demand{
		{Location: orb.Point{106.5500, 29.5600}, Weight: 10},
		{Location: orb.Point{106.5700, 29.5600}, Weight: 30},
		{Location: orb.Point{106.5900, 29.5600}, Weight: 20},
	}
	existing := []coverage.Point{{ID: "old", Location: orb.Point{106.5502, 29.5601}}}
	candidates := []coverage.Point{
		{ID: "west", Location: orb.Point{106.5510, 29.5600}},
		{ID: "mid", Location: orb.Point{106.5705, 29.5602}},
		{ID: "east", Location: orb.Point{106.5895, 29.5598}},
	}
	opts := coverage.SiteOptions{Options: coverage.Options{RadiusMeters: 400}, Add: 1}
	plan, err := coverage.SelectSites(context.Background(), demand, existing, candidates, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: add %v, covered %.0f of %.0f (bound %.0f)\n", plan.Model, plan.Chosen, plan.CoveredDemand, plan.TotalDemand, plan.UpperBound)
	opts.Add, opts.Target = 0, 1
	plan, err = coverage.SelectSites(context.Background(), demand, existing, candidates, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: add %v, cost %.0f (lower bound %.0f)\n", plan.Model, plan.Chosen, plan.Cost, plan.CostLowerBound)
	// Output:
	// MCLP: add [mid], covered 40 of 60 (bound 40)
	// LSCP: add [mid east], cost 2 (lower bound 2)
}

// Two township stations and five villages: which villages are within 5 km
// of road (great-circle × 1.6) of a station, and which village service
// points would bring every village within reach.
func ExampleRuralAudit() {
	stations := []coverage.Point{
		{ID: "town-A", Location: orb.Point{108.40, 30.80}},
		{ID: "town-B", Location: orb.Point{108.60, 30.80}},
	}
	villages := []coverage.Point{
		{ID: "v1", Location: orb.Point{108.41, 30.81}}, // 1.5 km from town-A
		{ID: "v2", Location: orb.Point{108.59, 30.79}}, // 1.5 km from town-B
		{ID: "v3", Location: orb.Point{108.50, 30.90}}, // 14 km from both
		{ID: "v4", Location: orb.Point{108.51, 30.91}}, // 1.5 km from v3
		{ID: "v5", Location: orb.Point{108.50, 30.70}}, // far south
	}
	rep, err := coverage.RuralAudit(context.Background(), stations, nil, villages,
		coverage.RuralOptions{ReachMeters: 5000, Plan: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("within reach: %d of %d, out of reach: %v\n", rep.Within, rep.Villages, rep.Outside)
	fmt.Printf("new service points: %v (lower bound %.0f)\n", rep.Plan.Chosen, rep.Plan.CostLowerBound)
	// Output:
	// within reach: 2 of 5, out of reach: [v3 v4 v5]
	// new service points: [v3 v5] (lower bound 2)
}

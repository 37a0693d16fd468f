package rural_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/lastmile-dev/lastmile/routing/rural"
)

func ExamplePlan() {
	// One county: a hub, a township station 10 km away and two villages,
	// one visited daily that grows oranges, one visited twice a week. The
	// truck runs the branch line hub–station; the station's vans (of the
	// hub fleet's smallest type) run the village rounds.
	van := fleet.VehicleType{ID: "van", CapacityParcels: 300, CapacityKg: 800, RuralSpeedKmh: 40,
		ShiftStartSeconds: 8 * 3600, ShiftEndSeconds: 21 * 3600, FixedYuan: 200, YuanPerKm: 0.8, YuanPerHour: 35}
	truck := fleet.VehicleType{ID: "light_truck", CapacityParcels: 700, CapacityKg: 2000, RuralSpeedKmh: 40,
		ShiftStartSeconds: 6 * 3600, ShiftEndSeconds: 20 * 3600, FixedYuan: 320, YuanPerKm: 1.3, YuanPerHour: 40}
	in := rural.Input{
		Counties: []rural.County{{
			ID:  "hills",
			Hub: depots.Facility{ID: "hub", Kind: depots.CountyHub, Location: orb.Point{105.60, 29.40}},
			Stations: []depots.Facility{
				{ID: "st-1", Kind: depots.TownshipStation, Location: orb.Point{105.70, 29.42}, Parent: "hub"},
			},
			Villages: []rural.Village{
				{ID: "orchard", Station: "st-1", Location: orb.Point{105.74, 29.45}, VisitsPerWeek: 7, ParcelsPerDay: 12,
					Produce: []rural.Produce{{Product: "oranges", KgPerWeek: 350}}},
				{ID: "ridge", Station: "st-1", Location: orb.Point{105.67, 29.47}, VisitsPerWeek: 2, ParcelsPerDay: 3},
			},
			Vehicles: []fleet.Vehicle{
				{ID: "hub-truck-1", Type: "light_truck", Operator: depots.Shared, Depot: "hub"},
				{ID: "hub-van-1", Type: "van", Operator: depots.Shared, Depot: "hub"},
			},
		}},
		VehicleTypes: []fleet.VehicleType{van, truck},
	}
	rep, err := rural.Plan(context.Background(), in, rural.Options{Seed: 1, IterationsPerTask: 200})
	if err != nil {
		panic(err)
	}
	for _, v := range rep.Villages {
		fmt.Printf("%s: %s on %d of %d days\n", v.ID, v.Mode, len(v.Served), v.Required)
	}
	fmt.Printf("oranges carried: %.0f kg of %.0f\n", rep.ProduceKgPerWeek.Ambient, rep.ProduceKgPerWeek.Offered)
	// Output:
	// orchard: visit on 7 of 7 days
	// ridge: visit on 2 of 2 days
	// oranges carried: 350 kg of 350
}

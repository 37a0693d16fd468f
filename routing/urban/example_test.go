package urban_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/lastmile-dev/lastmile/routing/urban"
)

func ExamplePlan() {
	// Two carriers deliver eight parcels in one district, each from its own
	// depot with its own tricycle, or together from the shared centre.
	tricycle := fleet.VehicleType{ID: "e_tricycle", CapacityParcels: 120, CapacityKg: 300, CapacityLitres: 1500,
		SpeedKmh: 15, ShiftStartSeconds: 8 * 3600, ShiftEndSeconds: 21 * 3600, FixedYuan: 80, YuanPerKm: 0.1, YuanPerHour: 30}
	in := urban.Input{
		Districts: []string{"yuzhong"},
		Carriers: []urban.Carrier{
			{ID: "sf", Depot: "depot-sf"},
			{ID: "jd", Depot: "depot-jd"},
		},
		Facilities: []depots.Facility{
			{ID: "depot-sf", Kind: depots.DistributionCentre, Operator: "sf", Location: orb.Point{106.52, 29.55}},
			{ID: "depot-jd", Kind: depots.DistributionCentre, Operator: "jd", Location: orb.Point{106.60, 29.57}},
			{ID: "dc-yuzhong", Kind: depots.DistributionCentre, Operator: depots.Shared, Location: orb.Point{106.57, 29.56}},
		},
		Vehicles: []fleet.Vehicle{
			{ID: "sf-1", Type: "e_tricycle", Operator: "sf", Depot: "depot-sf"},
			{ID: "jd-1", Type: "e_tricycle", Operator: "jd", Depot: "depot-jd"},
			{ID: "shared-1", Type: "e_tricycle", Operator: depots.Shared, Depot: "dc-yuzhong"},
		},
		VehicleTypes: []fleet.VehicleType{tricycle},
	}
	for i := range 8 {
		in.Parcels = append(in.Parcels, urban.Parcel{
			ID: fmt.Sprintf("p%d", i+1), Carrier: in.Carriers[i%2].ID, District: "yuzhong",
			Location: orb.Point{106.56 + 0.003*float64(i%4), 29.555 + 0.004*float64(i/4)},
			Category: urban.General, WeightKg: 2, VolumeLitres: 10, ServiceSeconds: 60,
			Window: urban.TimeWindow{StartSeconds: 9 * 3600, EndSeconds: 20 * 3600},
		})
	}
	rep, err := urban.Plan(context.Background(), in, urban.Options{Seed: 1, IterationsPerParcel: 50})
	if err != nil {
		panic(err)
	}
	fmt.Printf("pooled: %d vehicle, %d parcels unassigned\n", rep.Pooled.Vehicles, rep.Pooled.Unassigned)
	fmt.Printf("separate: %d vehicles\n", rep.Separate.Vehicles)
	fmt.Println("pooled uses fewer vehicle-km:", rep.Pooled.VehicleKm < rep.Separate.VehicleKm)
	for _, c := range rep.Carriers {
		fmt.Printf("%s pays at most its stand-alone cost: %v\n", c.ID, c.AllocatedCost <= c.StandaloneCost)
	}
	// Output:
	// pooled: 1 vehicle, 0 parcels unassigned
	// separate: 2 vehicles
	// pooled uses fewer vehicle-km: true
	// sf pays at most its stand-alone cost: true
	// jd pays at most its stand-alone cost: true
}

package urban

import (
	"fmt"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// testVehicleTypes is a small catalogue: a tricycle for general parcels, a
// van that can take bulky ones and a refrigerated van.
func testVehicleTypes() []fleet.VehicleType {
	return []fleet.VehicleType{
		{ID: "e_tricycle", CapacityParcels: 120, CapacityKg: 300, CapacityLitres: 1500, SpeedKmh: 15, RangeMeters: 60_000,
			ShiftStartSeconds: 8 * 3600, ShiftEndSeconds: 21 * 3600, FixedYuan: 80, YuanPerKm: 0.1, YuanPerHour: 30},
		{ID: "van", CapacityParcels: 300, CapacityKg: 800, CapacityLitres: 4500, SpeedKmh: 22, RangeMeters: 300_000,
			ShiftStartSeconds: 8 * 3600, ShiftEndSeconds: 21 * 3600, FixedYuan: 200, YuanPerKm: 0.8, YuanPerHour: 35},
		{ID: "cold_van", CapacityParcels: 150, CapacityKg: 700, CapacityLitres: 3000, ColdChain: true, SpeedKmh: 22, RangeMeters: 300_000,
			ShiftStartSeconds: 7 * 3600, ShiftEndSeconds: 21 * 3600, FixedYuan: 350, YuanPerKm: 1.2, YuanPerHour: 40},
	}
}

// smallDay is a hand-made urban day: two districts, two carriers with a
// depot and a fleet each, a shared centre per district with a shared fleet,
// and n parcels scattered (seeded) around the district centres, one in ten
// fresh and one in ten bulky.
func smallDay(n int, seed uint64) Input {
	centres := map[string]orb.Point{"north": {106.55, 29.60}, "south": {106.52, 29.52}}
	in := Input{Districts: []string{"north", "south"}, VehicleTypes: testVehicleTypes()}
	dc := func(id depots.ID, op string, at orb.Point) depots.Facility {
		return depots.Facility{ID: id, Kind: depots.DistributionCentre, Operator: op, Location: at}
	}
	add := func(op string, depot depots.ID, types ...string) {
		for _, t := range types {
			in.Vehicles = append(in.Vehicles, fleet.Vehicle{ID: fmt.Sprintf("%s-%d", depot, len(in.Vehicles)), Type: t, Operator: op, Depot: depot})
		}
	}
	for i, c := range []string{"a", "b"} {
		depot := depots.ID("depot-" + c)
		in.Carriers = append(in.Carriers, Carrier{ID: c, Depot: depot})
		in.Facilities = append(in.Facilities, dc(depot, c, orb.Point{106.45 + 0.2*float64(i), 29.56}))
		add(c, depot, "e_tricycle", "e_tricycle", "van", "cold_van")
	}
	for _, d := range in.Districts {
		id := depots.ID("dc-" + d)
		in.Facilities = append(in.Facilities, dc(id, depots.Shared, centres[d]))
		add(depots.Shared, id, "e_tricycle", "e_tricycle", "van", "cold_van")
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		d := in.Districts[i%2]
		c := centres[d]
		p := Parcel{
			ID: fmt.Sprintf("p%03d", i), Carrier: in.Carriers[r.IntN(2)].ID, District: d,
			Location: orb.Point{c[0] + 0.015*r.NormFloat64(), c[1] + 0.015*r.NormFloat64()},
			Category: General, WeightKg: 1 + 2*r.Float64(), VolumeLitres: 5,
			Window: TimeWindow{StartSeconds: 9 * 3600, EndSeconds: 20 * 3600}, ServiceSeconds: 60,
		}
		switch i % 10 {
		case 3:
			p.Category, p.ColdChain = Fresh, true
		case 7:
			p.Category, p.WeightKg, p.VolumeLitres = Bulky, 20, 100
		}
		in.Parcels = append(in.Parcels, p)
	}
	return in
}

package rural

import (
	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// smallWeek is a hand-made rural week: one hill county with a hub and two
// township stations, and five villages. "near" lies 1 km from its station
// (served by pickup there); "big" is visited daily and grows cold-chain
// produce; the others are visited two or three times a week.
func smallWeek() Input {
	types := []fleet.VehicleType{
		{ID: "van", CapacityParcels: 300, CapacityKg: 800, SpeedKmh: 22, RuralSpeedKmh: 40,
			ShiftStartSeconds: 8 * 3600, ShiftEndSeconds: 21 * 3600, FixedYuan: 200, YuanPerKm: 0.8, YuanPerHour: 35},
		{ID: "light_truck", CapacityParcels: 700, CapacityKg: 2000, SpeedKmh: 22, RuralSpeedKmh: 40,
			ShiftStartSeconds: 6 * 3600, ShiftEndSeconds: 20 * 3600, FixedYuan: 320, YuanPerKm: 1.3, YuanPerHour: 40},
		{ID: "cold_van", CapacityParcels: 150, CapacityKg: 700, ColdChain: true, SpeedKmh: 22, RuralSpeedKmh: 40,
			ShiftStartSeconds: 7 * 3600, ShiftEndSeconds: 21 * 3600, FixedYuan: 350, YuanPerKm: 1.2, YuanPerHour: 40},
	}
	station := func(id depots.ID, at orb.Point) depots.Facility {
		return depots.Facility{ID: id, Kind: depots.TownshipStation, Location: at, Parent: "hub"}
	}
	c := County{
		ID: "hills", Name: "Hill county",
		Hub:      depots.Facility{ID: "hub", Kind: depots.CountyHub, Location: orb.Point{105.60, 29.40}},
		Stations: []depots.Facility{station("st-east", orb.Point{105.70, 29.42}), station("st-west", orb.Point{105.50, 29.38})},
		Villages: []Village{
			{ID: "near", Station: "st-east", Location: orb.Point{105.70, 29.43}, VisitsPerWeek: 2, ParcelsPerDay: 4,
				Produce: []Produce{{Product: "rice", KgPerWeek: 200}}},
			{ID: "big", Station: "st-east", Location: orb.Point{105.74, 29.45}, VisitsPerWeek: 7, ParcelsPerDay: 20,
				Produce: []Produce{{Product: "fish", ColdChain: true, KgPerWeek: 140}, {Product: "oranges", KgPerWeek: 300}}},
			{ID: "ridge", Station: "st-east", Location: orb.Point{105.67, 29.47}, VisitsPerWeek: 3, ParcelsPerDay: 8},
			{ID: "valley", Station: "st-west", Location: orb.Point{105.46, 29.35}, VisitsPerWeek: 3, ParcelsPerDay: 9,
				Produce: []Produce{{Product: "pork", ColdChain: true, KgPerWeek: 60}}},
			{ID: "pass", Station: "st-west", Location: orb.Point{105.52, 29.33}, VisitsPerWeek: 2, ParcelsPerDay: 3},
		},
		Vehicles: []fleet.Vehicle{
			{ID: "hub-truck-1", Type: "light_truck", Operator: depots.Shared, Depot: "hub"},
			{ID: "hub-van-1", Type: "van", Operator: depots.Shared, Depot: "hub"},
			{ID: "hub-cold-1", Type: "cold_van", Operator: depots.Shared, Depot: "hub"},
		},
	}
	return Input{Counties: []County{c}, VehicleTypes: types}
}

// Package fleet declares the vehicles the urban and rural planners route:
// a catalogue of vehicle types with their capacities, speeds, shifts and
// costs, and the vehicles of a fleet, each of one type and based at one
// depot.
//
// Both planners read the same catalogue, so it lives here rather than in
// either of them; everything else a planner reads is declared by that
// planner (routing/urban, routing/rural).
package fleet

import "github.com/lastmile-dev/lastmile/depots"

// VehicleType is a kind of vehicle with its capacity and costs. Costs are
// in yuan; the planners convert them to routing.Costs integer units.
type VehicleType struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	CapacityParcels int     `json:"capacity_parcels"`
	CapacityKg      float64 `json:"capacity_kg"`
	CapacityLitres  float64 `json:"capacity_litres"`
	// ColdChain marks a refrigerated vehicle, the only kind that carries
	// fresh parcels and cold-chain produce.
	ColdChain bool `json:"cold_chain"`
	// SpeedKmh is the average travel speed on city streets; RuralSpeedKmh
	// on county and mountain roads (zero where the type is not used there:
	// the rural planner then uses SpeedKmh).
	SpeedKmh      float64 `json:"speed_kmh"`
	RuralSpeedKmh float64 `json:"rural_speed_kmh"`
	// RangeMeters is how far it goes on one charge or tank; zero is no limit.
	RangeMeters float64 `json:"range_meters"`
	// ShiftStartSeconds and ShiftEndSeconds bound the working day, in
	// seconds after midnight.
	ShiftStartSeconds int32   `json:"shift_start_seconds"`
	ShiftEndSeconds   int32   `json:"shift_end_seconds"`
	FixedYuan         float64 `json:"fixed_yuan"` // per day, when used
	YuanPerKm         float64 `json:"yuan_per_km"`
	YuanPerHour       float64 `json:"yuan_per_hour"`
}

// Vehicle is one vehicle of a fleet.
type Vehicle struct {
	ID   string `json:"id"`
	Type string `json:"type"` // VehicleType.ID
	// Operator is the carrier ID, or depots.Shared for a shared fleet.
	Operator string    `json:"operator"`
	Depot    depots.ID `json:"depot"` // where its routes start and end
}

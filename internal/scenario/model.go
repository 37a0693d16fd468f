package scenario

import (
	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/lastmile-dev/lastmile/routing/rural"
	"github.com/lastmile-dev/lastmile/routing/urban"
)

// Scenario is one generated scenario: an urban day, a rural week, or both.
// It is plain data with JSON tags; `lastmile scenario` writes it as JSON.
type Scenario struct {
	Fixture string `json:"fixture"` // Fixture.Name
	Seed    uint64 `json:"seed"`
	// VehicleTypes is the vehicle catalogue; Vehicle.Type refers to it.
	VehicleTypes []fleet.VehicleType `json:"vehicle_types"`
	// Day is the urban day, nil when Options.Kind is KindRural.
	Day *Day `json:"day,omitempty"`
	// Week is the rural week, nil when Options.Kind is KindUrban.
	Week *Week `json:"week,omitempty"`
}

// VehicleType returns the vehicle type with the given ID, or nil.
func (s *Scenario) VehicleType(id string) *fleet.VehicleType {
	for i := range s.VehicleTypes {
		if s.VehicleTypes[i].ID == id {
			return &s.VehicleTypes[i]
		}
	}
	return nil
}

// Day is one urban delivery day across the main urban districts, laid out
// for joint delivery: each carrier has its own depot and fleet (the
// baseline), shared distribution centres have a shared fleet (the pooled
// plan), and cloud warehouses, pickup points and demand points serve the
// allocation and coverage analyses.
type Day struct {
	Districts []District      `json:"districts"`
	Carriers  []urban.Carrier `json:"carriers"`
	// Facilities holds, in this order: cloud warehouses (shared), carrier
	// depots (distribution centres operated by a carrier), carrier district
	// stations (with Options.CarrierStations; also distribution centres
	// operated by the carrier), shared distribution centres (one or more
	// per district), lockers and express stores. Facility.Zone is the
	// District.ID.
	Facilities []depots.Facility `json:"facilities"`
	// Vehicles are the carrier fleets (Operator is the carrier) followed by
	// the shared fleet (Operator is depots.Shared), each based at its Depot.
	Vehicles []fleet.Vehicle `json:"vehicles"`
	// Parcels lie, for about 88% of them, in their district's real
	// boundary and, for over 99%, in the main urban area
	// (TestParcelsInsideMainUrban).
	Parcels []urban.Parcel `json:"parcels"`
	// Neighbourhoods are the residential demand points parcels cluster
	// around, with their population: what coverage is measured against.
	Neighbourhoods []DemandPoint `json:"neighbourhoods"`
	// Demand is the day's parcels per district × category, the input of
	// cloud-warehouse allocation. It counts Parcels exactly.
	Demand []Demand `json:"demand"`
}

// Facility returns the day's facility with the given ID, or nil.
func (d *Day) Facility(id depots.ID) *depots.Facility {
	for i := range d.Facilities {
		if d.Facilities[i].ID == id {
			return &d.Facilities[i]
		}
	}
	return nil
}

// ByKind returns pointers to the day's facilities of kind k, in order.
func (d *Day) ByKind(k depots.Kind) []*depots.Facility {
	var out []*depots.Facility
	for i := range d.Facilities {
		if d.Facilities[i].Kind == k {
			out = append(out, &d.Facilities[i])
		}
	}
	return out
}

// Categories lists the parcel categories.
var Categories = []urban.Category{urban.General, urban.Fresh, urban.Bulky}

// Slot names a delivery time window.
type Slot string

// The delivery slots and their windows, in local time.
const (
	AllDay    Slot = "all_day"   // 09:00–20:00
	Morning   Slot = "morning"   // 09:00–12:00
	Afternoon Slot = "afternoon" // 13:00–18:00
	Evening   Slot = "evening"   // 18:00–21:00
)

// Window returns the slot's time window in seconds after midnight, and false
// for an unknown slot.
func (s Slot) Window() (urban.TimeWindow, bool) {
	switch s {
	case AllDay:
		return urban.TimeWindow{StartSeconds: hhmm(9, 0), EndSeconds: hhmm(20, 0)}, true
	case Morning:
		return urban.TimeWindow{StartSeconds: hhmm(9, 0), EndSeconds: hhmm(12, 0)}, true
	case Afternoon:
		return urban.TimeWindow{StartSeconds: hhmm(13, 0), EndSeconds: hhmm(18, 0)}, true
	case Evening:
		return urban.TimeWindow{StartSeconds: hhmm(18, 0), EndSeconds: hhmm(21, 0)}, true
	}
	return urban.TimeWindow{}, false
}

// DemandPoint is a residential neighbourhood: a cluster of homes with its
// population and expected parcels per day.
type DemandPoint struct {
	ID            string    `json:"id"`
	District      string    `json:"district"`
	Location      orb.Point `json:"location"`
	Population    int       `json:"population"`
	ParcelsPerDay float64   `json:"parcels_per_day"`
}

// Demand is the number of parcels of one category in one district per day.
type Demand struct {
	District      string         `json:"district"`
	Category      urban.Category `json:"category"`
	ColdChain     bool           `json:"cold_chain"`
	ParcelsPerDay int            `json:"parcels_per_day"`
}

// Week is one rural week: per county a hub, township stations and villages
// with visit frequencies, daily parcels and weekly farm produce to collect.
// Villages are synthetic, generated around real townships; large villages
// are visited daily (7 times a week), small ones 2 or 3 times.
type Week struct {
	Counties []rural.County `json:"counties"`
	// DCs are the city's distribution centres the trunk lines run from
	// (the fixture's logistics parks), Trunk the trunk vehicle types.
	DCs   []depots.Facility `json:"dcs,omitempty"`
	Trunk rural.TrunkTypes  `json:"trunk"`
}

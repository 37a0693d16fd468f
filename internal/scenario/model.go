package scenario

import (
	"github.com/lastmile-dev/lastmile/depots"
	"github.com/paulmach/orb"
)

// Scenario is one generated scenario: an urban day, a rural week, or both.
// It is plain data with JSON tags; `lastmile scenario` writes it as JSON.
type Scenario struct {
	Fixture string `json:"fixture"` // Fixture.Name
	Seed    uint64 `json:"seed"`
	// VehicleTypes is the vehicle catalogue; Vehicle.Type refers to it.
	VehicleTypes []VehicleType `json:"vehicle_types"`
	// Day is the urban day, nil when Options.Kind is KindRural.
	Day *Day `json:"day,omitempty"`
	// Week is the rural week, nil when Options.Kind is KindUrban.
	Week *Week `json:"week,omitempty"`
}

// VehicleType returns the vehicle type with the given ID, or nil.
func (s *Scenario) VehicleType(id string) *VehicleType {
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
	Districts []District `json:"districts"`
	Carriers  []Carrier  `json:"carriers"`
	// Facilities holds, in this order: cloud warehouses (shared), carrier
	// depots (distribution centres operated by a carrier), carrier district
	// stations (with Options.CarrierStations; also distribution centres
	// operated by the carrier), shared distribution centres (one or more
	// per district), lockers and express stores. Facility.Zone is the
	// District.ID.
	Facilities []depots.Facility `json:"facilities"`
	// Vehicles are the carrier fleets (Operator is the carrier) followed by
	// the shared fleet (Operator is depots.Shared), each based at its Depot.
	Vehicles []Vehicle `json:"vehicles"`
	Parcels  []Parcel  `json:"parcels"`
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

// Carrier is an express carrier in play on the day.
type Carrier struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Share float64   `json:"share"` // normalised share of the day's parcels
	Depot depots.ID `json:"depot"` // its own distribution centre
	// Stations are the carrier's own district stations (网点), one per
	// district it delivers in, when Options.CarrierStations is set; its
	// fleet is then based there instead of at Depot.
	Stations []depots.ID `json:"stations,omitempty"`
}

// Vehicle is one vehicle of a fleet.
type Vehicle struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`     // VehicleType.ID
	Operator string    `json:"operator"` // carrier ID or depots.Shared
	Depot    depots.ID `json:"depot"`    // where its routes start and end
}

// Category is a parcel category, the key of depots.Capacity.PerCategory.
type Category string

const (
	General Category = "general"
	Fresh   Category = "fresh" // fresh food: cold chain
	Bulky   Category = "bulky" // heavy or large: not for tricycles
)

// Categories lists the parcel categories.
var Categories = []Category{General, Fresh, Bulky}

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
func (s Slot) Window() (TimeWindow, bool) {
	switch s {
	case AllDay:
		return TimeWindow{hhmm(9, 0), hhmm(20, 0)}, true
	case Morning:
		return TimeWindow{hhmm(9, 0), hhmm(12, 0)}, true
	case Afternoon:
		return TimeWindow{hhmm(13, 0), hhmm(18, 0)}, true
	case Evening:
		return TimeWindow{hhmm(18, 0), hhmm(21, 0)}, true
	}
	return TimeWindow{}, false
}

// TimeWindow is an interval of seconds after midnight in which service must
// start.
type TimeWindow struct {
	StartSeconds int32 `json:"start_seconds"`
	EndSeconds   int32 `json:"end_seconds"`
}

// Parcel is one parcel to deliver to a door on the day.
type Parcel struct {
	ID      string `json:"id"`
	Carrier string `json:"carrier"` // Carrier.ID
	// District is the District.ID the parcel was drawn for. Its Location
	// lies in that district's real boundary for about 88% of parcels and
	// in the main urban area for over 99% (TestParcelsInsideMainUrban).
	District  string    `json:"district"`
	Location  orb.Point `json:"location"` // [lon, lat] WGS-84, rounded to 1e-6°
	Category  Category  `json:"category"`
	ColdChain bool      `json:"cold_chain"` // true exactly for Fresh
	WeightKg  float64   `json:"weight_kg"`
	// VolumeLitres is the parcel's box volume.
	VolumeLitres   float64    `json:"volume_litres"`
	Slot           Slot       `json:"slot"`
	Window         TimeWindow `json:"window"`
	ServiceSeconds int32      `json:"service_seconds"`
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
	District      string   `json:"district"`
	Category      Category `json:"category"`
	ColdChain     bool     `json:"cold_chain"`
	ParcelsPerDay int      `json:"parcels_per_day"`
}

// Week is one rural week: per county a hub, township stations and villages
// with visit frequencies, daily parcels and weekly farm produce to collect.
type Week struct {
	Counties []RuralCounty `json:"counties"`
}

// RuralCounty is one county of the rural week.
type RuralCounty struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Mountain bool   `json:"mountain"`
	// Hub is the county hub (first echelon), at the county seat.
	Hub depots.Facility `json:"hub"`
	// Stations are the township stations (second echelon); Parent is Hub.
	Stations []depots.Facility `json:"stations"`
	// Villages are the villages served from the stations.
	Villages []Village `json:"villages"`
	// Vehicles are based at the hub.
	Vehicles []Vehicle `json:"vehicles"`
}

// Facilities returns the county's hub, stations and village points in that
// order, as one network.
func (c *RuralCounty) Facilities() []depots.Facility {
	fs := make([]depots.Facility, 0, 1+len(c.Stations)+len(c.Villages))
	fs = append(fs, c.Hub)
	fs = append(fs, c.Stations...)
	for _, v := range c.Villages {
		fs = append(fs, v.Point)
	}
	return fs
}

// Village is a village with its service point. Villages are synthetic,
// generated around real townships.
type Village struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Station    depots.ID `json:"station"` // its township station
	Location   orb.Point `json:"location"`
	Population int       `json:"population"`
	// VisitsPerWeek is how often a vehicle calls: 7 (daily) for large
	// villages, 2 or 3 for small ones.
	VisitsPerWeek int     `json:"visits_per_week"`
	ParcelsPerDay float64 `json:"parcels_per_day"`
	// Produce is the farm produce collected from the village each week.
	Produce []Produce `json:"produce,omitempty"`
	// Point is the village service point (depots.VillagePoint), parented
	// to Station.
	Point depots.Facility `json:"point"`
}

// Produce is a weekly supply of one farm product at a village.
type Produce struct {
	Product   string  `json:"product"`
	ColdChain bool    `json:"cold_chain"`
	KgPerWeek float64 `json:"kg_per_week"`
}

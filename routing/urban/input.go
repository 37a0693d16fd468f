package urban

import (
	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// Input is one urban day: the parcels of several carriers, their own depots
// and fleets (the baseline), the shared distribution centres and the shared
// fleet (the pooled plan), and the vehicle catalogue.
type Input struct {
	// Districts are the IDs of the day's districts, in the order
	// Report.Districts lists them; Parcel.District refers to them.
	Districts []string
	// Boundaries are the districts' outlines ([lon, lat] WGS-84), keyed
	// by district ID: each district's zones partition the area inside its
	// outline. A district without one is zoned over the cells about its
	// parcels.
	Boundaries map[string]orb.MultiPolygon
	Carriers   []Carrier
	// Facilities are the depots vehicles are based at: the carriers' own
	// depots and stations (Operator is the carrier) and the shared
	// distribution centres (depots.DistributionCentre operated by
	// depots.Shared), which the pooled plan routes from. Other facilities
	// are ignored.
	Facilities []depots.Facility
	// Vehicles are the carrier fleets (Operator is the carrier) and the
	// shared fleet (Operator is depots.Shared), each based at its Depot.
	Vehicles     []fleet.Vehicle
	Parcels      []Parcel
	VehicleTypes []fleet.VehicleType
}

// facility returns the input's facility with the given ID, or nil.
func (in *Input) facility(id depots.ID) *depots.Facility {
	for i := range in.Facilities {
		if in.Facilities[i].ID == id {
			return &in.Facilities[i]
		}
	}
	return nil
}

// Carrier is an express carrier in play on the day.
type Carrier struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Share float64 `json:"share"` // normalised share of the day's parcels
	// Depot is its own distribution centre, where its fleet is based
	// unless it has Stations.
	Depot depots.ID `json:"depot"`
	// Stations are the carrier's own district stations (网点), one per
	// district it delivers in; when it has any, its fleet is based there
	// and each of its parcels goes out from the nearest one in the
	// parcel's district (or the nearest one at all).
	Stations []depots.ID `json:"stations,omitempty"`
}

// Category is a parcel category, the key of depots.Capacity.PerCategory.
type Category string

// The parcel categories.
const (
	General Category = "general"
	Fresh   Category = "fresh" // fresh food: cold chain
	Bulky   Category = "bulky" // heavy or large: not for tricycles
)

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
	// District is the ID of the district the parcel belongs to: zones keep
	// to it with Options.RespectDistricts, and Report.Districts counts by it.
	District string    `json:"district"`
	Location orb.Point `json:"location"` // [lon, lat] WGS-84
	// Category Bulky needs a vehicle of at least Options.BulkyMinKg.
	Category Category `json:"category"`
	// ColdChain needs a refrigerated vehicle (fleet.VehicleType.ColdChain).
	ColdChain    bool    `json:"cold_chain"`
	WeightKg     float64 `json:"weight_kg"`
	VolumeLitres float64 `json:"volume_litres"`
	// Slot names the delivery slot Window was taken from ("morning", …);
	// Plan reads only Window.
	Slot           string     `json:"slot"`
	Window         TimeWindow `json:"window"`
	ServiceSeconds int32      `json:"service_seconds"`
}

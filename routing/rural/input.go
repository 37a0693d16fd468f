package rural

import (
	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// Input is a rural week: counties with hub, township stations, villages
// and the hub fleet, and the vehicle catalogue.
type Input struct {
	Counties     []County
	VehicleTypes []fleet.VehicleType
	// DCs are the city's distribution centres the trunk lines run from:
	// each county is fed from the nearest one, and its cold produce goes to
	// the nearest one with cold storage (Capacity.ColdChain > 0). With no
	// DCs no trunk lines are planned.
	DCs []depots.Facility
	// Trunk names the vehicle types of the trunk lines.
	Trunk TrunkTypes
}

// TrunkTypes names, by VehicleType.ID, the trunk vehicles between the
// city's distribution centres and the county hubs: Ambient carries parcels
// down and ambient produce up; Cold, refrigerated, carries cold-chain
// produce up. "" means the largest type of that kind in the catalogue.
type TrunkTypes struct {
	Ambient string `json:"ambient"`
	Cold    string `json:"cold"`
}

// County is one county of the rural week.
type County struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Mountain marks a mountain county: its travel is in the rural
	// mountain class, else the suburban one (geo.DefaultClassTravel).
	Mountain bool `json:"mountain"`
	// Hub is the county hub (first echelon), at the county seat.
	Hub depots.Facility `json:"hub"`
	// Stations are the township stations (second echelon); Parent is Hub.
	Stations []depots.Facility `json:"stations"`
	// Villages are the villages served from the stations.
	Villages []Village `json:"villages"`
	// Vehicles are the shared county fleet, based at the hub: trucks for
	// the branch lines, refrigerated vans for cold produce, and vans (small
	// ones in the mountains) that run the village rounds of every station.
	Vehicles []fleet.Vehicle `json:"vehicles"`
	// UrbanCommunities counts the urban residents' committees (社区, NBS
	// urban–rural code 1xx) of the county's townships: they are served as
	// town addresses, not as villages, and are not counted in coverage.
	UrbanCommunities int `json:"urban_communities,omitempty"`
}

// Facilities returns the county's hub, stations and village points in that
// order, as one network.
func (c *County) Facilities() []depots.Facility {
	fs := make([]depots.Facility, 0, 1+len(c.Stations)+len(c.Villages))
	fs = append(fs, c.Hub)
	fs = append(fs, c.Stations...)
	for _, v := range c.Villages {
		fs = append(fs, v.Point)
	}
	return fs
}

// Village is a village with its service point.
type Village struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Station    depots.ID `json:"station"` // its township station
	Location   orb.Point `json:"location"`
	Population int       `json:"population"`
	// VisitsPerWeek is how often a vehicle must call, 1 to 7.
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
	Product string `json:"product"`
	// ColdChain produce is collected by refrigerated vehicles only.
	ColdChain bool    `json:"cold_chain"`
	KgPerWeek float64 `json:"kg_per_week"`
}

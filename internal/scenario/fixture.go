package scenario

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalid reports a fixture or Options that cannot produce a scenario.
	ErrInvalid = errors.New("scenario: invalid fixture or options")
	// ErrFormat reports a malformed gazetteer CSV file.
	ErrFormat = errors.New("scenario: malformed CSV")
)

// Bound is the box every point of a Chongqing scenario lies in: the whole
// municipality (about 105.29–110.20 E, 28.16–32.20 N) with a small margin.
var Bound = orb.Bound{Min: orb.Point{105.0, 28.0}, Max: orb.Point{110.5, 32.5}}

// Fixture is the hand-written description of a city and its hinterland that
// Generate expands into a scenario. Chongqing returns the one lastmile ships;
// tests may build smaller ones. Every figure is approximate public
// knowledge, good for realistic test data and not for anything official.
type Fixture struct {
	Name string `json:"name"`
	// Districts are the urban districts that receive parcels.
	Districts []District `json:"districts"`
	// Parks are logistics parks on the urban fringe: cloud warehouses and
	// carrier depots are placed at or near them.
	Parks []Site `json:"parks"`
	// Carriers is the catalogue of express carriers, most important first;
	// Options.Carriers takes a prefix of it.
	Carriers []CarrierProfile `json:"carriers"`
	// VehicleTypes is the vehicle catalogue shared by urban and rural fleets.
	VehicleTypes []fleet.VehicleType `json:"vehicle_types"`
	// Roles names the vehicle types the generator builds fleets from.
	Roles VehicleRoles `json:"roles"`
	// Counties are the rural counties of the rural week.
	Counties []County `json:"counties"`
}

// District is one urban district.
type District struct {
	ID      string    `json:"id"`     // ASCII slug, for example "yuzhong"
	Name    string    `json:"name"`   // Chinese name, for example "渝中区"
	Adcode  string    `json:"adcode"` // GB/T 2260 code, for example "500103"
	Centre  orb.Point `json:"centre"` // [lon, lat] WGS-84, the district government
	AreaKm2 float64   `json:"area_km2"`
	// Population is the resident population (2020 census, rounded).
	Population int `json:"population"`
	// Ecommerce scales parcels per resident relative to the city average
	// (offices and young residents order more).
	Ecommerce float64 `json:"ecommerce"`
	// RadiusMeters is the radius of a circle of the district's area: the
	// modest boundary that Boundary draws.
	RadiusMeters float64 `json:"radius_meters"`
	// Centres are the built-up neighbourhood centres residents cluster
	// around, each with a relative weight and a spread (standard deviation).
	Centres []Centre `json:"centres"`
}

// Centre is a built-up centre inside a district.
type Centre struct {
	Name         string    `json:"name"`
	Location     orb.Point `json:"location"`
	Weight       float64   `json:"weight"`
	SpreadMeters float64   `json:"spread_meters"`
}

// Site is a named point, such as a logistics park.
type Site struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	District string    `json:"district"` // District.ID
	Location orb.Point `json:"location"`
	// ColdChain tells whether the site has cold storage.
	ColdChain bool `json:"cold_chain"`
}

// CarrierProfile describes an express carrier in the fixture.
type CarrierProfile struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Share is the carrier's share of urban parcels, before the shares of
	// the carriers in play are normalised to sum to one.
	Share float64 `json:"share"`
	// FreshShare is the fraction of its parcels that are fresh food
	// (cold chain).
	FreshShare float64 `json:"fresh_share"`
	// BulkyShare is the fraction of its parcels that are bulky.
	BulkyShare float64 `json:"bulky_share"`
}

// VehicleRoles names, by VehicleType.ID, the types that fleets are built
// from.
type VehicleRoles struct {
	Parcel string `json:"parcel"` // general parcels in town (e-tricycle)
	Bulky  string `json:"bulky"`  // bulky parcels in town, village rounds (van)
	Cold   string `json:"cold"`   // fresh parcels and cold produce (cold van)
	Trunk  string `json:"trunk"`  // hub → station branch lines (light truck)
	// MountainVan runs the village rounds of mountain counties (small van);
	// CityTrunk and ColdTrunk the trunk lines between the city's
	// distribution centres and the county hubs. "" means: the van, and no
	// trunk lines.
	MountainVan string `json:"mountain_van,omitempty"`
	CityTrunk   string `json:"city_trunk,omitempty"`
	ColdTrunk   string `json:"cold_trunk,omitempty"`
}

// County is a rural county with its seat (the county hub) and townships.
type County struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Adcode string    `json:"adcode"`
	Seat   orb.Point `json:"seat"` // county seat, where the hub is
	// Mountain marks a mountain county: slower roads, smaller villages.
	Mountain  bool       `json:"mountain"`
	Townships []Township `json:"townships"`
	// Produce is what the county's villages supply, with the chance that a
	// village grows each.
	Produce []ProduceProfile `json:"produce"`
}

// Township is a township (镇/乡) of a county; its station serves the
// villages around it.
type Township struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"` // Chinese name, for example "荣隆镇"
	Location orb.Point `json:"location"`
	// RuralVillages is how many villages (村, NBS urban–rural code 2xx)
	// the township has: the generator places that many. Zero means
	// unknown: it draws Options.MinVillages..MaxVillages.
	RuralVillages int `json:"rural_villages,omitempty"`
	// UrbanCommunities counts its urban residents' committees (社区, code
	// 1xx): town addresses, not villages.
	UrbanCommunities int `json:"urban_communities,omitempty"`
	// Villages are its rural villages with a known point; the generator
	// places the rest around the township.
	Villages []VillageSite `json:"villages,omitempty"`
}

// VillageSite is a village of the gazetteer with its point.
type VillageSite struct {
	Code     string    `json:"code"` // 12-digit NBS code
	Name     string    `json:"name"`
	Location orb.Point `json:"location"`
}

// ProduceProfile is a farm product of a county.
type ProduceProfile struct {
	Product   string `json:"product"` // for example "pork", "tea"
	ColdChain bool   `json:"cold_chain"`
	// Probability is the chance that a village supplies it.
	Probability float64 `json:"probability"`
	// KgPerWeek is the median supply of a supplying village.
	KgPerWeek float64 `json:"kg_per_week"`
}

// District returns the district with the given ID, or nil.
func (f *Fixture) District(id string) *District {
	for i := range f.Districts {
		if f.Districts[i].ID == id {
			return &f.Districts[i]
		}
	}
	return nil
}

// Boundary returns a 32-gon of the district's RadiusMeters around its
// Centre: a modest stand-in for the real boundary (../shared/geo has those),
// good enough to draw zones on a map.
func (d *District) Boundary() orb.Polygon {
	const sides = 32
	ring := make(orb.Ring, 0, sides+1)
	for i := range sides {
		a := 2 * math.Pi * float64(i) / sides
		ring = append(ring, offset(d.Centre, d.RadiusMeters*math.Cos(a), d.RadiusMeters*math.Sin(a)))
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}

// Validate checks the fixture: unique ids, points inside Bound, positive
// populations, shares and capacities, and at least one district, carrier
// and vehicle type.
func (f *Fixture) Validate() error {
	if len(f.Districts) == 0 || len(f.Carriers) == 0 || len(f.VehicleTypes) == 0 {
		return fmt.Errorf("%w: fixture %q needs districts, carriers and vehicle types", ErrInvalid, f.Name)
	}
	ids := map[string]bool{}
	unique := func(kind, id string) error {
		if id == "" {
			return fmt.Errorf("%w: %s with empty id", ErrInvalid, kind)
		}
		if ids[kind+"/"+id] {
			return fmt.Errorf("%w: duplicate %s id %q", ErrInvalid, kind, id)
		}
		ids[kind+"/"+id] = true
		return nil
	}
	for _, d := range f.Districts {
		if err := unique("district", d.ID); err != nil {
			return err
		}
		if err := checkPoint(d.Centre); err != nil {
			return fmt.Errorf("district %q centre: %w", d.ID, err)
		}
		if d.Population <= 0 || !positive(d.AreaKm2) || !positive(d.Ecommerce) || !positive(d.RadiusMeters) {
			return fmt.Errorf("%w: district %q: population, area, ecommerce and radius must be positive", ErrInvalid, d.ID)
		}
		if len(d.Centres) == 0 {
			return fmt.Errorf("%w: district %q has no centres", ErrInvalid, d.ID)
		}
		for _, c := range d.Centres {
			if err := checkPoint(c.Location); err != nil {
				return fmt.Errorf("district %q centre %q: %w", d.ID, c.Name, err)
			}
			if !positive(c.Weight) || !positive(c.SpreadMeters) {
				return fmt.Errorf("%w: district %q centre %q: weight and spread must be positive", ErrInvalid, d.ID, c.Name)
			}
		}
	}
	for _, s := range f.Parks {
		if err := unique("park", s.ID); err != nil {
			return err
		}
		if err := checkPoint(s.Location); err != nil {
			return fmt.Errorf("park %q: %w", s.ID, err)
		}
		if f.District(s.District) == nil {
			return fmt.Errorf("%w: park %q: unknown district %q", ErrInvalid, s.ID, s.District)
		}
	}
	for _, c := range f.Carriers {
		if err := unique("carrier", c.ID); err != nil {
			return err
		}
		if !positive(c.Share) || !fraction(c.FreshShare) || !fraction(c.BulkyShare) || c.FreshShare+c.BulkyShare > 1 {
			return fmt.Errorf("%w: carrier %q: share must be positive and fresh+bulky shares within [0, 1]", ErrInvalid, c.ID)
		}
	}
	for _, v := range f.VehicleTypes {
		if err := unique("vehicle type", v.ID); err != nil {
			return err
		}
		if v.CapacityParcels <= 0 || !positive(v.CapacityKg) || !positive(v.CapacityLitres) || !positive(v.SpeedKmh) ||
			v.RuralSpeedKmh < 0 || v.RangeMeters < 0 || v.FixedYuan < 0 || v.YuanPerKm < 0 || v.YuanPerHour < 0 ||
			v.ShiftStartSeconds < 0 || v.ShiftEndSeconds > 24*3600 || v.ShiftEndSeconds <= v.ShiftStartSeconds {
			return fmt.Errorf("%w: vehicle type %q: capacities and speed must be positive, costs non-negative, shift ordered", ErrInvalid, v.ID)
		}
	}
	for _, r := range []struct{ role, id string }{
		{"parcel", f.Roles.Parcel}, {"bulky", f.Roles.Bulky}, {"cold", f.Roles.Cold}, {"trunk", f.Roles.Trunk},
		{"mountain van", f.Roles.MountainVan}, {"city trunk", f.Roles.CityTrunk}, {"cold trunk", f.Roles.ColdTrunk},
	} {
		if r.id == "" && (r.role == "mountain van" || r.role == "city trunk" || r.role == "cold trunk") {
			continue
		}
		if f.vehicleType(r.id) == nil {
			return fmt.Errorf("%w: %s vehicle role names unknown vehicle type %q", ErrInvalid, r.role, r.id)
		}
	}
	for _, c := range f.Counties {
		if err := unique("county", c.ID); err != nil {
			return err
		}
		if err := checkPoint(c.Seat); err != nil {
			return fmt.Errorf("county %q seat: %w", c.ID, err)
		}
		if len(c.Townships) == 0 {
			return fmt.Errorf("%w: county %q has no townships", ErrInvalid, c.ID)
		}
		for _, t := range c.Townships {
			if err := unique("township", c.ID+"/"+t.ID); err != nil {
				return err
			}
			if err := checkPoint(t.Location); err != nil {
				return fmt.Errorf("county %q township %q: %w", c.ID, t.ID, err)
			}
			if t.RuralVillages < 0 || t.UrbanCommunities < 0 || t.RuralVillages > 1000 {
				return fmt.Errorf("%w: county %q township %q: %d villages, %d communities", ErrInvalid, c.ID, t.ID, t.RuralVillages, t.UrbanCommunities)
			}
			for _, v := range t.Villages {
				if err := checkPoint(v.Location); err != nil {
					return fmt.Errorf("county %q township %q village %q: %w", c.ID, t.ID, v.Code, err)
				}
			}
		}
		for _, p := range c.Produce {
			if p.Product == "" || !fraction(p.Probability) || !positive(p.KgPerWeek) {
				return fmt.Errorf("%w: county %q produce %q: probability in [0, 1] and positive kg per week", ErrInvalid, c.ID, p.Product)
			}
		}
	}
	return nil
}

func checkPoint(p orb.Point) error {
	// orb's Bound.Contains is true for NaN, whose comparisons all fail.
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || !Bound.Contains(p) {
		return fmt.Errorf("%w: point [%v, %v] is outside the Chongqing box", ErrInvalid, p[0], p[1])
	}
	return nil
}

// positive reports whether x > 0 and finite (false for NaN).
func positive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }

// fraction reports whether x is in [0, 1] (false for NaN).
func fraction(x float64) bool { return x >= 0 && x <= 1 }

// metersPerDegreeLat is the length of one degree of latitude, near enough
// everywhere for placing synthetic points.
const metersPerDegreeLat = 111_320.0

// offset moves p east by dxMeters and north by dyMeters on a local
// equirectangular plane, which errs by well under 1% over the tens of
// kilometres a scenario spans.
func offset(p orb.Point, dxMeters, dyMeters float64) orb.Point {
	lat := p[1] + dyMeters/metersPerDegreeLat
	lon := p[0] + dxMeters/(metersPerDegreeLat*math.Cos(p[1]*math.Pi/180))
	return orb.Point{lon, lat}
}

// distanceMeters is the equirectangular distance between two nearby points.
func distanceMeters(a, b orb.Point) float64 {
	dy := (b[1] - a[1]) * metersPerDegreeLat
	dx := (b[0] - a[0]) * metersPerDegreeLat * math.Cos((a[1]+b[1])/2*math.Pi/180)
	return math.Hypot(dx, dy)
}

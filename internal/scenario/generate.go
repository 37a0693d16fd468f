package scenario

import (
	"fmt"
	"math"
	"slices"

	"github.com/lastmile-dev/lastmile/internal/field"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/lastmile-dev/lastmile/routing/urban"
	"github.com/paulmach/orb"
)

// Kind selects what Generate builds.
type Kind string

const (
	KindAll   Kind = "all"   // urban day and rural week
	KindUrban Kind = "urban" // the urban day only
	KindRural Kind = "rural" // the rural week only
)

// Defaults of Options. The joint-delivery benchmark uses DefaultParcels
// parcels of DefaultCarriers carriers.
const (
	DefaultParcels             = 5000
	DefaultCarriers            = 4
	DefaultNeighbourhoodPeople = 20_000
	DefaultMinVillages         = 3
	DefaultMaxVillages         = 8
	// MaxParcels bounds Options.Parcels so a typo cannot exhaust memory.
	MaxParcels = 5_000_000
)

// Options control Generate. The zero value is valid and gives the default
// scenario for seed 0.
type Options struct {
	// Seed selects the scenario: the same fixture, options and seed give
	// the same scenario, field for field, on every run.
	Seed uint64
	// Kind is what to build; "" means KindAll.
	Kind Kind
	// Parcels is the number of urban parcels on the day; 0 means
	// DefaultParcels.
	Parcels int
	// Carriers is how many of the fixture's carriers deliver, taken in
	// fixture order; 0 means DefaultCarriers (or all, if fewer).
	Carriers int
	// DCsPerDistrict is the number of shared distribution centres per
	// district; 0 means 1.
	DCsPerDistrict int
	// CarrierStations gives every carrier its own station (网点) in each
	// district it delivers in, with the carrier's fleet for that district
	// based there: a fairer baseline for joint delivery than one city
	// depot per carrier, whose tricycles would have to cross the city.
	CarrierStations bool
	// NeighbourhoodPeople is the mean population of a neighbourhood, which
	// sets how many neighbourhoods (and so parcel clusters) a district has;
	// 0 means DefaultNeighbourhoodPeople.
	NeighbourhoodPeople int
	// MinVillages and MaxVillages bound the villages generated around each
	// township; 0 means DefaultMinVillages and DefaultMaxVillages.
	MinVillages, MaxVillages int
	// Counties, when not empty, limits the rural week to these counties
	// (County.ID), in fixture order, each as in the whole week; an
	// unknown ID is invalid.
	Counties []string
}

// withDefaults fills zero fields and checks the rest against f.
func (o Options) withDefaults(f *Fixture) (Options, error) {
	if o.Kind == "" {
		o.Kind = KindAll
	}
	if o.Kind != KindAll && o.Kind != KindUrban && o.Kind != KindRural {
		return o, fmt.Errorf("%w: kind %q is not urban, rural or all", ErrInvalid, o.Kind)
	}
	if o.Parcels == 0 {
		o.Parcels = DefaultParcels
	}
	if o.Carriers == 0 {
		o.Carriers = min(DefaultCarriers, len(f.Carriers))
	}
	if o.DCsPerDistrict == 0 {
		o.DCsPerDistrict = 1
	}
	if o.NeighbourhoodPeople == 0 {
		o.NeighbourhoodPeople = DefaultNeighbourhoodPeople
	}
	if o.MinVillages == 0 {
		o.MinVillages = DefaultMinVillages
	}
	if o.MaxVillages == 0 {
		o.MaxVillages = max(DefaultMaxVillages, o.MinVillages)
	}
	switch {
	case o.Parcels < 0 || o.Parcels > MaxParcels:
		return o, field.New(ErrInvalid, "parcels", "%d outside 1..%d", o.Parcels, MaxParcels)
	case o.Carriers < 0 || o.Carriers > len(f.Carriers):
		return o, field.New(ErrInvalid, "carriers", "%d outside 1..%d (fixture %q)", o.Carriers, len(f.Carriers), f.Name)
	case o.DCsPerDistrict < 0 || o.DCsPerDistrict > 20:
		return o, fmt.Errorf("%w: distribution centres per district %d outside 1..20", ErrInvalid, o.DCsPerDistrict)
	case o.NeighbourhoodPeople < 1000:
		return o, fmt.Errorf("%w: neighbourhood people %d below 1000", ErrInvalid, o.NeighbourhoodPeople)
	case o.MinVillages < 0 || o.MaxVillages < o.MinVillages || o.MaxVillages > 100:
		return o, fmt.Errorf("%w: villages per township %d..%d not within 1..100", ErrInvalid, o.MinVillages, o.MaxVillages)
	}
	for i, id := range o.Counties {
		if !slices.ContainsFunc(f.Counties, func(c County) bool { return c.ID == id }) {
			return o, field.New(ErrInvalid, fmt.Sprintf("counties[%d]", i), "county %q is not in fixture %q", id, f.Name)
		}
	}
	return o, nil
}

// Generate expands the fixture into a scenario, deterministically for
// opts.Seed. It returns an error wrapping ErrInvalid when the fixture or the
// options are invalid, and never panics on them.
//
// The urban day: parcels per district are apportioned (largest remainder)
// to population × e-commerce factor, then split among carriers by their
// market share, perturbed per district. Each parcel is placed in a
// neighbourhood chosen by population; neighbourhoods are scattered around
// the district's built-up centres (a Gaussian cluster process in the manner
// of Neyman and Scott, J. R. Stat. Soc. B 20, 1958), so parcels cluster as
// real addresses do instead of covering the district uniformly. Sizes and
// weights are log-normal per category; time windows follow the slot mix
// of the category. Fleets and facility capacities are sized from the
// generated parcels with slack.
//
// The rural week: each township gets as many villages as its rural
// villages (村) in the gazetteer, those with a known point there, the
// others scattered 1.5–6 km (9 km in mountain counties) around the
// township; log-normal populations set visit
// frequency (7 visits a week from 1,500 people, 3 from 800, else 2) and
// daily parcels; each of the county's products is supplied by a village
// with the product's probability.
func Generate(f *Fixture, opts Options) (*Scenario, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: nil fixture", ErrInvalid)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	o, err := opts.withDefaults(f)
	if err != nil {
		return nil, err
	}
	s := &Scenario{Fixture: f.Name, Seed: o.Seed, VehicleTypes: append([]fleet.VehicleType(nil), f.VehicleTypes...)}
	if o.Kind != KindRural {
		s.Day = generateDay(f, o)
	}
	if o.Kind != KindUrban {
		s.Week = generateWeek(f, o)
	}
	return s, nil
}

// fleetPlan is the vehicles one depot needs for a set of parcels.
type fleetPlan struct {
	general, fresh, bulky int
	bulkyLitres           float64
}

func (fp *fleetPlan) add(p *urban.Parcel) {
	switch p.Category {
	case urban.Fresh:
		fp.fresh++
	case urban.Bulky:
		fp.bulky++
		fp.bulkyLitres += p.VolumeLitres
	default:
		fp.general++
	}
}

// vehicles sizes a fleet for one trip per vehicle with 10–20% slack
// (and two refrigerated vans from 8 fresh parcels):
// Roles.Parcel vehicles (tricycles) for general parcels, Roles.Bulky (vans)
// for bulky ones by volume and count, Roles.Cold for fresh ones.
func (fp fleetPlan) vehicles(f *Fixture, operator string, depot depots.ID, prefix string) []fleet.Vehicle {
	var vs []fleet.Vehicle
	addN := func(typ string, n int) {
		for i := range n {
			vs = append(vs, fleet.Vehicle{ID: fmt.Sprintf("%s-%s-%02d", prefix, typ, i+1), Type: typ, Operator: operator, Depot: depot})
		}
	}
	if fp.general > 0 {
		t := f.vehicleType(f.Roles.Parcel)
		addN(t.ID, int(math.Ceil(float64(fp.general)*1.1/float64(t.CapacityParcels))))
	}
	if fp.bulky > 0 {
		t := f.vehicleType(f.Roles.Bulky)
		addN(t.ID, int(math.Ceil(max(fp.bulkyLitres*1.2/t.CapacityLitres, float64(fp.bulky)*1.2/float64(t.CapacityParcels)))))
	}
	if fp.fresh > 0 {
		// A second refrigerated van from 8 fresh parcels: the morning and
		// evening slots lie further apart than one driver's shift.
		t := f.vehicleType(f.Roles.Cold)
		n := int(math.Ceil(float64(fp.fresh) * 1.2 / float64(t.CapacityParcels)))
		if fp.fresh >= 8 {
			n = max(n, 2)
		}
		addN(t.ID, n)
	}
	return vs
}

// outlying returns the vans a shared centre needs beyond one trip per
// vehicle, because one centre serves a whole district: a van per 600 km²
// of its part of the district, for parcels beyond the tricycles' range.
func (fp fleetPlan) outlying(f *Fixture, d District, centres int, prefix string, depot depots.ID) []fleet.Vehicle {
	var vs []fleet.Vehicle
	add := func(typ string, n, from int) {
		for i := range n {
			vs = append(vs, fleet.Vehicle{ID: fmt.Sprintf("%s-%s-%02d", prefix, typ, from+i+1), Type: typ, Operator: depots.Shared, Depot: depot})
		}
	}
	if fp.general+fp.bulky > 0 {
		base := 0
		if fp.bulky > 0 {
			t := f.vehicleType(f.Roles.Bulky)
			base = int(math.Ceil(max(fp.bulkyLitres*1.2/t.CapacityLitres, float64(fp.bulky)*1.2/float64(t.CapacityParcels))))
		}
		add(f.Roles.Bulky, int(math.Ceil(d.AreaKm2/float64(centres)/600)), base)
	}
	return vs
}

func (f *Fixture) vehicleType(id string) *fleet.VehicleType {
	for i := range f.VehicleTypes {
		if f.VehicleTypes[i].ID == id {
			return &f.VehicleTypes[i]
		}
	}
	return nil
}

// round6 rounds a point to 1e-6° (about 0.1 m), so that JSON output is
// short and stable.
func round6(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e6) / 1e6, math.Round(p[1]*1e6) / 1e6}
}

// roundTo rounds x to a multiple of step. A step below 1 must be a power of
// ten's reciprocal (0.1, 0.01); dividing by the integer 1/step keeps
// results such as 2.8 exact-looking, where multiplying by 0.1 gives
// 2.8000000000000003.
func roundTo(x, step float64) float64 {
	if step < 1 {
		inv := math.Round(1 / step)
		return math.Round(x*inv) / inv
	}
	return math.Round(x/step) * step
}

// clamp limits x to [lo, hi].
func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// scatter returns a point drawn from a circular Gaussian of standard
// deviation sigmaMeters around c, truncated at three sigma.
func (r *rng) scatter(c orb.Point, sigmaMeters float64) orb.Point {
	for {
		dx, dy := r.normal(), r.normal()
		if dx*dx+dy*dy <= 9 {
			return offset(c, dx*sigmaMeters, dy*sigmaMeters)
		}
	}
}

// ring returns a point at a uniform angle and a distance uniform in
// [minMeters, maxMeters) from c.
func (r *rng) ring(c orb.Point, minMeters, maxMeters float64) orb.Point {
	a := 2 * math.Pi * r.float()
	d := r.uniform(minMeters, maxMeters)
	return offset(c, d*math.Cos(a), d*math.Sin(a))
}

func hours(open, close int32) depots.Hours {
	return depots.Hours{OpenSeconds: open, CloseSeconds: close}
}

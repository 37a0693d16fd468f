package scenario

import (
	"fmt"
	"math"
	"slices"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/lastmile-dev/lastmile/routing/rural"
)

// Village sizes and frequencies. Populations are log-normal around the
// median (about 1,200 people in the western hills, 700 in the mountains,
// where villages are smaller and farther apart); rural residents receive
// 0.6–1.2 parcels per hundred people a day.
const (
	plainVillageMedian    = 1200
	mountainVillageMedian = 700
	dailyVisitPopulation  = 1500 // from this size a village is visited daily
	tripleVisitPopulation = 800  // from this size, three times a week
	// kgPerParcelEquivalent converts produce to the parcel-equivalents
	// of depots.Capacity.
	kgPerParcelEquivalent = 10
)

func generateWeek(f *Fixture, o Options) *Week {
	r := newRNG(o.Seed, streamRural)
	w := &Week{Trunk: rural.TrunkTypes{Ambient: f.Roles.CityTrunk, Cold: f.Roles.ColdTrunk}}
	if f.Roles.CityTrunk != "" {
		// The city's distribution centres are the logistics parks; those
		// with cold storage receive the cold-chain produce.
		for _, p := range f.Parks {
			dc := depots.Facility{
				ID: depots.ID("dc-" + p.ID), Kind: depots.DistributionCentre, Name: p.Name, Location: p.Location,
				Zone: p.District, Operator: depots.Shared, Capacity: depots.Capacity{PerDay: 100_000},
				Hours: hours(0, hhmm(24, 0)), FixedCost: 5000, HandlingCost: 0.3,
			}
			if p.ColdChain {
				dc.Capacity.ColdChain = 20_000
			}
			w.DCs = append(w.DCs, dc)
		}
	}
	for _, c := range f.Counties {
		rc := rural.County{ID: c.ID, Name: c.Name, Mountain: c.Mountain}
		hubID := depots.ID("hub-" + c.ID)
		median, maxKm := plainVillageMedian, 6.0
		if c.Mountain {
			median, maxKm = mountainVillageMedian, 9.0
		}
		var countyParcels, produceKgPerDay, coldKgPerDay float64
		for _, t := range c.Townships {
			stID := depots.ID(fmt.Sprintf("st-%s-%s", c.ID, t.ID))
			var stationParcels, stationKg float64
			n := t.RuralVillages
			if n == 0 {
				n = r.between(o.MinVillages, o.MaxVillages)
			}
			for k := range max(n, len(t.Villages)) {
				v := newVillage(r, c, t, k, median, maxKm)
				v.Station = stID
				v.Point.Parent = stID
				stationParcels += v.ParcelsPerDay
				for _, p := range v.Produce {
					stationKg += p.KgPerWeek
					if p.ColdChain {
						coldKgPerDay += p.KgPerWeek / 7
					}
				}
				rc.Villages = append(rc.Villages, v)
			}
			rc.UrbanCommunities += t.UrbanCommunities
			st := depots.Facility{
				ID: stID, Kind: depots.TownshipStation, Name: t.Name + " station", Location: t.Location,
				Zone: c.ID, Operator: depots.Shared, Parent: hubID,
				Capacity:  depots.Capacity{PerDay: math.Ceil(stationParcels*2) + 20},
				Hours:     hours(hhmm(8, 0), hhmm(18, 0)),
				FixedCost: 150, HandlingCost: 0.5,
			}
			rc.Stations = append(rc.Stations, st)
			countyParcels += stationParcels
			produceKgPerDay += stationKg / 7
		}
		// The hub handles the parcels going out and the produce coming in,
		// counting 10 kg of produce as one parcel-equivalent; it has a cold
		// room for the cold-chain produce waiting for the trunk.
		perDay := math.Ceil((countyParcels+produceKgPerDay/kgPerParcelEquivalent)*1.5) + 100
		rc.Hub = depots.Facility{
			ID: hubID, Kind: depots.CountyHub, Name: c.Name + " county hub", Location: c.Seat,
			Zone: c.ID, Operator: depots.Shared,
			Capacity: depots.Capacity{
				PerDay:    perDay,
				ColdChain: min(perDay, math.Ceil(coldKgPerDay/kgPerParcelEquivalent*1.5)+20),
			},
			Hours:     hours(hhmm(0, 0), hhmm(24, 0)),
			FixedCost: 2000, HandlingCost: 0.4,
		}
		// The shared county fleet: trucks for the branch lines (by
		// townships and produce weight), vans (small ones in the mountains)
		// for the village rounds of every station, refrigerated vans for
		// cold produce: by weight (500 kg a day each) and by reach (one per
		// six townships).
		add := func(typ string, n int) {
			for i := range n {
				rc.Vehicles = append(rc.Vehicles, fleet.Vehicle{
					ID: fmt.Sprintf("%s-%s-%02d", hubID, typ, i+1), Type: typ, Operator: depots.Shared, Depot: hubID,
				})
			}
		}
		van := f.Roles.Bulky
		if c.Mountain && f.Roles.MountainVan != "" {
			van = f.Roles.MountainVan
		}
		truck := f.vehicleType(f.Roles.Trunk)
		add(f.Roles.Trunk, max(1+len(c.Townships)/4, int(math.Ceil(produceKgPerDay/(truck.CapacityKg*1.5)))))
		// Rounds carry parcels out and produce back, and start when their
		// station's branch line is in, so a van seldom serves more than two
		// stations a day: the most of the three needs, with slack.
		vt := f.vehicleType(van)
		add(van, max(1, int(math.Ceil(countyParcels/float64(vt.CapacityParcels)*2)),
			int(math.Ceil(produceKgPerDay*1.5/vt.CapacityKg)), (len(c.Townships)+1)/2+2))
		if coldKgPerDay > 0 {
			add(f.Roles.Cold, max(int(math.Ceil(coldKgPerDay/500)), (len(c.Townships)+5)/6))
		}
		// A county left out is still drawn, so that the others are the
		// same as in the whole week.
		if len(o.Counties) == 0 || slices.Contains(o.Counties, c.ID) {
			w.Counties = append(w.Counties, rc)
		}
	}
	return w
}

// newVillage draws the k'th village of township t.
//
// The first villages are the township's villages with a known point, at
// that point and with their name; the others are placed 1.5 km to maxKm
// around the township.
func newVillage(r *rng, c County, t Township, k, median int, maxKm float64) rural.Village {
	id := fmt.Sprintf("%s-%s-%02d", c.ID, t.ID, k+1)
	name := fmt.Sprintf("%s village %d", t.Name, k+1)
	loc := round6(r.ring(t.Location, 1500, maxKm*1000))
	if k < len(t.Villages) {
		id, name, loc = c.ID+"-"+t.Villages[k].Code, t.Villages[k].Name, t.Villages[k].Location
	}
	pop := int(roundTo(clamp(r.lognormal(float64(median), 0.5), 150, 6000), 10))
	visits := 2
	switch {
	case pop >= dailyVisitPopulation:
		visits = 7
	case pop >= tripleVisitPopulation:
		visits = 3
	}
	v := rural.Village{
		ID: id, Name: name, Location: loc, Population: pop,
		VisitsPerWeek: visits,
		ParcelsPerDay: roundTo(float64(pop)*r.uniform(0.006, 0.012), 0.1),
	}
	for _, p := range c.Produce {
		if r.float() < p.Probability {
			kg := roundTo(r.lognormal(p.KgPerWeek, 0.5)*math.Sqrt(float64(pop)/1000), 10)
			v.Produce = append(v.Produce, rural.Produce{Product: p.Product, ColdChain: p.ColdChain, KgPerWeek: max(kg, 10)})
		}
	}
	v.Point = depots.Facility{
		ID: depots.ID("vp-" + id), Kind: depots.VillagePoint, Name: v.Name + " service point", Location: loc,
		Zone: c.ID, Operator: depots.Shared,
		Capacity:  depots.Capacity{PerDay: math.Ceil(v.ParcelsPerDay*3) + 5},
		Hours:     hours(hhmm(8, 0), hhmm(20, 0)),
		FixedCost: 10, HandlingCost: 0.5,
	}
	return v
}

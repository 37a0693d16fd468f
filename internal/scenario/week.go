package scenario

import (
	"fmt"
	"math"

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
	w := &Week{}
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
			var stationParcels, stationKg, stationColdKg float64
			for k := range r.between(o.MinVillages, o.MaxVillages) {
				v := newVillage(r, c, t, k, median, maxKm)
				v.Station = stID
				v.Point.Parent = stID
				stationParcels += v.ParcelsPerDay
				for _, p := range v.Produce {
					stationKg += p.KgPerWeek
					if p.ColdChain {
						stationColdKg += p.KgPerWeek
					}
				}
				rc.Villages = append(rc.Villages, v)
			}
			st := depots.Facility{
				ID: stID, Kind: depots.TownshipStation, Name: t.Name + " station", Location: t.Location,
				Zone: c.ID, Operator: depots.Shared, Parent: hubID,
				Capacity:  depots.Capacity{PerDay: math.Ceil(stationParcels*2) + 20},
				Hours:     hours(hhmm(8, 0), hhmm(18, 0)),
				FixedCost: 150, HandlingCost: 0.5,
			}
			if stationColdKg > 0 && r.float() < 0.5 { // some stations keep produce cold
				st.Capacity.ColdChain = min(st.Capacity.PerDay, math.Ceil(stationColdKg/7/kgPerParcelEquivalent)+5)
			}
			rc.Stations = append(rc.Stations, st)
			countyParcels += stationParcels
			produceKgPerDay += stationKg / 7
			coldKgPerDay += stationColdKg / 7
		}
		// The hub handles the parcels going out and the produce coming in,
		// counting 10 kg of produce as one parcel-equivalent.
		perDay := math.Ceil((countyParcels+produceKgPerDay/kgPerParcelEquivalent)*1.5) + 100
		rc.Hub = depots.Facility{
			ID: hubID, Kind: depots.CountyHub, Name: c.Name + " county hub", Location: c.Seat,
			Zone: c.ID, Operator: depots.Shared,
			Capacity: depots.Capacity{
				PerDay:    perDay,
				ColdChain: min(perDay, math.Ceil(coldKgPerDay/kgPerParcelEquivalent*1.5)+20),
			},
			Hours:     hours(hhmm(6, 0), hhmm(22, 0)),
			FixedCost: 2000, HandlingCost: 0.4,
		}
		// The hub fleet: trunk trucks to the stations, vans for village
		// rounds, cold vans for cold produce pickup (500 kg a day each).
		add := func(typ string, n int) {
			for i := range n {
				rc.Vehicles = append(rc.Vehicles, fleet.Vehicle{
					ID: fmt.Sprintf("%s-%s-%02d", hubID, typ, i+1), Type: typ, Operator: depots.Shared, Depot: hubID,
				})
			}
		}
		add(f.Roles.Trunk, 1+len(c.Townships)/4)
		add(f.Roles.Bulky, max(1, int(math.Ceil(countyParcels/float64(f.vehicleType(f.Roles.Bulky).CapacityParcels)*2))))
		if coldKgPerDay > 0 {
			add(f.Roles.Cold, int(math.Ceil(coldKgPerDay/500)))
		}
		w.Counties = append(w.Counties, rc)
	}
	return w
}

// newVillage draws the k'th village of township t.
func newVillage(r *rng, c County, t Township, k, median int, maxKm float64) rural.Village {
	id := fmt.Sprintf("%s-%s-%02d", c.ID, t.ID, k+1)
	loc := round6(r.ring(t.Location, 1500, maxKm*1000))
	pop := int(roundTo(clamp(r.lognormal(float64(median), 0.5), 150, 6000), 10))
	visits := 2
	switch {
	case pop >= dailyVisitPopulation:
		visits = 7
	case pop >= tripleVisitPopulation:
		visits = 3
	}
	v := rural.Village{
		ID: id, Name: fmt.Sprintf("%s village %d", t.Name, k+1), Location: loc, Population: pop,
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

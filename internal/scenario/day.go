package scenario

import (
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/lastmile-dev/lastmile/routing/urban"
	"github.com/paulmach/orb"
)

// parcelSpreadMeters is the spread of parcels around their neighbourhood
// point: a residential compound and the streets around it.
const parcelSpreadMeters = 250

// categoryMix gives, per category, the parcel size distribution
// (log-normal medians and sigmas, clamped), the slot mix and service time.
var categoryMix = map[urban.Category]struct {
	kgMedian, kgSigma, kgMin, kgMax float64
	lMedian, lSigma, lMin, lMax     float64
	slots                           [4]float64 // AllDay, Morning, Afternoon, Evening
	serviceMin, serviceMax          int
}{
	urban.General: {1.0, 0.8, 0.1, 20, 4, 0.9, 0.3, 60, [4]float64{0.65, 0.12, 0.13, 0.10}, 45, 120},
	urban.Fresh:   {3.0, 0.5, 0.5, 20, 12, 0.4, 3, 40, [4]float64{0.10, 0.40, 0.20, 0.30}, 90, 180},
	urban.Bulky:   {15, 0.5, 5, 60, 80, 0.5, 30, 400, [4]float64{0.55, 0.15, 0.20, 0.10}, 240, 480},
}

var slotOrder = [4]Slot{AllDay, Morning, Afternoon, Evening}

func generateDay(f *Fixture, o Options) *Day {
	day := &Day{Districts: append([]District(nil), f.Districts...)}
	day.Neighbourhoods = neighbourhoods(f, o)

	// Parcels per district, then per carrier within each district.
	profiles := f.Carriers[:o.Carriers]
	dw := make([]float64, len(f.Districts))
	for i, d := range f.Districts {
		dw[i] = float64(d.Population) * d.Ecommerce
	}
	perDistrict := apportion(o.Parcels, dw)
	mix := newRNG(o.Seed, streamCarrierMix)
	shareSum := 0.0
	for _, c := range profiles {
		shareSum += c.Share
	}
	perCarrier := make([][]int, len(f.Districts)) // [district][carrier]
	for i := range f.Districts {
		cw := make([]float64, len(profiles))
		for j, c := range profiles {
			cw[j] = c.Share * mix.lognormal(1, 0.2)
		}
		perCarrier[i] = apportion(perDistrict[i], cw)
	}

	// Neighbourhoods by district, with cumulative population weights.
	byDistrict := make([][]int, len(f.Districts))
	cums := make([][]float64, len(f.Districts))
	for i, d := range f.Districts {
		var w []float64
		for k, n := range day.Neighbourhoods {
			if n.District == d.ID {
				byDistrict[i] = append(byDistrict[i], k)
				w = append(w, float64(n.Population))
			}
		}
		cums[i] = cumulative(w)
	}

	slotCum := map[urban.Category][]float64{}
	for c, m := range categoryMix {
		slotCum[c] = cumulative(m.slots[:])
	}
	r := newRNG(o.Seed, streamParcels)
	day.Parcels = make([]urban.Parcel, 0, o.Parcels)
	plans := make([]fleetPlan, len(profiles))            // per carrier
	districtPlans := make([]fleetPlan, len(f.Districts)) // per district
	cdPlans := make([][]fleetPlan, len(f.Districts))     // per district × carrier
	for i, d := range f.Districts {
		cdPlans[i] = make([]fleetPlan, len(profiles))
		for j, c := range profiles {
			for range perCarrier[i][j] {
				n := &day.Neighbourhoods[byDistrict[i][r.pick(cums[i])]]
				p := newParcel(r, len(day.Parcels), c, d.ID, n.Location, slotCum)
				day.Parcels = append(day.Parcels, p)
				plans[j].add(&p)
				districtPlans[i].add(&p)
				cdPlans[i][j].add(&p)
			}
		}
	}
	for k := range day.Neighbourhoods {
		n := &day.Neighbourhoods[k]
		for i, d := range f.Districts {
			if d.ID == n.District {
				n.ParcelsPerDay = roundTo(float64(perDistrict[i])*float64(n.Population)/float64(d.Population), 0.01)
			}
		}
	}
	day.Demand = demand(f, day.Parcels)

	day.Facilities = append(day.Facilities, cloudWarehouses(newRNG(o.Seed, streamWarehouses), f, day.Demand, o.Parcels)...)
	fr := newRNG(o.Seed, streamDepots)
	sr := newRNG(o.Seed, streamStations)
	var stations []depots.Facility
	centroid := parcelCentroid(day.Parcels, f)
	for j, c := range profiles {
		id := depots.ID("depot-" + c.ID)
		loc := round6(fr.ring(centroid, 3000, 8000))
		total := plans[j].general + plans[j].fresh + plans[j].bulky
		day.Facilities = append(day.Facilities, depots.Facility{
			ID: id, Kind: depots.DistributionCentre, Name: c.Name + " city depot", Location: loc,
			Zone: nearestDistrict(f, loc), Operator: c.ID,
			Capacity:  depots.Capacity{PerDay: math.Ceil(float64(total) * 1.5), ColdChain: math.Ceil(float64(plans[j].fresh) * 1.5)},
			Hours:     hours(hhmm(6, 0), hhmm(22, 0)),
			FixedCost: 3000, HandlingCost: 0.6,
		})
		car := urban.Carrier{ID: c.ID, Name: c.Name, Share: c.Share / shareSum, Depot: id}
		if !o.CarrierStations {
			day.Vehicles = append(day.Vehicles, plans[j].vehicles(f, c.ID, id, c.ID)...)
		}
		for i, d := range f.Districts {
			p := cdPlans[i][j]
			total := float64(p.general + p.fresh + p.bulky)
			if !o.CarrierStations || total == 0 {
				continue
			}
			sid := depots.ID(fmt.Sprintf("stn-%s-%s", c.ID, d.ID))
			cen := d.Centres[sr.pick(cumulative(centreWeights(d)))]
			stations = append(stations, depots.Facility{
				ID: sid, Kind: depots.DistributionCentre, Name: fmt.Sprintf("%s %s station", c.Name, d.Name),
				Location: round6(sr.scatter(cen.Location, 1000)), Zone: d.ID, Operator: c.ID,
				Capacity:  depots.Capacity{PerDay: math.Ceil(total*1.5) + 20, ColdChain: math.Ceil(float64(p.fresh)*1.5) + 5},
				Hours:     hours(hhmm(7, 0), hhmm(21, 0)),
				FixedCost: 400, HandlingCost: 0.6,
			})
			car.Stations = append(car.Stations, sid)
			day.Vehicles = append(day.Vehicles, p.vehicles(f, c.ID, sid, string(sid))...)
		}
		day.Carriers = append(day.Carriers, car)
	}
	day.Facilities = append(day.Facilities, stations...)
	var shared []fleet.Vehicle
	fr = newRNG(o.Seed, streamCentres)
	for i, d := range f.Districts {
		k := o.DCsPerDistrict
		cum := cumulative(centreWeights(d))
		for m := range k {
			c := d.Centres[0]
			if m > 0 {
				c = d.Centres[fr.pick(cum)]
			}
			id := depots.ID(fmt.Sprintf("dc-%s-%d", d.ID, m+1))
			p := districtPlans[i]
			share := func(x int) int { return (x*(m+1))/k - (x*m)/k } // this DC's part
			part := fleetPlan{general: share(p.general), fresh: share(p.fresh), bulky: share(p.bulky), bulkyLitres: p.bulkyLitres / float64(k)}
			total := float64(part.general + part.fresh + part.bulky)
			day.Facilities = append(day.Facilities, depots.Facility{
				ID: id, Kind: depots.DistributionCentre, Name: fmt.Sprintf("%s shared centre %d", d.Name, m+1),
				Location: round6(fr.scatter(c.Location, 500)), Zone: d.ID, Operator: depots.Shared,
				Capacity:  depots.Capacity{PerDay: math.Ceil(total*1.5) + 50, ColdChain: math.Ceil(float64(part.fresh)*1.5) + 10},
				Hours:     hours(hhmm(6, 0), hhmm(22, 0)),
				FixedCost: 1500, HandlingCost: 0.8,
			})
			shared = append(shared, part.vehicles(f, depots.Shared, id, string(id))...)
			shared = append(shared, part.outlying(f, d, k, string(id), id)...)
		}
	}
	day.Vehicles = append(day.Vehicles, shared...)
	day.Facilities = append(day.Facilities, pickupPoints(newRNG(o.Seed, streamPickups), day.Neighbourhoods)...)
	return day
}

// centreWeights returns the weights of a district's centres.
func centreWeights(d District) []float64 {
	w := make([]float64, len(d.Centres))
	for i, c := range d.Centres {
		w[i] = c.Weight
	}
	return w
}

// neighbourhoods scatters each district's population over neighbourhoods of
// about o.NeighbourhoodPeople residents around its centres.
func neighbourhoods(f *Fixture, o Options) []DemandPoint {
	r := newRNG(o.Seed, streamNeighbourhoods)
	var out []DemandPoint
	for _, d := range f.Districts {
		n := max(len(d.Centres), int(math.Round(float64(d.Population)/float64(o.NeighbourhoodPeople))))
		cum := cumulative(centreWeights(d))
		w := make([]float64, n)
		locs := make([]orb.Point, n)
		for k := range n {
			c := d.Centres[k%len(d.Centres)] // every centre gets one first
			if k >= len(d.Centres) {
				c = d.Centres[r.pick(cum)]
			}
			locs[k] = round6(r.scatter(c.Location, c.SpreadMeters))
			w[k] = r.lognormal(1, 0.5)
		}
		pops := apportion(d.Population, w)
		for k := range n {
			out = append(out, DemandPoint{
				ID: fmt.Sprintf("%s-n%03d", d.ID, k+1), District: d.ID, Location: locs[k], Population: pops[k],
			})
		}
	}
	return out
}

// newParcel draws one parcel of carrier c near point home;
// slotCum holds the cumulative slot weights of each category.
func newParcel(r *rng, index int, c CarrierProfile, district string, home orb.Point, slotCum map[urban.Category][]float64) urban.Parcel {
	cat := urban.General
	switch u := r.float(); {
	case u < c.FreshShare:
		cat = urban.Fresh
	case u < c.FreshShare+c.BulkyShare:
		cat = urban.Bulky
	}
	m := categoryMix[cat]
	slot := slotOrder[r.pick(slotCum[cat])]
	w, _ := slot.Window()
	return urban.Parcel{
		ID:             fmt.Sprintf("p%06d", index+1),
		Carrier:        c.ID,
		District:       district,
		Location:       round6(r.scatter(home, parcelSpreadMeters)),
		Category:       cat,
		ColdChain:      cat == urban.Fresh,
		WeightKg:       roundTo(clamp(r.lognormal(m.kgMedian, m.kgSigma), m.kgMin, m.kgMax), 0.01),
		VolumeLitres:   roundTo(clamp(r.lognormal(m.lMedian, m.lSigma), m.lMin, m.lMax), 0.1),
		Slot:           string(slot),
		Window:         w,
		ServiceSeconds: int32(r.between(m.serviceMin, m.serviceMax)),
	}
}

// demand counts parcels per district × category.
func demand(f *Fixture, parcels []urban.Parcel) []Demand {
	idx := map[string]int{}
	out := make([]Demand, 0, len(f.Districts)*len(Categories))
	for _, d := range f.Districts {
		for _, c := range Categories {
			idx[d.ID+"/"+string(c)] = len(out)
			out = append(out, Demand{District: d.ID, Category: c, ColdChain: c == urban.Fresh})
		}
	}
	for i := range parcels {
		out[idx[parcels[i].District+"/"+string(parcels[i].Category)]].ParcelsPerDay++
	}
	return out
}

// cloudWarehouses puts one shared cloud warehouse at each logistics park.
// Each can take 40–60% of the day's parcels, so allocation has a choice;
// the first two handle bulky parcels and the parks with cold storage handle
// fresh food, with 60–90% of the fresh demand each.
func cloudWarehouses(r *rng, f *Fixture, dem []Demand, parcels int) []depots.Facility {
	fresh := 0
	for _, d := range dem {
		if d.Category == urban.Fresh {
			fresh += d.ParcelsPerDay
		}
	}
	var out []depots.Facility
	for i, s := range f.Parks {
		per := math.Ceil(float64(parcels) * r.uniform(0.4, 0.6))
		c := depots.Capacity{PerDay: per, PerCategory: map[string]float64{string(urban.General): per}}
		if i < 2 {
			c.PerCategory[string(urban.Bulky)] = math.Ceil(per * r.uniform(0.15, 0.3))
		}
		if s.ColdChain {
			c.ColdChain = min(per, math.Ceil(float64(fresh)*r.uniform(0.6, 0.9))+1)
			c.PerCategory[string(urban.Fresh)] = c.ColdChain
		}
		out = append(out, depots.Facility{
			ID: depots.ID("cw-" + s.ID), Kind: depots.CloudWarehouse, Name: s.Name, Location: s.Location,
			Zone: s.District, Operator: depots.Shared, Capacity: c,
			FixedCost:    roundTo(r.uniform(8000, 15000), 100),
			HandlingCost: roundTo(r.uniform(0.8, 1.5), 0.01),
		})
	}
	return out
}

// pickupPoints places parcel lockers (about one per 15,000 residents, 40–120
// compartments turned over 1.2–2 times a day) and express stores (about one
// per 30,000 residents, 80–300 parcels a day, a tenth with a fridge) around
// the neighbourhoods.
func pickupPoints(r *rng, ns []DemandPoint) []depots.Facility {
	var lockers, stores []depots.Facility
	for _, n := range ns {
		for k := range int(float64(n.Population)/15000 + r.float()) {
			comp := 10 * r.between(4, 12)
			lockers = append(lockers, depots.Facility{
				ID: depots.ID(fmt.Sprintf("lk-%s-%d", n.ID, k+1)), Kind: depots.Locker, Name: "parcel locker",
				Location: round6(r.scatter(n.Location, 300)), Zone: n.District, Operator: depots.Shared,
				Capacity:  depots.Capacity{PerDay: math.Round(float64(comp) * r.uniform(1.2, 2.0)), Compartments: comp},
				FixedCost: 30, HandlingCost: 0.3,
			})
		}
		for k := range int(float64(n.Population)/30000 + r.float()) {
			c := depots.Capacity{PerDay: float64(10 * r.between(8, 30))}
			if r.float() < 0.1 {
				c.ColdChain = 20
			}
			stores = append(stores, depots.Facility{
				ID: depots.ID(fmt.Sprintf("es-%s-%d", n.ID, k+1)), Kind: depots.ExpressStore, Name: "express store",
				Location: round6(r.scatter(n.Location, 300)), Zone: n.District, Operator: depots.Shared,
				Capacity: c, Hours: hours(hhmm(9, 0), hhmm(21, 0)),
				FixedCost: 100, HandlingCost: 0.5,
			})
		}
	}
	return append(lockers, stores...)
}

// parcelCentroid is the mean parcel location, or the first district's
// centre when there are no parcels.
func parcelCentroid(ps []urban.Parcel, f *Fixture) orb.Point {
	if len(ps) == 0 {
		return f.Districts[0].Centre
	}
	var lon, lat float64
	for i := range ps {
		lon += ps[i].Location[0]
		lat += ps[i].Location[1]
	}
	return orb.Point{lon / float64(len(ps)), lat / float64(len(ps))}
}

// nearestDistrict returns the ID of the district whose centre is nearest p.
func nearestDistrict(f *Fixture, p orb.Point) string {
	best, bestD := "", math.Inf(1)
	for _, d := range f.Districts {
		if x := distanceMeters(p, d.Centre); x < bestD {
			best, bestD = d.ID, x
		}
	}
	return best
}

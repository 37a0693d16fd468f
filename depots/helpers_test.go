package depots

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

// withMatrix sets p.Matrix from the great-circle model with a fixed
// speed and circuity 1.3 between p.Points().
func withMatrix(tb testing.TB, p *AllocationProblem, speedKmh float64) *AllocationProblem {
	tb.Helper()
	gc := geo.GreatCircle{Classes: map[geo.ZoneClass]geo.ClassTravel{geo.ClassSuburban: {Circuity: 1.3, SpeedKmh: speedKmh}}, Workers: 1}
	m, err := gc.Matrix(context.Background(), p.Points())
	if err != nil {
		tb.Fatal(err)
	}
	p.Matrix = m
	return p
}

// chongqingCentre is Jiefangbei, Yuzhong district, WGS-84.
var chongqingCentre = orb.Point{106.5775, 29.5575}

// syntheticDay builds a day of demand around central Chongqing: nCells H3
// cells at resolution 8 within about 40 km, each with demand in categories
// parcel, bulky and fresh (cold), served from nW warehouses whose total
// daily capacity is capacityShare of the total demand.
func syntheticDay(tb testing.TB, seed uint64, nCells, nW int, capacityShare float64) *AllocationProblem {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 17))
	at := func(radiusKm float64) orb.Point {
		r := radiusKm * math.Sqrt(rng.Float64())
		a := 2 * math.Pi * rng.Float64()
		dLat := r * math.Sin(a) / 111.0
		dLon := r * math.Cos(a) / (111.0 * math.Cos(chongqingCentre[1]*math.Pi/180))
		return orb.Point{chongqingCentre[0] + dLon, chongqingCentre[1] + dLat}
	}
	p := &AllocationProblem{Tariff: Tariff{PerParcelKm: 0.04, PerParcelHour: 0.5}}
	seen := map[h3cell.Cell]bool{}
	total := 0.0
	for len(seen) < nCells {
		c, err := h3cell.FromPoint(at(40), 8)
		if err != nil {
			tb.Fatal(err)
		}
		if seen[c] {
			continue
		}
		seen[c] = true
		loc, err := c.Point()
		if err != nil {
			tb.Fatal(err)
		}
		base := 20 + 200*rng.Float64()*rng.Float64()
		for _, d := range []Demand{
			{Category: "parcel", Volume: base, PromiseSeconds: 4 * 3600},
			{Category: "bulky", Volume: 0.1 * base * rng.Float64(), PromiseSeconds: 8 * 3600},
			{Category: "fresh", Volume: 0.2 * base * rng.Float64(), ColdChain: true, PromiseSeconds: 2400},
		} {
			d.Cell, d.Location = c, loc
			d.Volume = math.Round(d.Volume*10) / 10
			total += d.Volume
			p.Demand = append(p.Demand, d)
		}
	}
	for w := range nW {
		capDay := math.Round(capacityShare * total / float64(nW) * (0.7 + 0.6*rng.Float64()))
		f := Facility{
			ID: ID(fmt.Sprintf("wh-%02d", w)), Kind: CloudWarehouse, Location: at(30),
			Capacity:     Capacity{PerDay: capDay, PerCategory: map[string]float64{"parcel": capDay, "fresh": 0.25 * capDay}},
			HandlingCost: 0.5 + rng.Float64(), Operator: Shared,
		}
		if w%3 != 2 {
			f.Capacity.PerCategory["bulky"] = 0.1 * capDay
		}
		if w%2 == 0 {
			f.Capacity.ColdChain = 0.2 * capDay
		}
		p.Warehouses = append(p.Warehouses, f)
	}
	return withMatrix(tb, p, 30)
}

// matrixFor returns a matrix for w warehouses and d demand points whose
// warehouse-to-demand entries are secs[w][d] seconds and metres[w][d]
// metres (metres may be nil: zero).
func matrixFor(secs, metres [][]int32) *geo.Matrix {
	W, D := len(secs), len(secs[0])
	m := geo.NewMatrix(W + D)
	for w := range W {
		for d := range D {
			m.Seconds[w*m.N+W+d] = secs[w][d]
			if metres != nil {
				m.Meters[w*m.N+W+d] = metres[w][d]
			}
		}
	}
	return m
}

// checkAllocation asserts what every allocation must satisfy: promises,
// categories, cold chain and capacities hold, volume is conserved, the
// totals add up and the bound is below the objective.
func checkAllocation(t *testing.T, name string, p *AllocationProblem, a *Allocation) {
	t.Helper()
	const tol = 1e-6
	W := len(p.Warehouses)
	served := make([]float64, len(p.Demand))
	perDemand := make([]int, len(p.Demand))
	day := make([]float64, W)
	cold := make([]float64, W)
	cat := make([]map[string]float64, W)
	wIndex := map[ID]int{}
	for w := range p.Warehouses {
		wIndex[p.Warehouses[w].ID] = w
		cat[w] = map[string]float64{}
	}
	cost := 0.0
	for _, as := range a.Assignments {
		w, ok := wIndex[as.Facility]
		if !ok {
			t.Fatalf("%s: assignment to unknown warehouse %q", name, as.Facility)
		}
		d := &p.Demand[as.Demand]
		f := &p.Warehouses[w]
		if as.Volume <= 0 {
			t.Errorf("%s: assignment of demand %d has volume %v", name, as.Demand, as.Volume)
		}
		secs := p.Matrix.Seconds[w*p.Matrix.N+W+as.Demand]
		if as.TravelSeconds != secs {
			t.Errorf("%s: demand %d travel = %d s, matrix says %d", name, as.Demand, as.TravelSeconds, secs)
		}
		if d.PromiseSeconds > 0 && secs > d.PromiseSeconds {
			t.Errorf("%s: demand %d from %s takes %d s, promise %d s", name, as.Demand, f.ID, secs, d.PromiseSeconds)
		}
		if d.ColdChain && f.Capacity.ColdChain <= 0 {
			t.Errorf("%s: cold demand %d served by %s without cold chain", name, as.Demand, f.ID)
		}
		if _, ok := f.Capacity.PerCategory[d.Category]; len(f.Capacity.PerCategory) > 0 && !ok {
			t.Errorf("%s: demand %d of category %q served by %s, which does not take it", name, as.Demand, d.Category, f.ID)
		}
		served[as.Demand] += as.Volume
		perDemand[as.Demand]++
		day[w] += as.Volume
		cat[w][d.Category] += as.Volume
		if d.ColdChain {
			cold[w] += as.Volume
		}
		cost += as.Volume * as.CostPerParcel
	}
	for w := range p.Warehouses {
		c := p.Warehouses[w].Capacity
		if day[w] > c.PerDay+tol {
			t.Errorf("%s: %s load %v > capacity %v", name, p.Warehouses[w].ID, day[w], c.PerDay)
		}
		if cold[w] > c.ColdChain+tol {
			t.Errorf("%s: %s cold load %v > cold capacity %v", name, p.Warehouses[w].ID, cold[w], c.ColdChain)
		}
		for k, v := range cat[w] {
			if limit, ok := c.PerCategory[k]; ok && v > limit+tol {
				t.Errorf("%s: %s category %q load %v > cap %v", name, p.Warehouses[w].ID, k, v, limit)
			}
		}
		u := a.Utilisation[w]
		if u.Facility != p.Warehouses[w].ID || math.Abs(u.Volume-day[w]) > tol || math.Abs(u.Cold-cold[w]) > tol {
			t.Errorf("%s: utilisation[%d] = %+v, assignments give volume %v cold %v", name, w, u, day[w], cold[w])
		}
	}
	unserved := make([]float64, len(p.Demand))
	for _, u := range a.Unserved {
		unserved[u.Demand] += u.Volume
		if u.Volume <= 0 {
			t.Errorf("%s: unserved demand %d has volume %v", name, u.Demand, u.Volume)
		}
	}
	for i := range p.Demand {
		if got := served[i] + unserved[i]; math.Abs(got-p.Demand[i].Volume) > 1e-3 {
			t.Errorf("%s: demand %d served %v + unserved %v != volume %v", name, i, served[i], unserved[i], p.Demand[i].Volume)
		}
		if a.SingleSource && perDemand[i] > 1 {
			t.Errorf("%s: single-source demand %d has %d warehouses", name, i, perDemand[i])
		}
	}
	if math.Abs(cost-a.Cost) > 1e-6*math.Max(1, cost) || math.Abs(a.Cost-a.TransportCost-a.HandlingCost) > 1e-6*math.Max(1, cost) {
		t.Errorf("%s: cost %v, transport %v + handling %v, assignments give %v", name, a.Cost, a.TransportCost, a.HandlingCost, cost)
	}
	if a.LowerBound > a.Objective+1e-9 || a.Gap < 0 {
		t.Errorf("%s: lower bound %v above objective %v (gap %v)", name, a.LowerBound, a.Objective, a.Gap)
	}
}

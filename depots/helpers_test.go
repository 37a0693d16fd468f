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

// checkAllocation asserts what every allocation must satisfy (Verify),
// and that utilisation matches the assignments.
func checkAllocation(t *testing.T, name string, p *AllocationProblem, a *Allocation) {
	t.Helper()
	if err := a.Verify(p); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	vol := map[ID]float64{}
	for _, as := range a.Assignments {
		vol[as.Facility] += as.Volume
	}
	for w, u := range a.Utilisation {
		if u.Facility != p.Warehouses[w].ID || math.Abs(u.Volume-vol[u.Facility]) > 1e-6 {
			t.Errorf("%s: utilisation[%d] = %s %v, assignments give %s %v", name, w, u.Facility, u.Volume, p.Warehouses[w].ID, vol[p.Warehouses[w].ID])
		}
	}
}

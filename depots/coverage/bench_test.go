package coverage

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// BenchmarkAnalyze1M analyses 1 M demand points against 10 k pickup points
// (50 km × 50 km around central Chongqing, radii 150–1050 m for two thirds
// of the points and 500 m for the rest, half the points capacitated): the
// scale the issue asks for, with each capacity assignment.
func BenchmarkAnalyze1M(b *testing.B) {
	demand, points := randomInstance(42, 1_000_000, 10_000, 50, true)
	for _, a := range []struct {
		name string
		a    Assignment
	}{{"greedy", AssignGreedy}, {"mincost", AssignMinCost}} {
		b.Run(a.name, func(b *testing.B) {
			opts := Options{RadiusMeters: 500, Assignment: a.a}
			b.ReportAllocs()
			var rep *Report
			for b.Loop() {
				var err error
				rep, err = Analyze(context.Background(), demand, points, opts)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(100*rep.CoveredDemand/rep.TotalDemand, "covered%")
			b.ReportMetric(100*rep.CoveredWithCapacity/rep.TotalDemand, "served%")
			b.ReportMetric(float64(len(rep.Cells)), "cells")
		})
	}
}

// siteBenchInstance is a seeded city of 50 k demand cells over 40 km ×
// 40 km, 80% of it in 60 Gaussian neighbourhoods (σ 0.5–2.5 km) and 20%
// scattered, with 5 k candidate sites (half near demand, half anywhere) and
// 500 existing points; radius 600 m.
func siteBenchInstance() ([]Demand, []Point, []Point) {
	r := rand.New(rand.NewPCG(43, 1))
	const lon0, lat0, sizeKm = 106.3, 29.4, 40.0
	kmLat := 1 / 111.2
	kmLon := kmLat / math.Cos(lat0*math.Pi/180)
	type centre struct{ x, y, s float64 }
	centres := make([]centre, 60)
	for i := range centres {
		centres[i] = centre{r.Float64() * sizeKm, r.Float64() * sizeKm, 0.5 + 2*r.Float64()}
	}
	at := func(x, y float64) orb.Point { return orb.Point{lon0 + x*kmLon, lat0 + y*kmLat} }
	demand := make([]Demand, 50_000)
	for i := range demand {
		x, y := r.Float64()*sizeKm, r.Float64()*sizeKm
		if r.Float64() < 0.8 {
			c := centres[r.IntN(len(centres))]
			x, y = c.x+r.NormFloat64()*c.s, c.y+r.NormFloat64()*c.s
		}
		demand[i] = Demand{Location: at(x, y), Weight: float64(1 + r.IntN(30))}
	}
	pts := make([]Point, 5_500)
	for j := range pts {
		loc := at(r.Float64()*sizeKm, r.Float64()*sizeKm)
		if j%2 == 0 {
			d := demand[r.IntN(len(demand))].Location
			loc = orb.Point{d[0] + r.NormFloat64()*0.3*kmLon, d[1] + r.NormFloat64()*0.3*kmLat}
		}
		pts[j] = Point{ID: fmt.Sprintf("s%d", j), Location: loc}
	}
	return demand, pts[5000:], pts[:5000]
}

// BenchmarkSiteMCLP adds 200 sites to the 50 k / 5 k instance and reports
// the gap to the Lagrangian upper bound.
func BenchmarkSiteMCLP(b *testing.B) {
	demand, existing, cands := siteBenchInstance()
	for _, capped := range []bool{false, true} {
		name := "uncapacitated"
		if capped {
			name = "capacitated"
		}
		b.Run(name, func(b *testing.B) {
			if capped {
				for j := range cands {
					cands[j].CapacityPerDay = 1500
				}
			}
			opts := SiteOptions{Options: Options{RadiusMeters: 600}, Add: 200, Capacitated: capped}
			b.ReportAllocs()
			var p *Plan
			for b.Loop() {
				var err error
				if p, err = SelectSites(context.Background(), demand, existing, cands, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(p.GapPercent, "gap%")
			b.ReportMetric(100*p.CoveredDemand/p.TotalDemand, "covered%")
			b.ReportMetric(float64(p.Units), "units")
		})
	}
}

// BenchmarkSiteLSCP covers 100% of the 50 k / 5 k instance's coverable
// demand at least cost and reports the gap to the Lagrangian lower bound.
func BenchmarkSiteLSCP(b *testing.B) {
	demand, existing, cands := siteBenchInstance()
	for _, target := range []float64{0.8, 0} {
		name := "target=0.8"
		if target == 0 {
			name = "target=all-coverable"
		}
		b.Run(name, func(b *testing.B) {
			opts := SiteOptions{Options: Options{RadiusMeters: 600}, Target: target}
			if target == 0 {
				// Drop the demand no candidate reaches, so that 100% is feasible.
				opts.Target = 1
				demand = coverableOnly(b, demand, existing, cands, opts.Options)
			}
			b.ReportAllocs()
			var p *Plan
			for b.Loop() {
				var err error
				if p, err = SelectSites(context.Background(), demand, existing, cands, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(p.GapPercent, "gap%")
			b.ReportMetric(p.Cost, "sites")
			b.ReportMetric(p.CostLowerBound, "bound")
		})
	}
}

func coverableOnly(b *testing.B, demand []Demand, existing, cands []Point, opts Options) []Demand {
	all := append(append([]Point(nil), existing...), cands...)
	rep, err := Analyze(context.Background(), demand, all, opts)
	if err != nil {
		b.Fatal(err)
	}
	var out []Demand
	for i, d := range demand {
		if rep.Nearest[i] >= 0 {
			out = append(out, d)
		}
	}
	return out
}

// BenchmarkAnalyzeIndexVsBruteForce compares the H3-indexed analysis with the
// all-pairs baseline on 20 k demand points and 2 k pickup points.
func BenchmarkAnalyzeIndexVsBruteForce(b *testing.B) {
	demand, points := randomInstance(44, 20_000, 2_000, 20, false)
	opts := Options{RadiusMeters: 500}
	b.Run("indexed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Analyze(context.Background(), demand, points, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("brute-force", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bruteForce(demand, points, opts)
		}
	})
}

// BenchmarkSiteLSCPCapacitated reaches 35% of the demand of a 10 k demand
// point, 1 k candidate instance (capacities 200–600, costs 1–4; the plan
// has under 200 sites, so the 1-out repair runs) and reports the gap of its
// cost to the Lagrangian bound.
func BenchmarkSiteLSCPCapacitated(b *testing.B) {
	demand, existing, cands := siteBenchInstance()
	demand, cands = demand[:10_000], slices.Clone(cands[:1_000])
	for j := range cands {
		cands[j].CapacityPerDay = float64(200 + 100*(j%5))
		cands[j].Cost = float64(1 + j%4)
	}
	opts := SiteOptions{Options: Options{RadiusMeters: 600}, Target: 0.35, Capacitated: true}
	b.ReportAllocs()
	var p *Plan
	for b.Loop() {
		var err error
		if p, err = SelectSites(context.Background(), demand, existing, cands, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(p.GapPercent, "gap%")
	b.ReportMetric(p.Cost, "cost")
	b.ReportMetric(p.CostLowerBound, "bound")
	b.ReportMetric(float64(len(p.Chosen)), "sites")
}

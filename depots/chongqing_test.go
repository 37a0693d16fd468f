package depots_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/scenario"
)

// chongqingDay builds the allocation problem of the generated Chongqing
// day: its parcels summed per H3 cell (resolution 8) and category, served
// from its cloud warehouses, with travel from the great-circle model.
// Promises: fresh food within 45 minutes' drive of the warehouse, the rest
// within two hours.
func chongqingDay(t testing.TB, parcels int) *depots.AllocationProblem {
	t.Helper()
	sc, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Kind: scenario.KindUrban, Parcels: parcels})
	if err != nil {
		t.Fatal(err)
	}
	day := sc.Day
	points := make([]depots.Demand, len(day.Parcels))
	for i, pc := range day.Parcels {
		promise := int32(2 * 3600)
		if pc.ColdChain {
			promise = 45 * 60
		}
		points[i] = depots.Demand{Zone: pc.District, Location: pc.Location, Category: string(pc.Category), Volume: 1, ColdChain: pc.ColdChain, PromiseSeconds: promise}
	}
	p := &depots.AllocationProblem{Tariff: depots.Tariff{PerParcelKm: 0.03, PerParcelHour: 0.6}}
	if p.Demand, err = depots.AggregateByCell(points, 8); err != nil {
		t.Fatal(err)
	}
	for _, f := range day.ByKind(depots.CloudWarehouse) {
		p.Warehouses = append(p.Warehouses, *f)
	}
	if p.Matrix, err = (geo.GreatCircle{}).Matrix(context.Background(), p.Points()); err != nil {
		t.Fatal(err)
	}
	return p
}

// shrunk returns p with its warehouses' capacities scaled by f.
func shrunk(p *depots.AllocationProblem, f float64) *depots.AllocationProblem {
	q := *p
	q.Warehouses = make([]depots.Facility, len(p.Warehouses))
	for i, w := range p.Warehouses {
		w.Capacity = w.Capacity.Scaled(f)
		q.Warehouses[i] = w
	}
	return &q
}

// TestAllocateChongqingDay is the acceptance test: allocation on the
// generated Chongqing day respects promises and capacities, and a case with
// more demand than capacity reports the unserved volume instead of failing.
func TestAllocateChongqingDay(t *testing.T) {
	p := chongqingDay(t, 3000)
	total, capacity := 0.0, 0.0
	for _, d := range p.Demand {
		total += d.Volume
	}
	for _, w := range p.Warehouses {
		capacity += w.Capacity.PerDay
	}
	if len(p.Warehouses) < 2 || total != 3000 {
		t.Fatalf("Chongqing day: %d warehouses, %v parcels; want ≥ 2 and 3000", len(p.Warehouses), total)
	}
	short := shrunk(p, 0.3)
	for _, tt := range []struct {
		name   string
		p      *depots.AllocationProblem
		single bool
		short  bool
	}{
		{"splittable", p, false, false},
		{"single-source", p, true, false},
		{"over capacity/splittable", short, false, true},
		{"over capacity/single-source", short, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := depots.Allocate(context.Background(), tt.p, depots.AllocateOptions{SingleSource: tt.single})
			if err != nil {
				t.Fatalf("Allocate: %v", err)
			}
			if err := a.Verify(tt.p); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			byReason := map[depots.Reason]float64{}
			for _, u := range a.Unserved {
				byReason[u.Reason] += u.Volume
			}
			capTotal := 0.0
			for _, w := range tt.p.Warehouses {
				capTotal += w.Capacity.PerDay
			}
			t.Logf("%d cells×categories, %d warehouses: served %.0f of %.0f parcels (capacity %.0f), unserved %v, cost %.0f, gap %.3f%%",
				len(tt.p.Demand), len(tt.p.Warehouses), a.ServedVolume, total, capTotal, byReason, a.Cost, 100*a.Gap)
			if a.ServedVolume > capTotal+1e-6 {
				t.Errorf("served %v > total capacity %v", a.ServedVolume, capTotal)
			}
			if got := a.ServedVolume + a.UnservedVolume; got < total-1 || got > total+1 {
				t.Errorf("served + unserved = %v, want %v", got, total)
			}
			if tt.short {
				// At least the excess over capacity is reported unserved
				// for capacity.
				if want := total - capTotal - (a.UnservedVolume - byReason[depots.ReasonCapacity]); byReason[depots.ReasonCapacity] < want-1e-6 {
					t.Errorf("unserved for capacity = %v, want ≥ %v", byReason[depots.ReasonCapacity], want)
				}
				if byReason[depots.ReasonCapacity] == 0 {
					t.Errorf("no volume unserved for capacity with capacity %v < demand %v", capTotal, total)
				}
			} else if byReason[depots.ReasonCapacity] > 0 && !tt.single {
				t.Errorf("splittable leaves %v unserved for capacity on the normal day", byReason[depots.ReasonCapacity])
			}
		})
	}
}

// BenchmarkAllocateChongqing allocates generated Chongqing days of 5,000
// and 50,000 parcels, splittable and single-source, with the warehouses at
// full and at 30% capacity, and reports the gap to the lower bound.
func BenchmarkAllocateChongqing(b *testing.B) {
	for _, parcels := range []int{5000, 50000} {
		p := chongqingDay(b, parcels)
		short := shrunk(p, 0.3)
		for _, c := range []struct {
			name string
			p    *depots.AllocationProblem
		}{{"full", p}, {"short", short}} {
			for _, single := range []bool{false, true} {
				name := fmt.Sprintf("parcels=%d/%s/splittable", parcels, c.name)
				if single {
					name = fmt.Sprintf("parcels=%d/%s/single", parcels, c.name)
				}
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					var a *depots.Allocation
					for b.Loop() {
						var err error
						if a, err = depots.Allocate(context.Background(), c.p, depots.AllocateOptions{SingleSource: single}); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(100*a.Gap, "gap%")
					b.ReportMetric(float64(len(c.p.Demand)), "demand")
					b.ReportMetric(a.UnservedVolume, "unserved")
				})
			}
		}
	}
}

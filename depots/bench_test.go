package depots

import (
	"context"
	"testing"
)

// BenchmarkAllocate allocates a synthetic Chongqing day of 2,000 H3 cells ×
// 3 categories (6,000 demand) to 10 warehouses holding 90% of the volume,
// and reports the gap to the lower bound and the share left unserved.
func BenchmarkAllocate(b *testing.B) {
	p := syntheticDay(b, 42, 2000, 10, 0.9)
	for _, mode := range []struct {
		name   string
		single bool
	}{{"splittable", false}, {"single", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			var a *Allocation
			for b.Loop() {
				var err error
				if a, err = Allocate(context.Background(), p, AllocateOptions{SingleSource: mode.single}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(100*a.Gap, "gap%")
			b.ReportMetric(100*costGap(a), "costgap%")
			b.ReportMetric(a.UnservedVolume, "unserved")
			if mode.single && a.LowerBound > 0 {
				b.ReportMetric(100*(a.LowerBound-a.LagrangianBound)/a.LowerBound, "lagrangian_below_lp%")
			}
		})
	}
}

// costGap is the gap on transport plus handling alone: the objective's
// excess over the bound, relative to the bound less the penalty of the
// volume unserved in this allocation. With much unserved volume the
// penalty dominates Gap; this shows how well the served volume is routed.
func costGap(a *Allocation) float64 {
	if base := a.LowerBound - a.PenaltyCost; base > 0 {
		return (a.Objective - a.LowerBound) / base
	}
	return 0
}

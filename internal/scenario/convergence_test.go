package scenario_test

import (
	"context"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing/urban"
)

// BenchmarkPooledConvergence plans the default day's pooled plan at the
// default effort (20 iterations per parcel) and ten times longer, and
// reports both costs (the cost game's: route costs plus the penalty of
// undelivered parcels), their gap and the seconds each took: the pooled
// cost should be within 2% of the longer run's. Run it alone:
//
//	go test ./internal/scenario -run '^$' -bench PooledConvergence -benchtime 1x -timeout 30m
func BenchmarkPooledConvergence(b *testing.B) {
	s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{
		Seed: 1, Kind: scenario.KindUrban, Parcels: scenario.DefaultParcels, Carriers: scenario.DefaultCarriers, CarrierStations: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	in, err := s.UrbanInput()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var costs [2]float64
		for k, iters := range []int{20, 200} {
			start := time.Now()
			day, err := urban.NewDay(in, urban.Options{Seed: 1, IterationsPerParcel: iters, RespectDistricts: true})
			if err != nil {
				b.Fatal(err)
			}
			pooled, err := day.PlanPart(context.Background(), day.Parts()[0], nil)
			if err != nil {
				b.Fatal(err)
			}
			costs[k] = pooled.CostYuan
			b.ReportMetric(time.Since(start).Seconds(), []string{"s-default", "s-10x"}[k])
		}
		b.ReportMetric(costs[0], "yuan-default")
		b.ReportMetric(costs[1], "yuan-10x")
		b.ReportMetric(100*(costs[0]-costs[1])/costs[1], "gap%")
	}
}

package coverage

import (
	"context"
	"testing"
)

// BenchmarkAnalyze1M analyses 1 M demand points against 10 k pickup points
// (50 km × 50 km around central Chongqing, 500 m walking radius, half the
// points capacitated): the scale the issue asks for.
func BenchmarkAnalyze1M(b *testing.B) {
	demand, points := randomInstance(42, 1_000_000, 10_000, 50, true)
	opts := Options{RadiusMeters: 500}
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
}

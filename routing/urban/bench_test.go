package urban

import (
	"context"
	"testing"
)

// BenchmarkUrbanPlan5000x4 times the whole urban plan (zoning, pooled and
// separate routing, 11 coalition plans for the Shapley value) on the
// generated Chongqing day of 5,000 parcels and 4 carriers, with an
// iteration budget, and reports the vehicle-km saved by pooling.
func BenchmarkUrbanPlan5000x4(b *testing.B) {
	in := testInput(b, 5000, 4)
	b.ReportAllocs()
	var rep *Report
	for b.Loop() {
		var err error
		rep, err = Plan(context.Background(), in, Options{Seed: 1, IterationsPerParcel: 10, RespectDistricts: true})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(rep.SavingPercent, "km-saved%")
	b.ReportMetric(rep.Pooled.VehicleKm, "pooled-km")
	b.ReportMetric(rep.Separate.VehicleKm, "separate-km")
	b.ReportMetric(float64(rep.Pooled.Unassigned), "pooled-unassigned")
	b.ReportMetric(rep.Zoning.MaxMinWithinDistrict, "zone-max/min")
}

// BenchmarkZones5000 times zoning alone.
func BenchmarkZones5000(b *testing.B) {
	in := testInput(b, 5000, 4)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		zones, _, err := Zones(in.Day.Parcels, Options{Seed: 1, RespectDistricts: true})
		if err != nil {
			b.Fatal(err)
		}
		n = len(zones)
	}
	b.ReportMetric(float64(n), "zones")
}

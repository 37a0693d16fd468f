package h3cell

import (
	"testing"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

func benchPoints(n int) []orb.Point {
	pts := make([]orb.Point, n)
	seed := uint64(11)
	next := func() float64 {
		seed ^= seed >> 12
		seed ^= seed << 25
		seed ^= seed >> 27
		return float64((seed*2685821657736338717)>>11) / (1 << 53)
	}
	for i := range pts {
		pts[i] = orb.Point{105.3 + 3*next(), 28.2 + 3*next()}
	}
	return pts
}

// BenchmarkH3IndexPoints indexes 10,000 points at resolution 9: the baseline
// makes one h3-go call per point, FromPoint adds validation, FromPoints is
// the batch path.
func BenchmarkH3IndexPoints(b *testing.B) {
	const res = 9
	pts := benchPoints(10000)
	perPoint := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pts)), "ns/point")
	}
	b.Run("BaselineH3", func(b *testing.B) {
		out := make([]Cell, len(pts))
		b.ReportAllocs()
		for b.Loop() {
			for i, p := range pts {
				c, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
				if err != nil {
					b.Fatal(err)
				}
				out[i] = Cell(c)
			}
		}
		perPoint(b)
	})
	b.Run("FromPoint", func(b *testing.B) {
		out := make([]Cell, len(pts))
		b.ReportAllocs()
		for b.Loop() {
			for i, p := range pts {
				c, err := FromPoint(p, res)
				if err != nil {
					b.Fatal(err)
				}
				out[i] = c
			}
		}
		perPoint(b)
	})
	b.Run("FromPoints", func(b *testing.B) {
		out := make([]Cell, 0, len(pts))
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if out, err = FromPoints(out[:0], pts, res); err != nil {
				b.Fatal(err)
			}
		}
		perPoint(b)
	})
}

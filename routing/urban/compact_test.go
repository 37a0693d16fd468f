package urban

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// rect returns a w × h metre rectangle near Chongqing as a [lon, lat] ring,
// clockwise when cw.
func rect(w, h float64, cw bool) orb.Ring {
	const lat = 29.56
	dy := h / (math.Pi / 180 * earthRadiusMeters)
	dx := w / (math.Pi / 180 * earthRadiusMeters * math.Cos(lat*math.Pi/180))
	r := orb.Ring{{106.5, lat}, {106.5 + dx, lat}, {106.5 + dx, lat + dy}, {106.5, lat + dy}, {106.5, lat}}
	if cw {
		r.Reverse()
	}
	return r
}

// regular returns a regular n-gon of circumradius radius metres.
func regular(n int, radius float64) orb.Ring {
	const lat = 29.56
	k := math.Pi / 180 * earthRadiusMeters
	var r orb.Ring
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r = append(r, orb.Point{106.5 + radius*math.Cos(a)/(k*math.Cos(lat*math.Pi/180)), lat + radius*math.Sin(a)/k})
	}
	return append(r, r[0])
}

func TestCompactness(t *testing.T) {
	tests := []struct {
		name  string
		shape orb.MultiPolygon
		want  float64
	}{
		{"disk (720-gon)", orb.MultiPolygon{{regular(720, 3000)}}, 1},
		{"regular hexagon", orb.MultiPolygon{{regular(6, 3000)}}, 0.9924}, // 27/(8π·5√3/8·... ) = 0.9924
		{"square", orb.MultiPolygon{{rect(2000, 2000, false)}}, 6 / (2 * math.Pi)},
		{"3:1 rectangle", orb.MultiPolygon{{rect(3000, 1000, false)}}, 0.5730},
		{"3:1 rectangle, clockwise", orb.MultiPolygon{{rect(3000, 1000, true)}}, 0.5730},
		{"9:1 strip", orb.MultiPolygon{{rect(9000, 1000, false)}}, 0.2096},
		// Two unit squares 8 apart: A = 2, J = 2/6 + 2·4² about the middle.
		{"two far squares", orb.MultiPolygon{{rect(1000, 1000, false)}, {translate(rect(1000, 1000, false), 8000)}}, 4 / (2 * math.Pi * (2.0/6 + 32))},
		// An annulus R = 10, r = 5: A = π(R²−r²), J = π/2(R⁴−r⁴), so
		// A²/(2πJ) = (R²−r²)/(R²+r²).
		{"annulus", orb.MultiPolygon{{regular(720, 10000), regular(720, 5000)}}, 75.0 / 125},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compactness(tt.shape); math.Abs(got-tt.want) > 0.002 {
				t.Errorf("Compactness(%s) = %.4f, want %.4f", tt.name, got, tt.want)
			}
		})
	}
}

func translate(r orb.Ring, eastMeters float64) orb.Ring {
	dx := eastMeters / (math.Pi / 180 * earthRadiusMeters * math.Cos(29.56*math.Pi/180))
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[i] = orb.Point{p[0] + dx, p[1]}
	}
	return out
}

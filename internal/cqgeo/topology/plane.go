package topology

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"github.com/lastmile-dev/lastmile/geo"
)

// Plane is the local projection the generators simplify in: x = lon·k,
// y = lat with k = cos(lat0), so that near lat0 a degree east measures
// about as much as a degree north and one tolerance serves both.
type Plane struct{ k float64 }

// NewPlane is the plane around latitude lat0Deg.
func NewPlane(lat0Deg float64) Plane { return Plane{k: math.Cos(lat0Deg * math.Pi / 180)} }

// FromGCJ02 converts an outline in GCJ-02 degrees to WGS-84 in the plane.
func (pl Plane) FromGCJ02(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, r := range poly {
			out[i][j] = make(orb.Ring, len(r))
			for n, p := range r {
				w := geo.WGS84FromGCJ02(p)
				out[i][j][n] = orb.Point{w[0] * pl.k, w[1]}
			}
		}
	}
	return out
}

// Degrees turns simplified rings in the plane back into degrees rounded
// to 1/scale, dropping repeated vertices and rings left with fewer than
// four points (and polygons left without their outer ring).
func (pl Plane) Degrees(rings [][]orb.Ring, scale float64) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range rings {
		var np orb.Polygon
		for i, r := range poly {
			nr := make(orb.Ring, 0, len(r))
			for _, p := range r {
				q := orb.Point{Round(p[0]/pl.k, scale), Round(p[1], scale)}
				if len(nr) == 0 || nr[len(nr)-1] != q {
					nr = append(nr, q)
				}
			}
			if len(nr) < 4 {
				if i == 0 {
					break
				}
				continue
			}
			np = append(np, nr)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	return out
}

// Round rounds x to the nearest multiple of 1/scale.
func Round(x, scale float64) float64 { return math.Round(x*scale) / scale }

// DouglasPeucker simplifies ls at tol (Douglas & Peucker, Cartographica
// 10(2), 1973).
func DouglasPeucker(ls orb.LineString, tol float64) orb.LineString {
	return simplify.DouglasPeucker(tol).LineString(ls)
}

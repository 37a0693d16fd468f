package urban

import (
	"math"

	"github.com/paulmach/orb"
)

// earthRadiusMeters is the mean Earth radius of the local projection.
const earthRadiusMeters = 6_371_008.8

// Compactness returns the moment-of-inertia compactness of a shape,
// A²/(2πJ), where A is its area and J the polar second moment of its area
// about its centroid: 1 for a disk, the most compact shape, about 0.99 for
// a regular hexagon, 0.95 for a square, 0.57 for a 3:1 rectangle and 0.21
// for a 9:1 strip (Li, Goodchild & Church, "An efficient measure of
// compactness for two-dimensional shapes and its application in
// regionalization problems", IJGIS 27(6), 2013). Rings are [lon, lat] in
// degrees, projected to metres equirectangularly about the shape's first
// point, which is true to a fraction of a percent at city scale. The first
// ring of each polygon is its outer boundary, the others holes, in either
// orientation. An empty or degenerate shape has compactness 0.
func Compactness(mp orb.MultiPolygon) float64 {
	m := momentsOf(mp)
	return m.compactness()
}

// moments are the area moments of a shape in a local plane: area A (m²),
// first moments Sx = ∫x dA, Sy = ∫y dA and Jo = ∫(x²+y²) dA about the
// plane's origin. They add over disjoint pieces.
type moments struct{ a, sx, sy, jo float64 }

func (m *moments) add(o moments) { m.a += o.a; m.sx += o.sx; m.sy += o.sy; m.jo += o.jo }

// compactness is A²/(2πJ) with J about the centroid.
func (m moments) compactness() float64 {
	if !(m.a > 0) {
		return 0
	}
	j := m.jo - (m.sx*m.sx+m.sy*m.sy)/m.a
	if !(j > 0) {
		return 0
	}
	return m.a * m.a / (2 * math.Pi * j)
}

// plane projects [lon, lat] to metres about an origin.
type plane struct{ lon0, lat0, kx float64 }

func newPlane(origin orb.Point) plane {
	return plane{lon0: origin[0], lat0: origin[1], kx: math.Cos(origin[1] * math.Pi / 180)}
}

func (p plane) xy(q orb.Point) (float64, float64) {
	const k = math.Pi / 180 * earthRadiusMeters
	return (q[0] - p.lon0) * p.kx * k, (q[1] - p.lat0) * k
}

func momentsOf(mp orb.MultiPolygon) moments {
	var out moments
	var pl plane
	found := false
	for _, poly := range mp {
		for _, r := range poly {
			if len(r) > 0 && !found {
				pl, found = newPlane(r[0]), true
			}
		}
	}
	if !found {
		return out
	}
	for _, poly := range mp {
		for i, r := range poly {
			m := ringMoments(pl, r)
			// Outer rings count positive, holes negative, whatever their
			// orientation.
			s := 1.0
			if (m.a < 0) == (i == 0) {
				s = -1
			}
			out.add(moments{s * m.a, s * m.sx, s * m.sy, s * m.jo})
		}
	}
	return out
}

// ringMoments returns the signed moments of a ring by Green's theorem
// (positive for a counter-clockwise ring); the ring need not be closed.
func ringMoments(pl plane, r orb.Ring) moments {
	var m moments
	n := len(r)
	if n < 3 {
		return m
	}
	for i := range n {
		x0, y0 := pl.xy(r[i])
		x1, y1 := pl.xy(r[(i+1)%n])
		c := x0*y1 - x1*y0
		m.a += c / 2
		m.sx += (x0 + x1) * c / 6
		m.sy += (y0 + y1) * c / 6
		m.jo += (x0*x0 + x0*x1 + x1*x1 + y0*y0 + y0*y1 + y1*y1) * c / 12
	}
	return m
}

package cqgeo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// outline is one shape's vertices and edges in metres (a local
// equirectangular projection), for the border checks.
type outline struct {
	name     string
	vertices map[orb.Point]bool
	edges    [][2]orb.Point
	bound    orb.Bound
}

func newOutline(name string, mp orb.MultiPolygon) outline {
	o := outline{name: name, vertices: map[orb.Point]bool{}, bound: mp.Bound()}
	for _, poly := range mp {
		for _, r := range poly {
			for i := 1; i < len(r); i++ {
				o.vertices[r[i]] = true
				o.edges = append(o.edges, [2]orb.Point{r[i-1], r[i]})
			}
		}
	}
	return o
}

// metres between a and segment [p, q], near 29.8° N.
func distMeters(a, p, q orb.Point) float64 {
	const ky = 111_195.0
	kx := ky * math.Cos(29.8*math.Pi/180)
	ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
	dx, dy := (q[0]-p[0])*kx, (q[1]-p[1])*ky
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = max(0, min(1, (ax*dx+ay*dy)/l))
	}
	return math.Hypot(ax-t*dx, ay-t*dy)
}

// near returns the vertices of a within m metres of b's outline.
func near(a, b outline, m float64) map[orb.Point]bool {
	out := map[orb.Point]bool{}
	bb := b.bound.Pad(m / 90_000)
	for v := range a.vertices {
		if !bb.Contains(v) {
			continue
		}
		for _, e := range b.edges {
			if distMeters(v, e[0], e[1]) <= m {
				out[v] = true
				break
			}
		}
	}
	return out
}

// checkSharedBorders checks that neighbours (outlines within 100 m of each
// other) share their border vertex for vertex: the vertices of each that
// lie on the other's outline (within 0.5 m) are the same set, of at least
// two points, and hardly any vertex runs alongside the other's outline
// (within 100 m of it) without lying on it, as a second copy of a border
// simplified separately would.
func checkSharedBorders(t *testing.T, outlines []outline) {
	t.Helper()
	pairs := 0
	for i, a := range outlines {
		for _, b := range outlines[i+1:] {
			if !a.bound.Pad(0.002).Intersects(b.bound) {
				continue
			}
			nearA, nearB := near(a, b, 100), near(b, a, 100)
			if len(nearA)+len(nearB) == 0 {
				continue
			}
			pairs++
			onA, onB := near(a, b, 0.5), near(b, a, 0.5)
			alongside := len(nearA) - len(onA) + len(nearB) - len(onB)
			switch {
			case len(onA) < 2 || len(onA) != len(onB):
				t.Errorf("%s and %s: %d and %d vertices on each other's outline, want the same two or more", a.name, b.name, len(onA), len(onB))
			case alongside > 2+len(onA)/20:
				t.Errorf("%s and %s: %d vertices within 100 m of the other's outline but not on it (%d on it): a doubled border",
					a.name, b.name, alongside, len(onA))
			}
			for v := range onA {
				if !onB[v] {
					t.Errorf("%s and %s: vertex %v of the first lies on the second's outline but is not its vertex", a.name, b.name, v)
					break
				}
			}
		}
	}
	if pairs < len(outlines)-1 {
		t.Errorf("%d neighbouring pairs among %d outlines, want at least %d", pairs, len(outlines), len(outlines)-1)
	}
}

func TestDistrictsShareBorders(t *testing.T) {
	ds, err := MainUrban()
	if err != nil {
		t.Fatal(err)
	}
	var outlines []outline
	for _, d := range ds {
		outlines = append(outlines, newOutline(d.Adcode, d.Boundary))
	}
	checkSharedBorders(t, outlines)
}

func TestCountiesShareBorders(t *testing.T) {
	fc, err := geojson.UnmarshalFeatureCollection(MunicipalityGeoJSON())
	if err != nil {
		t.Fatal(err)
	}
	var outlines []outline
	for _, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.MultiPolygon:
			outlines = append(outlines, newOutline(f.Properties.MustString("adcode", ""), g))
		case orb.Polygon:
			outlines = append(outlines, newOutline(f.Properties.MustString("adcode", ""), orb.MultiPolygon{g}))
		}
	}
	checkSharedBorders(t, outlines)
}

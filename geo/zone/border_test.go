package zone

import (
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

// multiContains is the even-odd rule over every ring of mp, by plain ray
// casting: the reference the exact lookup must agree with.
func multiContains(mp orb.MultiPolygon, p orb.Point) bool {
	in := false
	for _, poly := range mp {
		for _, r := range poly {
			if ringContains(r, p) {
				in = !in
			}
		}
	}
	return in
}

// bruteLookup scans the zones in order, as the index's overlap rule says.
func bruteLookup(zones []Zone, res int, p orb.Point) int {
	c, err := h3cell.FromPoint(p, res)
	if err != nil {
		return -1
	}
	for zi, z := range zones {
		if len(z.Polygon) > 0 {
			if multiContains(z.Polygon, p) {
				return zi
			}
			continue
		}
		for _, zc := range z.Cells {
			if zc == c {
				return zi
			}
			if zc.Resolution() < res {
				if parent, _ := c.Parent(zc.Resolution()); parent == zc {
					return zi
				}
			}
			if zc.Resolution() > res {
				// A finer cell claims its parent at the index resolution.
				if parent, _ := zc.Parent(res); parent == c {
					return zi
				}
			}
		}
	}
	return -1
}

func TestLookupExactAgainstRayCasting(t *testing.T) {
	star := orb.Ring{{106.50, 29.50}, {106.56, 29.52}, {106.62, 29.49}, {106.60, 29.56}, {106.64, 29.62},
		{106.57, 29.60}, {106.52, 29.65}, {106.53, 29.57}, {106.47, 29.55}, {106.50, 29.50}}
	hole := orb.Ring{{106.54, 29.55}, {106.58, 29.55}, {106.58, 29.58}, {106.54, 29.58}, {106.54, 29.55}}
	coarse, _ := h3cell.FromPoint(orb.Point{106.70, 29.55}, 6)
	fine, _ := h3cell.FromPoint(orb.Point{106.555, 29.565}, 9) // inside the hole
	zones := []Zone{
		{Name: "tiny", Polygon: orb.MultiPolygon{{square(106.6001, 29.5301, 0.0004)}}}, // smaller than a cell
		{Name: "star with hole", Polygon: orb.MultiPolygon{{star, hole}}},
		squareZone("overlapping square", geo.ClassSuburban, 106.58, 29.52, 0.08),
		{Name: "cell in hole", Cells: []h3cell.Cell{fine}},
		{Name: "coarse cell", Cells: []h3cell.Cell{coarse}},
		squareZone("under coarse cell", geo.ClassRuralMountain, 106.66, 29.50, 0.1),
	}
	for _, res := range []int{7, 8, 9} {
		ix, err := NewIndex(zones, res)
		if err != nil {
			t.Fatal(err)
		}
		pts := scatter(20000)
		for k, p := range pts {
			// Fold the scatter onto the zones' 0.35° × 0.2° window.
			pts[k] = orb.Point{106.45 + (p[0]-105.3)*0.35/3, 29.47 + (p[1]-28.2)*0.2/3}
		}
		all, err := ix.LookupAll(nil, pts)
		if err != nil {
			t.Fatal(err)
		}
		var hits [6]int
		for k, p := range pts {
			want := bruteLookup(zones, res, p)
			got, ok := ix.Lookup(p)
			if !ok {
				got = -1
			}
			if got != want || all[k] != want {
				t.Fatalf("res %d: Lookup(%v) = %d, LookupAll %d; ray casting says %d", res, p, got, all[k], want)
			}
			if want >= 0 {
				hits[want]++
			}
		}
		t.Logf("res %d: %d border cells, hits per zone %v", res, len(ix.border), hits)
	}
	// The tiny zone, which holds no cell centre, is still found.
	ix, _ := NewIndex(zones, 7)
	if zi, ok := ix.Lookup(orb.Point{106.6003, 29.5303}); !ok || zi != 0 {
		t.Errorf("Lookup(in tiny zone) = %d, %v; want 0", zi, ok)
	}
}

func TestBorderAllocs(t *testing.T) {
	ix, err := NewIndex([]Zone{squareZone("a", "", 106, 29, 0.5), squareZone("b", "", 106.5, 29, 0.5)}, 8)
	if err != nil {
		t.Fatal(err)
	}
	p := orb.Point{106.5001, 29.2} // on the shared border
	if zi, ok := ix.Lookup(p); !ok || zi != 1 {
		t.Errorf("Lookup(just east of the border) = %d, %v; want 1", zi, ok)
	}
	if zi, ok := ix.Lookup(orb.Point{106.4999, 29.2}); !ok || zi != 0 {
		t.Errorf("Lookup(just west of the border) = %d, %v; want 0", zi, ok)
	}
	if a := testing.AllocsPerRun(100, func() { ix.Lookup(p) }); a != 0 {
		t.Errorf("border Lookup allocs = %v, want 0", a)
	}
}

package h3cell

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

var badPoints = []orb.Point{
	{math.NaN(), 29}, {106, math.NaN()}, {181, 29}, {-180.5, 0}, {106, 90.01}, {106, -91}, {math.Inf(1), 0},
}

func TestFromPointMatchesH3(t *testing.T) {
	pts := append(benchPoints(500),
		orb.Point{0, 0}, orb.Point{180, 0}, orb.Point{-180, 0}, orb.Point{0, 90}, orb.Point{0, -90},
		orb.Point{-74.0060, 40.7128}, orb.Point{151.2093, -33.8688}, orb.Point{179.9999, -16.5})
	for _, res := range []int{0, 5, 9, 15} {
		batch, err := FromPoints(nil, pts, res)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range pts {
			want, err := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
			if err != nil {
				t.Fatal(err)
			}
			got, err := FromPoint(p, res)
			if err != nil || got != Cell(want) || batch[i] != Cell(want) {
				t.Fatalf("res %d point %v: FromPoint = %v, %v; FromPoints = %v; h3 = %v", res, p, got, err, batch[i], want)
			}
			if got.Resolution() != res {
				t.Fatalf("Resolution() = %d, want %d", got.Resolution(), res)
			}
		}
	}
}

// Large batches go parallel; the result is the same as one by one.
func TestFromPointsLargeBatch(t *testing.T) {
	pts := benchPoints(3*parallelMin + 17)
	prefix := []Cell{42}
	got, err := FromPoints(prefix, pts, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(pts)+1 || got[0] != 42 {
		t.Fatalf("FromPoints appended %d cells after %v, want %d after 42", len(got)-1, got[0], len(pts))
	}
	for i := 0; i < len(pts); i += 97 {
		want, _ := FromPoint(pts[i], 8)
		if got[i+1] != want {
			t.Fatalf("cell %d = %v, want %v", i, got[i+1], want)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, p := range badPoints {
		if _, err := FromPoint(p, 9); !errors.Is(err, ErrInvalid) {
			t.Errorf("FromPoint(%v) error = %v, want ErrInvalid", p, err)
		}
		dst := []Cell{1}
		out, err := FromPoints(dst, []orb.Point{{106, 29}, p}, 9)
		if !errors.Is(err, ErrInvalid) || len(out) != 1 {
			t.Errorf("FromPoints(.., %v) = %d cells, %v; want ErrInvalid and dst unchanged", p, len(out), err)
		}
	}
	for _, res := range []int{-1, 16} {
		if _, err := FromPoint(orb.Point{106, 29}, res); !errors.Is(err, ErrInvalid) {
			t.Errorf("FromPoint(res %d) error = %v, want ErrInvalid", res, err)
		}
		if _, err := EdgeLengthMeters(res); !errors.Is(err, ErrInvalid) {
			t.Errorf("EdgeLengthMeters(%d) error = %v, want ErrInvalid", res, err)
		}
	}
	var zero Cell
	checks := map[string]error{}
	_, checks["Point"] = zero.Point()
	_, checks["Disk"] = zero.Disk(1)
	_, checks["Ring"] = zero.Ring(1)
	_, checks["Parent"] = zero.Parent(0)
	_, checks["Children"] = zero.Children(5)
	_, checks["Boundary"] = Boundary(zero)
	_, checks["GridDistance"] = zero.GridDistance(zero)
	_, checks["IsNeighbor"] = zero.IsNeighbor(zero)
	_, checks["CellsToMultiPolygon"] = CellsToMultiPolygon([]Cell{zero})
	_, checks["Parse"] = Parse("not a cell")
	for name, err := range checks {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s(invalid cell) error = %v, want ErrInvalid", name, err)
		}
	}
	if zero.Resolution() != -1 {
		t.Errorf("Resolution(invalid) = %d, want -1", zero.Resolution())
	}
}

func TestCellOps(t *testing.T) {
	c, err := FromPoint(orb.Point{106.5516, 29.5630}, 9)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); len(s) != 15 {
		t.Errorf("String() = %q", s)
	}
	if back, err := Parse(c.String()); err != nil || back != c {
		t.Errorf("Parse(String()) = %v, %v; want %v", back, err, c)
	}
	p, err := c.Point()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := FromPoint(p, 9); again != c {
		t.Errorf("FromPoint(centre of %v) = %v", c, again)
	}
	if lat, lng, _ := c.LatLng(); lat != p[1] || lng != p[0] {
		t.Errorf("LatLng() = %v, %v; want %v, %v", lat, lng, p[1], p[0])
	}
	for k, want := range []int{1, 7, 19, 37} {
		disk, err := c.Disk(k)
		if err != nil || len(disk) != want {
			t.Errorf("Disk(%d) = %d cells, %v; want %d", k, len(disk), err, want)
		}
		ring, err := c.Ring(k)
		if wantRing := max(1, 6*k); err != nil || len(ring) != wantRing {
			t.Errorf("Ring(%d) = %d cells, %v; want %d", k, len(ring), err, wantRing)
		}
		for _, r := range ring {
			if d, err := c.GridDistance(r); err != nil || d != k {
				t.Errorf("GridDistance to ring %d cell = %d, %v", k, d, err)
			}
			if ok, _ := c.IsNeighbor(r); ok != (k == 1) {
				t.Errorf("IsNeighbor(ring %d cell) = %v", k, ok)
			}
		}
	}
	buf := make([]Cell, 0, 64)
	buf, _ = c.AppendDisk(buf, 1)
	buf, _ = c.AppendRing(buf, 2)
	if len(buf) != 7+12 {
		t.Errorf("AppendDisk+AppendRing = %d cells, want 19", len(buf))
	}
	if _, err := c.Disk(-1); !errors.Is(err, ErrInvalid) {
		t.Errorf("Disk(-1) error = %v", err)
	}
	parent, err := c.Parent(7)
	if err != nil || parent.Resolution() != 7 {
		t.Fatalf("Parent(7) = %v, %v", parent, err)
	}
	kids, err := parent.Children(9)
	if err != nil || len(kids) != 49 || !slices.Contains(kids, c) {
		t.Errorf("Children(9) of parent = %d cells (contains c: %v), %v", len(kids), slices.Contains(kids, c), err)
	}
	if _, err := c.Parent(10); !errors.Is(err, ErrInvalid) {
		t.Errorf("Parent(finer) error = %v", err)
	}
	if _, err := parent.Children(6); !errors.Is(err, ErrInvalid) {
		t.Errorf("Children(coarser) error = %v", err)
	}
	other, _ := FromPoint(orb.Point{106.5516, 29.5630}, 8)
	if ok, err := c.IsNeighbor(other); ok || err != nil {
		t.Errorf("IsNeighbor(other resolution) = %v, %v; want false, nil", ok, err)
	}
}

// Near a pentagon H3's ring fails; Ring falls back and stays complete.
func TestRingNearPentagon(t *testing.T) {
	pents, err := h3.Pentagons(4)
	if err != nil {
		t.Fatal(err)
	}
	c := Cell(pents[0])
	ring, err := c.Ring(1)
	if err != nil || len(ring) != 5 {
		t.Errorf("Ring(1) of a pentagon = %d cells, %v; want 5", len(ring), err)
	}
	disk, err := c.Disk(2)
	if err != nil || len(disk) != 16 {
		t.Errorf("Disk(2) of a pentagon = %d cells, %v; want 16", len(disk), err)
	}
}

func TestBoundaryAndCover(t *testing.T) {
	c, _ := FromPoint(orb.Point{106.5516, 29.5630}, 8)
	poly, err := Boundary(c)
	if err != nil {
		t.Fatal(err)
	}
	r := poly[0]
	if len(r) != 7 || r[0] != r[6] {
		t.Fatalf("Boundary = %v, want a closed hexagon", r)
	}
	if area := ringArea(r); area <= 0 {
		t.Errorf("Boundary ring area %v, want counter-clockwise (> 0)", area)
	}
	// The boundary of a cell covers exactly that cell.
	if cells, err := Cover(poly, 8); err != nil || len(cells) != 1 || cells[0] != c {
		t.Errorf("Cover(Boundary(c)) = %v, %v; want [%v]", cells, err, c)
	}
	// A disk's outline covers the disk again.
	disk, _ := c.Disk(3)
	mp, err := CellsToMultiPolygon(append(disk, disk[0])) // duplicates are ignored
	if err != nil || len(mp) != 1 || len(mp[0]) != 1 {
		t.Fatalf("CellsToMultiPolygon(disk) = %d polygons, %v", len(mp), err)
	}
	cover, err := CoverMulti(mp, 8)
	slices.Sort(disk)
	if err != nil || !slices.Equal(cover, disk) {
		t.Errorf("CoverMulti(outline of disk) = %d cells, %v; want %d", len(cover), err, len(disk))
	}
	// A ring of cells has a hole.
	ring, _ := c.Ring(2)
	mp, err = CellsToMultiPolygon(ring)
	if err != nil || len(mp) != 1 || len(mp[0]) != 2 {
		t.Errorf("CellsToMultiPolygon(ring) = %v, %v; want one polygon with a hole", mp, err)
	}
	coarse, _ := c.Parent(7)
	if _, err := CellsToMultiPolygon([]Cell{c, coarse}); !errors.Is(err, ErrInvalid) {
		t.Errorf("mixed resolutions error = %v, want ErrInvalid", err)
	}
	if mp, err := CellsToMultiPolygon(nil); mp != nil || err != nil {
		t.Errorf("CellsToMultiPolygon(nil) = %v, %v", mp, err)
	}
	for _, tc := range []struct {
		name string
		poly orb.Polygon
	}{
		{"empty", orb.Polygon{}},
		{"two points", orb.Polygon{{{106, 29}, {106.1, 29}}}},
		{"NaN", orb.Polygon{{{106, 29}, {math.NaN(), 29}, {106.1, 29.1}, {106, 29}}}},
		{"bad hole", orb.Polygon{{{106, 29}, {106.1, 29}, {106.1, 29.1}, {106, 29}}, {{106, 95}, {1, 1}, {2, 2}}}},
	} {
		if _, err := Cover(tc.poly, 8); !errors.Is(err, ErrInvalid) {
			t.Errorf("Cover(%s) error = %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := CoverMulti(nil, 8); !errors.Is(err, ErrInvalid) {
		t.Errorf("CoverMulti(nil) error = %v, want ErrInvalid", err)
	}
}

func ringArea(r orb.Ring) float64 {
	var a float64
	for i := 0; i < len(r)-1; i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

func TestResolutionForRadius(t *testing.T) {
	for _, tc := range []struct {
		radius float64
		want   int
	}{
		{0.1, 15}, {1, 15}, {50, 11}, {500, 8}, {1000, 8}, {1100, 7}, {5000, 6}, {50_000, 4}, {1e7, 0},
	} {
		got, err := ResolutionForRadius(tc.radius)
		if err != nil || got != tc.want {
			t.Errorf("ResolutionForRadius(%v) = %d, %v; want %d", tc.radius, got, err, tc.want)
			continue
		}
		// The documented rule: the finest res with edge >= radius/2.
		e, _ := EdgeLengthMeters(got)
		if got > 0 && e < tc.radius/2 {
			t.Errorf("res %d edge %.1f m < radius/2 = %.1f", got, e, tc.radius/2)
		}
		if got < 15 {
			finer, _ := EdgeLengthMeters(got + 1)
			if finer >= tc.radius/2 {
				t.Errorf("res %d is not the finest: res %d edge %.1f m >= %.1f", got, got+1, finer, tc.radius/2)
			}
		}
	}
	for _, r := range []float64{0, -5, math.NaN(), math.Inf(1)} {
		if _, err := ResolutionForRadius(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("ResolutionForRadius(%v) error = %v, want ErrInvalid", r, err)
		}
	}
	if e, _ := EdgeLengthMeters(9); math.Abs(e-200.8) > 1 {
		t.Errorf("EdgeLengthMeters(9) = %v, want about 200.8", e)
	}
}

func TestFromPointAllocs(t *testing.T) {
	p := orb.Point{106.55, 29.56}
	if a := testing.AllocsPerRun(100, func() { _, _ = FromPoint(p, 9) }); a != 0 {
		t.Fatalf("FromPoint allocs = %v, want 0", a)
	}
	pts := benchPoints(100)
	dst := make([]Cell, 0, len(pts))
	if a := testing.AllocsPerRun(100, func() { dst, _ = FromPoints(dst[:0], pts, 9) }); a != 0 {
		t.Fatalf("FromPoints(100 points, reused dst) allocs = %v, want 0", a)
	}
}

func ExampleFromPoint() {
	c, err := FromPoint(orb.Point{106.5516, 29.5630}, 9) // [lon, lat], Jiefangbei
	if err != nil {
		fmt.Println(err)
		return
	}
	ring, _ := c.Ring(1)
	res, _ := ResolutionForRadius(500)
	fmt.Println(c, c.Resolution(), len(ring), res)
	_, err = FromPoint(orb.Point{29.5630, 106.5516}, 9) // lat, lon swapped by mistake
	fmt.Println(err)
	// Output:
	// 89401971967ffff 9 6 8
	// h3cell: invalid input: point [29.563, 106.5516] is not a valid [lon, lat]
}

func FuzzParse(f *testing.F) {
	f.Add("89401971967ffff")
	f.Add("8001fffffffffff")
	f.Add("")
	f.Add("ffffffffffffffff")
	f.Add("0x89401971967ffff")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if !c.IsValid() || c.Resolution() < 0 {
			t.Fatalf("Parse(%q) = %v, not a valid cell", s, c)
		}
		if again, err := Parse(c.String()); err != nil || again != c {
			t.Fatalf("Parse(String(%v)) = %v, %v", c, again, err)
		}
		if _, err := Boundary(c); err != nil {
			t.Fatalf("Boundary(%v): %v", c, err)
		}
	})
}

func TestTooManyCells(t *testing.T) {
	china := orb.Polygon{{{73, 18}, {135, 18}, {135, 54}, {73, 54}, {73, 18}}}
	if _, err := Cover(china, 12); !errors.Is(err, ErrInvalid) {
		t.Errorf("Cover(China, 12) error = %v, want ErrInvalid (too many cells)", err)
	}
	if cells, err := Cover(china, 3); err != nil || len(cells) == 0 {
		t.Errorf("Cover(China, 3) = %d cells, %v", len(cells), err)
	}
	c, _ := FromPoint(orb.Point{106, 29}, 0)
	if _, err := c.Children(15); !errors.Is(err, ErrInvalid) {
		t.Errorf("Children(res 0 → 15) error = %v, want ErrInvalid", err)
	}
}

func TestDiskMatchesH3AndAllocs(t *testing.T) {
	pents, _ := h3.Pentagons(5)
	c, _ := FromPoint(orb.Point{106.55, 29.56}, 9)
	for _, origin := range []Cell{c, Cell(pents[3])} {
		for k := range 5 {
			got, err := origin.Disk(k)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := h3.GridDisk(h3.Cell(origin), k)
			slices.Sort(got)
			slices.Sort(want)
			if len(got) != len(want) {
				t.Fatalf("Disk(%v, %d) = %d cells, h3 %d", origin, k, len(got), len(want))
			}
			for i := range got {
				if uint64(got[i]) != uint64(want[i]) {
					t.Fatalf("Disk(%v, %d) differs from h3 at %d", origin, k, i)
				}
			}
		}
	}
	buf := make([]Cell, 0, 64)
	if a := testing.AllocsPerRun(100, func() { buf, _ = c.AppendDisk(buf[:0], 3) }); a != 0 {
		t.Fatalf("AppendDisk with room allocs = %v, want 0", a)
	}
	if _, err := c.Disk(100000); !errors.Is(err, ErrInvalid) {
		t.Errorf("Disk(huge k) error = %v, want ErrInvalid", err)
	}
}

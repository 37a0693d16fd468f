package geo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// ErrPolygon is returned (wrapped) for a polygon that cannot describe an
// area: empty, a ring that is not closed or has fewer than 4 points, a
// bad coordinate, or a ring that crosses itself.
var ErrPolygon = errors.New("geo: invalid polygon")

// ValidatePolygon checks that every ring of poly is closed, has at least 4
// points (a triangle plus its closing point), has only valid coordinates,
// and is simple (no two non-adjacent edges touch or cross). The first ring is
// the outer boundary and the rest are holes; holes are checked the same way
// but not for containment in the outer ring.
func ValidatePolygon(poly orb.Polygon) error {
	if len(poly) == 0 {
		return fmt.Errorf("%w: no rings", ErrPolygon)
	}
	for i, r := range poly {
		if err := ValidateRing(r); err != nil {
			if i == 0 {
				return fmt.Errorf("outer ring: %w", err)
			}
			return fmt.Errorf("hole %d: %w", i, err)
		}
	}
	return nil
}

// ValidateMultiPolygon checks every polygon of mp with ValidatePolygon.
func ValidateMultiPolygon(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return fmt.Errorf("%w: no polygons", ErrPolygon)
	}
	for i, p := range mp {
		if err := ValidatePolygon(p); err != nil {
			return fmt.Errorf("polygon %d: %w", i, err)
		}
	}
	return nil
}

// ValidateRing checks one ring: at least 4 points, closed, valid
// coordinates, and simple. Repeated consecutive points are tolerated
// (they are common in exported boundaries and describe no area).
func ValidateRing(r orb.Ring) error {
	if len(r) < 4 {
		return fmt.Errorf("%w: ring has %d points, need at least 4 (closed)", ErrPolygon, len(r))
	}
	if r[0] != r[len(r)-1] {
		return fmt.Errorf("%w: ring not closed: first point %v, last %v", ErrPolygon, r[0], r[len(r)-1])
	}
	for i, p := range r {
		if err := ValidatePoint(p); err != nil {
			return fmt.Errorf("%w: point %d: %w", ErrPolygon, i, err)
		}
	}
	i, j, ok, err := selfIntersection(r, maxPairTests)
	if err != nil {
		return fmt.Errorf("%w: %d points: %w", ErrPolygon, len(r), err)
	}
	if ok {
		return fmt.Errorf("%w: ring crosses itself: edge %d (%v–%v) meets edge %d (%v–%v)",
			ErrPolygon, i, r[i], r[i+1], j, r[j], r[j+1])
	}
	return nil
}

// maxPairTests bounds the edge-pair tests of one ring's self-intersection
// check (a second or two of work). Only contrived rings, with tens of
// thousands of edges stacked over each other, reach it; they are rejected as
// too complex rather than left to take minutes.
const maxPairTests = 100_000_000

// errTooComplex reports a ring whose check would exceed maxPairTests.
var errTooComplex = errors.New("ring too complex to check for self-intersection; simplify it")

// selfIntersection finds two non-adjacent edges of the closed ring r that
// touch or cross, and returns their start indices in r.
//
// The ring's bounding box is cut into about √n/2 horizontal bands, each edge
// is listed in every band its y-extent meets, and within a band the edges
// are sorted by their west end and swept west to east, each edge tested
// only against the active edges whose x-extent overlaps it: the
// sort-and-sweep broad phase of collision detection (Baraff 1992), on a
// uniform grid of bands, with the orientation predicates of Cormen et al.,
// "Introduction to Algorithms", §33.1 as the exact narrow phase. Two edges
// that meet share a band and overlap in x there, so none is missed. For
// boundary polygons this is close to O(n log n); Shamos & Hoey (1976) give a
// worst-case O(n log n) sweep, which contrived inputs would need, and those
// are refused past budget pair tests with errTooComplex.
func selfIntersection(r orb.Ring, budget int) (int, int, bool, error) {
	type edge struct {
		i, j       int // indices of its endpoints in r
		minX, maxX float64
		seq        int // position along the ring, for adjacency
	}
	edges := make([]edge, 0, len(r)-1)
	minY, maxY := math.Inf(1), math.Inf(-1)
	for i := 0; i < len(r)-1; i++ {
		if r[i] == r[i+1] {
			continue // zero-length edges describe nothing
		}
		a, b := r[i], r[i+1]
		edges = append(edges, edge{i: i, j: i + 1, minX: min(a[0], b[0]), maxX: max(a[0], b[0]), seq: len(edges)})
		minY, maxY = min(minY, a[1], b[1]), max(maxY, a[1], b[1])
	}
	m := len(edges)
	if m < 3 {
		return 0, 0, false, nil
	}
	adjacent := func(a, b int) bool {
		d := a - b
		return d == 1 || d == -1 || d == m-1 || d == 1-m
	}
	nBands := min(1024, max(1, int(math.Sqrt(float64(m))/2)))
	height := (maxY - minY) / float64(nBands)
	band := func(y float64) int {
		if height <= 0 {
			return 0
		}
		return min(nBands-1, max(0, int((y-minY)/height)))
	}
	bands := make([][]edge, nBands)
	for _, e := range edges {
		y0, y1 := r[e.i][1], r[e.j][1]
		for b := band(min(y0, y1)); b <= band(max(y0, y1)); b++ {
			bands[b] = append(bands[b], e)
		}
	}
	tests := 0
	active := make([]edge, 0, 16)
	for _, list := range bands {
		slices.SortFunc(list, func(a, b edge) int {
			if c := cmp.Compare(a.minX, b.minX); c != 0 {
				return c
			}
			return a.seq - b.seq
		})
		active = active[:0]
		for _, e := range list {
			// Drop edges that end west of this one.
			k := 0
			for _, a := range active {
				if a.maxX >= e.minX {
					active[k] = a
					k++
				}
			}
			active = active[:k]
			if tests += len(active); tests > budget {
				return 0, 0, false, errTooComplex
			}
			for _, a := range active {
				if adjacent(a.seq, e.seq) {
					// Adjacent edges share a vertex; they still overlap if they
					// fold back onto each other (collinear and pointing opposite).
					if foldsBack(r, a.i, a.j, e.i, e.j) {
						return min(a.i, e.i), max(a.i, e.i), true, nil
					}
					continue
				}
				if segmentsIntersect(r[a.i], r[a.j], r[e.i], r[e.j]) {
					return min(a.i, e.i), max(a.i, e.i), true, nil
				}
			}
			active = append(active, e)
		}
	}
	return 0, 0, false, nil
}

// orient returns the sign of the cross product (b−a)×(c−a): positive when
// a, b, c turn counter-clockwise, negative clockwise, zero when collinear.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// onSegment reports whether c, known collinear with a–b, lies within its box.
func onSegment(a, b, c orb.Point) bool {
	return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) &&
		min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
}

// segmentsIntersect reports whether the closed segments p1–p2 and p3–p4
// share any point (CLRS §33.1 SEGMENTS-INTERSECT).
func segmentsIntersect(p1, p2, p3, p4 orb.Point) bool {
	d1 := sign(orient(p3, p4, p1))
	d2 := sign(orient(p3, p4, p2))
	d3 := sign(orient(p1, p2, p3))
	d4 := sign(orient(p1, p2, p4))
	if d1*d2 < 0 && d3*d4 < 0 {
		return true
	}
	return (d1 == 0 && onSegment(p3, p4, p1)) ||
		(d2 == 0 && onSegment(p3, p4, p2)) ||
		(d3 == 0 && onSegment(p1, p2, p3)) ||
		(d4 == 0 && onSegment(p1, p2, p4))
}

// foldsBack reports whether two edges that share a vertex are collinear and
// overlap beyond it (a spike: the ring doubles back on itself).
func foldsBack(r orb.Ring, ai, aj, ei, ej int) bool {
	a1, a2, e1, e2 := r[ai], r[aj], r[ei], r[ej]
	if orient(a1, a2, e1) != 0 || orient(a1, a2, e2) != 0 {
		return false
	}
	// Collinear: they overlap beyond the shared point when the directions
	// away from it point the same way.
	var shared, pa, pe orb.Point
	switch {
	case a2 == e1:
		shared, pa, pe = a2, a1, e2
	case a1 == e2:
		shared, pa, pe = a1, a2, e1
	case a1 == e1:
		shared, pa, pe = a1, a2, e2
	default:
		shared, pa, pe = a2, a1, e1
	}
	dot := (pa[0]-shared[0])*(pe[0]-shared[0]) + (pa[1]-shared[1])*(pe[1]-shared[1])
	return dot > 0
}

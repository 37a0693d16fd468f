// Package topology splits the outlines of neighbouring polygons into the
// arcs they share, so that a border is simplified once and both
// neighbours keep the same line: no overlaps, no slivers, and the border
// draws as one line.
//
// As in TopoJSON (Bostock, "How to infer topology", 2013), a vertex is a
// junction when its neighbours along the outlines differ between the rings
// that pass through it: there a shared border begins or ends. Rings are cut
// at their junctions into arcs; an arc met twice (once in each direction,
// on either side of a border) is stored once. Rings without a junction
// (an island, or an enclave and the hole it fills) are one closed arc,
// rotated to start at their least vertex so that both sides agree on it.
//
// Vertices are matched exactly: the input must have its shared borders
// vertex for vertex, as the source boundaries of package cqgeo do.
package topology

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// Topology is a set of multipolygons as rings of shared arcs.
type Topology struct {
	// Arcs are the distinct arcs. An open arc runs from junction to
	// junction; a closed one starts and ends at the same vertex.
	Arcs []orb.LineString
	// Shapes[f][p][r] lists the arcs of ring r of polygon p of shape f,
	// in order: i for Arcs[i] as stored, ^i for it reversed.
	Shapes [][][][]int
}

// Build splits mps into arcs.
func Build(mps []orb.MultiPolygon) *Topology {
	junctions := findJunctions(mps)
	t := &Topology{Shapes: make([][][][]int, len(mps))}
	index := map[string]int{}
	for f, mp := range mps {
		t.Shapes[f] = make([][][]int, len(mp))
		for p, poly := range mp {
			t.Shapes[f][p] = make([][]int, len(poly))
			for r, ring := range poly {
				t.Shapes[f][p][r] = t.ringArcs(open(ring), junctions, index)
			}
		}
	}
	return t
}

// Users returns, for each arc, the shapes whose rings use it (one for an
// outer border, two for a border between neighbours).
func (t *Topology) Users() [][]int {
	users := make([][]int, len(t.Arcs))
	for f, shape := range t.Shapes {
		for _, poly := range shape {
			for _, ring := range poly {
				for _, a := range ring {
					if a < 0 {
						a = ^a
					}
					if !slices.Contains(users[a], f) {
						users[a] = append(users[a], f)
					}
				}
			}
		}
	}
	return users
}

// Rings returns the rings of every shape made of arcs (t.Arcs, or the
// same arcs simplified), closed, in the input's order. Rings may be
// degenerate; the caller decides what to drop.
func (t *Topology) Rings(arcs []orb.LineString) [][][]orb.Ring {
	out := make([][][]orb.Ring, len(t.Shapes))
	for f, shape := range t.Shapes {
		out[f] = make([][]orb.Ring, len(shape))
		for p, poly := range shape {
			out[f][p] = make([]orb.Ring, len(poly))
			for r, refs := range poly {
				out[f][p][r] = assemble(arcs, refs)
			}
		}
	}
	return out
}

func assemble(arcs []orb.LineString, refs []int) orb.Ring {
	var ring orb.Ring
	for _, a := range refs {
		ls := arcs[max(a, ^a)]
		if a < 0 {
			ls = reversed(ls)
		}
		if len(ring) > 0 && len(ls) > 0 && ring[len(ring)-1] == ls[0] {
			ls = ls[1:]
		}
		ring = append(ring, ls...)
	}
	if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
		ring = append(ring, ring[0])
	}
	return ring
}

// open returns ring without its closing vertex.
func open(ring orb.Ring) []orb.Point {
	if n := len(ring); n > 1 && ring[0] == ring[n-1] {
		return ring[:n-1]
	}
	return ring
}

// findJunctions returns the vertices whose neighbours differ between the
// rings through them.
func findJunctions(mps []orb.MultiPolygon) map[orb.Point]bool {
	type pair struct{ a, b orb.Point }
	seen := map[orb.Point]pair{}
	junctions := map[orb.Point]bool{}
	for _, mp := range mps {
		for _, poly := range mp {
			for _, ring := range poly {
				pts := open(ring)
				n := len(pts)
				for i, p := range pts {
					a, b := pts[(i+n-1)%n], pts[(i+1)%n]
					if less(b, a) {
						a, b = b, a
					}
					if old, ok := seen[p]; !ok {
						seen[p] = pair{a, b}
					} else if old != (pair{a, b}) {
						junctions[p] = true
					}
				}
			}
		}
	}
	return junctions
}

// ringArcs cuts an open ring at its junctions and returns its arc
// references, adding new arcs to t.
func (t *Topology) ringArcs(pts []orb.Point, junctions map[orb.Point]bool, index map[string]int) []int {
	if len(pts) == 0 {
		return nil
	}
	start := slices.IndexFunc(pts, func(p orb.Point) bool { return junctions[p] })
	if start < 0 {
		return []int{t.add(canonicalRing(pts), index)}
	}
	n := len(pts)
	var refs []int
	arc := orb.LineString{pts[start]}
	for k := 1; k <= n; k++ {
		p := pts[(start+k)%n]
		arc = append(arc, p)
		if junctions[p] {
			refs = append(refs, t.add(arc, index))
			arc = orb.LineString{p}
		}
	}
	return refs
}

// add stores arc, or finds it stored in either direction, and returns
// its reference.
func (t *Topology) add(arc orb.LineString, index map[string]int) int {
	fwd, rev := key(arc), key(reversed(arc))
	if i, ok := index[fwd]; ok {
		return i
	}
	if i, ok := index[rev]; ok {
		return ^i
	}
	i := len(t.Arcs)
	t.Arcs = append(t.Arcs, slices.Clone(arc))
	index[fwd] = i
	return i
}

// canonicalRing is a junction-free ring as a closed arc starting at its
// least vertex, turning the way that makes its second vertex the lesser
// of the two around it: the same arc whichever ring it came from.
func canonicalRing(pts []orb.Point) orb.LineString {
	n := len(pts)
	m := 0
	for i, p := range pts {
		if less(p, pts[m]) {
			m = i
		}
	}
	step := 1
	if less(pts[(m+n-1)%n], pts[(m+1)%n]) {
		step = n - 1
	}
	arc := make(orb.LineString, 0, n+1)
	for k := range n + 1 {
		arc = append(arc, pts[(m+k*step)%n])
	}
	return arc
}

func key(ls orb.LineString) string {
	b := make([]byte, 0, 16*len(ls))
	for _, p := range ls {
		b = appendFloat(b, p[0])
		b = appendFloat(b, p[1])
	}
	return string(b)
}

func appendFloat(b []byte, f float64) []byte {
	u := math.Float64bits(f)
	return append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24), byte(u>>32), byte(u>>40), byte(u>>48), byte(u>>56))
}

func reversed(ls orb.LineString) orb.LineString {
	out := slices.Clone(ls)
	slices.Reverse(out)
	return out
}

func less(a, b orb.Point) bool {
	return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) < 0
}

// Simplify simplifies every arc once, at the least tolerance of the shapes
// that use it (tolerance[f] for shape f), and returns the shapes' rings
// made of the simplified arcs. Endpoints of open arcs, the junctions, stay.
func (t *Topology) Simplify(tolerance []float64, simplify func(ls orb.LineString, tol float64) orb.LineString) [][][]orb.Ring {
	arcs := make([]orb.LineString, len(t.Arcs))
	for i, users := range t.Users() {
		tol := math.Inf(1)
		for _, f := range users {
			tol = min(tol, tolerance[f])
		}
		arcs[i] = simplify(slices.Clone(t.Arcs[i]), tol)
	}
	return t.Rings(arcs)
}

// SimplifyValid simplifies at tolerance, then halves the tolerance of each
// shape that finish rejects (a ring that crosses itself, say), and with it
// that of its borders, until every shape passes or its tolerance would go
// under minTolerance. finish turns a shape's rings into the output (it
// converts, rounds and drops degenerate rings) and checks it.
func (t *Topology) SimplifyValid(tolerance, minTolerance float64, simplify func(ls orb.LineString, tol float64) orb.LineString,
	finish func(f int, rings [][]orb.Ring) (orb.MultiPolygon, error)) ([]orb.MultiPolygon, error) {
	tols := make([]float64, len(t.Shapes))
	for f := range tols {
		tols[f] = tolerance
	}
	for {
		out := make([]orb.MultiPolygon, len(t.Shapes))
		again := false
		for f, rings := range t.Simplify(tols, simplify) {
			mp, err := finish(f, rings)
			if err == nil {
				out[f] = mp
				continue
			}
			if tols[f]/2 < minTolerance {
				return nil, fmt.Errorf("topology: shape %d at tolerance %g: %w", f, tols[f], err)
			}
			tols[f] /= 2
			again = true
		}
		if !again {
			return out, nil
		}
	}
}

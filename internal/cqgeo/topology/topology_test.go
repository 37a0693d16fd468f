package topology

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Two squares side by side share the border x = 1, which wiggles; a
// third square sits in a hole of the right one (an enclave).
var (
	left = orb.MultiPolygon{{{{0, 0}, {1, 0}, {1.01, 0.3}, {0.99, 0.6}, {1, 1}, {0, 1}, {0, 0}}}}
	// right runs the other way round, starting elsewhere, and has a hole.
	right = orb.MultiPolygon{{
		{{2, 1}, {1, 1}, {0.99, 0.6}, {1.01, 0.3}, {1, 0}, {2, 0}, {2, 1}},
		{{1.4, 0.4}, {1.6, 0.4}, {1.6, 0.6}, {1.4, 0.6}, {1.4, 0.4}},
	}}
	enclave = orb.MultiPolygon{{{{1.6, 0.6}, {1.6, 0.4}, {1.4, 0.4}, {1.4, 0.6}, {1.6, 0.6}}}}
)

func dp(ls orb.LineString, tol float64) orb.LineString {
	return simplify.DouglasPeucker(tol).LineString(ls)
}

func TestBuildSharesArcs(t *testing.T) {
	topo := Build([]orb.MultiPolygon{left, right, enclave})
	shared := 0
	for i, users := range topo.Users() {
		if len(users) > 1 {
			shared++
			if !slices.Equal(users, []int{0, 1}) && !slices.Equal(users, []int{1, 2}) {
				t.Errorf("arc %d %v used by %v, want the neighbours 0 and 1 or 1 and 2", i, topo.Arcs[i], users)
			}
		}
	}
	if shared != 2 {
		t.Errorf("%d shared arcs (of %d), want 2: the border and the enclave", shared, len(topo.Arcs))
	}
	// The arcs as built make the input rings again.
	for f, in := range []orb.MultiPolygon{left, right, enclave} {
		got := topo.Rings(topo.Arcs)[f]
		for p := range in {
			for r := range in[p] {
				if !sameRing(got[p][r], in[p][r]) {
					t.Errorf("shape %d ring %d = %v, want %v", f, r, got[p][r], in[p][r])
				}
			}
		}
	}
}

func TestSimplifyKeepsBordersShared(t *testing.T) {
	for _, c := range []struct {
		name string
		tols []float64
	}{
		{"same tolerance", []float64{0.05, 0.05, 0.05}},
		{"the border at the least", []float64{0.05, 0.001, 0.05}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rings := Build([]orb.MultiPolygon{left, right, enclave}).Simplify(c.tols, dp)
			l, r := vertexSet(rings[0][0][0]), vertexSet(rings[1][0][0])
			var common []orb.Point
			for p := range l {
				if r[p] {
					common = append(common, p)
				}
			}
			wantCommon := 2 // the wiggle is under 0.05: only the junctions stay
			if c.tols[1] < 0.01 {
				wantCommon = 4
			}
			if len(common) != wantCommon {
				t.Errorf("left and right share %d vertices %v, want %d", len(common), common, wantCommon)
			}
			if !sameRing(rings[1][0][1], rings[2][0][0]) {
				t.Errorf("hole %v and enclave %v differ", rings[1][0][1], rings[2][0][0])
			}
		})
	}
}

func vertexSet(r orb.Ring) map[orb.Point]bool {
	m := map[orb.Point]bool{}
	for _, p := range r {
		m[p] = true
	}
	return m
}

// sameRing reports whether a and b are the same closed ring, whatever
// their start and direction.
func sameRing(a, b orb.Ring) bool {
	if len(a) != len(b) || len(a) == 0 || a[0] != a[len(a)-1] || b[0] != b[len(b)-1] {
		return false
	}
	pa, pb := []orb.Point(a[:len(a)-1]), []orb.Point(b[:len(b)-1])
	n := len(pa)
	for _, dir := range []int{1, n - 1} {
		for s := range n {
			ok := true
			for i := range n {
				if pa[i] != pb[(s+i*dir)%n] {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

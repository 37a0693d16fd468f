package coverage

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCapFlow opens sites one by one, checks that the served demand equals
// an independent max flow (depots/flow) of the open sites, and that a
// tentative opening is undone exactly.
func TestCapFlow(t *testing.T) {
	demand, _, cands := smallSiteInstance(4, 14, 0)
	r := rand.New(rand.NewPCG(4, 4))
	for j := range cands {
		cands[j].CapacityPerDay = float64(10 + r.IntN(80))
	}
	reach := make([]float64, len(cands))
	for j := range reach {
		reach[j] = 900 / DefaultCircuity
	}
	residual := make([]float64, len(demand))
	for i, d := range demand {
		residual[i] = d.Weight
	}
	opts := Options{Workers: 1}
	m, err := newModel(context.Background(), demand, residual, cands, reach, 9, &opts)
	if err != nil {
		t.Fatal(err)
	}
	f := newCapFlow(m)
	var open []int
	for _, j := range r.Perm(len(cands)) {
		// A tentative opening, undone, must leave no trace.
		left, room := slices.Clone(f.left), slices.Clone(f.room)
		mark, before := len(f.journal), f.served
		f.openSite(j, 1e18)
		f.undo(mark, before)
		if !slices.Equal(left, f.left) || !slices.Equal(room, f.room) || f.served != before || f.open[j] {
			t.Fatalf("undo of site %d left the flow changed", j)
		}
		f.openSite(j, 1e18)
		f.journal = f.journal[:0]
		open = append(open, j)
		want, err := m.maxServed(context.Background(), open)
		if err != nil {
			t.Fatal(err)
		}
		if f.served != want {
			t.Fatalf("after opening %v: served %v, max flow %v", open, f.served, want)
		}
		for u := range m.weight {
			sum := 0.0
			for _, s := range f.alloc[u] {
				sum += s.amt
			}
			if d := sum + f.left[u] - m.weight[u]; d > 1e-9 || d < -1e-9 {
				t.Fatalf("unit %d: shares %v + left %v != weight %v", u, sum, f.left[u], m.weight[u])
			}
		}
	}
}

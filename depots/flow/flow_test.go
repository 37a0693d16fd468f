package flow

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

type arcSpec struct {
	from, to int
	cap      int64
	cost     float64
}

func TestGraphSolve(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		arcs     []arcSpec
		supply   map[int]int64
		wantCost float64
		wantErr  error
	}{
		{"single arc", 2, []arcSpec{{0, 1, 5, 2}}, map[int]int64{0: 3, 1: -3}, 6, nil},
		{"cheaper detour", 3, []arcSpec{{0, 2, 10, 10}, {0, 1, 10, 1}, {1, 2, 10, 1}}, map[int]int64{0: 4, 2: -4}, 8, nil},
		{"detour capacity", 3, []arcSpec{{0, 2, 10, 10}, {0, 1, 10, 1}, {1, 2, 1, 1}}, map[int]int64{0: 4, 2: -4}, 2 + 30, nil},
		{"demand larger than supply", 2, []arcSpec{{0, 1, 5, 1}}, map[int]int64{0: 2, 1: -9}, 2, nil},
		{"negative cost", 3, []arcSpec{{0, 1, 5, -2}, {1, 2, 5, 1}, {0, 2, 5, 0}}, map[int]int64{0: 6, 2: -6}, -5 + 0, nil},
		{"infeasible", 2, []arcSpec{{0, 1, 2, 1}}, map[int]int64{0: 3, 1: -3}, 2, ErrInfeasible},
		{"bad node", 2, []arcSpec{{0, 5, 2, 1}}, nil, 0, ErrInvalid},
		{"bad cost", 2, []arcSpec{{0, 1, 2, math.NaN()}}, nil, 0, ErrInvalid},
		{"negative cycle", 2, []arcSpec{{0, 1, 2, -1}, {1, 0, 2, -1}}, nil, 0, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGraph(tc.n)
			for _, a := range tc.arcs {
				g.AddArc(a.from, a.to, a.cap, a.cost)
			}
			for v, s := range tc.supply {
				g.SetSupply(v, s)
			}
			res, err := g.Solve(context.Background())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Solve err = %v, want %v", err, tc.wantErr)
			}
			if res == nil {
				return
			}
			if math.Abs(res.Cost-tc.wantCost) > 1e-9 {
				t.Errorf("Solve cost = %v, want %v", res.Cost, tc.wantCost)
			}
			checkGraph(t, tc.n, tc.arcs, tc.supply, res)
		})
	}
}

// checkGraph verifies a flow independently of the solver: capacities,
// conservation, the cost sum, and optimality by the absence of a
// negative-cost cycle in the residual network (Bellman–Ford).
func checkGraph(t *testing.T, n int, arcs []arcSpec, supply map[int]int64, res *Result) {
	t.Helper()
	bal := make([]int64, n)
	cost := 0.0
	for k, a := range arcs {
		f := res.Flow[k]
		if f < 0 || f > a.cap {
			t.Fatalf("arc %d flow %d outside [0,%d]", k, f, a.cap)
		}
		bal[a.from] -= f
		bal[a.to] += f
		cost += float64(f) * a.cost
	}
	if math.Abs(cost-res.Cost) > 1e-6*(1+math.Abs(cost)) {
		t.Errorf("recomputed cost %v, reported %v", cost, res.Cost)
	}
	var unrouted int64
	for v := 0; v < n; v++ {
		s := supply[v]
		switch {
		case s >= 0:
			// Supply node: sends at most s; the rest is unrouted.
			if -bal[v] > s || bal[v] > 0 {
				t.Fatalf("node %d supply %d net out %d", v, s, -bal[v])
			}
			unrouted += s + bal[v]
		default:
			if bal[v] < 0 || bal[v] > -s {
				t.Fatalf("node %d demand %d got %d", v, -s, bal[v])
			}
		}
	}
	if unrouted != res.Unrouted {
		t.Errorf("unrouted %d, reported %d", unrouted, res.Unrouted)
	}
	// The potentials certify optimality: no residual arc has a negative
	// reduced cost.
	for k, a := range arcs {
		rc := a.cost + res.Potential[a.from] - res.Potential[a.to]
		if res.Flow[k] < a.cap && rc < -1e-6 {
			t.Errorf("arc %d unsaturated with reduced cost %v", k, rc)
		}
		if res.Flow[k] > 0 && rc > 1e-6 {
			t.Errorf("arc %d carries flow with reduced cost %v", k, rc)
		}
	}
	// Residual negative cycle check.
	type e struct {
		u, v int
		c    float64
	}
	var es []e
	for k, a := range arcs {
		if res.Flow[k] < a.cap {
			es = append(es, e{a.from, a.to, a.cost})
		}
		if res.Flow[k] > 0 {
			es = append(es, e{a.to, a.from, -a.cost})
		}
	}
	d := make([]float64, n)
	for round := 0; round <= n; round++ {
		changed := false
		for _, x := range es {
			if d[x.u]+x.c < d[x.v]-1e-7 {
				d[x.v] = d[x.u] + x.c
				changed = true
			}
		}
		if !changed {
			return
		}
	}
	t.Errorf("residual network has a negative cycle: flow not optimal")
}

func randomGraph(r *rand.Rand) (int, []arcSpec, map[int]int64) {
	n := 2 + r.IntN(9)
	var arcs []arcSpec
	for k := r.IntN(3 * n); k >= 0; k-- {
		arcs = append(arcs, arcSpec{r.IntN(n), r.IntN(n), int64(r.IntN(8)), float64(r.IntN(20))})
	}
	supply := map[int]int64{}
	for v := 0; v < n; v++ {
		switch r.IntN(3) {
		case 0:
			supply[v] = int64(r.IntN(6))
		case 1:
			supply[v] = -int64(r.IntN(6))
		}
	}
	return n, arcs, supply
}

func TestGraphRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 500; it++ {
		n, arcs, supply := randomGraph(r)
		g := NewGraph(n)
		for _, a := range arcs {
			g.AddArc(a.from, a.to, a.cap, a.cost)
		}
		for v, s := range supply {
			g.SetSupply(v, s)
		}
		res, err := g.Solve(context.Background())
		if err != nil && !errors.Is(err, ErrInfeasible) {
			t.Fatal(err)
		}
		if res.Unrouted > 0 {
			// Optimality of a partial flow is only promised per source.
			continue
		}
		checkGraph(t, n, arcs, supply, res)
	}
}

func FuzzGraph(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(7), uint64(99))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		r := rand.New(rand.NewPCG(a, b))
		n, arcs, supply := randomGraph(r)
		g := NewGraph(n)
		for _, x := range arcs {
			g.AddArc(x.from, x.to, x.cap, x.cost)
		}
		for v, s := range supply {
			g.SetSupply(v, s)
		}
		res, err := g.Solve(context.Background())
		if err != nil && !errors.Is(err, ErrInfeasible) {
			t.Fatal(err)
		}
		if res.Unrouted == 0 {
			checkGraph(t, n, arcs, supply, res)
		}
	})
}

package location

import (
	"context"
	"fmt"
	"math"
	"slices"
)

// SolveSSCFLP solves the single-source capacitated facility location
// problem: each customer is served wholly by one facility.
//
// The lower bound is that of the multi-source relaxation (SolveCFLP,
// which the single-source optimum cannot beat). Solutions start from the
// multi-source optimum's open set; for an open set the customers are
// assigned by the regret heuristic for the generalised assignment
// problem (Martello & Toth 1981) with shift and swap improvement, and the
// open set is improved by drop, add and swap moves (the Lagrangian
// heuristic with local search of Beasley 1993 and Holmberg, Rönnqvist &
// Yuan 1999, simplified). The multi-source phase gets half the time
// limit.
func SolveSSCFLP(ctx context.Context, p *CFLP, opts Options) (*CFLPSolution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n := p.N()
	for j, d := range p.Demand {
		fits := false
		for i, c := range p.Capacity {
			if c >= d && !math.IsInf(p.Cost[i*n+j], 1) {
				fits = true
				break
			}
		}
		if !fits {
			return nil, fmt.Errorf("%w: customer number %d (index %d): demand %d fits no single facility", ErrInfeasible, j+1, j, d)
		}
	}
	clk := newClock(ctx, opts.TimeLimit)
	msOpts := opts
	msOpts.TimeLimit = opts.TimeLimit / 2
	ms, err := SolveCFLP(ctx, p, msOpts)
	if err != nil {
		return nil, err
	}
	g := newGAPSearch(p)
	cur := make([]bool, p.M())
	for _, i := range ms.Open {
		cur[i] = true
	}
	best := g.eval(cur)
	if math.IsInf(best, 1) {
		// Open everything, then let drop moves prune.
		for i := range cur {
			cur[i] = true
		}
		best = g.eval(cur)
	}
	if math.IsInf(best, 1) {
		return nil, fmt.Errorf("%w: no single-source assignment found", ErrInfeasible)
	}
	m := p.M()
	for improved := true; improved && !clk.expired(); {
		improved = false
		try := func(o []bool) bool {
			if clk.expired() {
				return false
			}
			if c := g.eval(o); c < best-1e-9*best {
				best, cur, improved = c, o, true
			}
			return improved
		}
		for i := 0; i < m && !improved; i++ {
			o := slices.Clone(cur)
			o[i] = !o[i]
			try(o)
		}
		for i := 0; i < m && !improved && !clk.expired(); i++ {
			if !cur[i] {
				continue
			}
			for k := 0; k < m && !improved; k++ {
				if cur[k] {
					continue
				}
				o := slices.Clone(cur)
				o[i], o[k] = false, true
				try(o)
			}
		}
	}
	g.eval(cur)
	sol := &CFLPSolution{LowerBound: ms.LowerBound, Nodes: ms.Nodes}
	for i, o := range cur {
		if o {
			sol.Open = append(sol.Open, i)
			sol.Cost += p.Fixed[i]
		}
	}
	for j, i := range g.assign {
		if p.Demand[j] == 0 {
			continue
		}
		sol.Flows = append(sol.Flows, Flow{Facility: i, Customer: j, Amount: p.Demand[j]})
		sol.Cost += p.Cost[i*n+j]
	}
	sol.LowerBound = min(sol.LowerBound, sol.Cost)
	sol.Optimal = sol.Cost <= sol.LowerBound*(1+pruneTol)
	return sol, nil
}

// gapSearch assigns customers to a fixed open set, single source.
type gapSearch struct {
	p      *CFLP
	assign []int
	load   []int64
	cache  map[string]float64
}

func newGAPSearch(p *CFLP) *gapSearch {
	return &gapSearch{p: p, assign: make([]int, p.N()), load: make([]int64, p.M()), cache: map[string]float64{}}
}

// eval returns fixed plus assignment cost of the open set, +Inf if the
// heuristic finds no feasible assignment; s.assign holds the assignment.
func (g *gapSearch) eval(open []bool) float64 {
	key := boolKey(open)
	if c, ok := g.cache[key]; ok && math.IsInf(c, 1) {
		return c
	}
	p := g.p
	n := p.N()
	var set []int
	fixed := 0.0
	for i, o := range open {
		g.load[i] = 0
		if o {
			set = append(set, i)
			fixed += p.Fixed[i]
		}
	}
	for j := range g.assign {
		g.assign[j] = -1
	}
	// Regret greedy: place the customer that would lose most by missing
	// its best facility.
	for left := n; left > 0; left-- {
		bj, bi, bestRegret := -1, -1, math.Inf(-1)
		for j := 0; j < n; j++ {
			if g.assign[j] >= 0 {
				continue
			}
			f1, f2, i1 := math.Inf(1), math.Inf(1), -1
			for _, i := range set {
				c := p.Cost[i*n+j]
				if g.load[i]+p.Demand[j] > p.Capacity[i] || math.IsInf(c, 1) {
					continue
				}
				if c < f1 {
					f2, f1, i1 = f1, c, i
				} else if c < f2 {
					f2 = c
				}
			}
			if i1 < 0 {
				g.cache[key] = math.Inf(1)
				return math.Inf(1)
			}
			r := f2 - f1
			if math.IsInf(f2, 1) {
				r = math.MaxFloat64
			}
			if r > bestRegret {
				bestRegret, bj, bi = r, j, i1
			}
		}
		g.assign[bj] = bi
		g.load[bi] += p.Demand[bj]
	}
	// Shift and swap moves.
	for improved := true; improved; {
		improved = false
		for j := 0; j < n; j++ {
			a := g.assign[j]
			for _, i := range set {
				if i != a && p.Cost[i*n+j] < p.Cost[a*n+j]-1e-9 && g.load[i]+p.Demand[j] <= p.Capacity[i] {
					g.load[a] -= p.Demand[j]
					g.load[i] += p.Demand[j]
					g.assign[j], a, improved = i, i, true
				}
			}
		}
		for j := 0; j < n; j++ {
			for k := j + 1; k < n; k++ {
				a, b := g.assign[j], g.assign[k]
				if a == b {
					continue
				}
				if p.Cost[b*n+j]+p.Cost[a*n+k] >= p.Cost[a*n+j]+p.Cost[b*n+k]-1e-9 {
					continue
				}
				dj, dk := p.Demand[j], p.Demand[k]
				if g.load[a]-dj+dk > p.Capacity[a] || g.load[b]-dk+dj > p.Capacity[b] {
					continue
				}
				g.load[a] += dk - dj
				g.load[b] += dj - dk
				g.assign[j], g.assign[k] = b, a
				improved = true
			}
		}
	}
	c := fixed
	for j, i := range g.assign {
		c += p.Cost[i*n+j]
	}
	g.cache[key] = c
	return c
}

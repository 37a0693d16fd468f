package location

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// PMedianSolution is a solution of a p-median problem: a PMedian, or a
// CPMP (capacitated).
type PMedianSolution struct {
	// Cost is Σ_j Dist[j][Assign[j]].
	Cost int64
	// Open lists the P chosen facilities, ascending, 0-based.
	Open []int
	// Assign[j] is the facility serving customer j (all of its demand,
	// for a CPMP): for a PMedian its nearest open one.
	Assign []int
	// LowerBound is the Lagrangian bound (Beasley 1993 for a PMedian);
	// Cost equals it (rounded up) when the solution is proven optimal.
	LowerBound float64
	// Optimal reports that Cost ≤ ⌈LowerBound⌉, so Cost is optimal.
	Optimal bool
}

// SolvePMedian solves p by variable neighbourhood search (Hansen &
// Mladenović 1997) around the fast interchange local search of Whitaker
// (1983), started from the greedy-add solution, and computes a Lagrangian
// lower bound by subgradient optimisation (Beasley 1993). The search
// stops when the bound proves the incumbent optimal, after
// opts.Iterations VNS iterations (default 2000), or at the time limit.
func SolvePMedian(ctx context.Context, p *PMedian, opts Options) (*PMedianSolution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	clk := newClock(ctx, opts.TimeLimit)
	s := newPMedianSearch(p)
	s.clk = clk
	s.greedy()
	s.localSearch()
	best := s.snapshot()
	bestCost := s.cost()
	// Lagrangian heuristic: the facilities the relaxation opens, improved
	// by local search, often are the optimum.
	tried := map[string]bool{}
	lb := pmedianBound(clk, p, s.d1, float64(bestCost), 600, func(set []int) float64 {
		key := setKey(set)
		if tried[key] {
			return float64(bestCost)
		}
		tried[key] = true
		list := make([]int32, len(set))
		for k, i := range set {
			list[k] = int32(i)
		}
		s.restore(list)
		s.localSearch()
		if c := s.cost(); c < bestCost {
			bestCost, best = c, s.snapshot()
		}
		return float64(bestCost)
	})
	opts.report(0, float64(bestCost), lb)

	iters := opts.Iterations
	if iters <= 0 {
		iters = 2000
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15))
	kmax := min(p.P, p.M-p.P, 10)
	k := 1
	for it := 1; it <= iters && kmax > 0; it++ {
		if float64(bestCost) <= math.Ceil(lb-1e-9) {
			break
		}
		if clk.expired() {
			break
		}
		s.restore(best)
		s.shake(rng, k)
		s.localSearch()
		if c := s.cost(); c < bestCost {
			bestCost = c
			best = s.snapshot()
			k = 1
			opts.report(it, float64(bestCost), lb)
		} else if k++; k > kmax {
			k = 1
		}
	}
	s.restore(best)
	sol := &PMedianSolution{Cost: bestCost, LowerBound: lb, Assign: make([]int, p.N)}
	for i, o := range s.open {
		if o {
			sol.Open = append(sol.Open, i)
		}
	}
	for j := range sol.Assign {
		sol.Assign[j] = int(s.c1[j])
	}
	sol.Optimal = float64(sol.Cost) <= math.Ceil(lb-1e-9)
	if err := ctx.Err(); err != nil && len(sol.Open) == 0 {
		return nil, err
	}
	return sol, nil
}

// pmedianSearch holds the state of the interchange search: the open set,
// each customer's nearest and second-nearest open facility.
type pmedianSearch struct {
	p      *PMedian
	dt     []int32 // transposed: dt[i*N+j] = Dist[j*M+i]
	open   []bool
	list   []int32 // open facilities
	c1, c2 []int32
	d1, d2 []int32
	loss   []int64 // scratch, by facility
	clk    clock   // stops a local search early; zero value never expires
}

func newPMedianSearch(p *PMedian) *pmedianSearch {
	n, m := p.N, p.M
	s := &pmedianSearch{p: p, dt: make([]int32, n*m), open: make([]bool, m),
		c1: make([]int32, n), c2: make([]int32, n), d1: make([]int32, n), d2: make([]int32, n), loss: make([]int64, m)}
	for j := 0; j < n; j++ {
		for i := 0; i < m; i++ {
			s.dt[i*n+j] = p.Dist[j*m+i]
		}
	}
	return s
}

func (s *pmedianSearch) cost() int64 {
	var c int64
	for _, d := range s.d1 {
		c += int64(d)
	}
	return c
}

func (s *pmedianSearch) snapshot() []int32 { return slices.Clone(s.list) }

func (s *pmedianSearch) restore(list []int32) {
	clear(s.open)
	s.list = append(s.list[:0], list...)
	for _, i := range list {
		s.open[i] = true
	}
	s.recompute()
}

// recompute sets c1, c2, d1, d2 from scratch.
func (s *pmedianSearch) recompute() {
	for j := range s.c1 {
		s.nearest(j)
	}
}

func (s *pmedianSearch) nearest(j int) {
	const inf = math.MaxInt32
	m := s.p.M
	row := s.p.Dist[j*m : (j+1)*m]
	b1, b2 := int32(inf), int32(inf)
	i1, i2 := int32(-1), int32(-1)
	for _, i := range s.list {
		d := row[i]
		if d < b1 {
			b2, i2 = b1, i1
			b1, i1 = d, i
		} else if d < b2 {
			b2, i2 = d, i
		}
	}
	if i2 < 0 { // p == 1: no second facility
		b2, i2 = inf, i1
	}
	s.c1[j], s.c2[j], s.d1[j], s.d2[j] = i1, i2, b1, b2
}

// greedy adds, p times, the facility that lowers the cost most
// (Kuehn & Hamburger 1963).
func (s *pmedianSearch) greedy() {
	n, m := s.p.N, s.p.M
	cur := make([]int64, n)
	for j := range cur {
		cur[j] = math.MaxInt32
	}
	for len(s.list) < s.p.P {
		bi, bc := -1, int64(math.MaxInt64)
		for i := 0; i < m; i++ {
			if s.open[i] {
				continue
			}
			col := s.dt[i*n : (i+1)*n]
			var c int64
			for j, d := range col {
				c += min(int64(d), cur[j])
			}
			if c < bc {
				bi, bc = i, c
			}
		}
		s.open[bi] = true
		s.list = append(s.list, int32(bi))
		col := s.dt[bi*n : (bi+1)*n]
		for j, d := range col {
			cur[j] = min(cur[j], int64(d))
		}
	}
	s.recompute()
}

// shake swaps k random open facilities for k random closed ones.
func (s *pmedianSearch) shake(rng *rand.Rand, k int) {
	for ; k > 0; k-- {
		out := rng.IntN(len(s.list))
		var in int
		for {
			in = rng.IntN(s.p.M)
			if !s.open[in] {
				break
			}
		}
		s.open[s.list[out]] = false
		s.open[in] = true
		s.list[out] = int32(in)
	}
	s.recompute()
}

// localSearch applies best-improvement swaps until none improves, using
// Whitaker's fast interchange: for a facility to insert, one pass over
// the customers gives the gain of inserting it and, per open facility,
// the loss of removing that one as well, from the nearest and second
// nearest distances.
func (s *pmedianSearch) localSearch() {
	n, m := s.p.N, s.p.M
	for scan := 1; ; scan++ {
		if scan&3 == 0 && s.clk.ctx != nil && s.clk.expired() {
			return
		}
		bestDelta, bestIn, bestOut := int64(0), -1, int32(-1)
		for in := 0; in < m; in++ {
			if s.open[in] {
				continue
			}
			for _, i := range s.list {
				s.loss[i] = 0
			}
			var gain int64
			col := s.dt[in*n : (in+1)*n]
			for j, d := range col {
				if d1 := s.d1[j]; d < d1 {
					gain += int64(d1 - d)
				} else {
					s.loss[s.c1[j]] += int64(min(d, s.d2[j]) - d1)
				}
			}
			for _, i := range s.list {
				if delta := s.loss[i] - gain; delta < bestDelta {
					bestDelta, bestIn, bestOut = delta, in, i
				}
			}
		}
		if bestIn < 0 {
			return
		}
		s.swap(bestIn, bestOut)
	}
}

func (s *pmedianSearch) swap(in int, out int32) {
	for k, i := range s.list {
		if i == out {
			s.list[k] = int32(in)
			break
		}
	}
	s.open[out] = false
	s.open[in] = true
	n := s.p.N
	col := s.dt[in*n : (in+1)*n]
	for j, d := range col {
		switch {
		case s.c1[j] == out || s.c2[j] == out:
			s.nearest(j)
		case d < s.d1[j]:
			s.c2[j], s.d2[j] = s.c1[j], s.d1[j]
			s.c1[j], s.d1[j] = int32(in), d
		case d < s.d2[j]:
			s.c2[j], s.d2[j] = int32(in), d
		}
	}
}

// pmedianBound is Beasley's (1993) Lagrangian bound: relaxing "each
// customer is assigned once" with multipliers λ leaves, for each
// facility, ρ_i = Σ_j min(0, d_ji − λ_j); the p smallest ρ_i are opened
// and L(λ) = Σ λ_j + Σ_open ρ_i. Subgradient optimisation (Held, Wolfe &
// Crowder 1974) with Polyak steps towards the upper bound ub, starting
// from λ_j = the customer's distance in the heuristic solution.
//
// Every few iterations heur is called with the facilities the relaxation
// opens; it returns the (possibly improved) upper bound.
func pmedianBound(clk clock, p *PMedian, start []int32, ub float64, iters int, heur func(open []int) float64) float64 {
	n, m := p.N, p.M
	lam := make([]float64, n)
	for j := range lam {
		lam[j] = float64(start[j]) + 1
	}
	rho := make([]float64, m)
	idx := make([]int, m)
	g := make([]float64, n)
	best := 0.0
	theta := 2.0
	stall := 0
	for it := 0; it < iters; it++ {
		if it&3 == 0 && clk.expired() {
			break
		}
		for i := 0; i < m; i++ {
			r := 0.0
			for j := 0; j < n; j++ {
				if d := float64(p.Dist[j*m+i]) - lam[j]; d < 0 {
					r += d
				}
			}
			rho[i] = r
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if rho[a] < rho[b] {
				return -1
			}
			if rho[a] > rho[b] {
				return 1
			}
			return a - b
		})
		l := 0.0
		for j := range lam {
			l += lam[j]
			g[j] = 1
		}
		for _, i := range idx[:p.P] {
			l += rho[i]
			for j := 0; j < n; j++ {
				if float64(p.Dist[j*m+i]) < lam[j] {
					g[j]--
				}
			}
		}
		if l > best+1e-9 {
			best, stall = l, 0
		} else if stall++; stall >= 20 {
			theta, stall = theta/2, 0
		}
		if heur != nil && it%5 == 4 {
			ub = min(ub, heur(slices.Sorted(slices.Values(idx[:p.P]))))
		}
		if math.Ceil(best-1e-9) >= ub || theta < 1e-4 {
			break
		}
		norm := 0.0
		for _, x := range g {
			norm += x * x
		}
		if norm == 0 {
			break // λ is optimal for the relaxation
		}
		step := theta * (ub - l) / norm
		for j := range lam {
			lam[j] = max(0, lam[j]+step*g[j])
		}
	}
	return best
}

// setKey encodes a sorted index set as a map key.
func setKey(set []int) string {
	b := make([]byte, 0, 2*len(set))
	for _, i := range set {
		b = append(b, byte(i), byte(i>>8))
	}
	return string(b)
}

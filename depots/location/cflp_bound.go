package location

import (
	"math"
	"slices"
)

// The Lagrangian bound of SolveCFLP.

func (s *cflpSearch) initialLambda() []float64 {
	lam := make([]float64, s.n)
	for j := range lam {
		best := math.Inf(1)
		for i := 0; i < s.m; i++ {
			u := s.p.Cost[i*s.n+j]
			if s.p.Capacity[i] > 0 {
				u += s.p.Fixed[i] * float64(s.p.Demand[j]) / float64(s.p.Capacity[i])
			}
			best = min(best, u)
		}
		if math.IsInf(best, 1) {
			best = 0
		}
		lam[j] = best
	}
	return lam
}

// lagrange runs subgradient optimisation at nd for at most iters
// iterations from nd.lambda, raising nd.bound, and tries the open sets
// of the relaxation as primal solutions.
func (s *cflpSearch) lagrange(clk clock, nd *cflpNode, iters int, theta float64) {
	lam := nd.lambda
	nd.avgY = make([]float64, s.m)
	root := true
	for _, f := range nd.fix {
		if f >= 0 {
			root = false
			break
		}
	}
	stall, count := 0, 0
	for it := 0; it < iters; it++ {
		if it&7 == 7 && clk.expired() {
			break
		}
		l, ok := s.relax(nd.fix, lam)
		if !ok {
			nd.bound = math.Inf(1)
			return
		}
		count++
		for i, y := range s.y {
			if y {
				nd.avgY[i]++
			}
		}
		if l > nd.bound+1e-9*math.Abs(l) {
			nd.bound, stall = l, 0
			if root {
				s.lastV = append(s.lastV[:0], s.v...)
				s.lastLam = s.lamSum
			}
		} else if stall++; stall >= 15 {
			theta, stall = theta/2, 0
		}
		if (it%s.evalEvery == 0 || it == iters-1) && !s.hopeless(s.y) {
			s.eval(s.y)
			if s.err != nil {
				return
			}
		}
		if s.pruned(nd.bound) || theta < 1e-5 {
			break
		}
		norm := 0.0
		for _, x := range s.g {
			norm += x * x
		}
		if norm < 1e-18 {
			// The relaxation's solution serves every customer exactly:
			// the bound cannot improve at this node.
			break
		}
		step := theta * (s.ub - l) / norm
		if math.IsInf(s.ub, 1) {
			step = theta * (0.05*math.Abs(l) + 1) / norm
		}
		for j := range lam {
			lam[j] += step * s.g[j]
		}
	}
	if count > 0 {
		for i := range nd.avgY {
			nd.avgY[i] /= float64(count)
		}
	}
}

// relax evaluates the Lagrangian L(λ) at the fixings, leaving the chosen
// facilities in s.y and the subgradient in s.g. ok is false when the
// fixings leave too little capacity.
func (s *cflpSearch) relax(fix []int8, lam []float64) (float64, bool) {
	m, n, p := s.m, s.n, s.p
	l := 0.0
	for j := 0; j < n; j++ {
		l += lam[j]
		s.g[j] = 1
	}
	s.lamSum = l
	for i := 0; i < m; i++ {
		s.y[i] = false
		s.items[i] = s.items[i][:0]
		if fix[i] == 0 {
			continue
		}
		s.v[i] = s.facilityValue(i, lam)
	}
	// Choose facilities: forced ones, all free ones with v < 0, then a
	// minimum-cost cover of the remaining capacity.
	need := s.demand
	s.order = s.order[:0]
	for i := 0; i < m; i++ {
		switch {
		case fix[i] == 1 || (fix[i] == -1 && s.v[i] < 0):
			s.y[i] = true
			need -= p.Capacity[i]
			l += s.v[i]
		case fix[i] == -1 && p.Capacity[i] > 0:
			s.order = append(s.order, i)
		}
	}
	if need > 0 {
		c, ok := s.cover(need)
		if !ok {
			return 0, false
		}
		l += c
	}
	for i := 0; i < m; i++ {
		if !s.y[i] {
			continue
		}
		for _, it := range s.items[i] {
			s.g[it.j] -= it.frac
		}
	}
	return l, true
}

// facilityValue solves facility i's subproblem at multipliers lam, a
// continuous knapsack: customers with negative reduced cost, the most
// negative per unit of demand first, up to the capacity. It leaves the
// customers served and their fractions in s.items[i] and returns v_i, the
// fixed cost plus the reduced cost of what is served.
func (s *cflpSearch) facilityValue(i int, lam []float64) float64 {
	p, n := s.p, s.n
	its := s.items[i][:0]
	var w int64
	for j := 0; j < n; j++ {
		if r := p.Cost[i*n+j] - lam[j]; r < 0 && p.Demand[j] > 0 {
			its = append(its, item{int32(j), r / float64(p.Demand[j])})
			w += p.Demand[j]
		}
	}
	v := p.Fixed[i]
	if w > p.Capacity[i] {
		slices.SortFunc(its, func(a, b item) int {
			if a.frac < b.frac {
				return -1
			}
			if a.frac > b.frac {
				return 1
			}
			return int(a.j - b.j)
		})
	}
	left := p.Capacity[i]
	k := 0
	for ; k < len(its) && left > 0; k++ {
		j := its[k].j
		d := p.Demand[j]
		x := 1.0
		if d > left {
			x = float64(left) / float64(d)
			left = 0
		} else {
			left -= d
		}
		v += x * (p.Cost[i*n+int(j)] - lam[j])
		its[k].frac = x
	}
	s.items[i] = its[:k]
	return v
}

// cover solves min Σ v_i z_i subject to Σ s_i z_i ≥ need over s.order
// (all v_i ≥ 0) by depth-first branch-and-bound with the LP bound
// (Martello & Toth 1990). It sets s.y for the chosen facilities and
// returns a lower bound on the optimum: the optimum itself unless the
// node limit was hit, then the LP bound.
func (s *cflpSearch) cover(need int64) (float64, bool) {
	p := s.p
	ord := s.order
	slices.SortFunc(ord, func(a, b int) int {
		ra, rb := s.v[a]/float64(p.Capacity[a]), s.v[b]/float64(p.Capacity[b])
		if ra < rb {
			return -1
		}
		if ra > rb {
			return 1
		}
		return a - b
	})
	var total int64
	for _, i := range ord {
		total += p.Capacity[i]
	}
	if total < need {
		return 0, false
	}
	// lp returns the LP bound of covering r with items from k on.
	lp := func(k int, r int64) float64 {
		c := 0.0
		for ; k < len(ord) && r > 0; k++ {
			i := ord[k]
			if p.Capacity[i] >= r {
				return c + s.v[i]*float64(r)/float64(p.Capacity[i])
			}
			c += s.v[i]
			r -= p.Capacity[i]
		}
		if r > 0 {
			return math.Inf(1)
		}
		return c
	}
	root := lp(0, need)
	best := math.Inf(1)
	var bestSet, cur []int
	nodes := 0
	const limit = 20000
	var rec func(k int, r int64, c float64)
	rec = func(k int, r int64, c float64) {
		if r <= 0 {
			if c < best {
				best = c
				bestSet = append(bestSet[:0], cur...)
			}
			return
		}
		nodes++
		if k == len(ord) || nodes > limit || c+lp(k, r) >= best-1e-12 {
			return
		}
		i := ord[k]
		cur = append(cur, i)
		rec(k+1, r-p.Capacity[i], c+s.v[i])
		cur = cur[:len(cur)-1]
		rec(k+1, r, c)
	}
	rec(0, need, 0)
	if math.IsInf(best, 1) { // node limit before any cover: take greedily
		best = 0
		r := need
		for _, i := range ord {
			if r <= 0 {
				break
			}
			bestSet = append(bestSet, i)
			best += s.v[i]
			r -= p.Capacity[i]
		}
	}
	for _, i := range bestSet {
		s.y[i] = true
	}
	if nodes > limit {
		return root, true
	}
	return best, true
}

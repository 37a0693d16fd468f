package location

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Primal heuristics of SolveCFLP: local search and variable neighbourhood
// search over open sets.

// improve runs local search from the incumbent; see localSearch.
func (s *cflpSearch) improve(clk clock, full bool) {
	if s.best != nil {
		s.localSearch(clk, slices.Clone(s.best), s.ub, full)
	}
}

// localSearch runs drop, add and swap moves from the open set cur of
// cost c until none improves it. The relaxation's facility values v
// (lower is more attractive) order the moves: drops try the least
// attractive open facility first, adds and swaps bring in only the most
// attractive closed ones unless full is set, to keep the neighbourhood
// small on large instances. Moves whose Lagrangian bound cannot beat c
// are not priced.
func (s *cflpSearch) localSearch(clk clock, cur []bool, c float64, full bool) {
	m := s.m
	maxAdd, maxSwap := max(15, m/4), 12
	if full {
		maxAdd, maxSwap = m, m
	}
	for improved := true; improved && s.err == nil && !clk.expired(); {
		improved = false
		price := s.cache[boolKey(cur)].price
		try := func(o []bool) bool {
			if clk.expired() || s.screened(o, c) {
				return false
			}
			if price != nil && s.dualBound(o, price) >= c-pruneTol*math.Abs(c) {
				return false
			}
			if v := s.eval(o); v < c-1e-9*math.Abs(c) {
				cur, c = o, v
				return true
			}
			return false
		}
		var open, closed []int
		for i := 0; i < m; i++ {
			if cur[i] {
				open = append(open, i)
			} else {
				closed = append(closed, i)
			}
		}
		s.byValue(open, false)
		s.byValue(closed, true)
		closed = closed[:min(len(closed), maxAdd)]
		for _, i := range open {
			o := slices.Clone(cur)
			o[i] = false
			if improved = try(o); improved {
				break
			}
		}
		for _, k := range closed {
			if improved {
				break
			}
			o := slices.Clone(cur)
			o[k] = true
			improved = try(o)
		}
		for _, i := range open {
			if improved {
				break
			}
			for _, k := range closed[:min(len(closed), maxSwap)] {
				o := slices.Clone(cur)
				o[i], o[k] = false, true
				if improved = try(o); improved {
					break
				}
			}
		}
	}
}

// byValue sorts facilities by their Lagrangian value at the root (lower is
// more attractive), ascending or not, stably; it leaves them unsorted
// before the root has a value.
func (s *cflpSearch) byValue(xs []int, asc bool) {
	if s.lastV == nil {
		return
	}
	slices.SortStableFunc(xs, func(a, b int) int {
		va, vb := s.lastV[a], s.lastV[b]
		if !asc {
			va, vb = vb, va
		}
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return 0
	})
}

// perturb runs a variable neighbourhood search over open sets (Hansen &
// Mladenović 1997): close k random open facilities, each replaced by the
// closed one that the incumbent's capacity prices rate best (the
// smallest dual bound, see dualBound), search locally from there, and
// restart from the incumbent; k grows from 1 to 3 while no improvement
// is found.
func (s *cflpSearch) perturb(clk clock, rng *rand.Rand, iters int) {
	if s.best == nil {
		return
	}
	m := s.m
	k := 1
	for it := 0; it < iters && !clk.expired() && s.err == nil; it++ {
		o := slices.Clone(s.best)
		price := s.cache[boolKey(o)].price
		for r := 0; r < k; r++ {
			var open []int
			for i := 0; i < m; i++ {
				if o[i] {
					open = append(open, i)
				}
			}
			if len(open) == 0 {
				break
			}
			out := open[rng.IntN(len(open))]
			o[out] = false
			bi, bb := -1, math.Inf(1)
			for c := 0; c < m; c++ {
				if o[c] || c == out || s.p.Capacity[c] == 0 {
					continue
				}
				o[c] = true
				b := 0.0
				if price != nil {
					b = s.dualBound(o, price)
				}
				// Random tie-breaks keep the walk from cycling.
				b += 1e-9 * math.Abs(b) * rng.Float64()
				if b < bb {
					bi, bb = c, b
				}
				o[c] = false
			}
			if bi >= 0 {
				o[bi] = true
			}
		}
		ub := s.ub
		c := s.eval(o)
		if math.IsInf(c, 1) {
			continue
		}
		s.localSearch(clk, o, c, true)
		if s.ub < ub {
			k = 1
		} else if k++; k > 3 {
			k = 1
		}
	}
}

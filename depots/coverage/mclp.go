package coverage

import (
	"context"
	"math"
	"slices"
)

// mclp solves the maximal covering location problem (Church & ReVelle
// 1974): the opts.Add sites covering the most residual demand, capacitated
// or not.
func (m *model) mclp(ctx context.Context, opts SiteOptions) (*Plan, error) {
	k := min(opts.Add, m.candidates())
	var p *Plan
	var err error
	if opts.Capacitated {
		p, err = m.capacitatedMCLP(ctx, k, opts)
	} else {
		p, err = m.uncapacitatedMCLP(ctx, k, opts)
	}
	if err != nil {
		return nil, err
	}
	m.finishMCLP(p)
	return p, nil
}

// uncapacitatedMCLP chooses k sites covering the most residual demand: by
// enumeration on small instances, else by the lazy greedy and Teitz–Bart
// interchange, restarted from the Lagrangian heuristic of mclpBound when
// that covers more.
func (m *model) uncapacitatedMCLP(ctx context.Context, k int, opts SiteOptions) (*Plan, error) {
	p := m.plan("MCLP")
	if !opts.heuristicOnly {
		if best, cov, ok := m.exactMCLP(k); ok {
			p.ChosenIndex, p.CoveredDemand, p.UpperBound, p.Exact = best, m.base+cov, m.base+cov, true
			return p, nil
		}
	}
	s := newCoverState(m)
	order := m.greedy(s, k, math.Inf(1), false)
	m.swap(ctx, s, opts.SwapPasses)
	ub, lag, err := m.mclpBound(ctx, k, s.exactCovered(), opts)
	if err != nil {
		return nil, err
	}
	if lag != nil { // the Lagrangian heuristic found a better set
		s = newCoverState(m)
		for _, j := range lag {
			s.add(j)
		}
		order = lag
		m.swap(ctx, s, opts.SwapPasses)
	}
	p.ChosenIndex = pickOrder(s, order)
	p.CoveredDemand = m.base + s.exactCovered()
	p.UpperBound = m.base + ub
	return p, nil
}

// pickOrder returns the sites chosen in s: those of order first, in that
// order, then any the interchange swapped in, by index.
func pickOrder(s *coverState, order []int) []int {
	var chosen []int
	for _, j := range order {
		if s.chosen[j] {
			chosen = append(chosen, j)
		}
	}
	for j, c := range s.chosen {
		if c && !slices.Contains(chosen, j) {
			chosen = append(chosen, j)
		}
	}
	return chosen
}

// finishMCLP rounds the upper bound down for integral demand, keeps it at
// least the plan's value, and sets the cost and gap.
func (m *model) finishMCLP(p *Plan) {
	if m.integral {
		p.UpperBound = math.Floor(p.UpperBound + 1e-9)
	}
	p.UpperBound = max(p.UpperBound, p.CoveredDemand)
	for _, j := range p.ChosenIndex {
		p.Cost += m.cost[j]
	}
	if p.UpperBound > 0 {
		p.GapPercent = 100 * (p.UpperBound - p.CoveredDemand) / p.UpperBound
	}
}

// siteCost is the cost of site j in a greedy ratio: its cost when weighted
// (LSCP), 1 otherwise (MCLP counts sites).
func (m *model) siteCost(j int, weighted bool) float64 {
	if weighted {
		return m.cost[j]
	}
	return 1
}

// greedy adds sites to s by largest gain (per cost, when weighted), gain
// capped at need,
// until k sites are chosen, the need is met or nothing gains. It returns the
// sites in the order chosen. The gains are submodular, so a stale heap entry
// is an upper bound and lazy evaluation (Minoux 1978) is exact.
func (m *model) greedy(s *coverState, k int, need float64, weighted bool) []int {
	h := &maxHeap{}
	for j := range m.candidates() {
		if !s.chosen[j] {
			h.push(min(s.gain(j), need)/m.siteCost(j, weighted), j)
		}
	}
	var order []int
	for len(order) < k && h.len() > 0 && need > m.eps() {
		key, j := h.pop()
		fresh := min(s.gain(j), need) / m.siteCost(j, weighted)
		if fresh < key && h.len() > 0 && fresh < h.top() {
			h.push(fresh, j)
			continue
		}
		if fresh <= 0 {
			break
		}
		before := s.covered
		s.add(j)
		need -= s.covered - before
		order = append(order, j)
	}
	return order
}

// swap improves s by Teitz–Bart 1-interchange: for each site not chosen,
// the best chosen site to drop for it, applied when coverage strictly
// grows; passes repeat until none improves or maxPasses is reached.
func (m *model) swap(ctx context.Context, s *coverState, maxPasses int) {
	if maxPasses <= 0 {
		maxPasses = 50
	}
	n := m.candidates()
	loss := make([]float64, n)
	extra := make([]float64, n)
	stamp := make([]int, n)
	mark := 0
	var chosen, touched []int
	refresh := func() {
		chosen = chosen[:0]
		for j, c := range s.chosen {
			if c {
				chosen = append(chosen, j)
				loss[j] = s.loss(j)
			}
		}
	}
	for range maxPasses {
		if ctx.Err() != nil {
			return
		}
		refresh()
		if len(chosen) == 0 {
			return
		}
		improved := false
		for jn := range n {
			if s.chosen[jn] {
				continue
			}
			mark++
			touched = touched[:0]
			gain := 0.0
			for _, u := range m.covers(jn) {
				switch s.count[u] {
				case 0:
					gain += m.weight[u]
				case 1:
					o := int(s.sum[u])
					if stamp[o] != mark {
						stamp[o] = mark
						extra[o] = 0
						touched = append(touched, o)
					}
					extra[o] += m.weight[u]
				}
			}
			best, drop := math.Inf(-1), -1
			for _, o := range touched {
				if d := extra[o] - loss[o]; d > best || d == best && o < drop {
					best, drop = d, o
				}
			}
			for _, o := range chosen {
				if stamp[o] != mark {
					if d := -loss[o]; d > best || d == best && o < drop {
						best, drop = d, o
					}
				}
			}
			if gain+best > m.eps() {
				s.remove(drop)
				s.add(jn)
				improved = true
				refresh()
			}
		}
		if !improved {
			return
		}
	}
}

package coverage

import (
	"context"
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

// Exact enumeration for small instances. When at most maxExactCandidates
// candidates reach any residual demand, the MCLP and LSCP optima are found
// by depth-first enumeration with incremental cover counts (and, for LSCP,
// pruning on cost), and the plan is marked Exact. Larger instances use the
// heuristics and report a Lagrangian bound instead.

const (
	maxExactCandidates = 20
	maxExactNodes      = 1 << 21
)

// relevant returns the candidates that reach some unit, or nil when there
// are more than maxExactCandidates of them.
func (m *model) relevant() []int {
	var rel []int
	for j := range m.candidates() {
		if len(m.covers(j)) > 0 {
			if len(rel) == maxExactCandidates {
				return nil
			}
			rel = append(rel, j)
		}
	}
	return rel
}

// exactMCLP returns the k relevant candidates covering the most demand, or
// ok = false when the instance is too large to enumerate.
func (m *model) exactMCLP(k int) (best []int, covered float64, ok bool) {
	rel := m.relevant()
	if rel == nil {
		return nil, 0, false
	}
	k = min(k, len(rel))
	if binomial(len(rel), k) > maxExactNodes {
		return nil, 0, false
	}
	s := newCoverState(m)
	covered = -1
	var pick []int
	var dfs func(i, left int)
	dfs = func(i, left int) {
		if left == 0 {
			if c := s.exactCovered(); c > covered+m.eps() {
				covered, best = c, append(best[:0], pick...)
			}
			return
		}
		if len(rel)-i < left {
			return
		}
		j := rel[i]
		s.add(j)
		pick = append(pick, j)
		dfs(i+1, left-1)
		pick = pick[:len(pick)-1]
		s.remove(j)
		dfs(i+1, left)
	}
	dfs(0, k)
	return best, covered, true
}

// exactLSCP returns the cheapest set of relevant candidates covering need,
// or ok = false when the instance is too large to enumerate or need cannot
// be met.
func (m *model) exactLSCP(need float64) (best []int, cost float64, ok bool) {
	rel := m.relevant()
	if rel == nil {
		return nil, 0, false
	}
	s := newCoverState(m)
	cost = -1
	var pick []int
	var dfs func(i int, c float64)
	dfs = func(i int, c float64) {
		if cost >= 0 && c >= cost {
			return
		}
		if s.covered >= need-m.eps() && s.exactCovered() >= need-m.eps() {
			cost, best = c, append(best[:0], pick...)
			return
		}
		if i == len(rel) {
			return
		}
		j := rel[i]
		s.add(j)
		pick = append(pick, j)
		dfs(i+1, c+m.cost[j])
		pick = pick[:len(pick)-1]
		s.remove(j)
		dfs(i+1, c)
	}
	dfs(0, 0)
	return best, cost, cost >= 0
}

func binomial(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
		if r > maxExactNodes {
			return r
		}
	}
	return r
}

// exactCapMCLP returns the k relevant candidates serving the most demand
// within capacity, each choice evaluated by a max flow (depots/flow), or
// ok = false when the instance is too large or a weight or capacity is not
// a whole number.
func (m *model) exactCapMCLP(ctx context.Context, k int) (best []int, served float64, ok bool, err error) {
	rel := m.relevant()
	if rel == nil || !m.integral {
		return nil, 0, false, nil
	}
	for _, j := range rel {
		if c := m.capacity[j]; !math.IsInf(c, 1) && c != math.Trunc(c) {
			return nil, 0, false, nil
		}
	}
	k = min(k, len(rel))
	if binomial(len(rel), k)*m.units() > maxExactNodes {
		return nil, 0, false, nil
	}
	served = -1
	var pick []int
	var dfs func(i, left int) error
	dfs = func(i, left int) error {
		if left == 0 {
			v, err := m.maxServed(ctx, pick)
			if err != nil {
				return err
			}
			if v > served+m.eps() {
				served, best = v, append(best[:0], pick...)
			}
			return nil
		}
		if len(rel)-i < left {
			return nil
		}
		pick = append(pick, rel[i])
		if err := dfs(i+1, left-1); err != nil {
			return err
		}
		pick = pick[:len(pick)-1]
		return dfs(i+1, left)
	}
	if err := dfs(0, k); err != nil {
		return nil, 0, false, err
	}
	return best, served, true, nil
}

// maxServed is the most residual demand the sites can serve within
// capacity: a max flow from units to sites, solved as a min-cost flow in
// which each unit may instead send its demand to an "unserved" sink at
// cost 1 per unit. Weights must be whole numbers.
func (m *model) maxServed(ctx context.Context, sites []int) (float64, error) {
	nu := m.units()
	g := flow.NewGraph(nu + len(sites) + 1)
	sink := nu + len(sites)
	total := int64(0)
	for u, w := range m.weight {
		total += int64(w)
		g.SetSupply(u, int64(w))
		g.AddArc(u, sink, int64(w), 1)
	}
	for k, j := range sites {
		for _, u := range m.covers(j) {
			g.AddArc(int(u), nu+k, int64(m.weight[u]), 0)
		}
		c := m.capacity[j]
		if math.IsInf(c, 1) || c > float64(total) {
			g.SetSupply(nu+k, -total)
		} else {
			g.SetSupply(nu+k, -int64(c))
		}
	}
	g.SetSupply(sink, -total)
	res, err := g.Solve(ctx)
	if err != nil {
		return 0, fmt.Errorf("coverage: capacitated evaluation: %w", err)
	}
	return float64(total) - res.Cost, nil
}

// exactCapLSCP returns the cheapest set of relevant candidates that can
// serve need within capacity (each set checked by a max flow), or ok =
// false when the instance is too large to enumerate, a weight or capacity
// is not a whole number, or need cannot be met.
func (m *model) exactCapLSCP(ctx context.Context, need float64) (best []int, cost float64, ok bool, err error) {
	rel := m.relevant()
	if rel == nil || !m.integral || (1<<len(rel))*max(1, m.units()) > maxExactNodes {
		return nil, 0, false, nil
	}
	for _, j := range rel {
		if c := m.capacity[j]; !math.IsInf(c, 1) && c != math.Trunc(c) {
			return nil, 0, false, nil
		}
	}
	cost = -1
	var pick []int
	var dfs func(i int, c float64) error
	dfs = func(i int, c float64) error {
		if cost >= 0 && c >= cost {
			return nil
		}
		if len(pick) > 0 {
			v, err := m.maxServed(ctx, pick)
			if err != nil {
				return err
			}
			if v >= need-m.eps() {
				cost, best = c, append(best[:0], pick...)
				return nil
			}
		}
		for k := i; k < len(rel); k++ {
			pick = append(pick, rel[k])
			if err := dfs(k+1, c+m.cost[rel[k]]); err != nil {
				return err
			}
			pick = pick[:len(pick)-1]
		}
		return nil
	}
	if err := dfs(0, 0); err != nil {
		return nil, 0, false, err
	}
	return best, cost, cost >= 0, nil
}

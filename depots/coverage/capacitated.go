package coverage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// Capacitated models (Current & Storbeck 1988): a site serves at most its
// capacity, so a plan's value is the demand its sites can serve together, a
// maximum flow kept by capFlow. The heuristics here open and close sites on
// that flow; bounds.go holds the Lagrangian bounds.

// capacitatedMCLP chooses k sites serving the most residual demand within
// capacity: by enumeration on small instances, else by the lazy greedy,
// improved by the Lagrangian heuristic of capBound when that serves more.
func (m *model) capacitatedMCLP(ctx context.Context, k int, opts SiteOptions) (*Plan, error) {
	p := m.plan("capacitated MCLP")
	if !opts.heuristicOnly {
		best, served, ok, err := m.exactCapMCLP(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			p.ChosenIndex, p.CoveredDemand, p.UpperBound, p.Exact = best, m.base+served, m.base+served, true
			return p, nil
		}
	}
	chosen, served := m.capacitatedGreedy(k, math.Inf(1), false)
	ub, _, err := m.mclpBound(ctx, k, served, opts)
	if err != nil {
		return nil, err
	}
	cub, lag, lagServed, err := m.capBound(ctx, k, served, opts)
	if err != nil {
		return nil, err
	}
	if lag != nil {
		chosen, served = lag, lagServed
	}
	p.ChosenIndex = chosen
	p.CoveredDemand = m.base + served
	p.UpperBound = m.base + min(ub, cub)
	return p, nil
}

// capacitatedLSCP fills p with the cheapest sites it finds that serve need
// within capacity: by enumeration on small instances, else the weighted lazy
// greedy followed by redundancy elimination, cheaper swaps and ruin and
// recreate, with the Lagrangian lower bound of lscpBound.
func (m *model) capacitatedLSCP(ctx context.Context, p *Plan, need float64, opts SiteOptions) error {
	if !opts.heuristicOnly {
		best, cost, ok, err := m.exactCapLSCP(ctx, need)
		if err != nil {
			return err
		}
		if ok {
			served, err := m.maxServed(ctx, best)
			if err != nil {
				return err
			}
			p.ChosenIndex, p.CoveredDemand, p.Cost, p.CostLowerBound, p.Exact = best, m.base+min(served, need), cost, cost, true
			return nil
		}
	}
	chosen, served := m.capacitatedGreedy(m.candidates(), need, true)
	chosen, served = m.dropRedundantCap(chosen, served, need)
	chosen, served = m.swapCheaperCap(ctx, chosen, served, need)
	chosen, served = m.ruinRecreateCap(ctx, chosen, served, need)
	if served < need-m.eps() {
		return fmt.Errorf("%w: target %.4g%% of demand cannot be served within the candidates' capacities (at most %.4g%% reached)",
			ErrInfeasible, 100*opts.Target, 100*(m.base+served)/m.total)
	}
	return m.finishLSCP(ctx, p, chosen, served, need, opts)
}

// capacitatedGreedy picks up to k sites, each time the one whose opening
// serves the most additional demand (per cost, when weighted), until need
// is served or no site adds anything (see capFlow.greedy). It returns the
// picks and the demand served, which is the maximum the picked sites can
// serve together.
func (m *model) capacitatedGreedy(k int, need float64, weighted bool) ([]int, float64) {
	f := newCapFlow(m)
	h := &maxHeap{}
	for j := range m.candidates() {
		reach := 0.0
		for _, u := range m.covers(j) {
			reach += m.weight[u]
		}
		h.push(min(reach, m.capacity[j], need)/m.siteCost(j, weighted), j)
	}
	chosen := f.greedy(h, k, need, weighted, true)
	return chosen, f.served
}

// completeCap opens the start sites, then adds sites by the lazy greedy of
// capacitatedGreedy (served demand per unit cost), never a banned one, until
// need is served or no site adds anything. It returns the sites, start
// first, and the demand they serve.
func (m *model) completeCap(start []int, banned []bool, need float64) ([]int, float64) {
	f := newCapFlow(m)
	for _, j := range start {
		f.openSite(j, need-f.served)
	}
	f.journal = f.journal[:0]
	h := &maxHeap{}
	for j := range m.candidates() {
		if f.open[j] || banned[j] {
			continue
		}
		reach := 0.0
		for _, u := range m.covers(j) {
			reach += f.left[u]
		}
		if reach > m.eps() {
			h.push(min(reach, m.capacity[j], need)/m.siteCost(j, true), j)
		}
	}
	chosen := append(slices.Clone(start), f.greedy(h, math.MaxInt, need, true, false)...)
	return chosen, f.served
}

// greedy opens sites from h, each time the one whose opening serves the
// most additional demand (per cost, when weighted), until k are opened,
// need is served or h is empty, and returns them in order. h holds the
// candidates keyed by an upper bound on that ratio. The gain is exact: the
// site is opened tentatively and undone when it is not the best. Served
// demand is a polymatroid rank function of the open sites, so gains only
// shrink and lazy evaluation (Minoux 1978) is exact; the greedy is the
// 1−1/e approximation of Nemhauser, Wolsey & Fisher (1978). When the best
// site adds nothing, stopAtZero ends the greedy; otherwise that site is
// dropped and the next one tried.
func (f *capFlow) greedy(h *maxHeap, k int, need float64, weighted, stopAtZero bool) []int {
	m := f.m
	var chosen []int
	for len(chosen) < k && h.len() > 0 && need-f.served > m.eps() {
		key, j := h.pop()
		mark, before := len(f.journal), f.served
		gain := f.openSite(j, need-before)
		fresh := gain / m.siteCost(j, weighted)
		if fresh < key && h.len() > 0 && fresh < h.top() {
			f.undo(mark, before)
			h.push(fresh, j)
			continue
		}
		if gain <= m.eps() {
			f.undo(mark, before)
			if stopAtZero {
				break
			}
			continue
		}
		f.journal = f.journal[:0] // committed
		chosen = append(chosen, j)
	}
	return chosen
}

// dropRedundantCap removes chosen sites, costliest first, while the others
// can still serve need within capacity (each check re-runs the augmenting
// flow of capacitatedGreedy); it is skipped above 200 sites, where the
// quadratic re-evaluation would dominate. It returns the sites kept and
// the demand they serve.
func (m *model) dropRedundantCap(chosen []int, served, need float64) ([]int, float64) {
	if len(chosen) > 200 {
		return chosen, served
	}
	order := slices.Clone(chosen)
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(m.cost[b], m.cost[a]) })
	drop := make(map[int]bool)
	for _, j := range order {
		f := newCapFlow(m)
		for _, o := range chosen {
			if o != j && !drop[o] {
				f.openSite(o, need-f.served)
			}
		}
		if f.served >= need-m.eps() {
			drop[j] = true
			served = f.served
		}
	}
	kept := chosen[:0]
	for _, j := range chosen {
		if !drop[j] {
			kept = append(kept, j)
		}
	}
	return kept, served
}

// swapCheaperCap replaces chosen sites, costliest first, by cheaper
// unchosen ones when the plan still serves need (a first-improvement
// interchange), within a budget of maxSwapChecks flow evaluations.
func (m *model) swapCheaperCap(ctx context.Context, chosen []int, served, need float64) ([]int, float64) {
	const maxSwapChecks = 2000
	checks := 0
	byCost := make([]int, m.candidates())
	for j := range byCost {
		byCost[j] = j
	}
	slices.SortStableFunc(byCost, func(a, b int) int { return cmp.Compare(m.cost[a], m.cost[b]) })
	costliest := slices.Clone(chosen)
	slices.SortStableFunc(costliest, func(a, b int) int { return cmp.Compare(m.cost[b], m.cost[a]) })
	isChosen := make(map[int]bool)
	for _, j := range chosen {
		isChosen[j] = true
	}
	eval := func(without, with int) float64 {
		f := newCapFlow(m)
		for _, o := range chosen {
			if o != without {
				f.openSite(o, need-f.served)
			}
		}
		f.openSite(with, need-f.served)
		return f.served
	}
	for _, j := range costliest {
		for _, jn := range byCost {
			if m.cost[jn] >= m.cost[j] || checks >= maxSwapChecks || ctx.Err() != nil {
				break
			}
			if isChosen[jn] || len(m.covers(jn)) == 0 {
				continue
			}
			checks++
			if v := eval(j, jn); v >= need-m.eps() {
				for k := range chosen {
					if chosen[k] == j {
						chosen[k] = jn
					}
				}
				isChosen[j], isChosen[jn] = false, true
				served = v
				break
			}
		}
	}
	return chosen, served
}

// ruinRecreateCap improves a capacitated covering plan by 1-out interchange
// with greedy repair: it closes one chosen site (costliest first), bans it,
// re-completes the rest with completeCap, prunes redundant sites and keeps
// the result when it is cheaper, until no closure helps or the repairs'
// budget is spent. A repair re-opens about k² sites when k are chosen (the
// pruning), so the budget is 10⁵/k² repairs, at most 400. A plain 1-for-1
// swap cannot replace one large site by two small ones or shift demand
// between several sites at once; the repair can (it is the "drop" move of Jacobs & Brusco's local search for set
// covering, 1995, with a capacity-aware add phase).
func (m *model) ruinRecreateCap(ctx context.Context, chosen []int, served, need float64) ([]int, float64) {
	if len(chosen) > 200 {
		return chosen, served
	}
	maxRepairs := min(400, max(1, 100_000/(len(chosen)*len(chosen)+1)))
	cost := m.costOf(chosen)
	banned := make([]bool, m.candidates())
	repairs := 0
	for improved := true; improved && repairs < maxRepairs && ctx.Err() == nil; {
		improved = false
		order := slices.Clone(chosen)
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(m.cost[b], m.cost[a]) })
		for _, j := range order {
			if repairs >= maxRepairs {
				break
			}
			repairs++
			rest := make([]int, 0, len(chosen))
			for _, o := range chosen {
				if o != j {
					rest = append(rest, o)
				}
			}
			banned[j] = true
			next, s := m.completeCap(rest, banned, need)
			banned[j] = false
			if s < need-m.eps() {
				continue
			}
			next, s = m.dropRedundantCap(next, s, need)
			if c := m.costOf(next); c < cost-1e-9*max(1, cost) {
				chosen, served, cost, improved = next, s, c, true
				break
			}
		}
	}
	return chosen, served
}

// costOf returns the total cost of the sites.
func (m *model) costOf(sites []int) float64 {
	c := 0.0
	for _, j := range sites {
		c += m.cost[j]
	}
	return c
}

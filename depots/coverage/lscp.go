package coverage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// lscp solves the location set covering problem (Toregas et al. 1971),
// extended to a partial target: the cheapest sites that, with the existing
// points, cover (or serve, capacitated) opts.Target of all demand.
func (m *model) lscp(ctx context.Context, opts SiteOptions) (*Plan, error) {
	name := "LSCP"
	if opts.Capacitated {
		name = "capacitated LSCP"
	}
	p := m.plan(name)
	need := opts.Target*m.total - m.base
	p.UpperBound = m.base + m.coverable()
	if need > m.coverable()+m.eps() {
		return nil, fmt.Errorf("%w: target %.4g%% of demand, but existing points and all candidates together reach only %.4g%% (%.6g of %.6g uncoverable)",
			ErrInfeasible, 100*opts.Target, 100*p.UpperBound/m.total, m.uncoverable, m.total)
	}
	need = min(need, m.coverable())
	if need <= m.eps() {
		p.CoveredDemand = m.base
		return p, nil
	}
	var err error
	if opts.Capacitated {
		err = m.capacitatedLSCP(ctx, p, need, opts)
	} else {
		err = m.uncapacitatedLSCP(ctx, p, need, opts)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// uncapacitatedLSCP fills p with the cheapest sites it finds covering need:
// by enumeration on small instances, else the weighted lazy greedy with
// redundant sites dropped, then the Lagrangian bound and heuristic of
// lscpBound.
func (m *model) uncapacitatedLSCP(ctx context.Context, p *Plan, need float64, opts SiteOptions) error {
	if !opts.heuristicOnly {
		if best, cost, ok := m.exactLSCP(need); ok {
			p.ChosenIndex, p.CoveredDemand, p.Cost, p.CostLowerBound, p.Exact = best, m.base+m.demandCovered(best), cost, cost, true
			return nil
		}
	}
	s := newCoverState(m)
	chosen := m.greedy(s, m.candidates(), need, true)
	chosen = m.dropRedundant(s, chosen, need)
	return m.finishLSCP(ctx, p, chosen, s.exactCovered(), need, opts)
}

// finishLSCP sets p to the heuristic plan chosen, which covers covered,
// and bounds its cost below by lscpBound. When lscpBound's Lagrangian
// heuristic finds a cheaper plan (uncapacitated only), p takes that plan.
func (m *model) finishLSCP(ctx context.Context, p *Plan, chosen []int, covered, need float64, opts SiteOptions) error {
	p.ChosenIndex = chosen
	p.CoveredDemand = m.base + covered
	p.Cost = m.costOf(chosen)
	lb, better, err := m.lscpBound(ctx, need, p.Cost, opts)
	if err != nil {
		return err
	}
	if better != nil && !opts.Capacitated {
		p.ChosenIndex, p.CoveredDemand, p.Cost = better, m.base+m.demandCovered(better), m.costOf(better)
	}
	p.CostLowerBound = min(lb, p.Cost)
	if p.Cost > 0 {
		p.GapPercent = 100 * (p.Cost - p.CostLowerBound) / p.Cost
	}
	return nil
}

// dropRedundant removes chosen sites, costliest first, while the rest still
// meet need (the redundancy elimination of set-covering heuristics).
func (m *model) dropRedundant(s *coverState, chosen []int, need float64) []int {
	order := slices.Clone(chosen)
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(m.cost[b], m.cost[a]) })
	for _, j := range order {
		if s.covered-s.loss(j) >= need-m.eps() {
			s.remove(j)
		}
	}
	kept := chosen[:0]
	for _, j := range chosen {
		if s.chosen[j] {
			kept = append(kept, j)
		}
	}
	return kept
}

// completeCover extends start greedily until need is covered, drops
// redundant sites and returns the plan and its cost.
func (m *model) completeCover(start []int, need float64) ([]int, float64) {
	s := newCoverState(m)
	for _, j := range start {
		s.add(j)
	}
	order := append(slices.Clone(start), m.greedy(s, m.candidates(), need-s.covered, true)...)
	order = m.dropRedundant(s, order, need)
	c := 0.0
	for _, j := range order {
		c += m.cost[j]
	}
	if s.exactCovered() < need-m.eps() {
		return nil, math.Inf(1)
	}
	return order, c
}

// demandCovered returns the residual demand the sites cover together.
func (m *model) demandCovered(sites []int) float64 {
	s := newCoverState(m)
	for _, j := range sites {
		s.add(j)
	}
	return s.exactCovered()
}

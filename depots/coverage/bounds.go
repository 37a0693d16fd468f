package coverage

// Lagrangian bounds for the covering models, each minimised (or, for LSCP,
// maximised) by subgradient steps; each also yields plans along the way
// (a Lagrangian heuristic).

import (
	"context"
	"math"
	"slices"
)

// mclpBound returns a Lagrangian upper bound on the residual demand k sites
// can cover (Galvão & ReVelle 1996): relaxing y_u ≤ Σ_{j covers u} x_j with
// multipliers λ_u ≥ 0 gives
//
//	L(λ) = Σ_u max(0, w_u − λ_u) + (sum of the k largest Σ_{u ∈ S_j} λ_u),
//
// minimised by subgradient steps (Held, Wolfe & Crowder 1974) from λ = w.
// Each iteration's k sites are also a feasible plan; when one covers more
// than lb, it is returned.
func (m *model) mclpBound(ctx context.Context, k int, lb float64, opts SiteOptions) (float64, []int, error) {
	nu, nc := m.units(), m.candidates()
	total := m.coverable()
	if nu == 0 || k == 0 {
		return 0, nil, nil
	}
	if k >= nc {
		return total, nil, nil
	}
	lambda := slices.Clone(m.weight)
	score := make([]float64, nc)
	idx := make([]int, nc)
	cnt := make([]int32, nu)
	g := make([]float64, nu)
	best := total
	var better []int
	theta, stall := 2.0, 0
	iters := opts.iterations()
	for it := range iters {
		if err := opts.checkpoint(ctx, it, iters); err != nil {
			return 0, nil, err
		}
		for j := range nc {
			c := 0.0
			for _, u := range m.covers(j) {
				c += lambda[u]
			}
			score[j] = c
			idx[j] = j
		}
		selectTop(idx, score, k)
		top := idx[:k]
		L := 0.0
		for _, j := range top {
			L += score[j]
		}
		clear(cnt)
		for _, j := range top {
			for _, u := range m.covers(j) {
				cnt[u]++
			}
		}
		cov, norm := 0.0, 0.0
		for u, w := range m.weight {
			y := 0.0
			if w > lambda[u] {
				L += w - lambda[u]
				y = 1
			}
			if cnt[u] > 0 {
				cov += w
			}
			g[u] = float64(cnt[u]) - y
			norm += g[u] * g[u]
		}
		if L < best {
			best, stall = L, 0
		} else if stall++; stall >= 20 {
			theta, stall = theta/2, 0
		}
		if cov > lb+m.eps() {
			lb = cov
			better = slices.Clone(top)
		}
		if norm == 0 || best-lb <= m.eps() || (m.integral && best-lb < 1-1e-9) || theta < 1e-4 {
			break
		}
		t := theta * (L - lb) / norm
		for u := range lambda {
			lambda[u] = max(0, lambda[u]-t*g[u])
		}
	}
	return min(best, total), better, nil
}

// capBound returns a Lagrangian upper bound on the residual demand k
// capacitated sites can serve (after Current & Storbeck 1988): relaxing
// "unit u is served at most w_u in total" with multipliers μ_u ≥ 0 leaves
// one continuous knapsack per site,
//
//	v_j(μ) = max{Σ_u (1 − μ_u) x_u : Σ_u x_u ≤ capacity_j, 0 ≤ x_u ≤ w_u, u within reach of j},
//
// and L(μ) = Σ_u μ_u w_u + (sum of the k largest v_j), minimised by
// subgradient steps from μ = 0, where it equals the k largest
// min(capacity, reachable demand). Each iteration's k sites are also opened
// with the augmenting flow; when they serve more than lb, they are
// returned with the demand they serve.
func (m *model) capBound(ctx context.Context, k int, lb float64, opts SiteOptions) (float64, []int, float64, error) {
	nu, nc := m.units(), m.candidates()
	if nu == 0 || k == 0 {
		return 0, nil, 0, nil
	}
	mu := make([]float64, nu)
	v := make([]float64, nc)
	idx := make([]int, nc)
	longest := 0
	for j := range nc {
		longest = max(longest, len(m.covers(j)))
	}
	items := make([]int, 0, longest)
	ratio := make([]float64, nu)
	x := make([]float64, nu)
	use := make([]float64, nu) // Σ_j x_uj over the top-k sites
	var better []int
	betterServed := 0.0
	flow := newCapFlow(m)
	best := math.Inf(1)
	theta, stall := 2.0, 0
	iters := opts.iterations()
	for it := range iters {
		if err := opts.checkpoint(ctx, it, iters); err != nil {
			return 0, nil, 0, err
		}
		for u := range ratio {
			ratio[u] = mu[u] - 1 // ascending ratio = descending value 1 − μ
		}
		for j := range nc {
			v[j], idx[j] = m.siteKnapsack(j, ratio, items, x), j
		}
		selectTop(idx, v, min(k, nc))
		top := idx[:min(k, nc)]
		L := 0.0
		for u := range mu {
			L += mu[u] * m.weight[u]
		}
		clear(use)
		for _, j := range top {
			L += v[j]
			m.siteKnapsack(j, ratio, items, x)
			for _, u := range m.covers(j) {
				use[u] += x[u]
			}
		}
		if L < best {
			best, stall = L, 0
		} else if stall++; stall >= 20 {
			theta, stall = theta/2, 0
		}
		if it%10 == 0 {
			for _, j := range top {
				flow.openSite(j, math.Inf(1))
			}
			if flow.served > max(lb, betterServed)+m.eps() {
				better, betterServed = slices.Clone(top), flow.served
			}
			flow.undo(0, 0) // back to no site open, without reallocating
		}
		lbNow := max(lb, betterServed)
		if best-lbNow <= m.eps() || (m.integral && best-lbNow < 1-1e-9) || theta < 1e-4 {
			break
		}
		norm := 0.0
		for u := range mu {
			g := m.weight[u] - use[u]
			if mu[u] == 0 && g > 0 {
				g = 0 // the projection would undo this step
			}
			x[u] = g
			norm += g * g
		}
		if norm == 0 {
			break
		}
		t := theta * (L - lbNow) / norm
		for u := range mu {
			mu[u] = max(0, mu[u]-t*x[u])
		}
	}
	return best, better, betterServed, nil
}

// siteKnapsack solves site j's continuous knapsack for capBound: it sets
// x[u] for the units within reach of j (the most valuable, value −ratio[u]
// > 0, up to the site's capacity) and returns the value. items is scratch.
func (m *model) siteKnapsack(j int, ratio []float64, items []int, x []float64) float64 {
	items = items[:0]
	reach := 0.0
	for _, u := range m.covers(j) {
		x[u] = 0
		if ratio[u] < 0 {
			items = append(items, int(u))
			reach += m.weight[u]
		}
	}
	fractionalKnapsack(items, ratio, m.weight, min(m.capacity[j], reach), x)
	val := 0.0
	for _, u := range m.covers(j) {
		x[u] *= m.weight[u] // fractions to amounts
		val -= ratio[u] * x[u]
	}
	return val
}

// lscpBound returns a Lagrangian lower bound on the cost of covering need
// (Beasley 1987, extended to a partial target): relaxing y_u ≤ Σ_{j covers u}
// x_j with λ_u ≥ 0 gives
//
//	L(λ) = Σ_j min(0, c_j − Σ_{u ∈ S_j} λ_u) + min{Σ_u λ_u y_u : Σ_u w_u y_u ≥ need, 0 ≤ y ≤ 1},
//
// the second term a fractional knapsack, maximised by subgradient steps.
// ub is the cost of a known plan. Every few iterations the sites with
// negative reduced cost, completed greedily and pruned of redundant sites,
// give a plan (Beasley's Lagrangian heuristic); when one is cheaper than ub
// it is returned.
func (m *model) lscpBound(ctx context.Context, need, ub float64, opts SiteOptions) (float64, []int, error) {
	var better []int
	nu, nc := m.units(), m.candidates()
	lambda := make([]float64, nu)
	for u := range lambda {
		lambda[u] = math.Inf(1)
		for _, j := range m.coveredBy(u) {
			lambda[u] = min(lambda[u], m.cost[j]/float64(len(m.covers(int(j)))))
		}
	}
	full := need >= m.coverable()-m.eps()
	y := make([]float64, nu)
	g := make([]float64, nu)
	order := make([]int, nu)
	ratio := make([]float64, nu)
	integral := true
	for _, c := range m.cost {
		integral = integral && c == math.Trunc(c)
	}
	best := 0.0
	theta, stall := 2.0, 0
	var pick []int
	iters := opts.iterations()
	for it := range iters {
		if err := opts.checkpoint(ctx, it, iters); err != nil {
			return 0, nil, err
		}
		// y: the cheapest demand (per unit of weight) up to need.
		if full {
			for u := range y {
				y[u] = 1
			}
		} else {
			for u := range order {
				order[u] = u
				ratio[u] = lambda[u] / m.weight[u]
			}
			fractionalKnapsack(order, ratio, m.weight, need, y)
		}
		L := 0.0
		for u := range y {
			L += lambda[u] * y[u]
			g[u] = y[u]
		}
		pick = pick[:0]
		for j := range nc {
			r := m.cost[j]
			for _, u := range m.covers(j) {
				r -= lambda[u]
			}
			if r < 0 {
				L += r
				pick = append(pick, j)
				for _, u := range m.covers(j) {
					g[u]--
				}
			}
		}
		if it%5 == 0 && !opts.Capacitated {
			if set, c := m.completeCover(pick, need); c < ub-1e-9*ub {
				ub, better = c, set
			}
		}
		if L > best {
			best, stall = L, 0
		} else if stall++; stall >= 20 {
			theta, stall = theta/2, 0
		}
		if integral && math.Ceil(best-1e-9) >= ub || ub-best <= 1e-9*ub || theta < 1e-4 {
			break
		}
		norm := 0.0
		for u := range g {
			if lambda[u] == 0 && g[u] < 0 {
				g[u] = 0 // the projection would undo this step
			}
			norm += g[u] * g[u]
		}
		if norm == 0 {
			break
		}
		t := theta * (ub - L) / norm
		for u := range lambda {
			lambda[u] = max(0, lambda[u]+t*g[u])
		}
	}
	if integral {
		best = math.Ceil(best - 1e-9)
	}
	return max(0, best), better, nil
}

// checkpoint runs at the start of subgradient iteration it of iters: every
// 16 iterations it reports progress and returns the context's error.
func (o *SiteOptions) checkpoint(ctx context.Context, it, iters int) error {
	if it%16 != 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.Progress != nil {
		o.Progress(it, iters)
	}
	return nil
}

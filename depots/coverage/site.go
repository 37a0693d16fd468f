package coverage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// SiteOptions tune SelectSites. The embedded Options give the default
// radius, circuity, resolution, workers and progress (called with demand
// cells scanned, then with subgradient iterations done).
type SiteOptions struct {
	Options
	// Add is the number of sites MCLP adds. Exactly one of Add > 0 and
	// Target > 0 must be set.
	Add int
	// Target is the share of total demand (0 < Target ≤ 1) that LSCP must
	// cover, with the existing points and the new sites together.
	Target float64
	// Capacitated limits each site to its CapacityPerDay (Current & Storbeck
	// 1988); existing points then count only the demand they serve within
	// capacity.
	Capacitated bool
	// Iterations bounds the subgradient iterations of the Lagrangian bound;
	// 0 means 1000.
	Iterations int
	// SwapPasses bounds the interchange passes of MCLP; 0 means 50.
	SwapPasses int

	heuristicOnly bool // tests: skip exact enumeration on small instances
}

// Plan is the result of SelectSites.
type Plan struct {
	// Model is "MCLP", "LSCP", "capacitated MCLP" or "capacitated LSCP".
	Model string `json:"model"`
	// Chosen lists the ids of the chosen candidates, in the order picked.
	Chosen      []string `json:"chosen"`
	ChosenIndex []int    `json:"-"`
	TotalDemand float64  `json:"total_demand"`
	// ExistingCovered is the demand the existing points cover (served
	// within capacity, for capacitated models) without new sites.
	ExistingCovered float64 `json:"existing_covered"`
	// CoveredDemand is the demand covered with the chosen sites added
	// (served within capacity, for capacitated models).
	CoveredDemand float64 `json:"covered_demand"`
	// UpperBound bounds CoveredDemand over every choice of Add sites (MCLP;
	// a Lagrangian bound) or over every choice at all (LSCP: all demand some
	// point can reach).
	UpperBound float64 `json:"upper_bound"`
	// Cost is the total cost of the chosen sites (their number when no
	// costs are given); CostLowerBound is a Lagrangian lower bound on the
	// cost of any plan that reaches the target (LSCP only).
	Cost           float64 `json:"cost"`
	CostLowerBound float64 `json:"cost_lower_bound,omitempty"`
	// GapPercent is how far from optimal the plan can be: for MCLP
	// 100·(UpperBound − CoveredDemand)/UpperBound, for LSCP
	// 100·(Cost − CostLowerBound)/Cost.
	GapPercent float64 `json:"gap_percent"`
	// Units is the number of demand units (distinct coverage signatures)
	// the models worked on; Uncoverable is the demand no point reaches.
	Units       int     `json:"units"`
	Uncoverable float64 `json:"uncoverable"`
	// Exact is true when the plan is proven optimal by enumeration (small
	// instances); the bound then equals the plan's value.
	Exact bool `json:"exact"`
}

// SelectSites chooses new sites among candidates, keeping the existing
// points: MCLP (opts.Add sites maximising covered demand) or LSCP (the least
// cost, by default the fewest, sites reaching opts.Target), optionally
// capacitated. See the package documentation for the algorithms and bounds.
func SelectSites(ctx context.Context, demand []Demand, existing, candidates []Point, opts SiteOptions) (*Plan, error) {
	if len(demand) == 0 {
		return nil, fmt.Errorf("%w: no demand points", ErrInvalid)
	}
	if len(candidates) == 0 {
		return nil, fmt.Errorf("%w: no candidate sites", ErrInvalid)
	}
	switch {
	case opts.Add < 0:
		return nil, errorf("number of sites to add %d < 0", opts.Add)
	case !(opts.Target >= 0 && opts.Target <= 1):
		return nil, errorf("target %v outside 0..1", opts.Target)
	case (opts.Add > 0) == (opts.Target > 0):
		return nil, errorf("give exactly one of a number of sites to add (MCLP) and a coverage target (LSCP)")
	}
	reach, err := validate(&opts.Options, demand, candidates, "candidate")
	if err != nil {
		return nil, err
	}
	exReach, err := validate(&opts.Options, nil, existing, "existing point")
	if err != nil {
		return nil, err
	}
	res, err := resolution(&opts.Options, append(slices.Clone(reach), exReach...))
	if err != nil {
		return nil, err
	}
	opts.Resolution = res
	residual := make([]float64, len(demand))
	for i, d := range demand {
		residual[i] = d.Weight
	}
	if len(existing) > 0 {
		o := opts.Options
		o.Progress = nil
		rep, err := Analyze(ctx, demand, existing, o)
		if err != nil {
			return nil, fmt.Errorf("existing points: %w", err)
		}
		for i := range residual {
			switch {
			case opts.Capacitated:
				residual[i] = max(0, demand[i].Weight-rep.Served[i])
			case rep.Nearest[i] >= 0:
				residual[i] = 0
			}
		}
	}
	m, err := newModel(ctx, demand, residual, candidates, reach, res, &opts.Options)
	if err != nil {
		return nil, err
	}
	var p *Plan
	if opts.Add > 0 {
		p, err = m.mclp(ctx, opts)
	} else {
		p, err = m.lscp(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	for _, j := range p.ChosenIndex {
		p.Chosen = append(p.Chosen, candidates[j].ID)
	}
	return p, nil
}

func (o *SiteOptions) iterations() int {
	if o.Iterations <= 0 {
		return 1000
	}
	return o.Iterations
}

func (m *model) plan(name string) *Plan {
	return &Plan{Model: name, TotalDemand: m.total, ExistingCovered: m.base,
		Units: m.units(), Uncoverable: m.uncoverable, Chosen: []string{}}
}

// coverable is the residual demand some candidate reaches.
func (m *model) coverable() float64 {
	s := 0.0
	for _, w := range m.weight {
		s += w
	}
	return s
}

// tolerance for comparing sums of demand.
func (m *model) eps() float64 { return 1e-9 * max(1, m.total) }

func (m *model) mclp(ctx context.Context, opts SiteOptions) (*Plan, error) {
	k := min(opts.Add, m.candidates())
	if opts.Capacitated {
		p := m.plan("capacitated MCLP")
		if !opts.heuristicOnly {
			best, served, ok, err := m.exactCapMCLP(ctx, k)
			if err != nil {
				return nil, err
			}
			if ok {
				p.ChosenIndex, p.CoveredDemand, p.UpperBound, p.Exact = best, m.base+served, m.base+served, true
				m.finishMCLP(p)
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
		m.finishMCLP(p)
		return p, nil
	}
	p := m.plan("MCLP")
	if best, cov, ok := m.exactMCLP(k); ok && !opts.heuristicOnly {
		p.ChosenIndex, p.CoveredDemand, p.UpperBound, p.Exact = best, m.base+cov, m.base+cov, true
		m.finishMCLP(p)
		return p, nil
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
	// Report in pick order, then any sites swapped in.
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
	p.ChosenIndex = chosen
	p.CoveredDemand = m.base + s.exactCovered()
	p.UpperBound = m.base + ub
	m.finishMCLP(p)
	return p, nil
}

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
		if it%16 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, err
			}
			if opts.Progress != nil {
				opts.Progress(it, iters)
			}
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
		if it%16 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, 0, err
			}
			if opts.Progress != nil {
				opts.Progress(it, iters)
			}
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
	var chosen []int
	var covered float64
	if opts.Capacitated {
		if !opts.heuristicOnly {
			best, cost, ok, err := m.exactCapLSCP(ctx, need)
			if err != nil {
				return nil, err
			}
			if ok {
				served, err := m.maxServed(ctx, best)
				if err != nil {
					return nil, err
				}
				p.ChosenIndex, p.CoveredDemand, p.Cost, p.CostLowerBound, p.Exact = best, m.base+min(served, need), cost, cost, true
				return p, nil
			}
		}
		chosen, covered = m.capacitatedGreedy(m.candidates(), need, true)
		chosen, covered = m.dropRedundantCap(chosen, covered, need)
		chosen, covered = m.swapCheaperCap(ctx, chosen, covered, need)
		chosen, covered = m.ruinRecreateCap(ctx, chosen, covered, need)
		if covered < need-m.eps() {
			return nil, fmt.Errorf("%w: target %.4g%% of demand cannot be served within the candidates' capacities (at most %.4g%% reached)",
				ErrInfeasible, 100*opts.Target, 100*(m.base+covered)/m.total)
		}
	} else if best, cost, ok := m.exactLSCP(need); ok && !opts.heuristicOnly {
		s := newCoverState(m)
		for _, j := range best {
			s.add(j)
		}
		p.ChosenIndex, p.CoveredDemand, p.Cost, p.CostLowerBound, p.Exact = best, m.base+s.exactCovered(), cost, cost, true
		return p, nil
	} else {
		s := newCoverState(m)
		chosen = m.greedy(s, m.candidates(), need, true)
		chosen = m.dropRedundant(s, chosen, need)
		covered = s.exactCovered()
	}
	p.ChosenIndex = chosen
	p.CoveredDemand = m.base + covered
	for _, j := range chosen {
		p.Cost += m.cost[j]
	}
	lb, better, err := m.lscpBound(ctx, need, p.Cost, opts)
	if err != nil {
		return nil, err
	}
	if better != nil && !opts.Capacitated {
		s := newCoverState(m)
		for _, j := range better {
			s.add(j)
		}
		p.ChosenIndex, p.CoveredDemand, p.Cost = better, m.base+s.exactCovered(), 0
		for _, j := range better {
			p.Cost += m.cost[j]
		}
	}
	p.CostLowerBound = min(lb, p.Cost)
	if p.Cost > 0 {
		p.GapPercent = 100 * (p.Cost - p.CostLowerBound) / p.Cost
	}
	return p, nil
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
		if it%16 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, err
			}
			if opts.Progress != nil {
				opts.Progress(it, iters)
			}
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

// selectTop reorders items so that items[:k] hold k items of largest score
// (quickselect with three-way partitions, expected linear time).
func selectTop(items []int, score []float64, k int) {
	lo, hi := 0, len(items) // the cut lies in items[lo:hi]
	for hi-lo > 1 {
		a, b, c := score[items[lo]], score[items[(lo+hi)/2]], score[items[hi-1]]
		p := max(min(a, b), min(max(a, b), c))
		// Three-way partition of items[lo:hi]: [greater | equal | less].
		gt, i, lt := lo, lo, hi
		for i < lt {
			switch r := score[items[i]]; {
			case r > p:
				items[gt], items[i] = items[i], items[gt]
				gt++
				i++
			case r < p:
				lt--
				items[i], items[lt] = items[lt], items[i]
			default:
				i++
			}
		}
		switch {
		case k < gt:
			hi = gt
		case k <= lt:
			return
		default:
			lo = lt
		}
	}
}

// fractionalKnapsack sets y (0 ≤ y ≤ 1) to cover need of the weights w at
// least cost Σ ratio·w·y: the items of smallest ratio first, the last one
// in part. It finds the cut by weighted quickselect (three-way partitions
// around a median-of-three pivot, Hoare 1961) in expected linear time
// rather than sorting. items is reordered.
func fractionalKnapsack(items []int, ratio, w []float64, need float64, y []float64) {
	for _, u := range items {
		y[u] = 0
	}
	for len(items) > 0 && need > 0 {
		a, b, c := ratio[items[0]], ratio[items[len(items)/2]], ratio[items[len(items)-1]]
		p := max(min(a, b), min(max(a, b), c)) // median of three
		// Three-way partition: [less | equal | greater].
		lt, i, gt := 0, 0, len(items)
		for i < gt {
			switch r := ratio[items[i]]; {
			case r < p:
				items[lt], items[i] = items[i], items[lt]
				lt++
				i++
			case r > p:
				gt--
				items[i], items[gt] = items[gt], items[i]
			default:
				i++
			}
		}
		wl := 0.0
		for _, u := range items[:lt] {
			wl += w[u]
		}
		if wl >= need {
			items = items[:lt]
			continue
		}
		for _, u := range items[:lt] {
			y[u] = 1
		}
		need -= wl
		for _, u := range items[lt:gt] {
			if need <= 0 {
				break
			}
			y[u] = min(1, need/w[u])
			need -= w[u]
		}
		items = items[gt:]
	}
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

// maxHeap is a binary max-heap of (key, index), ties broken by lower index
// so that every run picks the same sites.
type maxHeap struct {
	key []float64
	idx []int
}

func (h *maxHeap) len() int     { return len(h.key) }
func (h *maxHeap) top() float64 { return h.key[0] }
func (h *maxHeap) less(a, b int) bool { // a before b
	return h.key[a] > h.key[b] || h.key[a] == h.key[b] && h.idx[a] < h.idx[b]
}
func (h *maxHeap) swapAt(a, b int) {
	h.key[a], h.key[b] = h.key[b], h.key[a]
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
}

func (h *maxHeap) push(key float64, j int) {
	h.key = append(h.key, key)
	h.idx = append(h.idx, j)
	for i := len(h.key) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.swapAt(i, p)
		i = p
	}
}

func (h *maxHeap) pop() (float64, int) {
	key, j := h.key[0], h.idx[0]
	n := len(h.key) - 1
	h.swapAt(0, n)
	h.key, h.idx = h.key[:n], h.idx[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h.swapAt(i, m)
		i = m
	}
	return key, j
}

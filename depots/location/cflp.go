package location

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

// Flow is an amount of one customer's demand served by one facility.
type Flow struct {
	Facility, Customer int
	Amount             int64
}

// CFLPSolution is a solution of a CFLP.
type CFLPSolution struct {
	// Cost is Σ_open Fixed[i] + Σ_flows Amount/Demand[j]·Cost[i][j].
	Cost float64
	// Open lists the open facilities, ascending, 0-based.
	Open []int
	// Flows lists the nonzero shipments, by customer then facility.
	Flows []Flow
	// LowerBound is the best proven lower bound on the optimal cost.
	LowerBound float64
	// Optimal reports that branch-and-bound closed the tree: Cost is
	// optimal within a relative tolerance of 1e-7.
	Optimal bool
	// Nodes is the number of branch-and-bound nodes explored.
	Nodes int
}

// pruneTol is the relative tolerance at which a bound prunes a node.
const pruneTol = 1e-7

// SolveCFLP solves the multi-source capacitated facility location
// problem: demand may be split between facilities.
//
// The lower bound is the Lagrangian relaxation of the demand
// constraints strengthened by the aggregate capacity constraint
// Σ s_i y_i ≥ Σ d_j (Cornuejols, Sridharan & Thizy 1991; Beasley 1988):
// for multipliers λ each facility's subproblem is a continuous knapsack,
// and choosing the facilities is a 0-1 covering knapsack, solved exactly.
// The multipliers are found by subgradient optimisation. Primal solutions
// come from the facilities the relaxation opens (a Lagrangian heuristic):
// for an open set the allocation is an exact transportation problem
// (flow.Transport), and the best set is improved by drop, add and swap
// moves. A best-first branch-and-bound over open/closed facilities, with
// the Lagrangian bound warm-started from the parent's multipliers, then
// closes the gap; it stops after opts.Iterations nodes (default 5000) or
// at the time limit, and the bound reported is the smallest among the
// open nodes.
func SolveCFLP(ctx context.Context, p *CFLP, opts Options) (*CFLPSolution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	clk := newClock(ctx, opts.TimeLimit)
	s := newCFLPSearch(ctx, p)
	m := p.M()

	// Start from all facilities open: feasible by Validate unless some
	// customer has no allowed facility.
	all := make([]bool, m)
	for i := range all {
		all[i] = true
	}
	if c := s.eval(all); math.IsInf(c, 1) {
		if s.err != nil {
			return nil, s.err
		}
		return nil, fmt.Errorf("%w: demand cannot be served even with every facility open", ErrInfeasible)
	}
	root := &cflpNode{fix: make([]int8, m), lambda: s.initialLambda(), bound: math.Inf(-1)}
	for i := range root.fix {
		root.fix[i] = -1
	}
	// A short subgradient run finds good open sets, local search improves
	// the best; a longer run then tightens the bound from where it was.
	// With many facilities, where branch-and-bound cannot close the gap
	// in reasonable time, the primal search goes first and the bound gets
	// the time that is left.
	big := m > 60
	s.lagrange(clk, root, 150, 2)
	s.improve(clk, true)
	opts.report(0, s.ub, root.bound)
	if big {
		s.improve(clk, true)
		opts.report(0, s.ub, root.bound)
		s.perturb(clk, rand.New(rand.NewPCG(opts.Seed, 0x5851f42d4c957f2d)), 100)
		opts.report(0, s.ub, root.bound)
	}
	ub := s.ub
	s.lagrange(clk, root, 250, 0.5)
	if s.ub < ub {
		s.improve(clk, true)
	}
	if !big && !s.pruned(root.bound) {
		// With the final multipliers the screen is at its sharpest:
		// search the whole add and swap neighbourhood.
		s.improve(clk, true)
	}
	if s.err != nil {
		return nil, s.err
	}
	opts.report(0, s.ub, root.bound)

	nodes, maxNodes := 1, opts.Iterations
	if maxNodes <= 0 {
		maxNodes = 5000
	}
	q := &nodeQueue{}
	if !s.pruned(root.bound) {
		heap.Push(q, root)
	}
	// A popped root is reprocessed only through its children: branch.
	first := true
	for q.Len() > 0 && nodes < maxNodes && !clk.expired() {
		nd := heap.Pop(q).(*cflpNode)
		if s.pruned(nd.bound) {
			continue
		}
		if !first {
			s.lagrange(clk, nd, 60, 0.5)
			nodes++
			if s.err != nil {
				return nil, s.err
			}
			if s.pruned(nd.bound) {
				continue
			}
		}
		first = false
		b := nd.branchVar()
		if b < 0 {
			// Every facility fixed: the node is one open set, evaluated
			// exactly by its transportation problem.
			s.eval(fixedOpen(nd.fix))
			continue
		}
		for _, v := range []int8{1, 0} {
			child := &cflpNode{fix: slices.Clone(nd.fix), lambda: slices.Clone(nd.lambda), bound: nd.bound}
			child.fix[b] = v
			heap.Push(q, child)
		}
		if nodes%50 == 0 {
			opts.report(nodes, s.ub, s.globalBound(q))
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	lb := s.globalBound(q)
	sol, err := s.solution()
	if err != nil {
		return nil, err
	}
	sol.LowerBound = min(lb, sol.Cost)
	sol.Optimal = q.Len() == 0 || s.pruned(lb)
	sol.Nodes = nodes
	return sol, nil
}

// cflpSearch is the state shared by the bound, the heuristics and the
// branch-and-bound.
type cflpSearch struct {
	ctx    context.Context
	p      *CFLP
	m, n   int
	unit   []float64 // per-unit cost, unit[i*n+j] = Cost/Demand, +Inf if forbidden
	demand int64

	cache  map[string]evalEntry
	ub     float64
	best   []bool
	bestTr *flow.Transportation
	err    error // a non-recoverable error from Transport

	// Subgradient scratch.
	items [][]item
	v     []float64
	g     []float64
	y     []bool
	order []int
	// lastV holds each facility's Lagrangian value v_i at the root's best
	// multipliers, and lastLam their sum: Σλ + Σ_{i∈O} v_i is then a lower
	// bound on the cost of any open set O, which screens local-search
	// moves, and v ranks the facilities.
	lastV   []float64
	lastLam float64
	lamSum  float64 // Σλ of the last relax call
	openBuf []int
	supply  []int64

	evalEvery int // subgradient iterations between Lagrangian heuristic calls
}

// evalEntry is a priced open set: its cost and the shadow prices of the
// open facilities' capacities in its transportation problem.
type evalEntry struct {
	cost  float64
	price []float64
}

type item struct {
	j    int32
	frac float64
}

func newCFLPSearch(ctx context.Context, p *CFLP) *cflpSearch {
	m, n := p.M(), p.N()
	s := &cflpSearch{ctx: ctx, p: p, m: m, n: n, unit: make([]float64, m*n), cache: map[string]evalEntry{}, ub: math.Inf(1),
		items: make([][]item, m), v: make([]float64, m), g: make([]float64, n), y: make([]bool, m), supply: make([]int64, m)}
	s.evalEvery = 4
	if m*n > 20000 {
		s.evalEvery = 10 // each transportation problem costs milliseconds
	}
	for j := 0; j < n; j++ {
		s.demand += p.Demand[j]
		for i := 0; i < m; i++ {
			c := p.Cost[i*n+j]
			switch {
			case math.IsInf(c, 1):
				s.unit[i*n+j] = c
			case p.Demand[j] == 0:
				s.unit[i*n+j] = 0
			default:
				s.unit[i*n+j] = c / float64(p.Demand[j])
			}
		}
	}
	return s
}

func (s *cflpSearch) pruned(bound float64) bool {
	return bound >= s.ub-pruneTol*math.Abs(s.ub)
}

func boolKey(open []bool) string {
	b := make([]byte, (len(open)+7)/8)
	for i, o := range open {
		if o {
			b[i/8] |= 1 << (i % 8)
		}
	}
	return string(b)
}

// eval returns the cost of opening exactly the facilities in open and
// serving all demand optimally, +Inf if that is infeasible, and updates
// the incumbent.
func (s *cflpSearch) eval(open []bool) float64 {
	key := boolKey(open)
	if e, ok := s.cache[key]; ok {
		return e.cost
	}
	var capOpen int64
	fixed := 0.0
	for i, o := range open {
		s.supply[i] = 0
		if o {
			s.supply[i] = s.p.Capacity[i]
			capOpen += s.p.Capacity[i]
			fixed += s.p.Fixed[i]
		}
	}
	c := math.Inf(1)
	var price []float64
	if capOpen >= s.demand && fixed < s.ub {
		tr, err := flow.Transport(s.ctx, s.supply, s.p.Demand, s.unit, flow.TransportOptions{})
		switch {
		case err == nil:
			c = fixed + tr.Cost
			price = tr.Price
			if c < s.ub {
				s.ub, s.best, s.bestTr = c, slices.Clone(open), tr
			}
		case errors.Is(err, flow.ErrInfeasible):
		case s.ctx.Err() != nil:
			// Cancelled: the search stops at its next clock check and
			// returns the incumbent; this set stays unpriced.
			return c
		default:
			if s.err == nil {
				s.err = err
			}
		}
	}
	s.cache[key] = evalEntry{cost: c, price: price}
	return c
}

// hopeless reports whether the incumbent's capacity prices show that
// open set o cannot beat the incumbent.
func (s *cflpSearch) hopeless(o []bool) bool {
	if s.best == nil {
		return false
	}
	if _, ok := s.cache[boolKey(o)]; ok {
		return false // already priced: eval is free
	}
	price := s.cache[boolKey(s.best)].price
	return price != nil && s.pruned(s.dualBound(o, price))
}

// dualBound is a lower bound on the cost of open set o from the capacity
// prices of a priced set (weak LP duality, see flow.Transportation.Price;
// facilities that set did not open count at price 0). It costs O(N·|o|)
// instead of a transportation problem.
func (s *cflpSearch) dualBound(o []bool, price []float64) float64 {
	p, n := s.p, s.n
	lb := 0.0
	open := s.openBuf[:0]
	for i, on := range o {
		if on && p.Capacity[i] > 0 {
			open = append(open, i)
			lb += p.Fixed[i] - float64(p.Capacity[i])*price[i]
		}
	}
	s.openBuf = open
	for j := 0; j < n; j++ {
		d := p.Demand[j]
		if d == 0 {
			continue
		}
		best := math.Inf(1)
		for _, i := range open {
			best = min(best, s.unit[i*n+j]+price[i])
		}
		lb += float64(d) * best
	}
	return lb
}

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

// cflpNode is a branch-and-bound node: fix[i] is -1 (free), 0 (closed)
// or 1 (open).
type cflpNode struct {
	fix    []int8
	lambda []float64
	bound  float64
	avgY   []float64 // ergodic average of y over the node's iterations
}

func (nd *cflpNode) branchVar() int {
	bi, bd := -1, 2.0
	for i, f := range nd.fix {
		if f >= 0 {
			continue
		}
		a := 0.5
		if nd.avgY != nil {
			a = nd.avgY[i]
		}
		if d := math.Abs(a - 0.5); d < bd {
			bi, bd = i, d
		}
	}
	return bi
}

func fixedOpen(fix []int8) []bool {
	o := make([]bool, len(fix))
	for i, f := range fix {
		o[i] = f == 1
	}
	return o
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
		// Continuous knapsack: customers with negative reduced cost, the
		// most negative per unit of demand first.
		its := s.items[i]
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
		s.v[i] = v
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
	byV := func(xs []int, asc bool) {
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
		byV(open, false)
		byV(closed, true)
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

// screened reports whether the Lagrangian bound of open set o shows it
// cannot cost less than c, so it need not be priced.
func (s *cflpSearch) screened(o []bool, c float64) bool {
	if s.lastV == nil {
		return false
	}
	lb := s.lastLam
	for i, on := range o {
		if on {
			lb += s.lastV[i]
		}
	}
	return lb >= c-pruneTol*math.Abs(c)
}

// globalBound is the smallest bound among the open nodes, or the
// incumbent's cost when the tree is empty.
func (s *cflpSearch) globalBound(q *nodeQueue) float64 {
	lb := s.ub
	for _, nd := range *q {
		lb = min(lb, nd.bound)
	}
	return lb
}

func (s *cflpSearch) solution() (*CFLPSolution, error) {
	if s.best == nil {
		return nil, fmt.Errorf("%w: no feasible open set found", ErrInfeasible)
	}
	p, n := s.p, s.n
	sol := &CFLPSolution{}
	for i, o := range s.best {
		if o {
			sol.Open = append(sol.Open, i)
			sol.Cost += p.Fixed[i]
		}
	}
	for j := 0; j < n; j++ {
		for i := 0; i < s.m; i++ {
			if a := s.bestTr.Flow[i*n+j]; a > 0 {
				sol.Flows = append(sol.Flows, Flow{Facility: i, Customer: j, Amount: a})
				sol.Cost += float64(a) / float64(p.Demand[j]) * p.Cost[i*n+j]
			}
		}
	}
	return sol, nil
}

// nodeQueue is a best-bound-first priority queue.
type nodeQueue []*cflpNode

func (q nodeQueue) Len() int           { return len(q) }
func (q nodeQueue) Less(a, b int) bool { return q[a].bound < q[b].bound }
func (q nodeQueue) Swap(a, b int)      { q[a], q[b] = q[b], q[a] }
func (q *nodeQueue) Push(x any)        { *q = append(*q, x.(*cflpNode)) }
func (q *nodeQueue) Pop() any {
	o := *q
	x := o[len(o)-1]
	*q = o[:len(o)-1]
	return x
}

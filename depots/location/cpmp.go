package location

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

// SolveCPMP solves the capacitated p-median problem (single source).
//
// The bound relaxes the assignment constraints in the Lagrangian way:
// each facility's subproblem is then a 0-1 knapsack over the customers,
// solved exactly by dynamic programming, and the P facilities with the
// smallest values are opened; the multipliers come from subgradient
// optimisation (Mulvey & Beck 1984; Lorena & Senne 2004 use the same
// relaxation). Primal solutions: for a set of medians, customers are
// assigned by the regret heuristic of Martello & Toth (1981) for the
// generalised assignment problem and improved by shift and swap moves;
// medians are improved by swapping one for a nearby non-median and by
// relocating each median to the best vertex of its cluster (the
// location-allocation idea of Osman & Christofides 1994). Each set of
// medians is also allocated by rounding the optimal fractional
// assignment (a transportation problem solved by package flow, in which
// at most P−1 customers are split), and the better allocation is kept. A variable
// neighbourhood search (Hansen & Mladenović 1997) perturbs k medians at a
// time, for opts.Iterations iterations (default 1000) or until the
// time limit or a proof of optimality.
func SolveCPMP(ctx context.Context, p *CPMP, opts Options) (*PMedianSolution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	clk := newClock(ctx, opts.TimeLimit)
	s := newCPMPSearch(p)
	rng := rand.New(rand.NewPCG(opts.Seed, 0x2545f4914f6cdd1d))

	// Start from the uncapacitated greedy medians.
	start := s.greedyMedians()
	s.tryMedians(clk, start)
	tried := map[string]bool{}
	lb := s.bound(clk, 500, func(set []int) {
		key := setKey(set)
		if tried[key] {
			return
		}
		tried[key] = true
		s.tryMedians(clk, set)
	})
	opts.report(0, float64(s.bestCost), lb)

	iters := opts.Iterations
	if iters <= 0 {
		iters = 1000
	}
	kmax := min(p.P, p.M-p.P, 5)
	k := 1
	for it := 1; it <= iters && kmax > 0 && s.best != nil; it++ {
		if float64(s.bestCost) <= math.Ceil(lb-1e-9) || clk.expired() {
			break
		}
		set := slices.Clone(s.bestOpen)
		isOpen := make([]bool, p.M)
		for _, i := range set {
			isOpen[i] = true
		}
		for r := 0; r < k; r++ {
			out := rng.IntN(len(set))
			in := rng.IntN(p.M)
			for isOpen[in] {
				in = rng.IntN(p.M)
			}
			isOpen[set[out]], isOpen[in] = false, true
			set[out] = in
		}
		before := s.bestCost
		s.tryMedians(clk, set)
		if s.bestCost < before {
			k = 1
			opts.report(it, float64(s.bestCost), lb)
		} else if k++; k > kmax {
			k = 1
		}
	}
	if s.best == nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: no feasible assignment found", ErrInfeasible)
	}
	sol := &PMedianSolution{Cost: s.bestCost, Open: slices.Sorted(slices.Values(s.bestOpen)), Assign: slices.Clone(s.best), LowerBound: lb}
	sol.Optimal = float64(sol.Cost) <= math.Ceil(lb-1e-9)
	return sol, nil
}

type cpmpSearch struct {
	p        *CPMP
	best     []int // assignment
	bestOpen []int
	bestCost int64

	assign []int
	load   []int64
	open   []bool

	i1, i2 []int // allocate's best and second-best median per customer
	regret []int64

	useLP  bool
	keep   []int
	supply []int64
	unit   []float64
}

// allocateLP assigns customers from the optimal fractional assignment (a
// transportation problem, in which at most P−1 customers are split),
// places the split customers where they fit best, then improves by
// shift and swap moves. It falls back to the regret greedy when the
// rounding fails.
func (s *cpmpSearch) allocateLP(ctx context.Context, set []int) int64 {
	p := s.p
	n, k := p.N, len(set)
	if len(s.unit) < k*n {
		s.unit = make([]float64, k*n)
		s.supply = make([]int64, k)
	}
	unit, supply := s.unit[:k*n], s.supply[:k]
	for a, i := range set {
		supply[a] = p.Capacity[i]
		for j := 0; j < n; j++ {
			if p.Demand[j] > 0 {
				unit[a*n+j] = float64(s.d(j, i)) / float64(p.Demand[j])
			} else {
				unit[a*n+j] = 0
			}
		}
	}
	tr, err := flow.Transport(ctx, supply, p.Demand, unit, flow.TransportOptions{})
	if err != nil {
		return math.MaxInt64
	}
	for _, i := range set {
		s.load[i] = 0
	}
	var split []int
	for j := 0; j < n; j++ {
		s.assign[j] = -1
		for a, i := range set {
			if f := tr.Flow[a*n+j]; f == p.Demand[j] {
				s.assign[j] = i
				s.load[i] += f
				break
			}
		}
		if s.assign[j] < 0 {
			split = append(split, j)
		}
	}
	for _, j := range split {
		// The median that got the largest share, if it fits, else the
		// nearest that fits.
		bi, bf := -1, int64(0)
		for a, i := range set {
			if f := tr.Flow[a*n+j]; f > bf && s.load[i]+p.Demand[j] <= p.Capacity[i] {
				bi, bf = i, f
			}
		}
		if bi < 0 {
			bd := int64(math.MaxInt64)
			for _, i := range set {
				if s.load[i]+p.Demand[j] <= p.Capacity[i] && s.d(j, i) < bd {
					bi, bd = i, s.d(j, i)
				}
			}
		}
		if bi < 0 {
			return s.repair(set)
		}
		s.assign[j] = bi
		s.load[bi] += p.Demand[j]
	}
	return s.improveAssignment(set)
}

func newCPMPSearch(p *CPMP) *cpmpSearch {
	return &cpmpSearch{p: p, bestCost: math.MaxInt64, assign: make([]int, p.N), load: make([]int64, p.M), open: make([]bool, p.M), useLP: true}
}

func (s *cpmpSearch) d(j, i int) int64 { return int64(s.p.Dist[j*s.p.M+i]) }

// greedyMedians picks P medians greedily ignoring capacities.
func (s *cpmpSearch) greedyMedians() []int {
	p := s.p
	cur := make([]int64, p.N)
	for j := range cur {
		cur[j] = math.MaxInt64
	}
	var set []int
	used := make([]bool, p.M)
	for len(set) < p.P {
		bi, bc := -1, int64(math.MaxInt64)
		for i := 0; i < p.M; i++ {
			if used[i] {
				continue
			}
			var c int64
			for j := 0; j < p.N; j++ {
				c += min(cur[j], s.d(j, i))
			}
			if c < bc {
				bi, bc = i, c
			}
		}
		used[bi] = true
		set = append(set, bi)
		for j := 0; j < p.N; j++ {
			cur[j] = min(cur[j], s.d(j, bi))
		}
	}
	return set
}

// tryMedians improves the median set by local search and records the
// best solution found.
func (s *cpmpSearch) tryMedians(clk clock, set []int) {
	set = slices.Clone(set)
	cost := s.allocate(clk.ctx, set)
	for improved := true; improved && !clk.expired(); {
		improved = false
		// Relocate each median to the vertex of its cluster closest to
		// the cluster's customers (capacity permitting).
		if c, nset := s.relocate(clk.ctx, set); c < cost {
			set, cost, improved = nset, c, true
			continue
		}
		// Swap a median for one of its nearest non-medians.
		isOpen := make([]bool, s.p.M)
		for _, i := range set {
			isOpen[i] = true
		}
		for k := 0; k < len(set) && !improved; k++ {
			out := set[k]
			for _, in := range s.nearby(out, isOpen, 8) {
				set[k] = in
				if c := s.allocate(clk.ctx, set); c < cost {
					cost, improved = c, true
					break
				}
				set[k] = out
			}
		}
	}
	if cost >= s.bestCost {
		return
	}
	// Allocate again to leave the assignment in s.assign. When ctx was
	// cancelled meanwhile, the transportation LP gives up and the regret
	// greedy's assignment stays, so record the cost of what is left.
	if cost = s.allocate(clk.ctx, set); cost < s.bestCost {
		s.bestCost = cost
		s.best = slices.Clone(s.assign)
		s.bestOpen = slices.Clone(set)
	}
}

// nearby returns up to k closed facilities nearest to facility i, by the
// distance from the customer at i when customers and facilities coincide,
// otherwise by the distance profile over customers.
func (s *cpmpSearch) nearby(i int, isOpen []bool, k int) []int {
	p := s.p
	type cand struct {
		i int
		d int64
	}
	var cs []cand
	for c := 0; c < p.M; c++ {
		if isOpen[c] || p.Capacity[c] == 0 {
			continue
		}
		var d int64
		if p.N == p.M {
			d = s.d(i, c)
		} else {
			for j := 0; j < p.N; j += max(1, p.N/16) {
				d += abs64(s.d(j, c) - s.d(j, i))
			}
		}
		cs = append(cs, cand{c, d})
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if a.d != b.d {
			return int(a.d - b.d)
		}
		return a.i - b.i
	})
	out := make([]int, 0, k)
	for _, c := range cs[:min(k, len(cs))] {
		out = append(out, c.i)
	}
	return out
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// relocate moves each median to the candidate minimising the distance
// to its current cluster, keeping the assignment, then reallocates.
func (s *cpmpSearch) relocate(ctx context.Context, set []int) (int64, []int) {
	p := s.p
	if s.allocate(ctx, set) == math.MaxInt64 {
		return math.MaxInt64, set
	}
	nset := slices.Clone(set)
	isOpen := make([]bool, p.M)
	for _, i := range set {
		isOpen[i] = true
	}
	changed := false
	for k, i := range set {
		var members []int
		var load int64
		for j, a := range s.assign {
			if a == i {
				members = append(members, j)
				load += p.Demand[j]
			}
		}
		var cur int64
		for _, j := range members {
			cur += s.d(j, i)
		}
		bi, bc := i, cur
		for c := 0; c < p.M; c++ {
			if isOpen[c] || p.Capacity[c] < load {
				continue
			}
			var cc int64
			for _, j := range members {
				cc += s.d(j, c)
			}
			if cc < bc {
				bi, bc = c, cc
			}
		}
		if bi != i {
			isOpen[i], isOpen[bi] = false, true
			nset[k] = bi
			changed = true
		}
	}
	if !changed {
		return math.MaxInt64, set
	}
	return s.allocate(ctx, nset), nset
}

// allocate assigns every customer to one median of set within capacity
// (regret greedy, then shift and swap moves) and returns the cost, or
// MaxInt64 if the greedy could not place everyone.
// Cancelling ctx stops only the transportation LP of allocateLP.
func (s *cpmpSearch) allocate(ctx context.Context, set []int) int64 {
	if s.useLP {
		// Both roundings; keep the better.
		s.useLP = false
		c := s.allocate(ctx, set)
		s.useLP = true
		if len(s.keep) < len(s.assign) {
			s.keep = make([]int, len(s.assign))
		}
		copy(s.keep, s.assign)
		if c2 := s.allocateLP(ctx, set); c2 <= c {
			return c2
		}
		copy(s.assign, s.keep)
		for _, i := range set {
			s.load[i] = 0
		}
		for j, i := range s.assign {
			s.load[i] += s.p.Demand[j]
		}
		return c
	}
	p := s.p
	clear(s.open)
	for _, i := range set {
		s.open[i] = true
		s.load[i] = 0
	}
	for j := range s.assign {
		s.assign[j] = -1
	}
	// Regret greedy with lazy updates: a customer's best and second-best
	// medians are recomputed only when one of them fills up.
	n := p.N
	if len(s.i1) < n {
		s.i1, s.i2 = make([]int, n), make([]int, n)
		s.regret = make([]int64, n)
	}
	rank := func(j int) bool {
		f1, f2 := int64(math.MaxInt64), int64(math.MaxInt64)
		i1, i2 := -1, -1
		for _, i := range set {
			if s.load[i]+p.Demand[j] > p.Capacity[i] {
				continue
			}
			d := s.d(j, i)
			if d < f1 {
				f2, i2, f1, i1 = f1, i1, d, i
			} else if d < f2 {
				f2, i2 = d, i
			}
		}
		s.i1[j], s.i2[j] = i1, i2
		switch {
		case i1 < 0:
			return false
		case i2 < 0:
			s.regret[j] = math.MaxInt64 / 2
		default:
			s.regret[j] = f2 - f1
		}
		return true
	}
	for j := 0; j < n; j++ {
		if !rank(j) {
			return s.repair(set)
		}
	}
	for left := n; left > 0; left-- {
		bj := -1
		for j := 0; j < n; j++ {
			if s.assign[j] < 0 && (bj < 0 || s.regret[j] > s.regret[bj]) {
				bj = j
			}
		}
		bi := s.i1[bj]
		s.assign[bj] = bi
		s.load[bi] += p.Demand[bj]
		for j := 0; j < n; j++ {
			if s.assign[j] >= 0 || (s.i1[j] != bi && s.i2[j] != bi) {
				continue
			}
			if s.load[bi]+p.Demand[j] > p.Capacity[bi] && !rank(j) {
				return s.repair(set)
			}
		}
	}
	return s.improveAssignment(set)
}

// repair finishes an assignment the greedy could not complete: each
// unplaced customer goes to the median where it fits after moving the
// fewest other customers away; gives up (MaxInt64) if that fails.
func (s *cpmpSearch) repair(set []int) int64 {
	p := s.p
	for j := 0; j < p.N; j++ {
		if s.assign[j] >= 0 {
			continue
		}
		placed := false
		for _, i := range set {
			if s.load[i]+p.Demand[j] <= p.Capacity[i] {
				s.assign[j] = i
				s.load[i] += p.Demand[j]
				placed = true
				break
			}
		}
		// Move one customer k out of some median i to another median
		// with room, so that j fits in i.
		for _, i := range set {
			if placed {
				break
			}
			for k := 0; k < p.N && !placed; k++ {
				if s.assign[k] != i || s.load[i]-p.Demand[k]+p.Demand[j] > p.Capacity[i] {
					continue
				}
				for _, i2 := range set {
					if i2 != i && s.load[i2]+p.Demand[k] <= p.Capacity[i2] {
						s.assign[k] = i2
						s.load[i2] += p.Demand[k]
						s.load[i] += p.Demand[j] - p.Demand[k]
						s.assign[j] = i
						placed = true
						break
					}
				}
			}
		}
		if !placed {
			return math.MaxInt64
		}
	}
	return s.improveAssignment(set)
}

// improveAssignment applies improving shift and swap moves until none
// is left and returns the cost.
func (s *cpmpSearch) improveAssignment(set []int) int64 {
	p := s.p
	for improved := true; improved; {
		improved = false
		for j := 0; j < p.N; j++ {
			a := s.assign[j]
			for _, i := range set {
				if i != a && s.d(j, i) < s.d(j, a) && s.load[i]+p.Demand[j] <= p.Capacity[i] {
					s.load[a] -= p.Demand[j]
					s.load[i] += p.Demand[j]
					s.assign[j] = i
					a = i
					improved = true
				}
			}
		}
		for j := 0; j < p.N; j++ {
			for k := j + 1; k < p.N; k++ {
				a, b := s.assign[j], s.assign[k]
				if a == b {
					continue
				}
				delta := s.d(j, b) + s.d(k, a) - s.d(j, a) - s.d(k, b)
				if delta >= 0 {
					continue
				}
				dj, dk := p.Demand[j], p.Demand[k]
				if s.load[a]-dj+dk > p.Capacity[a] || s.load[b]-dk+dj > p.Capacity[b] {
					continue
				}
				s.load[a] += dk - dj
				s.load[b] += dj - dk
				s.assign[j], s.assign[k] = b, a
				improved = true
			}
		}
		if !improved {
			improved = s.ejectionMove(set)
		}
	}
	var c int64
	for j, a := range s.assign {
		c += s.d(j, a)
	}
	return c
}

// ejectionMove looks for one improving chain of two shifts: customer j
// moves from median a to b, and customer k makes room by moving from b
// to a third median c. It applies the first found.
func (s *cpmpSearch) ejectionMove(set []int) bool {
	p := s.p
	for j := 0; j < p.N; j++ {
		a, dj := s.assign[j], p.Demand[j]
		for _, b := range set {
			if b == a {
				continue
			}
			gain := s.d(j, b) - s.d(j, a)
			over := s.load[b] + dj - p.Capacity[b]
			if over <= 0 || gain >= 0 {
				continue // a plain shift, or no gain to pay for the chain
			}
			for k := 0; k < p.N; k++ {
				dk := p.Demand[k]
				if s.assign[k] != b || dk < over {
					continue
				}
				for _, c := range set {
					if c == b || c == a {
						continue
					}
					if gain+s.d(k, c)-s.d(k, b) < 0 && s.load[c]+dk <= p.Capacity[c] {
						s.assign[j], s.assign[k] = b, c
						s.load[a] -= dj
						s.load[b] += dj - dk
						s.load[c] += dk
						return true
					}
				}
			}
		}
	}
	return false
}

// lagrangianAssignment turns the relaxation's solution into an
// assignment to the medians in set: a customer that one knapsack took
// goes there, one that several took goes to the nearest of them, and the
// rest are placed by the regret rule; then the assignment search
// improves it. The result is kept if it beats the incumbent.
func (s *cpmpSearch) lagrangianAssignment(set []int, owner [][]int) {
	p := s.p
	for _, i := range set {
		s.load[i] = 0
	}
	for j := range s.assign {
		s.assign[j] = -1
		bi := -1
		for _, i := range owner[j] {
			if s.load[i]+p.Demand[j] <= p.Capacity[i] && (bi < 0 || s.d(j, i) < s.d(j, bi)) {
				bi = i
			}
		}
		if bi >= 0 {
			s.assign[j] = bi
			s.load[bi] += p.Demand[j]
		}
	}
	for j := range s.assign {
		if s.assign[j] >= 0 {
			continue
		}
		bi := -1
		for _, i := range set {
			if s.load[i]+p.Demand[j] <= p.Capacity[i] && (bi < 0 || s.d(j, i) < s.d(j, bi)) {
				bi = i
			}
		}
		if bi < 0 {
			return
		}
		s.assign[j] = bi
		s.load[bi] += p.Demand[j]
	}
	if c := s.improveAssignment(set); c < s.bestCost {
		s.bestCost = c
		s.best = slices.Clone(s.assign)
		s.bestOpen = slices.Clone(set)
	}
}

// bound runs subgradient optimisation on the Lagrangian relaxation of
// the assignment constraints and returns the best bound. heur is called
// with the facilities of the relaxation every few iterations.
func (s *cpmpSearch) bound(clk clock, iters int, heur func([]int)) float64 {
	p := s.p
	n, m := p.N, p.M
	lam := make([]float64, n)
	for j := range lam {
		// Start from each customer's second-smallest distance.
		d1, d2 := int64(math.MaxInt64), int64(math.MaxInt64)
		for i := 0; i < m; i++ {
			d := s.d(j, i)
			if d < d1 {
				d1, d2 = d, d1
			} else if d < d2 {
				d2 = d
			}
		}
		lam[j] = float64(d2)
	}
	rho := make([]float64, m)
	idx := make([]int, m)
	g := make([]float64, n)
	ks := newKnapsack(n, p.Capacity)
	best, theta, stall := 0.0, 2.0, 0
	for it := 0; it < iters; it++ {
		if it&7 == 0 && clk.expired() {
			break
		}
		for i := 0; i < m; i++ {
			rho[i] = -ks.solve(s, i, lam, nil)
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if rho[a] != rho[b] {
				if rho[a] < rho[b] {
					return -1
				}
				return 1
			}
			return a - b
		})
		l := 0.0
		for j := range lam {
			l += lam[j]
			g[j] = 1
		}
		for j := range ks.owner {
			ks.owner[j] = ks.owner[j][:0]
		}
		for _, i := range idx[:p.P] {
			l += rho[i]
			ks.solve(s, i, lam, g)
		}
		if it%5 == 0 {
			s.lagrangianAssignment(idx[:p.P], ks.owner)
		}
		if l > best+1e-9 {
			best, stall = l, 0
		} else if stall++; stall >= 20 {
			theta, stall = theta/2, 0
		}
		if heur != nil && it%5 == 0 {
			heur(slices.Clone(idx[:p.P]))
		}
		ub := float64(s.bestCost)
		if s.best == nil {
			ub = 1.1*math.Abs(l) + 1
		}
		if math.Ceil(best-1e-9) >= ub || theta < 1e-4 {
			break
		}
		norm := 0.0
		for _, x := range g {
			norm += x * x
		}
		if norm == 0 {
			break
		}
		step := theta * (ub - l) / norm
		for j := range lam {
			lam[j] += step * g[j]
		}
	}
	return best
}

// knapsack solves max Σ (λ_j − d_ji) z_j s.t. Σ q_j z_j ≤ Q_i over the
// customers with positive profit, by dynamic programming over capacity.
type knapsack struct {
	val   []float64
	take  [][]bool
	its   []int
	owner [][]int // owner[j]: the selected facilities whose knapsack took j
}

func newKnapsack(n int, caps []int64) *knapsack {
	q := int64(0)
	for _, c := range caps {
		q = max(q, c)
	}
	k := &knapsack{val: make([]float64, q+1), take: make([][]bool, n), owner: make([][]int, n)}
	for j := range k.take {
		k.take[j] = make([]bool, q+1)
	}
	return k
}

// solve returns the knapsack optimum for facility i; if g is not nil it
// also subtracts 1 from g[j] for every chosen customer.
func (k *knapsack) solve(s *cpmpSearch, i int, lam []float64, g []float64) float64 {
	p := s.p
	q := p.Capacity[i]
	val := k.val[:q+1]
	clear(val)
	k.its = k.its[:0]
	for j := 0; j < p.N; j++ {
		prof := lam[j] - float64(s.d(j, i))
		if prof <= 0 || p.Demand[j] > q {
			continue
		}
		w := p.Demand[j]
		t := k.take[len(k.its)]
		k.its = append(k.its, j)
		if g != nil {
			clear(t[:q+1])
		}
		for c := q; c >= w; c-- {
			if v := val[c-w] + prof; v > val[c] {
				val[c] = v
				if g != nil {
					t[c] = true
				}
			}
		}
	}
	best := val[q]
	if g != nil {
		c := q
		for x := len(k.its) - 1; x >= 0; x-- {
			if k.take[x][c] {
				j := k.its[x]
				g[j]--
				k.owner[j] = append(k.owner[j], i)
				c -= p.Demand[j]
			}
		}
	}
	return best
}

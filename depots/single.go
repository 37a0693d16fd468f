package depots

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// singleResult is a single-source allocation, in the same form as
// splitResult, with the best Lagrangian bound found.
type singleResult struct {
	served []float64
	bound  float64
}

// solveSingleSource assigns each demand to at most one warehouse, serving
// all of it or, where capacity runs short, as much as that warehouse has
// room for.
//
// Lower bound: Lagrangian relaxation of the capacity constraints (daily,
// per category, cold chain) with multipliers λ ≥ 0, as for the generalised
// assignment problem (Ross & Soland 1975; Fisher, Jaikumar & Van Wassenhove
// 1986). The relaxed problem separates by demand: each takes its cheapest
// warehouse at cost c + λ, or stays unserved at the penalty. Multipliers
// follow the subgradient method (Held, Wolfe & Crowder 1974) with Polyak's
// step aimed at the splittable optimum: the relaxed problem has integral
// optima, so the Lagrangian dual equals the LP bound (Geoffrion 1974),
// which the flow gives exactly. Allocate reports the better of the two.
//
// Upper bound, the better of two plans, each finished by local search:
//  1. LP rounding: demand that the splittable optimum serves from one
//     warehouse keeps it. A basic optimum splits at most one demand per
//     binding capacity, so few are left; the regret heuristic places them.
//  2. The regret heuristic of Martello & Toth (1981) from scratch, rating
//     pairs by their Lagrangian cost under the best multipliers, which
//     price contested capacity.
//
// Local search applies shift moves (a demand to another warehouse, to
// unserved, or topped up where it is) and swap moves (two demands trade
// warehouses, or an unserved demand takes a served one's place), each
// served as much as fits, until no move lowers the true cost.
func solveSingleSource(ctx context.Context, in *instance, iterations int, split *splitResult) (*singleResult, error) {
	s := newSingleState(in)
	W, K, D := in.W, in.K, in.D
	flowBound := split.bound
	lam := make([]float64, W)
	mu := make([]float64, W*K)
	nu := make([]float64, W)
	f := make([]float64, D*W)

	// First plan: the splittable optimum, rounded.
	copy(f, in.cost)
	s.round(split.served)
	s.regret(f)
	s.localSearch()
	best := s.objective()
	bestAssign := append([]int32(nil), s.assign...)
	bestAmt := append([]float64(nil), s.amt...)
	keep := func() {
		if o := s.objective(); o < best-1e-9 {
			best = o
			copy(bestAssign, s.assign)
			copy(bestAmt, s.amt)
		}
	}

	use := make([]float64, W*(K+2))
	bestLam, bestMu, bestNu := make([]float64, W), make([]float64, W*K), make([]float64, W)
	bound := math.Inf(-1)
	theta, stall := 2.0, 0
	for it := 1; it <= iterations; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l := in.lagrangian(lam, mu, nu, use)
		if l > bound+1e-9*math.Abs(bound) {
			bound, stall = l, 0
			copy(bestLam, lam)
			copy(bestMu, mu)
			copy(bestNu, nu)
		} else if stall++; stall >= 10 {
			theta, stall = theta/2, 0
		}
		// The Lagrangian dual optimum equals the LP bound, which the flow
		// gives: aim the step at it.
		tol := 1e-9 * math.Max(1, math.Abs(best))
		converged := best-bound <= tol || bound >= flowBound-tol || theta < 1e-4
		// Subgradient g = use − capacity; a multiplier at zero with slack
		// cannot move, so its component does not count.
		norm := 0.0
		grad := func(m []float64, k int, u, c float64) float64 {
			if math.IsInf(c, 1) {
				return 0
			}
			g := u - c
			if m[k] <= 0 && g < 0 {
				return 0
			}
			norm += g * g
			return g
		}
		for w := range W {
			use[w] = grad(lam, w, use[w], in.day[w])
			use[W+w] = grad(nu, w, use[W+w], in.coldCap[w])
			for k := range K {
				use[2*W+w*K+k] = grad(mu, w*K+k, use[2*W+w*K+k], in.catCap[w*K+k])
			}
		}
		if converged || norm == 0 { // norm 0: the relaxed plan fits, so it is optimal
			break
		}
		step := theta * max(flowBound-l, tol) / norm
		for w := range W {
			lam[w] = max(0, lam[w]+step*use[w])
			nu[w] = max(0, nu[w]+step*use[W+w])
			for k := range K {
				mu[w*K+k] = max(0, mu[w*K+k]+step*use[2*W+w*K+k])
			}
		}
	}
	// Second plan: regret on the Lagrangian costs of the best multipliers,
	// which price the contested capacity.
	in.reducedCosts(f, bestLam, bestMu, bestNu)
	s.reset()
	s.regret(f)
	s.localSearch()
	keep()

	served := make([]float64, D*W)
	for i, w := range bestAssign {
		if w >= 0 {
			served[i*W+int(w)] = bestAmt[i]
		}
	}
	if math.IsInf(bound, -1) {
		bound = 0
	}
	return &singleResult{served: served, bound: bound}, nil
}

// lagrangian returns the Lagrangian bound for multipliers lam (daily), mu
// (category) and nu (cold chain), and leaves in use the relaxed plan's load:
// daily at [0,W), cold at [W,2W), category at 2W+w*K+k.
func (in *instance) lagrangian(lam, mu, nu, use []float64) float64 {
	W, K := in.W, in.K
	clear(use)
	l := 0.0
	for w := range W {
		l -= lam[w]*in.day[w] + nu[w]*in.coldCap[w]
		for k := range K {
			if c := in.catCap[w*K+k]; !math.IsInf(c, 1) {
				l -= mu[w*K+k] * c
			}
		}
	}
	for i := range in.D {
		if in.forced[i] != "" {
			continue
		}
		v, k := in.vol[i], int(in.cat[i])
		bestW, best := -1, in.penalty
		for w := range W {
			c := in.cost[i*W+w]
			if math.IsInf(c, 1) {
				continue
			}
			c += lam[w] + mu[w*K+k]
			if in.cold[i] {
				c += nu[w]
			}
			if c < best {
				bestW, best = w, c
			}
		}
		l += v * best
		if bestW >= 0 {
			use[bestW] += v
			use[2*W+bestW*K+k] += v
			if in.cold[i] {
				use[W+bestW] += v
			}
		}
	}
	return l
}

// reducedCosts fills f with the Lagrangian cost per parcel of each pair.
func (in *instance) reducedCosts(f, lam, mu, nu []float64) {
	W, K := in.W, in.K
	for i := range in.D {
		k := int(in.cat[i])
		for w := range W {
			c := in.cost[i*W+w]
			if math.IsInf(c, 1) {
				f[i*W+w] = c
				continue
			}
			c += lam[w] + mu[w*K+k]
			if in.cold[i] {
				c += nu[w]
			}
			f[i*W+w] = c
		}
	}
}

// singleState is a single-source plan with its loads, kept in step so that
// a move is checked in O(1). Demand i is served amt[i] parcels (possibly
// less than its volume) by warehouse assign[i]; the rest is unserved.
type singleState struct {
	in     *instance
	assign []int32 // warehouse of each demand, or -1
	amt    []float64
	day    []float64
	cat    []float64 // W*K
	cold   []float64

	// members[w] lists the demand at warehouse w, members[W] the unserved
	// (forced demand is in no list); pos[i] is i's index in its list.
	members [][]int32
	pos     []int32
	// near[i*nearK:] are the cheapest warehouses of demand i, -1 padded:
	// the swap neighbourhood.
	near []int32
	// stamp[w] is the clock of the last move at w (W: unserved); seen[i]
	// the clock when i's swaps were last all found useless. A pair whose
	// warehouses have not changed since need not be tried again.
	stamp []uint64
	seen  []uint64
	clock uint64

	best    []int32 // regret scratch: best and second warehouse
	second  []int32
	pending []bool
}

// nearK is how many of its cheapest warehouses a demand tries swaps with.
const nearK = 5

// capSlack absorbs float noise in capacity checks, in parcels.
const capSlack = 1e-9

func newSingleState(in *instance) *singleState {
	W := in.W
	s := &singleState{
		in:      in,
		assign:  make([]int32, in.D),
		amt:     make([]float64, in.D),
		day:     make([]float64, W),
		cat:     make([]float64, W*in.K),
		cold:    make([]float64, W),
		members: make([][]int32, W+1),
		pos:     make([]int32, in.D),
		near:    make([]int32, in.D*nearK),
		stamp:   make([]uint64, W+1),
		seen:    make([]uint64, in.D),
		best:    make([]int32, in.D),
		second:  make([]int32, in.D),
		pending: make([]bool, in.D),
	}
	ws := make([]int32, 0, W)
	for i := range in.D {
		ws = ws[:0]
		for w := range W {
			if !math.IsInf(in.cost[i*W+w], 1) {
				ws = append(ws, int32(w))
			}
		}
		slices.SortStableFunc(ws, func(a, b int32) int { return cmp.Compare(in.cost[i*W+int(a)], in.cost[i*W+int(b)]) })
		for k := range nearK {
			s.near[i*nearK+k] = -1
			if k < len(ws) {
				s.near[i*nearK+k] = ws[k]
			}
		}
	}
	s.reset()
	return s
}

func (s *singleState) reset() {
	for w := range s.members {
		s.members[w] = s.members[w][:0]
	}
	for i := range s.assign {
		s.assign[i] = -1
		if s.in.forced[i] == "" {
			s.join(i, s.in.W)
		}
	}
	clear(s.amt)
	clear(s.day)
	clear(s.cat)
	clear(s.cold)
	// Every pair is new: stamps above every seen.
	clear(s.seen)
	s.clock = 1
	for w := range s.stamp {
		s.stamp[w] = s.clock
	}
}

func (s *singleState) join(i, list int) {
	s.pos[i] = int32(len(s.members[list]))
	s.members[list] = append(s.members[list], int32(i))
}

func (s *singleState) leave(i, list int) {
	m := s.members[list]
	k, last := s.pos[i], m[len(m)-1]
	m[k], s.pos[last] = last, k
	s.members[list] = m[:len(m)-1]
}

// list is the members index of warehouse w (W for unserved).
func (s *singleState) list(w int) int {
	if w < 0 {
		return s.in.W
	}
	return w
}

// roomWithout returns how much of demand i warehouse w could take, at most
// its volume, if demand j (served aj there) left it; j may be i, or -1 for
// none. It is 0 when w may not serve i.
func (s *singleState) roomWithout(i, w, j int, aj float64) float64 {
	in := s.in
	if math.IsInf(in.cost[i*in.W+w], 1) {
		return 0
	}
	dayFree, catFree, coldFree := aj, 0.0, 0.0
	if j < 0 {
		dayFree = 0
	} else {
		if in.cat[j] == in.cat[i] {
			catFree = aj
		}
		if in.cold[j] {
			coldFree = aj
		}
	}
	wk := w*in.K + int(in.cat[i])
	r := min(in.vol[i], in.day[w]-s.day[w]+dayFree, in.catCap[wk]-s.cat[wk]+catFree)
	if in.cold[i] {
		r = min(r, in.coldCap[w]-s.cold[w]+coldFree)
	}
	if r < volumeEpsilon {
		return 0
	}
	if r >= in.vol[i]-capSlack {
		return in.vol[i]
	}
	return r
}

// fits reports whether all of demand i fits in warehouse w's spare room.
func (s *singleState) fits(i, w int) bool {
	return s.roomWithout(i, w, -1, 0) == s.in.vol[i]
}

func (s *singleState) load(i, w int, v float64) {
	in := s.in
	s.day[w] += v
	s.cat[w*in.K+int(in.cat[i])] += v
	if in.cold[i] {
		s.cold[w] += v
	}
}

// add serves v parcels of unassigned demand i from w.
func (s *singleState) add(i, w int, v float64) {
	s.leave(i, s.in.W)
	s.join(i, w)
	s.assign[i], s.amt[i] = int32(w), v
	s.load(i, w, v)
}

// remove unassigns demand i, if assigned.
func (s *singleState) remove(i int) {
	if w := int(s.assign[i]); w >= 0 {
		s.load(i, w, -s.amt[i])
		s.leave(i, w)
		s.join(i, s.in.W)
		s.assign[i], s.amt[i] = -1, 0
	}
}

// moved records a committed move touching warehouses a and b (-1: unserved).
func (s *singleState) moved(a, b int) {
	s.clock++
	s.stamp[s.list(a)] = s.clock
	s.stamp[s.list(b)] = s.clock
}

// cost is demand i's objective term when w serves v of it, or when it is
// unserved if w < 0.
func (s *singleState) cost(i, w int, v float64) float64 {
	in := s.in
	if w < 0 {
		return in.vol[i] * in.penalty
	}
	return v*in.cost[i*in.W+w] + (in.vol[i]-v)*in.penalty
}

func (s *singleState) objective() float64 {
	o := 0.0
	for i, w := range s.assign {
		if s.in.forced[i] == "" {
			o += s.cost(i, int(w), s.amt[i])
		}
	}
	return o
}

// round starts from a splittable plan (served[i*W+w] parcels of i from w):
// demand served by one warehouse keeps it, split demand is left
// unassigned. Few demands are split (at most one per binding capacity in a
// basic optimum), so little is left for the regret heuristic.
func (s *singleState) round(served []float64) {
	s.reset()
	W := s.in.W
	for i := range s.in.D {
		only, n := -1, 0
		for w := range W {
			if served[i*W+w] > 0 {
				only, n = w, n+1
			}
		}
		if n == 1 && s.in.forced[i] == "" {
			s.add(i, only, served[i*W+only])
		}
	}
}

// bestTwo finds the two warehouses with the lowest f among those that all
// of demand i fits.
func (s *singleState) bestTwo(i int, f []float64) {
	W := s.in.W
	b, sb := int32(-1), int32(-1)
	for w := range W {
		c := f[i*W+w]
		if math.IsInf(c, 1) || !s.fits(i, w) {
			continue
		}
		switch {
		case b < 0 || c < f[i*W+int(b)]:
			b, sb = int32(w), b
		case sb < 0 || c < f[i*W+int(sb)]:
			sb = int32(w)
		}
	}
	s.best[i], s.second[i] = b, sb
}

// regret assigns the unassigned demand whole, rating pair (i, w) by
// f[i*W+w] per parcel (Martello & Toth 1981): at each step the demand
// whose regret, the extra cost of its second choice (or of staying
// unserved) over its first, is largest takes its first choice. Demand that
// fits whole nowhere stays unassigned, for the local search to serve in
// part.
func (s *singleState) regret(f []float64) {
	in, W := s.in, s.in.W
	n := 0
	for i := range in.D {
		s.pending[i] = s.assign[i] < 0 && in.forced[i] == "" && in.vol[i] > 0
		if s.pending[i] {
			s.bestTwo(i, f)
			n++
		}
	}
	for ; n > 0; n-- {
		pick, pickRegret := -1, math.Inf(-1)
		for i := range in.D {
			if !s.pending[i] {
				continue
			}
			r := math.Inf(1) // fits nowhere: settle it first
			if b := s.best[i]; b >= 0 {
				alt := in.penalty
				if sb := s.second[i]; sb >= 0 {
					alt = min(alt, f[i*W+int(sb)])
				}
				r = in.vol[i] * (alt - f[i*W+int(b)])
			}
			if r > pickRegret {
				pick, pickRegret = i, r
			}
		}
		s.pending[pick] = false
		w := int(s.best[pick])
		if w < 0 {
			continue
		}
		s.add(pick, w, in.vol[pick])
		// Only warehouse w lost room: refresh the demand that counted on it.
		for i := range in.D {
			if s.pending[i] && (s.best[i] == int32(w) || s.second[i] == int32(w)) && !s.fits(i, w) {
				s.bestTwo(i, f)
			}
		}
	}
}

// maxPasses bounds the local search.
const maxPasses = 100

// localSearch applies improving shift and swap moves, first improvement,
// until none is left (or maxPasses). A pass costs O(D·W) for shifts and,
// for swaps, O(D·nearK·D/W) at first and then only for the pairs whose
// warehouses changed.
func (s *singleState) localSearch() {
	in := s.in
	for pass := 0; pass < maxPasses; pass++ {
		improved := false
		for i := range in.D {
			if in.forced[i] == "" && s.shift(i) {
				improved = true
			}
		}
		for i := range in.D {
			if in.forced[i] == "" && s.swapAny(i) {
				improved = true
			}
		}
		if !improved {
			return
		}
	}
}

// improves reports whether after is lower than before by more than noise.
func improves(before, after float64) bool { return before-after > 1e-9*math.Max(1, before) }

// shift moves demand i to the warehouse that lowers the cost most, serving
// as much as fits, or to unserved, or tops it up where it is; it reports
// whether i moved.
func (s *singleState) shift(i int) bool {
	in := s.in
	from, was := int(s.assign[i]), s.amt[i]
	before := s.cost(i, from, was)
	to, toV, best := from, was, before
	for w := range in.W {
		var v float64
		if w == from {
			v = s.roomWithout(i, w, i, was)
		} else {
			v = s.roomWithout(i, w, -1, 0)
		}
		if v > 0 {
			if c := s.cost(i, w, v); improves(best, c) {
				to, toV, best = w, v, c
			}
		}
	}
	if c := s.cost(i, -1, 0); improves(best, c) {
		to, toV, best = -1, 0, c
	}
	if !improves(before, best) {
		return false
	}
	s.remove(i)
	if to >= 0 {
		s.add(i, to, toV)
	}
	s.moved(from, to)
	return true
}

// swapAny tries to swap demand i with a demand at one of its cheapest
// warehouses, and reports whether it did. A swap gains only if one of the
// two gains by its own move (served in full), so i tries only warehouses
// where it would be cheaper; the other side of each swap, an unserved
// demand included, finds the rest.
func (s *singleState) swapAny(i int) bool {
	wi := int(s.assign[i])
	now := s.cost(i, wi, s.amt[i])
	for _, w := range s.near[i*nearK : (i+1)*nearK] {
		if w < 0 || int(w) == wi || !improves(now, s.cost(i, int(w), s.in.vol[i])) {
			continue
		}
		if s.stamp[s.list(wi)] <= s.seen[i] && s.stamp[w] <= s.seen[i] {
			continue
		}
		for _, j := range s.members[w] {
			if s.swap(i, int(j)) {
				return true
			}
		}
	}
	s.seen[i] = s.clock
	return false
}

// swap exchanges the warehouses of i and j (either may be unserved), each
// served as much as fits, when that lowers the cost; it reports whether it
// did.
func (s *singleState) swap(i, j int) bool {
	in := s.in
	wi, wj := int(s.assign[i]), int(s.assign[j])
	if wi == wj || (wj >= 0 && math.IsInf(in.cost[i*in.W+wj], 1)) || (wi >= 0 && math.IsInf(in.cost[j*in.W+wi], 1)) {
		return false
	}
	ai, aj := s.amt[i], s.amt[j]
	before := s.cost(i, wi, ai) + s.cost(j, wj, aj)
	// Even served in full, the swap must gain.
	if !improves(before, s.cost(i, wj, in.vol[i])+s.cost(j, wi, in.vol[j])) {
		return false
	}
	var vi, vj float64
	if wj >= 0 {
		if vi = s.roomWithout(i, wj, j, aj); vi == 0 {
			return false
		}
	}
	if wi >= 0 {
		if vj = s.roomWithout(j, wi, i, ai); vj == 0 {
			return false
		}
	}
	if !improves(before, s.cost(i, wj, vi)+s.cost(j, wi, vj)) {
		return false
	}
	s.remove(i)
	s.remove(j)
	if wj >= 0 {
		s.add(i, wj, vi)
	}
	if wi >= 0 {
		s.add(j, wi, vj)
	}
	s.moved(wi, wj)
	return true
}

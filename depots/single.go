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
// 1986). The relaxed problem separates by demand: each takes one warehouse
// w, which serves at most u = min(volume, w's daily, category and cold-chain
// capacity) parcels at cost c + λ with the rest unserved at the penalty, or
// stays unserved. The cap u is what single sourcing adds: a demand larger
// than any one warehouse can take is partly unserved in every plan, which
// the splittable LP (and the plain GAP relaxation, whose best bound is the
// LP bound by Geoffrion 1974) cannot see; with u the Lagrangian dual is the
// LP over the convex hull {Σ_w x_w/u_w ≤ 1} of each demand's choices, at
// least as strong. The subgradient method (Held, Wolfe & Crowder 1974)
// starts from the flow's dual prices (capacityPrices), with Polyak's step
// aimed at the incumbent and the direction deflected as Camerini, Fratta &
// Maffioli (1975) do. Allocate reports the better of the two bounds.
//
// Upper bound: the best of three plans, each finished by local search.
//  1. LP rounding: demand that the splittable optimum serves from one
//     warehouse keeps it; the few split demands are placed by regret.
//  2. The regret heuristic of Martello & Toth (1981) from scratch, rating
//     pairs by their Lagrangian cost under the best multipliers, which
//     price contested capacity.
//  3. The same on the true costs.
//
// Local search applies, until none lowers the true cost: shifts (a demand
// to another warehouse, to unserved, or topped up where it is), swaps (two
// demands trade warehouses, or an unserved demand takes a served one's
// place) and ejection chains of length two (a demand enters a full
// warehouse, or grows where it is, by pushing another demand elsewhere),
// each demand served as much as fits.
func solveSingleSource(ctx context.Context, in *model, iterations int, split *splitResult) (*singleResult, error) {
	s := newSingleState(in)
	W, K, D := in.W, in.K, in.D
	f := make([]float64, D*W)

	// First plan: the splittable optimum, rounded.
	s.round(split.served)
	s.regret(in.cost)
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

	// Multipliers and loads share one layout: daily at [0,W), cold chain at
	// [W,2W), category at 2W+w*K+k.
	n := W * (K + 2)
	mult, bestMult, use, dir := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	caps := make([]float64, n)
	copy(caps, in.day)
	copy(caps[W:], in.coldCap)
	copy(caps[2*W:], in.catCap)
	// Start from the LP dual prices, optimal multipliers when no category
	// mixes cold and ambient demand (the subgradient then stops at once).
	copy(mult, split.prices)
	bound := math.Inf(-1)
	theta, stall := 1.0, 0
	for it := 1; it <= iterations; it++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l := in.lagrangian(mult, use)
		if math.IsInf(bound, -1) || l > bound+1e-9*math.Abs(bound) {
			bound, stall = l, 0
			copy(bestMult, mult)
		} else if stall++; stall >= 40 {
			theta, stall = theta/2, 0
		}
		tol := 1e-9 * math.Max(1, math.Abs(best))
		if best-bound <= tol || theta < 1e-4 {
			break
		}
		// Subgradient g = load − capacity, projected: a multiplier at zero
		// with slack cannot move. Deflected as Camerini, Fratta & Maffioli
		// (1975) do, which damps the zig-zag of the plain method.
		gd, dd := 0.0, 0.0
		for j := range use {
			g := 0.0
			if !math.IsInf(caps[j], 1) {
				g = use[j] - caps[j]
			}
			if mult[j] <= 0 && g < 0 {
				g = 0
			}
			use[j] = g
			gd += g * dir[j]
			dd += dir[j] * dir[j]
		}
		beta := 0.0
		if gd < 0 {
			beta = -1.5 * gd / dd
		}
		norm := 0.0
		for j := range dir {
			dir[j] = use[j] + beta*dir[j]
			norm += dir[j] * dir[j]
		}
		if norm == 0 { // the relaxed plan fits, so it is optimal
			break
		}
		// Polyak's step aims at the incumbent's objective: the dual
		// optimum lies between the flow's LP bound and it.
		step := theta * max(best-l, tol) / norm
		for j := range mult {
			mult[j] = max(0, mult[j]+step*dir[j])
		}
	}
	// Second and third plans: regret on the Lagrangian costs of the best
	// multipliers, which price the contested capacity, and on true costs.
	in.reducedCosts(f, bestMult)
	for _, rating := range [][]float64{f, in.cost} {
		s.reset()
		s.regret(rating)
		s.localSearch()
		keep()
	}

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

// lagrangian returns the Lagrangian bound for multipliers m (daily at
// [0,W), cold chain at [W,2W), category at 2W+w*K+k), and leaves in use the
// relaxed plan's loads in the same layout.
func (in *model) lagrangian(m, use []float64) float64 {
	W, K := in.W, in.K
	clear(use)
	l := 0.0
	for w := range W {
		l -= m[w]*in.day[w] + m[W+w]*in.coldCap[w]
		for k := range K {
			if c := in.catCap[w*K+k]; !math.IsInf(c, 1) {
				l -= m[2*W+w*K+k] * c
			}
		}
	}
	for i := range in.D {
		if in.forced[i] != "" {
			continue
		}
		// One warehouse serves at most what fits in it: u parcels at
		// the priced cost, the other v − u at the penalty.
		v, k := in.vol[i], int(in.cat[i])
		bestW, best, bestU := -1, v*in.penalty, 0.0
		for w := range W {
			c := in.priced(m, i, w, k)
			if c >= in.penalty {
				continue
			}
			u := in.fits(i, w, k)
			if val := u*c + (v-u)*in.penalty; val < best {
				bestW, best, bestU = w, val, u
			}
		}
		l += best
		if bestW >= 0 {
			use[bestW] += bestU
			use[2*W+bestW*K+k] += bestU
			if in.cold[i] {
				use[W+bestW] += bestU
			}
		}
	}
	return l
}

// fits returns the most of demand i (category k) that warehouse w can
// serve alone: its volume capped by w's daily, category and, for cold
// demand, cold-chain capacity.
func (in *model) fits(i, w, k int) float64 {
	u := min(in.vol[i], in.day[w], in.catCap[w*in.K+k])
	if in.cold[i] {
		u = min(u, in.coldCap[w])
	}
	return u
}

// priced is the cost per parcel of demand i (category k) at warehouse w
// under multipliers m, +Inf if w may not serve i.
func (in *model) priced(m []float64, i, w, k int) float64 {
	W := in.W
	c := in.cost[i*W+w]
	if math.IsInf(c, 1) {
		return c
	}
	c += m[w] + m[2*W+w*in.K+k]
	if in.cold[i] {
		c += m[W+w]
	}
	return c
}

// reducedCosts fills f with the Lagrangian cost per parcel of each pair.
func (in *model) reducedCosts(f, m []float64) {
	for i := range in.D {
		k := int(in.cat[i])
		for w := range in.W {
			f[i*in.W+w] = in.priced(m, i, w, k)
		}
	}
}

// singleState is a single-source plan with its loads, kept in step so that
// a move is checked in O(1). Demand i is served amt[i] parcels (possibly
// less than its volume) by warehouse assign[i]; the rest is unserved.
type singleState struct {
	in     *model
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

func newSingleState(in *model) *singleState {
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
// none. It is 0 when w may not serve i or the room is below the flow's unit.
func (s *singleState) roomWithout(i, w, j int, aj float64) float64 {
	return s.clamp(i, s.free(i, w, j, aj))
}

// free is the spare capacity of w for demand i if j (served aj) left, as
// the least of the daily, category and (for cold i) cold-chain room; -Inf
// when w may not serve i.
func (s *singleState) free(i, w, j int, aj float64) float64 {
	in := s.in
	if math.IsInf(in.cost[i*in.W+w], 1) {
		return math.Inf(-1)
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
	r := min(in.day[w]-s.day[w]+dayFree, in.catCap[wk]-s.cat[wk]+catFree)
	if in.cold[i] {
		r = min(r, in.coldCap[w]-s.cold[w]+coldFree)
	}
	return r
}

// cheapest is the least cost per parcel of demand i at any warehouse.
func (s *singleState) cheapest(i int) float64 {
	if w := s.near[i*nearK]; w >= 0 {
		return s.in.cost[i*s.in.W+int(w)]
	}
	return s.in.penalty
}

// clamp turns free room into what demand i can be served: at most its
// volume, and 0 below the flow's unit.
func (s *singleState) clamp(i int, r float64) float64 {
	v := s.in.vol[i]
	switch {
	case r < volumeEpsilon:
		return 0
	case r >= v-capSlack:
		return v
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
		for i := range in.D {
			if in.forced[i] == "" && s.eject(i) {
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

// eject moves demand i into one of its cheapest warehouses w where it does
// not fit, or tops it up where it is partly served, making room by moving
// a demand j out of w to a third warehouse that has room (or, when i grows
// where it is, to unserved): an ejection chain of length two (Glover 1996),
// which packs tight warehouses that shifts and swaps cannot. Sending j to
// the warehouse i left is a swap, left to swapAny. It reports whether it
// moved anything.
func (s *singleState) eject(i int) bool {
	in := s.in
	wi, ai := int(s.assign[i]), s.amt[i]
	now := s.cost(i, wi, ai)
	// Warehouses with daily room, where an ejected demand could go.
	open := 0
	for w := range in.W {
		if w != wi && in.day[w]-s.day[w] >= volumeEpsilon {
			open++
		}
	}
	for k := -1; k < nearK; k++ {
		w := wi // k = -1: top i up where it is
		if k >= 0 {
			w = int(s.near[i*nearK+k])
			if w < 0 || w == wi || s.fits(i, w) || open == 0 || (open == 1 && in.day[w]-s.day[w] >= volumeEpsilon) {
				continue
			}
		}
		if w < 0 || !improves(now, s.cost(i, w, in.vol[i])) {
			continue
		}
		for _, j32 := range s.members[w] {
			j := int(j32)
			if j == i {
				continue
			}
			aj := s.amt[j]
			before := now + s.cost(j, w, aj)
			if !improves(before, s.cost(i, w, in.vol[i])+in.vol[j]*s.cheapest(j)) {
				continue // even served in full, with j at its cheapest, it would not pay
			}
			var vi float64
			if w == wi {
				vi = s.clamp(i, s.free(i, w, j, aj)+ai)
			} else {
				vi = s.roomWithout(i, w, j, aj)
			}
			if vi == 0 {
				continue
			}
			afterI := s.cost(i, w, vi)
			to, toV, best := -2, 0.0, math.Inf(1)
			if w == wi {
				to, best = -1, afterI+s.cost(j, -1, 0)
			}
			for w2 := range in.W {
				if w2 == w || w2 == wi || in.day[w2]-s.day[w2] < volumeEpsilon {
					continue
				}
				if vj := s.roomWithout(j, w2, -1, 0); vj > 0 {
					if c := afterI + s.cost(j, w2, vj); c < best {
						to, toV, best = w2, vj, c
					}
				}
			}
			if to == -2 || !improves(before, best) {
				continue
			}
			s.remove(i)
			s.remove(j)
			s.add(i, w, vi)
			if to >= 0 {
				s.add(j, to, toV)
			}
			s.moved(wi, w)
			s.moved(to, w)
			return true
		}
	}
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

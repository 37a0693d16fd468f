package coverage

import (
	"cmp"
	"context"
	"slices"
)

// capFlow maintains a maximum assignment of residual demand units to the
// chosen sites within capacity (a bipartite b-matching), and grows it site
// by site with augmenting paths (Ford & Fulkerson 1956): when a site opens,
// every augmenting path ends at it, so a backward search from the new site
// finds them all. Changes are journaled so that a tentative opening can be
// undone, which lets the lazy greedy evaluate exact marginal gains.
type capFlow struct {
	m      *model
	open   []bool
	left   []float64 // demand of each unit not yet served
	room   []float64 // capacity each site has left
	alloc  [][]share // per unit: the sites serving it and how much
	served float64

	journal []change
	// search scratch
	seenU, seenS []int
	mark         int
	prevU        []int32 // unit → site it was reached from
	prevS        []int32 // site → unit it was reached from
	queue        []int32
}

type share struct {
	site int32
	amt  float64
}

// change records one modification for undo: a unit's share of a site, a
// unit's left or a site's room (site < 0 means the unit's left, unit < 0
// the site's room).
type change struct {
	unit, site int32
	old        float64
	opened     bool
	appended   bool // the unit's share of the site was created by this change
}

func newCapFlow(m *model) *capFlow {
	f := &capFlow{
		m: m, open: make([]bool, m.candidates()),
		left: append([]float64(nil), m.weight...), room: append([]float64(nil), m.capacity...),
		alloc: make([][]share, m.units()),
		seenU: make([]int, m.units()), seenS: make([]int, m.candidates()),
		prevU: make([]int32, m.units()), prevS: make([]int32, m.candidates()),
	}
	return f
}

func (f *capFlow) setLeft(u int32, v float64) {
	f.journal = append(f.journal, change{unit: u, site: -1, old: f.left[u]})
	f.left[u] = v
}

func (f *capFlow) setRoom(j int32, v float64) {
	f.journal = append(f.journal, change{unit: -1, site: j, old: f.room[j]})
	f.room[j] = v
}

func (f *capFlow) addShare(u, j int32, d float64) {
	for k := range f.alloc[u] {
		if f.alloc[u][k].site == j {
			f.journal = append(f.journal, change{unit: u, site: j, old: f.alloc[u][k].amt})
			f.alloc[u][k].amt += d
			return
		}
	}
	f.journal = append(f.journal, change{unit: u, site: j, appended: true})
	f.alloc[u] = append(f.alloc[u], share{site: j, amt: d})
}

// undo rolls the flow back to journal length n.
func (f *capFlow) undo(n int, served float64) {
	for k := len(f.journal) - 1; k >= n; k-- {
		c := f.journal[k]
		switch {
		case c.opened:
			f.open[c.site] = false
		case c.site < 0:
			f.left[c.unit] = c.old
		case c.unit < 0:
			f.room[c.site] = c.old
		default:
			a := f.alloc[c.unit]
			if c.appended {
				// Later appends to the unit were undone first, so the
				// share this change created is the last one.
				f.alloc[c.unit] = a[:len(a)-1]
				continue
			}
			for i := range a {
				if a[i].site == c.site {
					a[i].amt = c.old
				}
			}
		}
	}
	f.journal = f.journal[:n]
	f.served = served
}

// openSite opens site j, serves as much more demand as the new site makes
// possible (at most limit more) and returns the increase.
func (f *capFlow) openSite(j int, limit float64) float64 {
	eps := f.m.eps()
	start := f.served
	f.open[j] = true
	f.journal = append(f.journal, change{site: int32(j), opened: true})
	// Direct fills first: units the site reaches that still have demand.
	for _, u := range f.m.covers(j) {
		if f.room[j] <= eps || f.served-start >= limit-eps {
			break
		}
		if a := min(f.left[u], f.room[j], limit-(f.served-start)); a > 0 {
			f.setLeft(u, f.left[u]-a)
			f.setRoom(int32(j), f.room[j]-a)
			f.addShare(u, int32(j), a)
			f.served += a
		}
	}
	// Then augmenting paths: j ← u (u reachable by j) ← j2 (u shifts from
	// j2 to j) ← u2 (j2 takes u2's unserved demand instead).
	for f.room[j] > eps && f.served-start < limit-eps {
		src := f.search(j)
		if src < 0 {
			break
		}
		amt := min(f.left[src], f.room[j], limit-(f.served-start))
		for u := src; ; {
			s := f.prevU[u]
			if s == int32(j) {
				break
			}
			amt = min(amt, f.shareOf(f.prevS[s], s))
			u = f.prevS[s]
		}
		if amt <= eps {
			break
		}
		f.setLeft(src, f.left[src]-amt)
		f.setRoom(int32(j), f.room[j]-amt)
		for u := src; ; {
			s := f.prevU[u]
			f.addShare(u, s, amt)
			if s == int32(j) {
				break
			}
			next := f.prevS[s]
			f.addShare(next, s, -amt)
			u = next
		}
		f.served += amt
	}
	return f.served - start
}

func (f *capFlow) shareOf(u, j int32) float64 {
	for _, s := range f.alloc[u] {
		if s.site == j {
			return s.amt
		}
	}
	return 0
}

// search runs a breadth-first search backwards from site j over units the
// open sites reach and the shares they hold, and returns a unit with
// unserved demand (the start of an augmenting path), or -1.
func (f *capFlow) search(j int) int32 {
	eps := f.m.eps()
	f.mark++
	f.queue = append(f.queue[:0], int32(j))
	f.seenS[j] = f.mark
	for len(f.queue) > 0 {
		s := f.queue[0]
		f.queue = f.queue[1:]
		for _, u := range f.m.covers(int(s)) {
			if f.seenU[u] == f.mark {
				continue
			}
			f.seenU[u] = f.mark
			f.prevU[u] = s
			if f.left[u] > eps {
				return u
			}
			for _, sh := range f.alloc[u] {
				if sh.amt > eps && f.seenS[sh.site] != f.mark && sh.site != s {
					f.seenS[sh.site] = f.mark
					f.prevS[sh.site] = u
					f.queue = append(f.queue, sh.site)
				}
			}
		}
	}
	return -1
}

// capacitatedGreedy picks up to k sites, each time the one whose opening
// serves the most additional demand (per cost, when weighted; an exact marginal gain,
// computed by tentatively opening the site and undoing), until need is
// served. Served demand is a polymatroid rank function of the open sites,
// so gains only shrink and lazy evaluation (Minoux 1978) is exact; the
// greedy is the 1−1/e approximation of Nemhauser, Wolsey & Fisher (1978).
// It returns the picks and the demand served, which is the maximum the
// picked sites can serve together.
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
			break
		}
		f.journal = f.journal[:0] // committed
		chosen = append(chosen, j)
	}
	return chosen, f.served
}

// completeCap opens the start sites, then adds sites by the lazy greedy of
// capacitatedGreedy (served demand per unit cost), never a banned one, until
// need is served or no site adds anything. It returns the sites, start
// first, and the demand they serve.
func (m *model) completeCap(start []int, banned []bool, need float64) ([]int, float64) {
	f := newCapFlow(m)
	chosen := slices.Clone(start)
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
	for h.len() > 0 && need-f.served > m.eps() {
		key, j := h.pop()
		mark, before := len(f.journal), f.served
		gain := f.openSite(j, need-before)
		fresh := gain / m.siteCost(j, true)
		if fresh < key && h.len() > 0 && fresh < h.top() {
			f.undo(mark, before)
			h.push(fresh, j)
			continue
		}
		if gain <= m.eps() {
			f.undo(mark, before)
			continue
		}
		f.journal = f.journal[:0]
		chosen = append(chosen, j)
	}
	return chosen, f.served
}

// ruinRecreateCap improves a capacitated covering plan by 1-out interchange
// with greedy repair: it closes one chosen site (costliest first), bans it,
// re-completes the rest with completeCap, prunes redundant sites and keeps
// the result when it is cheaper, until no closure helps or the repairs'
// budget is spent. A repair re-opens about k² sites when k are chosen (the
// pruning), so the budget is 10⁵/k² repairs, at most 400. A plain 1-for-1 swap cannot replace one large site by
// two small ones or shift demand between several sites at once; the repair
// can (it is the "drop" move of Jacobs & Brusco's local search for set
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

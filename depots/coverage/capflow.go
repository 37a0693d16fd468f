package coverage

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

package routing

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// Threads by speculation. A pool of searches runs one annealing search on
// one shared current plan. Each thread ruins and recreates its own copy of
// the plan, decides acceptance against its copy's cost, and commits the
// routes it changed to the shared plan only if no other thread changed
// those routes, nor inserted a task it inserted, since its copy was taken.
// Then it brings its copy up to date with the routes the others
// committed. A ruin-and-recreate step touches a few neighbouring routes,
// and most steps are rejected or rebuild their routes as they were, so two
// threads rarely collide (0.5 % of the steps on X-n139-k10): the pool makes
// close to k steps of the one-thread search in the time of one. This is
// asynchronous parallel annealing with optimistic commits; compare the
// speculative moves of Witte, Chamberlain and Franklin (1991) and the
// survey of Onbaşoğlu and Özdamar (2001), "Parallel simulated annealing
// algorithms in global optimization". Each search's hot scratch memory has
// cache lines of its own (see ownLines), or the threads slow each other.
//
// The shared iteration count drives the cooling and the stop rules as in
// one thread. The shared plan's cost is kept from the committed steps'
// deltas, which are exact because a commit's routes and the tasks it
// moves were as its copy had them.

// poolMember is one thread's view of what others committed.
type poolMember struct {
	s        *search
	pending  []int32 // routes others committed since this thread's last pull
	pendMark []bool
	waiting  atomic.Int32 // len(pending), read without the lock
	pulled   []int32      // the routes of the last pull
}

// pool runs searches that share one current plan; ss[0] leads: it builds
// the first solution and finishes the last.
type pool struct {
	in      *compiled
	members []*poolMember
	iters   atomic.Int64
	bestC   atomic.Int64 // the best plan's cost, read without the lock

	mu       sync.Mutex
	cur      *solution // the shared current plan
	best     *solution
	lastBest int // shared iteration of the last new best
	report   func(*search)
	view     search // what report sees: the best plan and its iteration

	accepted int64 // steps committed, counted for tests
}

func newPool(in *compiled, ss []*search) *pool {
	p := &pool{in: in, cur: in.newSolution(), best: in.newSolution(), report: ss[0].report}
	p.view.in, p.view.best = in, p.best
	for _, s := range ss {
		p.members = append(p.members, &poolMember{s: s, pendMark: make([]bool, len(in.veh))})
	}
	return p
}

// run searches from initial until the stop rules end it and returns the
// best plan found.
func (p *pool) run(ctx context.Context, initial *solution) *solution {
	if !p.begin(ctx, initial) {
		return p.members[0].s.best
	}
	var wg sync.WaitGroup
	for _, m := range p.members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !m.s.stop(ctx) && p.step(m) {
			}
		}()
	}
	wg.Wait()
	return p.best
}

// begin has the lead build the first solution, makes it the shared plan
// and every thread's copy, and reports whether there is anything to search.
func (p *pool) begin(ctx context.Context, initial *solution) bool {
	lead := p.members[0].s
	if !lead.begin(ctx, initial) {
		return false
	}
	p.cur.copyFrom(lead.cur)
	p.best.copyFrom(lead.best)
	p.bestC.Store(p.best.cost)
	p.iters.Store(int64(lead.iter))
	p.lastBest = lead.lastBest
	for _, m := range p.members {
		s := m.s
		s.done = ctx.Done()
		if s != lead {
			s.start = lead.start
			s.cur, s.cand, s.best = p.in.newSolution(), p.in.newSolution(), p.in.newSolution()
			s.iter, s.lastBest = lead.iter, lead.lastBest
		}
		s.cur.copyFrom(p.cur)
		s.cand.copyFrom(p.cur)
		s.clearDirty()
	}
	return true
}

// step is one iteration of member m: ruin and recreate on its copy,
// acceptance, and the exchange with the shared plan. It returns false,
// doing nothing, when the others have used up the iteration limit.
func (p *pool) step(m *poolMember) bool {
	s := m.s
	iter := int(p.iters.Add(1))
	if s.opts.Iterations > 0 && iter > s.opts.Iterations {
		p.iters.Add(-1)
		return false
	}
	s.iter = iter
	T := s.temperature()
	s.ruin(s.cand)
	s.retryUnassigned(s.cand)
	s.recreate(s.cand, sisrBlink)
	if s.cand.cost < p.bestC.Load() {
		s.localSearch(s.cand)
		if s.swapVehicles(s.cand) {
			s.localSearch(s.cand)
		}
	}
	threshold := float64(s.cur.cost) - T*math.Log(s.rng.float()+1e-300)
	// A step that rebuilt its routes as they were changes nothing: the
	// others need not copy them.
	accept := float64(s.cand.cost) < threshold && !s.unchanged()

	ok := false
	m.pulled = m.pulled[:0]
	if accept || m.waiting.Load() > 0 {
		p.mu.Lock()
		ok = accept && p.fresh(m)
		if ok {
			p.commit(m)
		}
		if p.pull(m) > 0 || ok {
			s.cur.copyIndex(p.cur)
		}
		s.lastBest = p.lastBest
		p.mu.Unlock()
	}

	// cand and cur differ on the dirty routes (cur has the plan's, after a
	// commit cand's) and on the pulled ones (cur has the plan's).
	for _, v := range s.dirty {
		if ok {
			s.cur.routes[v].copyFrom(&s.cand.routes[v])
		} else {
			s.cand.routes[v].copyFrom(&s.cur.routes[v])
		}
	}
	for _, v := range m.pulled {
		s.cand.routes[v].copyFrom(&s.cur.routes[v])
	}
	s.cand.copyIndex(s.cur)
	s.clearDirty()
	return true
}

// fresh reports whether member m's candidate can be committed: no route it
// changed was committed by another thread since its copy was taken, and
// every task it inserted from the left-out list is still left out.
func (p *pool) fresh(m *poolMember) bool {
	s, in := m.s, p.in
	for _, v := range s.dirty {
		if m.pendMark[v] {
			return false
		}
	}
	for _, v := range s.dirty {
		for _, nd := range s.cand.routes[v].nodes {
			if int(nd) < in.nTN && s.cur.routeOf[nd] < 0 && p.cur.routeOf[nd] >= 0 {
				return false
			}
		}
	}
	return true
}

// commit writes member m's changed routes into the shared plan, tells the
// other threads, and keeps a new best. Called with p.mu held.
func (p *pool) commit(m *poolMember) {
	s, in, sh := m.s, p.in, p.cur
	p.accepted++
	for _, v := range s.dirty {
		for _, nd := range sh.routes[v].nodes {
			if int(nd) < in.nTN {
				sh.routeOf[nd] = -1
				if t := in.task[nd]; !sh.unassigned[t] {
					sh.unassigned[t] = true
					sh.nUnassigned++
				}
			}
		}
	}
	for _, v := range s.dirty {
		r := &s.cand.routes[v]
		sh.routes[v].copyFrom(r)
		for i, nd := range r.nodes {
			if int(nd) < in.nTN {
				sh.routeOf[nd], sh.posOf[nd] = v, int32(i)
				if t := in.task[nd]; sh.unassigned[t] {
					sh.unassigned[t] = false
					sh.nUnassigned--
				}
			}
		}
	}
	sh.cost += s.cand.cost - s.cur.cost
	for _, o := range p.members {
		if o == m {
			continue
		}
		for _, v := range s.dirty {
			if !o.pendMark[v] {
				o.pendMark[v] = true
				o.pending = append(o.pending, v)
				o.waiting.Add(1)
			}
		}
	}
	if sh.cost < p.best.cost {
		p.best.copyFrom(sh)
		p.bestC.Store(sh.cost)
		p.lastBest = s.iter
		if p.report != nil {
			p.view.iter = s.iter
			p.report(&p.view)
		}
	}
}

// pull copies the routes others committed into member m's current plan,
// moves their list to m.pulled for the caller to copy into the candidate,
// and returns how many there were. Called with p.mu held.
func (p *pool) pull(m *poolMember) int {
	for _, v := range m.pending {
		m.s.cur.routes[v].copyFrom(&p.cur.routes[v])
		m.pendMark[v] = false
	}
	m.pulled, m.pending = m.pending, m.pulled[:0]
	m.waiting.Store(0)
	return len(m.pulled)
}

// unchanged reports whether every route the step touched has the nodes it
// had before.
func (s *search) unchanged() bool {
	for _, v := range s.dirty {
		if !slices.Equal(s.cand.routes[v].nodes, s.cur.routes[v].nodes) {
			return false
		}
	}
	return true
}

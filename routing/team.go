package routing

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// Threads by decomposition. A team of searches works on one plan in
// epochs. At the start of an epoch the current plan's used routes are
// split into as many groups of nearby routes as there are threads, with
// about as many stops in each (empty vehicles and left-out tasks are dealt
// out too), and each thread runs ruin and recreate with annealing on its
// group only: it ruins, inserts into and improves its own routes, and the
// others stay as they were. Routes of different groups share no task, so
// at the end of the epoch the threads' routes make one plan again, whose
// cost is the sum of the parts; the best of the threads' bests are joined
// the same way. The next epoch splits the joined plan along other lines
// (a new random seed route for each group), so that no border stays.
// Each thread searches a problem of 1/k the size, so k threads make k
// times the iterations of one on the same plan. This is the route-based decomposition of Santini, Schneider, Vidal and Vigo (2023),
// "Decomposition strategies for vehicle routing heuristics", run in
// parallel.
//
// Every wholeEvery-th epoch, and always when the plan has too few routes
// to split (fewer than minTeamRoutes per thread), the threads search the
// whole plan independently instead, and the cheapest thread's plan
// becomes everyone's starting point: moves across the groups' borders
// happen there. On CVRPLIB X n101–200 at equal iterations (one thread
// 400,000, two threads 200,000 each, seed 1), splitting alone gave a mean
// gap of 0.40 %, splitting with every third epoch whole 0.30 %, one
// thread 0.36 %. At equal time it falls short: two threads at 30 s are
// behind one at 60 s (docs/benchmarks.md, "Threads").

// minTeamRoutes is the fewest used routes per thread for decomposition.
const minTeamRoutes = 3

// wholeEvery: every wholeEvery-th epoch searches the whole plan.
const wholeEvery = 3

// Epoch lengths: a run limited by iterations joins its threads every
// Iterations/epochsPerRun iterations (at least epochIterations), a
// time-limited run every TimeLimit/epochsPerRun within [minEpoch,
// maxEpoch]. maxEpoch is about 2,000 iterations on n = 150: longer epochs
// were worse (splitting alone: 0.53 % at 2,000 iterations an epoch against
// 0.40 % at 500).
const (
	epochsPerRun    = 100
	epochIterations = 500
	minEpoch        = 10 * time.Millisecond
	maxEpoch        = 50 * time.Millisecond
)

// routeKey is a route and its closeness to a group's seed.
type routeKey struct {
	v   int32
	key int64
}

// team runs searches that share one plan; ss[0] leads: it builds the first
// solution and finishes the last.
type team struct {
	in        *compiled
	ss        []*search
	cur, best *solution // the joined current and best plans
	joined    *solution // scratch for the epoch's joined best
	group     []int32   // per vehicle: the thread that owns it this epoch
	own       [][]bool  // per thread: its vehicles and tasks when split
	ownTask   [][]bool
	order     []routeKey // scratch: routes by closeness to a seed
}

func newTeam(in *compiled, ss []*search) *team {
	tm := &team{
		in:     in,
		ss:     ss,
		cur:    in.newSolution(),
		best:   in.newSolution(),
		joined: in.newSolution(),
		group:  make([]int32, len(in.veh)),
	}
	for range ss {
		tm.own = append(tm.own, make([]bool, len(in.veh)))
		tm.ownTask = append(tm.ownTask, make([]bool, in.nTasks))
	}
	return tm
}

// run searches from initial until a thread's stop rule ends it and returns
// the best plan found.
func (tm *team) run(ctx context.Context, initial *solution) *solution {
	lead := tm.ss[0]
	if !lead.begin(ctx, initial) {
		return lead.best
	}
	tm.cur.copyFrom(lead.cur)
	tm.best.copyFrom(lead.best)
	for _, s := range tm.ss {
		s.done = ctx.Done()
		if s != lead {
			s.start = lead.start
			s.cur, s.cand, s.best = tm.in.newSolution(), tm.in.newSolution(), tm.in.newSolution()
		}
	}
	defer func() {
		for _, s := range tm.ss {
			s.own, s.ownTask = nil, nil
		}
	}()
	for e := 1; !lead.stop(ctx); e++ {
		split := e%wholeEvery != 0 && tm.split()
		if !split {
			tm.whole()
		}
		tm.epoch(ctx)
		tm.join(split)
	}
	return tm.best
}

// split deals out the current plan's routes and left-out tasks for the
// next epoch and reports whether it did (false: too few routes, every
// thread searches the whole plan).
func (tm *team) split() bool {
	k := len(tm.ss)
	used, stops := tm.usedRoutes()
	if used < minTeamRoutes*k {
		return false
	}
	tm.groupRoutes(stops)
	tm.dealEmpty()
	for i, s := range tm.ss {
		s.own, s.ownTask = tm.own[i], tm.ownTask[i]
		for v := range s.own {
			s.own[v] = tm.group[v] == int32(i)
		}
	}
	tm.dealTasks()
	return true
}

// whole lets every thread search the whole plan this epoch.
func (tm *team) whole() {
	for _, s := range tm.ss {
		s.own, s.ownTask = nil, nil
	}
}

// usedRoutes counts the current plan's used routes and their stops.
func (tm *team) usedRoutes() (used, stops int) {
	for v := range tm.cur.routes {
		if r := &tm.cur.routes[v]; !r.empty() {
			used++
			stops += r.stops
		}
	}
	return used, stops
}

// groupRoutes puts the used routes into groups: each group but the last
// grows from a random seed route by the closeness of the routes' middle
// stops until it holds its share of the stops.
func (tm *team) groupRoutes(stops int) {
	in, rng := tm.in, tm.ss[0].rng
	k := len(tm.ss)
	tm.order = tm.order[:0]
	for v := range tm.cur.routes {
		tm.group[v] = -1
		if !tm.cur.routes[v].empty() {
			tm.order = append(tm.order, routeKey{v: int32(v)})
		}
	}
	share := (stops + k - 1) / k
	rest := tm.order // the routes not yet grouped; tm.order keeps its capacity
	for g := 0; g < k-1 && len(rest) > 0; g++ {
		seed := tm.middle(rest[rng.intn(len(rest))].v)
		for i := range rest {
			rest[i].key = in.proximity(seed, tm.middle(rest[i].v))
		}
		slices.SortStableFunc(rest, func(a, b routeKey) int { return cmp.Compare(a.key, b.key) })
		n, taken := 0, 0
		for n < len(rest) && taken < share {
			tm.group[rest[n].v] = int32(g)
			taken += tm.cur.routes[rest[n].v].stops
			n++
		}
		rest = rest[n:]
	}
	for _, r := range rest {
		tm.group[r.v] = int32(k - 1)
	}
}

// middle is the location of route v's middle node.
func (tm *team) middle(v int32) int32 {
	r := &tm.cur.routes[v]
	return tm.in.loc[r.nodes[len(r.nodes)/2]]
}

// dealEmpty deals the empty vehicles of each class out in turn, so that
// every thread can open a vehicle of every class there are enough of.
func (tm *team) dealEmpty() {
	in := tm.in
	k := int32(len(tm.ss))
	next := make([]int32, in.nClasses)
	for v := range tm.cur.routes {
		if tm.cur.routes[v].empty() {
			c := in.veh[v].class
			tm.group[v] = next[c] % k
			next[c]++
		}
	}
}

// dealTasks gives each thread the tasks of its routes, and each left-out
// task to the thread that owns the route of its nearest served neighbour.
func (tm *team) dealTasks() {
	in, sol := tm.in, tm.cur
	for t := 0; t < in.nTasks; t++ {
		owner := int32(t % len(tm.ss))
		node := in.taskNode[t]
		if v := sol.routeOf[node]; v >= 0 {
			owner = tm.group[v]
		} else {
			for _, nb := range in.neighbors[node] {
				if v := sol.routeOf[nb]; v >= 0 {
					owner = tm.group[v]
					break
				}
			}
		}
		for i, s := range tm.ss {
			s.ownTask[t] = owner == int32(i)
		}
	}
}

// epoch runs every thread from the current plan until the epoch ends or
// its stop rule says so.
func (tm *team) epoch(ctx context.Context) {
	lead := tm.ss[0]
	n, until := max(epochIterations, lead.opts.Iterations/epochsPerRun), time.Time{}
	if lead.opts.TimeLimit > 0 {
		n = 1 << 62
		until = time.Now().Add(min(max(lead.opts.TimeLimit/epochsPerRun, minEpoch), maxEpoch))
	}
	var wg sync.WaitGroup
	for _, s := range tm.ss {
		s.cur.copyFrom(tm.cur)
		s.cand.copyFrom(tm.cur)
		s.best.copyFrom(tm.cur)
		s.clearDirty()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n && !s.stop(ctx) && (until.IsZero() || time.Now().Before(until)); i++ {
				s.step()
			}
		}()
	}
	wg.Wait()
}

// join makes the threads' work one plan again: with a split, each
// thread's routes of its current and best plans; without, the cheapest
// thread's. A new best resets every thread's no-improvement count.
func (tm *team) join(split bool) {
	if split {
		tm.gather(tm.cur, func(s *search) *solution { return s.cur })
		tm.gather(tm.joined, func(s *search) *solution { return s.best })
	} else {
		tm.cur.copyFrom(tm.cheapest(func(s *search) *solution { return s.cur }))
		tm.joined.copyFrom(tm.cheapest(func(s *search) *solution { return s.best }))
	}
	if tm.joined.cost >= tm.best.cost {
		return
	}
	tm.best.copyFrom(tm.joined)
	for _, s := range tm.ss {
		s.lastBest = s.iter
	}
	if lead := tm.ss[0]; lead.report != nil {
		lead.report(&search{in: tm.in, best: tm.best, iter: lead.iter})
	}
}

// gather builds dst from every thread's own routes of the plan pick gives.
func (tm *team) gather(dst *solution, pick func(*search) *solution) {
	for v := range dst.routes {
		dst.routes[v].copyFrom(&pick(tm.ss[tm.group[v]]).routes[v])
	}
	tm.in.reindex(dst)
}

// cheapest returns the lowest-cost plan pick gives among the threads.
func (tm *team) cheapest(pick func(*search) *solution) *solution {
	best := pick(tm.ss[0])
	for _, s := range tm.ss[1:] {
		if c := pick(s); c.cost < best.cost {
			best = c
		}
	}
	return best
}

// reindex rebuilds sol's task index, left-out list and cost from its
// routes, whose summaries are up to date.
func (in *compiled) reindex(sol *solution) {
	for i := range sol.routeOf {
		sol.routeOf[i] = -1
	}
	for t := range sol.unassigned {
		sol.unassigned[t] = true
	}
	sol.nUnassigned = in.nTasks
	sol.cost = 0
	for v := range sol.routes {
		r := &sol.routes[v]
		sol.cost += r.cost
		for i, nd := range r.nodes {
			if int(nd) >= in.nTN {
				continue
			}
			sol.routeOf[nd], sol.posOf[nd] = int32(v), int32(i)
			if t := in.task[nd]; sol.unassigned[t] {
				sol.unassigned[t] = false
				sol.nUnassigned--
			}
		}
	}
	for t, out := range sol.unassigned {
		if out {
			sol.cost += in.penalty[t]
		}
	}
}

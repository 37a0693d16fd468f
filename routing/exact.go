package routing

import "math"

// Tiny problems are solved exactly, by enumeration, so that they return in
// microseconds with a proof of optimality instead of searching until an
// effort or time limit ends the run.
//
// The enumeration places the tasks one at a time: each task is left out or
// inserted at every position of every compatible route (a shipment at every
// ordered pair of positions), which generates every assignment and every
// visiting order exactly once. Then each extra trip a multi-trip vehicle may
// make is a reload inserted at every position of its route, or not at all.
// A task that opens a vehicle goes to the first empty vehicle of its class:
// vehicles of one class are interchangeable. Each complete plan is checked
// with the same route summaries as the search, and the cheapest feasible
// one (the internal cost, unassigned penalties included) wins.

// Solve enumerates a problem before any search when enumerationSize
// estimates at most exactLeaves complete plans, and gives up (and searches)
// after exactSteps route evaluations, about a microsecond each: an exact
// solve, or the attempt, takes a few milliseconds at most. With matrices
// that keep the triangle inequality the enumeration prunes, and problems
// far above exactLeaves finish within exactSteps.
const (
	exactLeaves = 2_000_000
	exactSteps  = 5_000
)

// enumerator is the state of one enumeration.
type enumerator struct {
	in     *compiled
	routes []route
	ok     []bool // routes[v] is feasible
	reload []int  // vehicle of each reload token, after the tasks
	out    []bool // task left out
	cost   int64  // route costs plus the penalties of the tasks left out
	prune  bool   // costs and infeasibility only grow as nodes are added
	stop   func() bool
	leaves int
	steps  int // route evaluations left; the enumeration gives up at 0

	best      int64
	bestNodes [][]int32
	bestOut   []bool
	complete  bool
}

// enumerationSize returns an upper bound on the number of complete plans
// the enumeration visits, or limit+1 when it exceeds limit.
func (in *compiled) enumerationSize(limit int) int {
	nv := len(in.veh)
	size, placed := 1, 0
	grow := func(options int) bool {
		size *= options
		return size <= limit
	}
	for t := 0; t < in.nTasks; t++ {
		ship := in.kind[in.taskNode[t]] == nkPickup
		opts := 1
		for v := 0; v < nv; v++ {
			if !in.compat[t*nv+v] {
				continue
			}
			if ship {
				opts += (placed + 1) * (placed + 2) / 2
			} else {
				opts += placed + 1
			}
		}
		if !grow(opts) {
			return limit + 1
		}
		placed++
		if ship {
			placed++
		}
	}
	for v := range in.veh {
		for k := 1; k < in.veh[v].maxTrips && k <= in.nTN; k++ {
			if !grow(placed + 2) {
				return limit + 1
			}
			placed++
		}
	}
	return size
}

// enumerate returns an optimal solution, or nil when stop reported true
// before the enumeration finished. prune may be set only when costs and
// infeasibility cannot shrink as nodes are added (see metric).
//
// steps bounds the route evaluations (0: no bound); the enumeration returns
// nil when it runs out.
func (in *compiled) enumerate(prune bool, steps int, stop func() bool) *solution {
	if steps == 0 {
		steps = math.MaxInt
	}
	e := &enumerator{in: in, routes: make([]route, len(in.veh)), ok: make([]bool, len(in.veh)),
		out: make([]bool, in.nTasks), prune: prune, stop: stop, best: noCost, steps: steps}
	for v := range in.veh {
		r := &e.routes[v]
		r.v = int32(v)
		r.nodes = []int32{in.veh[v].start, in.veh[v].end}
		in.rebuild(r)
		e.ok[v] = true
		for k := 1; k < in.veh[v].maxTrips && k <= in.nTN; k++ {
			e.reload = append(e.reload, v)
		}
	}
	e.complete = true
	e.task(0)
	if !e.complete || e.bestNodes == nil {
		return nil
	}
	sol := in.newSolution()
	for v, nodes := range e.bestNodes {
		r := &sol.routes[v]
		r.nodes = append(r.nodes[:0], nodes...)
		in.refresh(sol, int32(v))
	}
	for t, out := range e.bestOut {
		if !out {
			sol.unassigned[t] = false
			sol.nUnassigned--
			sol.cost -= in.penalty[t]
		}
	}
	return sol
}

// task places task t and the ones after it, then the reloads.
func (e *enumerator) task(t int) {
	in := e.in
	if !e.complete || (e.prune && e.cost >= e.best) {
		return
	}
	if t == in.nTasks {
		e.reloads(0)
		return
	}
	e.out[t] = true
	e.cost += in.penalty[t]
	e.task(t + 1)
	e.cost -= in.penalty[t]
	e.out[t] = false
	nv := len(in.veh)
	node := in.taskNode[t]
	ship := in.kind[node] == nkPickup
	var opened [64]bool // classes whose first empty vehicle was tried
	for v := 0; v < nv; v++ {
		r := &e.routes[v]
		if !in.compat[t*nv+v] {
			continue
		}
		if r.empty() {
			c := in.veh[v].class
			if c < len(opened) {
				if opened[c] {
					continue
				}
				opened[c] = true
			}
		}
		n := len(r.nodes)
		for i := 1; i < n; i++ {
			if !ship {
				e.place(v, t, []int32{node}, []int{i})
				continue
			}
			for j := i; j < n; j++ {
				// Pickup before old position i, delivery before old j.
				e.place(v, t, []int32{node, in.partner[node]}, []int{i, j + 1})
			}
		}
	}
}

// place inserts nodes at positions pos (in order, each relative to the
// sequence with the earlier ones inserted) into route v, recurses, and
// takes them out again.
func (e *enumerator) place(v, t int, nodes []int32, pos []int) {
	in := e.in
	r := &e.routes[v]
	saved := append([]int32(nil), r.nodes...)
	for k, nd := range nodes {
		r.nodes = insertAt(r.nodes, pos[k], nd)
	}
	old, oldOK := r.cost, e.ok[v]
	e.settle(v)
	if e.ok[v] || !e.prunable(v) {
		e.cost += r.cost - old
		e.task(t + 1)
		e.cost -= r.cost - old
	}
	r.nodes = append(r.nodes[:0], saved...)
	in.rebuild(r)
	e.ok[v] = oldOK
}

// reloads places reload token k and the ones after it.
func (e *enumerator) reloads(k int) {
	in := e.in
	if !e.complete || (e.prune && e.cost >= e.best) {
		return
	}
	if k == len(e.reload) {
		e.leaf()
		return
	}
	e.reloads(k + 1)
	v := e.reload[k]
	r := &e.routes[v]
	if r.empty() {
		return
	}
	for i := 2; i < len(r.nodes)-1; i++ {
		saved := append([]int32(nil), r.nodes...)
		r.nodes = insertAt(r.nodes, i, in.veh[v].reload)
		if len(r.nodes) != len(saved)+1 {
			panic("routing: reload insertion")
		}
		old, oldOK := r.cost, e.ok[v]
		e.settle(v)
		// rebuild drops a reload that would leave a trip empty: that plan
		// is enumerated without it.
		if len(r.nodes) == len(saved)+1 {
			e.cost += r.cost - old
			e.reloads(k + 1)
			e.cost -= r.cost - old
		}
		r.nodes = append(r.nodes[:0], saved...)
		in.rebuild(r)
		e.ok[v] = oldOK
	}
}

// settle rebuilds route v and records whether it is feasible.
func (e *enumerator) settle(v int) {
	if e.steps--; e.steps <= 0 {
		e.complete = false
	}
	r := &e.routes[v]
	e.in.rebuild(r)
	e.ok[v] = e.in.feasible(r)
}

// prunable reports whether an infeasible route v stays infeasible whatever
// is added: true under pruning, except for multi-trip vehicles (a reload
// can repair a load).
func (e *enumerator) prunable(v int) bool {
	return e.prune && e.in.veh[v].maxTrips == 1
}

// leaf records a complete plan.
func (e *enumerator) leaf() {
	e.leaves++
	if e.leaves&255 == 0 && e.stop != nil && e.stop() {
		e.complete = false
		return
	}
	for v := range e.ok {
		if !e.ok[v] {
			return
		}
	}
	if e.cost >= e.best {
		return
	}
	e.best = e.cost
	e.bestNodes = e.bestNodes[:0]
	for v := range e.routes {
		e.bestNodes = append(e.bestNodes, append([]int32(nil), e.routes[v].nodes...))
	}
	e.bestOut = append(e.bestOut[:0], e.out...)
}

// metric reports whether the travel times and distances between the
// problem's locations obey the triangle inequality, so that adding a stop
// to a route never makes it shorter, cheaper or less late. It is O(L³) and
// meant for the small problems that are enumerated. Breaks void it: their
// greedy placement can make a longer route feasible.
func (in *compiled) metric() bool {
	for v := range in.veh {
		if len(in.veh[v].breaks) > 0 {
			return false
		}
	}
	used := map[int32]bool{}
	for _, l := range in.loc {
		if l >= 0 {
			used[l] = true
		}
	}
	var locs []int32
	for l := range used {
		locs = append(locs, l)
	}
	profiles := map[*int32]bool{}
	for v := range in.veh {
		pr := in.veh[v].profile
		if len(pr) == 0 || profiles[&pr[0]] {
			continue
		}
		profiles[&pr[0]] = true
		for _, a := range locs {
			for _, b := range locs {
				for _, c := range locs {
					if in.travel(pr, a, c) > in.travel(pr, a, b)+in.travel(pr, b, c) ||
						in.distance(a, c) > in.distance(a, b)+in.distance(b, c) {
						return false
					}
				}
			}
		}
	}
	return true
}

package routing

import (
	"context"
	"math"
	"time"
	"unsafe"
)

// SISR parameters from Christiaens & Vanden Berghe (2020), table 5.
const (
	sisrAvgRemoved = 10.0 // c̄: average number of removed customers
	sisrMaxString  = 10.0 // Lmax: maximum string length
	sisrSplitRate  = 0.5  // α: probability of the split-string variant
	sisrSplitDepth = 0.01 // β: how quickly the preserved part stops growing
	sisrBlink      = 0.01 // γ: probability of skipping an insertion position

	// Granular insertion: with more than granularRoutes routes in use, a
	// task is first offered only to the routes of its granularNeighbors
	// nearest tasks (and one empty vehicle per class).
	granularRoutes    = 12
	granularNeighbors = 30
	// Granular positions: on instances with more than granularTasks task
	// nodes, or with multi-trip vehicles (whose routes chain several trips
	// and grow long on modest instances), a job is offered to a route of
	// more than granularRouteNodes nodes only next to its
	// granularPosNeighbors nearest tasks (and at the route's ends), and
	// or-opt moves a string at most orOptReach positions. Other instances
	// (Solomon, CVRPLIB up to n = 200) are searched exactly as before.
	granularTasks        = 200
	granularRouteNodes   = 48
	granularPosNeighbors = 30
	orOptReach           = 24
	// Annealing temperatures as fractions of the mean arc cost, tuned on
	// CVRPLIB (no windows) and Solomon (windows): with time windows fewer
	// insertions are feasible, and a hotter search pays off.
	tempStart   = 0.2
	tempEnd     = 0.002
	tempStartTW = 1.5
	tempEndTW   = 0.003
)

// search is one single-threaded run of the metaheuristic.
type search struct {
	in    *compiled
	rng   *rng
	opts  Options
	start time.Time
	iter  int

	cur, cand, best *solution

	dirty     []int32 // routes of cand changed in this iteration
	dirtyMark []bool
	removed   []int32 // tasks to reinsert
	keys      []int64
	classSeen []int32
	routeSeen []int32
	stamp     int32
	seq       []int32 // scratch for exact checks
	lbuf      []lseg  // scratch loads
	lbuf2     []lseg
	detour    []int64 // shipment insertion: delivery detour per position
	sufMin    []int64 // and its suffix minimum
	order     []int32 // local search order
	bufA      []int32
	bufB      []int32
	tmp       route
	swapA     route // scratch routes of swapVehicles
	swapB     route
	swapC     route
	posBuf    []int32         // granular insertion positions
	coarse    bool            // some insertJob call skipped positions
	granPos   bool            // granular positions apply (see granularTasks)
	done      <-chan struct{} // the run's ctx.Done(); nil outside run

	t0, tf   float64
	lastBest int           // iteration of the last new best
	idleMax  int           // stop after this many iterations without a new best; 0: never
	noSISR   bool          // effort level 0: the first solution only
	granular bool          // recreate is restricted to nearby routes
	hurry    bool          // past the deadline: recreate without blinks is granular too
	report   func(*search) // called on each new best
	noOpen   bool          // fleet minimisation: recreate opens no vehicle
	absence  []int64       // fleet minimisation: iterations each task spent out

	moveEvals int64 // counted by local search, for benchmarks

	_ [64]byte // no cache line shared with whatever is allocated next (see ownLines)
}

// ownLines returns n zero values in memory that shares no cache line with
// other allocations: a search's small scratch arrays are written in its
// inner loops, and beside another thread's (allocated next to them) each
// write would take the line from the other core.
func ownLines[T any](n int) []T {
	const line = 64
	pad := line/int(unsafe.Sizeof(*new(T))) + 1
	return make([]T, n+2*pad)[pad : pad+n : pad+n]
}

func newSearch(in *compiled, opts Options, seed int64) *search {
	s := &search{
		in:        in,
		rng:       newRNG(seed),
		opts:      opts,
		dirtyMark: ownLines[bool](len(in.veh)),
		classSeen: ownLines[int32](in.nClasses),
		routeSeen: ownLines[int32](len(in.veh)),
		seq:       make([]int32, 0, in.nTN+3*len(in.veh)+8),
		lbuf:      ownLines[lseg](in.dims),
		lbuf2:     ownLines[lseg](in.dims),
		posBuf:    make([]int32, 0, 2+2*granularPosNeighbors),
		t0:        tempStart * in.meanArc,
		tf:        tempEnd * in.meanArc,
	}
	s.granPos = in.nTN > granularTasks
	for v := range in.veh {
		s.granPos = s.granPos || in.veh[v].maxTrips > 1
	}
	if in.hasTW {
		s.t0, s.tf = tempStartTW*in.meanArc, tempEndTW*in.meanArc
	}
	s.idleMax, s.noSISR = idleLimit(opts, in.nTN)
	return s
}

// idleFactor is the no-improvement rule per effort level: ruin and
// recreate stops after idleFactor[level]·max(n, 10) iterations without a
// new best (level 0 does none, level 5 has no such rule). On the generated
// courier problems of api's BenchmarkVROOMLatency (9 per class), level 3
// answers 20, 50 and 100 stops in a median 12, 109 and 372 ms with mean
// costs 0.25%, 0.14% and 1.0% above whole 1 s runs.
var idleFactor = [6]int{0, 10, 25, 50, 200, 0}

// idleLimit returns the no-improvement limit for opts on a problem of n
// task nodes (0 for none), and whether the search does no iteration at all.
func idleLimit(opts Options, n int) (int, bool) {
	if opts.Effort == 0 && opts.Iterations > 0 {
		return 0, false
	}
	level := opts.Effort.Level()
	if level == 0 {
		return 0, true
	}
	return idleFactor[level] * max(n, 10), false
}

// refresh rebuilds route v of the candidate and remembers it changed.
func (s *search) refresh(sol *solution, v int32) {
	s.in.refresh(sol, v)
	if !s.dirtyMark[v] {
		s.dirtyMark[v] = true
		s.dirty = append(s.dirty, v)
	}
}

// sync makes dst equal src on the routes changed in this iteration.
func (s *search) sync(dst, src *solution) {
	for _, v := range s.dirty {
		dst.routes[v].copyFrom(&src.routes[v])
		s.dirtyMark[v] = false
	}
	s.dirty = s.dirty[:0]
	dst.copyIndex(src)
}

// bestInsertion finds the cheapest feasible insertion of task t over all
// compatible routes. Among empty routes only one per vehicle class is tried:
// identical vehicles are interchangeable.
//
// With blinks (the SISR iterations), jobs are tried at granular positions
// in long routes (see insertJob); if none fits there, or the best one costs
// more than the task's penalty, every position is tried, so that
// granularity never leaves a task out that fits somewhere worth its
// penalty, nor opens a vehicle for a task that fits in a used one. Without blinks (the first solution, the final insertion, the
// diagnostics) every position is tried: a greedy construction that packs
// trips badly costs more than the time it saves.
func (s *search) bestInsertion(sol *solution, t int, blink float64, out *insertion) {
	s.coarse = false
	posSol := sol
	if blink == 0 && !s.hurry {
		posSol = nil
	}
	s.bestInsertionAt(sol, posSol, t, blink, out)
	if s.coarse && (out.v < 0 || out.cost >= s.in.penalty[t] || sol.routes[out.v].empty()) {
		s.bestInsertionAt(sol, nil, t, blink, out)
	}
}

// bestInsertionAt is bestInsertion with insertJob's position restriction
// taken from posSol (nil: every position).
func (s *search) bestInsertionAt(sol, posSol *solution, t int, blink float64, out *insertion) {
	in := s.in
	out.reset()
	s.stamp++
	node := in.taskNode[t]
	nv := len(in.veh)
	ship := in.kind[node] == nkPickup
	// Routes near the task first: a good early bound prunes the rest. With
	// many routes, only those near the task are tried (granular insertion),
	// unless none of them can take it.
	nb := in.neighbors[node]
	near := 8
	if s.granular {
		near = granularNeighbors
	}
	for k := 0; k < len(nb) && k < near; k++ {
		v := sol.routeOf[nb[k]]
		if v < 0 || s.routeSeen[v] == s.stamp || !in.compat[t*nv+int(v)] {
			continue
		}
		s.routeSeen[v] = s.stamp
		r := &sol.routes[v]
		if ship {
			s.insertShipment(r, node, in.partner[node], out, blink)
		} else {
			s.insertJob(posSol, r, node, out, blink)
		}
	}
	for v := 0; v < nv; v++ {
		if !in.compat[t*nv+v] || s.routeSeen[v] == s.stamp {
			continue
		}
		r := &sol.routes[v]
		if s.granular && !r.empty() && out.v >= 0 {
			continue
		}
		if r.empty() {
			if s.noOpen {
				continue
			}
			c := in.veh[v].class
			if s.classSeen[c] == s.stamp {
				continue
			}
			s.classSeen[c] = s.stamp
		}
		if ship {
			s.insertShipment(r, node, in.partner[node], out, blink)
		} else {
			s.insertJob(posSol, r, node, out, blink)
		}
	}
}

// recreate inserts the removed tasks one by one at their cheapest position
// (greedy insertion with blinks), in one of the orders of SISR: random,
// largest demand first, farthest from the depot first, closest first. Higher
// priorities always go first.
func (s *search) recreate(sol *solution, blink float64) {
	in := s.in
	rem := s.removed
	used := 0
	for v := range sol.routes {
		if !sol.routes[v].empty() {
			used++
		}
	}
	s.granular = blink > 0 && used > granularRoutes
	// Shuffle, then sort by the chosen key.
	for i := len(rem) - 1; i > 0; i-- {
		j := s.rng.intn(i + 1)
		rem[i], rem[j] = rem[j], rem[i]
	}
	s.keys = s.keys[:0]
	order := s.rng.intn(11)
	for _, t := range rem {
		var key int64
		node := in.taskNode[t]
		switch {
		case s.absence != nil: // fleet minimisation: the most absent first
			key = s.absence[t]
		case order < 4: // random
		case order < 8: // demand, largest first
			key = in.size[t]
		case order < 10: // far first
			key = in.proximity(in.refLoc, in.loc[node])
		default: // close first
			key = -in.proximity(in.refLoc, in.loc[node])
		}
		s.keys = append(s.keys, key)
	}
	// Insertion sort: the lists are short, and this does not allocate.
	for i := 1; i < len(rem); i++ {
		t, k := rem[i], s.keys[i]
		j := i - 1
		for ; j >= 0 && s.before(t, k, rem[j], s.keys[j]); j-- {
			rem[j+1], s.keys[j+1] = rem[j], s.keys[j]
		}
		rem[j+1], s.keys[j+1] = t, k
	}
	var ins insertion
	ejections := 0
	for i := 0; i < len(s.removed); i++ {
		// The first solution and the final insertion try every position,
		// a long phase on large problems: past the time limit they hurry
		// on with granular insertion (nearby routes and positions only).
		if blink == 0 && !s.hurry && i&7 == 0 && s.expired() {
			s.hurry = true
			s.granular = used > granularRoutes
		}
		t := s.removed[i]
		s.bestInsertion(sol, int(t), blink, &ins)
		if ins.v < 0 {
			// A required job that fits nowhere takes the place of a smaller
			// job, which is queued in turn: a short ejection chain that
			// packs tight fleets (sizes strictly decrease along a chain).
			if in.penalty[t] >= requiredPenalty && ejections < maxEjections {
				if u := s.eject(sol, t); u >= 0 {
					s.removed = append(s.removed, u)
					ejections++
				}
			}
			continue
		}
		// An optional task stays out when serving it costs more than its
		// penalty.
		if ins.cost >= in.penalty[t] {
			continue
		}
		in.apply(sol, int(t), &ins)
		if !s.dirtyMark[ins.v] {
			s.dirtyMark[ins.v] = true
			s.dirty = append(s.dirty, ins.v)
		}
	}
	s.removed = s.removed[:0]
	s.hurry = false
}

// maxEjections bounds the ejections of one recreate.
const maxEjections = 8

// eject puts required job t in the place of a job that weighs less (a
// lower internal penalty: a lower priority; or the same penalty and a
// smaller size) in some route when that is feasible, choosing the cheapest
// such swap, and returns the ejected job (now unassigned), or -1. Each
// ejection lowers (penalty, size), so chains end.
func (s *search) eject(sol *solution, t int32) int32 {
	in := s.in
	x := in.taskNode[t]
	if in.kind[x] != nkJob {
		return -1
	}
	nv := len(in.veh)
	bestV, bestI, bestC := int32(-1), -1, noCost
	for v := 0; v < nv; v++ {
		r := &sol.routes[v]
		if r.empty() || !in.compat[int(t)*nv+v] || r.multiTW > 0 {
			continue
		}
		for i := 1; i < len(r.nodes)-1; i++ {
			u := r.nodes[i]
			if in.kind[u] != nkJob || !in.lighter(in.task[u], t) {
				continue
			}
			c, ok := s.replaceCost(r, i, x)
			if ok && c < bestC {
				bestV, bestI, bestC = int32(v), i, c
			}
		}
	}
	if bestV < 0 {
		return -1
	}
	r := &sol.routes[bestV]
	u := in.task[r.nodes[bestI]]
	in.removeTask(sol, int(u))
	r.nodes = insertAt(r.nodes, bestI, x)
	sol.unassigned[t] = false
	sol.nUnassigned--
	sol.cost -= in.penalty[t]
	s.refresh(sol, bestV)
	return u
}

// lighter reports whether leaving task u out instead of t is allowed in an
// ejection: u's penalty is lower, or equal with a smaller size.
func (in *compiled) lighter(u, t int32) bool {
	if in.penalty[u] != in.penalty[t] {
		return in.penalty[u] < in.penalty[t]
	}
	return in.size[u] < in.size[t]
}

func (s *search) before(t int32, kt int64, u int32, ku int64) bool {
	pt, pu := s.in.prio[t], s.in.prio[u]
	if pt != pu {
		return pt > pu
	}
	return kt > ku
}

// ruin removes strings of consecutive tasks from routes near a random seed
// task: SISR's adjacent string removal, with the split-string variant that
// keeps a run of tasks inside the removed string.
func (s *search) ruin(sol *solution) {
	in := s.in
	// Average cardinality of the used routes.
	used, stops := 0, 0
	for v := range sol.routes {
		if !sol.routes[v].empty() {
			used++
			stops += sol.routes[v].stops
		}
	}
	if used == 0 {
		return
	}
	lsMax := math.Min(sisrMaxString, float64(stops)/float64(used))
	ksMax := 4*sisrAvgRemoved/(1+lsMax) - 1
	ks := int(s.rng.float()*ksMax) + 1
	// A random assigned task node as the seed.
	seed := int32(-1)
	for tries := 0; tries < 64; tries++ {
		c := int32(s.rng.intn(in.nTN))
		if v := sol.routeOf[c]; v >= 0 {
			seed = c
			break
		}
	}
	if seed < 0 {
		for c, v := range sol.routeOf {
			if v >= 0 {
				seed = int32(c)
				break
			}
		}
	}
	s.stamp++
	done := 0
	nb := in.neighbors[seed]
	for i := -1; i < len(nb) && done < ks; i++ {
		c := seed
		if i >= 0 {
			c = nb[i]
		}
		v := sol.routeOf[c]
		if v < 0 || s.routeSeen[v] == s.stamp {
			continue
		}
		s.routeSeen[v] = s.stamp
		done++
		r := &sol.routes[v]
		card := float64(r.stops)
		l := int(s.rng.float()*math.Min(card, lsMax)) + 1
		inner := len(r.nodes) - 2
		pc := int(sol.posOf[c])
		if s.rng.float() < sisrSplitRate && l < inner {
			m := 1
			for l+m < inner && s.rng.float() > sisrSplitDepth {
				m++
			}
			from := s.window(pc, l+m, inner)
			keep := from + s.rng.intn(l+1)
			s.removeRange(sol, r, from, from+l+m, keep, keep+m)
		} else {
			from := s.window(pc, l, inner)
			s.removeRange(sol, r, from, from+l, 0, 0)
		}
		s.refresh(sol, v)
		if in.violation(r) != "" {
			// Matrices that break the triangle inequality (or unreachable
			// pairs) can make a shorter route infeasible, and with several
			// windows per node a shorter route can need a longer schedule
			// than its maximum duration: empty the route.
			s.removeRange(sol, r, 1, len(r.nodes)-1, 0, 0)
			s.refresh(sol, v)
		}
	}
}

// window picks the first position of a random window of length w over the
// inner positions 1..inner that contains position pc.
func (s *search) window(pc, w, inner int) int {
	lo := max(1, pc-w+1)
	hi := min(pc, inner-w+1)
	if hi < lo {
		return lo
	}
	return lo + s.rng.intn(hi-lo+1)
}

// removeRange removes the tasks at positions [from, to) of r except those
// in [keepFrom, keepTo), queueing them for reinsertion.
func (s *search) removeRange(sol *solution, r *route, from, to, keepFrom, keepTo int) {
	in := s.in
	to = min(to, len(r.nodes)-1)
	// Collect first: removal shifts positions.
	first := len(s.removed)
	for i := from; i < to; i++ {
		if i >= keepFrom && i < keepTo {
			continue
		}
		nd := r.nodes[i]
		if int(nd) >= in.nTN {
			continue
		}
		t := in.task[nd]
		dup := false
		for _, u := range s.removed[first:] {
			if u == t {
				dup = true
				break
			}
		}
		if !dup {
			s.removed = append(s.removed, t)
		}
	}
	for _, t := range s.removed[first:] {
		in.removeTask(sol, int(t))
	}
}

// temperature follows the geometric cooling of SISR from t0 to tf over the
// run, measured in iterations or time, whichever is further along.
func (s *search) temperature() float64 {
	frac := -1.0
	if s.opts.Iterations > 0 {
		frac = float64(s.iter) / float64(s.opts.Iterations)
	}
	if s.opts.TimeLimit > 0 {
		frac = max(frac, float64(time.Since(s.start))/float64(s.opts.TimeLimit))
	}
	if s.idleMax > 0 {
		// Cool as the search stalls, so that it stops cold: a new best
		// reheats it to the schedule of the limits.
		frac = max(frac, float64(s.iter-s.lastBest)/float64(s.idleMax))
	}
	if frac < 0 {
		const period = 200_000
		frac = float64(s.iter%period) / period
	}
	frac = min(frac, 1)
	return s.t0 * math.Pow(s.tf/s.t0, frac)
}

// expired reports whether the time limit has passed or ctx (as given to
// run) is done. Long phases check it between tasks, not per move.
func (s *search) expired() bool {
	if s.opts.TimeLimit > 0 && time.Since(s.start) >= s.opts.TimeLimit {
		return true
	}
	select {
	case <-s.done:
		return true
	default:
	}
	return false
}

// stop reports whether the run must end.
func (s *search) stop(ctx context.Context) bool {
	if s.opts.Iterations > 0 && s.iter >= s.opts.Iterations {
		return true
	}
	if s.idleMax > 0 && s.iter-s.lastBest >= s.idleMax {
		return true
	}
	if s.opts.TimeLimit > 0 && time.Since(s.start) >= s.opts.TimeLimit {
		return true
	}
	if s.iter&15 == 0 {
		select {
		case <-ctx.Done():
			return true
		default:
		}
	}
	return false
}

// construct builds the first solution: the initial one when given, then
// greedy insertion of every task left out.
func (s *search) construct(initial *solution) {
	in := s.in
	if initial != nil {
		s.cand.copyFrom(initial)
	}
	for t := 0; t < in.nTasks; t++ {
		if s.cand.unassigned[t] {
			s.removed = append(s.removed, int32(t))
		}
	}
	s.recreate(s.cand, 0)
	s.localSearch(s.cand)
	if s.swapVehicles(s.cand) {
		s.localSearch(s.cand)
	}
	for v := range s.cand.routes {
		s.dirtyMark[v] = false
	}
	s.dirty = s.dirty[:0]
	s.cur.copyFrom(s.cand)
	s.best.copyFrom(s.cand)
}

// run is the ruin-and-recreate loop with simulated-annealing acceptance
// (Christiaens & Vanden Berghe 2020). New best solutions are polished by
// local search before they are kept.
func (s *search) run(ctx context.Context, initial *solution) {
	if !s.begin(ctx, initial) {
		return
	}
	for !s.stop(ctx) {
		s.step()
	}
}

// begin builds the first solution (and, with Options.MinimizeVehicles,
// runs the fleet-minimisation phase) and reports whether ruin and recreate
// has anything to do.
func (s *search) begin(ctx context.Context, initial *solution) bool {
	if s.start.IsZero() {
		s.start = time.Now()
	}
	s.done = ctx.Done()
	s.cur = s.in.newSolution()
	s.cand = s.in.newSolution()
	s.best = s.in.newSolution()
	s.construct(initial)
	if s.report != nil {
		s.report(s)
	}
	if s.in.nTasks == 0 || s.noSISR {
		return false
	}
	if s.opts.MinimizeVehicles {
		s.minimizeFleet(func() bool { return s.stop(ctx) })
	}
	return true
}

// step is one iteration: ruin, recreate, local search on a new best, and
// the annealing test of the candidate against the current solution.
func (s *search) step() {
	s.iter++
	T := s.temperature()
	s.ruin(s.cand)
	s.retryUnassigned(s.cand)
	s.recreate(s.cand, sisrBlink)
	if s.cand.cost < s.best.cost {
		s.localSearch(s.cand)
		if s.swapVehicles(s.cand) {
			s.localSearch(s.cand)
		}
	}
	threshold := float64(s.cur.cost) - T*math.Log(s.rng.float()+1e-300)
	if float64(s.cand.cost) >= threshold {
		s.sync(s.cand, s.cur)
		return
	}
	s.sync(s.cur, s.cand)
	if s.cur.cost < s.best.cost {
		s.lastBest = s.iter
		s.best.copyFrom(s.cur)
		if s.report != nil {
			s.report(s)
		}
	}
}

// maxRetry bounds how many previously unassigned tasks an iteration tries
// to insert again, so that many optional tasks not worth their penalty do
// not slow every iteration down.
const maxRetry = 32

// retryUnassigned queues tasks that were out before this iteration's ruin,
// all of them or maxRetry from a random starting point.
func (s *search) retryUnassigned(sol *solution) {
	n := s.in.nTasks
	if n == 0 {
		return
	}
	ruined := len(s.removed)
	start := 0
	if sol.nUnassigned-ruined > maxRetry {
		start = s.rng.intn(n)
	}
	added := 0
	for k := 0; k < n && added < maxRetry; k++ {
		t := (start + k) % n
		if sol.unassigned[t] && !s.queued(int32(t)) {
			s.removed = append(s.removed, int32(t))
			added++
		}
	}
}

func (s *search) queued(t int32) bool {
	for _, u := range s.removed {
		if u == t {
			return true
		}
	}
	return false
}

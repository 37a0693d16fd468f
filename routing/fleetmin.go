package routing

import "time"

// Fleet minimisation (Options.MinimizeVehicles), after Christiaens and
// Vanden Berghe (2020), section 5.3: take a route out of the best plan,
// leaving its tasks unassigned, and ruin and recreate without opening a
// vehicle until every required task is back in, accepting a candidate
// when it leaves fewer tasks out, or tasks that were out less often (each
// task counts the iterations it spent out, its absences, and recreate
// inserts the most absent first). When all are in, the plan has one route
// fewer: it becomes the best and the next route goes. The phase takes the
// first half of the run (time or iterations), or ends when an attempt has
// gone fleetPatience·n iterations without progress; the ordinary search
// then polishes the cost of the smallest fleet found.

// fleetPatience scales how long one route's removal is tried.
const fleetPatience = 200

// minimizeFleet runs the fleet-minimisation phase from s.best.
func (s *search) minimizeFleet(stop func() bool) {
	in := s.in
	s.absence = make([]int64, in.nTasks)
	s.noOpen = true
	defer func() { s.absence, s.noOpen = nil, false }()
	patience := fleetPatience * max(in.nTN, 10)
	for !stop() && s.fleetPhase() && in.complete(s.best) {
		s.cur.copyFrom(s.best)
		if !s.dropSmallestRoute(s.cur) {
			return
		}
		s.cand.copyFrom(s.cur)
		since := 0
		for in.missing(s.cur) > 0 {
			if stop() || !s.fleetPhase() || since >= patience {
				s.cur.copyFrom(s.best)
				s.cand.copyFrom(s.best)
				return
			}
			s.iter++
			since++
			s.ruin(s.cand)
			s.retryUnassigned(s.cand)
			s.recreate(s.cand, sisrBlink)
			for t, out := range s.cand.unassigned {
				if out {
					s.absence[t]++
				}
			}
			if in.missing(s.cand) < in.missing(s.cur) || s.absent(s.cand) < s.absent(s.cur) {
				s.sync(s.cur, s.cand)
				since = 0
			} else {
				s.sync(s.cand, s.cur)
			}
		}
		s.localSearch(s.cur)
		s.clearDirty()
		s.cand.copyFrom(s.cur)
		s.best.copyFrom(s.cur)
		s.lastBest = s.iter
		if s.report != nil {
			s.report(s)
		}
	}
}

// fleetPhase reports whether the run is still in its first half.
func (s *search) fleetPhase() bool {
	if s.opts.Iterations > 0 && 2*s.iter >= s.opts.Iterations {
		return false
	}
	return s.opts.TimeLimit == 0 || 2*time.Since(s.start) < s.opts.TimeLimit
}

// complete reports whether sol serves every required task that the
// diagnostics could serve: fleet minimisation starts only from a plan
// that leaves no required task out.
func (in *compiled) complete(sol *solution) bool { return in.missing(sol) == 0 }

// missing counts the required tasks sol leaves out.
func (in *compiled) missing(sol *solution) int {
	n := 0
	for t, out := range sol.unassigned {
		if out && in.penalty[t] >= requiredPenalty {
			n++
		}
	}
	return n
}

// absent sums the absences of the tasks sol leaves out.
func (s *search) absent(sol *solution) int64 {
	var a int64
	for t, out := range sol.unassigned {
		if out {
			a += s.absence[t]
		}
	}
	return a
}

// dropSmallestRoute empties the used route with the fewest stops, leaving
// its tasks unassigned, and reports whether there was one.
func (s *search) dropSmallestRoute(sol *solution) bool {
	v := -1
	for u := range sol.routes {
		if r := &sol.routes[u]; !r.empty() && (v < 0 || r.stops < sol.routes[v].stops) {
			v = u
		}
	}
	if v < 0 {
		return false
	}
	r := &sol.routes[v]
	s.removeRange(sol, r, 1, len(r.nodes)-1, 0, 0)
	s.removed = s.removed[:0]
	s.in.refresh(sol, int32(v))
	s.clearDirty()
	return true
}

// clearDirty forgets which routes changed: the caller has made cur and
// cand equal by copying.
func (s *search) clearDirty() {
	for _, u := range s.dirty {
		s.dirtyMark[u] = false
	}
	s.dirty = s.dirty[:0]
}

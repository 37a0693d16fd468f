package routing

// Mixed fleets: the local search moves tasks between routes, but a plan
// that serves the right groups of tasks with the wrong vehicles (an
// expensive van where a cheap bike would do, a vehicle whose start is far
// from its group) is a deep local optimum for it: every single-task move
// passes through a worse plan. swapVehicles exchanges whole routes between
// vehicles of different classes, or moves a route to an empty vehicle of
// another class, keeping the order of the tasks.

// swapVehicles applies improving route exchanges until none is left and
// reports whether it changed sol. It is O(routes²·n) per pass and runs on
// new best solutions only, when the fleet has several classes.
func (s *search) swapVehicles(sol *solution) bool {
	in := s.in
	if in.nClasses < 2 {
		return false
	}
	changed := false
	for pass := 0; pass < 8; pass++ {
		improved := false
		for a := range sol.routes {
			if sol.routes[a].empty() {
				continue
			}
			for b := range sol.routes {
				if a == b || in.veh[a].class == in.veh[b].class {
					continue
				}
				if sol.routes[b].empty() && !s.firstEmptyOfClass(sol, b) {
					continue
				}
				if s.exchange(sol, int32(a), int32(b)) {
					improved, changed = true, true
				}
			}
			if s.expired() {
				return changed
			}
		}
		if !improved {
			break
		}
	}
	return changed
}

// firstEmptyOfClass reports whether empty route b is the first empty one
// of its class: the others are the same vehicle.
func (s *search) firstEmptyOfClass(sol *solution, b int) bool {
	c := s.in.veh[b].class
	for v := 0; v < b; v++ {
		if s.in.veh[v].class == c && sol.routes[v].empty() {
			return false
		}
	}
	return true
}

// exchange gives vehicle b the tasks of route a and vehicle a those of
// route b (possibly none), in the same order or reversed (a vehicle that
// starts elsewhere may serve a group best the other way round), when both
// routes stay feasible and the cost drops.
func (s *search) exchange(sol *solution, a, b int32) bool {
	in := s.in
	ra, rb := &sol.routes[a], &sol.routes[b]
	na, okA := s.retargetBest(&s.swapA, &s.swapC, ra, b)
	if !okA {
		return false
	}
	nb, okB := s.retargetBest(&s.swapB, &s.swapC, rb, a)
	if !okB {
		return false
	}
	if na.cost+nb.cost >= ra.cost+rb.cost {
		return false
	}
	ra.nodes = append(ra.nodes[:0], nb.nodes...)
	rb.nodes = append(rb.nodes[:0], na.nodes...)
	in.refresh(sol, a)
	in.refresh(sol, b)
	s.markDirty(a)
	s.markDirty(b)
	return true
}

// retargetBest is retarget in both orders (reversed only for routes of
// jobs alone, which have no precedence to keep), keeping the cheaper
// feasible one in dst; alt is scratch.
func (s *search) retargetBest(dst, alt *route, r *route, v int32) (*route, bool) {
	_, ok := s.retarget(dst, r, v, false)
	if !s.reversible(r) {
		return dst, ok
	}
	if _, okRev := s.retarget(alt, r, v, true); okRev && (!ok || alt.cost < dst.cost) {
		dst.copyFrom(alt)
		ok = true
	}
	return dst, ok
}

// reversible reports whether r holds jobs only (no shipment, no reload).
func (s *search) reversible(r *route) bool {
	for _, nd := range r.nodes[1 : len(r.nodes)-1] {
		if s.in.kind[nd] != nkJob {
			return false
		}
	}
	return len(r.nodes) > 3
}

// retarget builds in scratch the route of vehicle v over the tasks of r
// (reloads become v's), reversed if asked, and reports whether it is
// feasible for v.
func (s *search) retarget(scratch *route, r *route, v int32, reverse bool) (*route, bool) {
	in := s.in
	vh := &in.veh[v]
	nv := len(in.veh)
	scratch.v = v
	scratch.nodes = append(scratch.nodes[:0], vh.start)
	inner := r.nodes[1 : len(r.nodes)-1]
	for k := range inner {
		nd := inner[k]
		if reverse {
			nd = inner[len(inner)-1-k]
		}
		switch {
		case in.kind[nd] == nkReload:
			nd = vh.reload
		case !in.compat[int(in.task[nd])*nv+int(v)]:
			return scratch, false
		}
		scratch.nodes = append(scratch.nodes, nd)
	}
	scratch.nodes = append(scratch.nodes, vh.end)
	in.rebuild(scratch)
	return scratch, in.fitsVehicle(scratch)
}

// fitsVehicle checks the constraints of a rebuilt route that depend on its
// vehicle: time, duration, travel, distance, stops, trips, loads and the
// backhaul rule (the order of pickups and deliveries is the vehicle's
// own concern only through its trips, checked by the load summaries).
func (in *compiled) fitsVehicle(r *route) bool {
	vh := &in.veh[r.v]
	last := len(r.nodes) - 1
	if !vh.timeOK(r.fT[last]) || r.dist > vh.maxDist || r.stops > vh.maxStops ||
		r.trips > vh.maxTrips || !in.loadsOK(r) {
		return false
	}
	if r.multiTW > 0 && !in.exactTimeOK(r.v, r.nodes) {
		return false
	}
	if vh.backhaul {
		for i, nd := range r.nodes {
			if in.bh[nd] == bhLine && r.fBack[i] {
				return false
			}
		}
	}
	return true
}

// markDirty records that route v of the candidate changed.
func (s *search) markDirty(v int32) {
	if !s.dirtyMark[v] {
		s.dirtyMark[v] = true
		s.dirty = append(s.dirty, v)
	}
}

// dropReloads removes the reloads of sol's routes that the route can do
// without at no extra cost: a reload that capacity does not need only
// delays the stops after it. The search keeps such reloads when they cost
// nothing (the depot on the way under a per-distance cost).
func (s *search) dropReloads(sol *solution) {
	in := s.in
	for v := range sol.routes {
		r := &sol.routes[v]
		for i := 1; r.trips > 1 && i < len(r.nodes)-1; i++ {
			if in.kind[r.nodes[i]] != nkReload {
				continue
			}
			tmp := &s.swapA
			tmp.v = r.v
			tmp.nodes = append(append(tmp.nodes[:0], r.nodes[:i]...), r.nodes[i+1:]...)
			in.rebuild(tmp)
			if tmp.cost > r.cost || !in.fitsVehicle(tmp) {
				continue
			}
			r.nodes = append(r.nodes[:0], tmp.nodes...)
			in.refresh(sol, int32(v))
			s.markDirty(int32(v))
			i--
		}
	}
}

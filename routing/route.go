package routing

// route is one vehicle's sequence of nodes with the prefix (forward) and
// suffix (backward) summaries that make move evaluation O(1). nodes[0] is the
// vehicle's start node and nodes[len-1] its end node; reload nodes split the
// sequence into trips. A route with no task node is empty and costs nothing.
type route struct {
	v     int32
	nodes []int32
	fT    []tseg  // fT[i]: nodes[0..i]
	bT    []tseg  // bT[i]: nodes[i..end]
	fL    []lseg  // fL[i*dims+k]: loads from the trip start through i (empty at a trip start)
	bL    []lseg  // bL[i*dims+k]: loads from i to the trip end (empty at a trip end)
	fD    []int64 // fD[i]: distance from nodes[0] to nodes[i]
	fBack []bool  // the trip prefix through i holds a backhaul
	bLine []bool  // the trip suffix from i holds a linehaul
	open  []int32 // shipments picked up but not yet delivered after position i
	fStop []int32 // task nodes at positions ≤ i
	fRel  []int32 // reload nodes at positions ≤ i

	stops, trips, multiTW int
	dist, dur, cost       int64
}

func (r *route) empty() bool { return r.stops == 0 }

// copyFrom makes r an exact copy of s, reusing r's memory.
func (r *route) copyFrom(s *route) {
	r.v = s.v
	r.nodes = append(r.nodes[:0], s.nodes...)
	r.fT = append(r.fT[:0], s.fT...)
	r.bT = append(r.bT[:0], s.bT...)
	r.fL = append(r.fL[:0], s.fL...)
	r.bL = append(r.bL[:0], s.bL...)
	r.fD = append(r.fD[:0], s.fD...)
	r.fBack = append(r.fBack[:0], s.fBack...)
	r.bLine = append(r.bLine[:0], s.bLine...)
	r.open = append(r.open[:0], s.open...)
	r.fStop = append(r.fStop[:0], s.fStop...)
	r.fRel = append(r.fRel[:0], s.fRel...)
	r.stops, r.trips, r.multiTW = s.stops, s.trips, s.multiTW
	r.dist, r.dur, r.cost = s.dist, s.dur, s.cost
}

// grow returns s resized to n, keeping its contents.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		ns := make([]T, n, 2*n)
		copy(ns, s)
		return ns
	}
	return s[:n]
}

// isBoundary reports whether a node starts or ends a trip: a start, end or
// reload node.
func (in *compiled) isBoundary(node int32) bool {
	k := in.kind[node]
	return k == nkStart || k == nkEnd || k == nkReload
}

// routeCost is the cost of a route with the given totals and time
// summary: PerSecond is paid on the time of the vehicle's TimeBasis.
func (vh *vehicle) routeCost(stops int, dist int64, t tseg) int64 {
	if stops == 0 {
		return 0
	}
	paid := t.d
	switch vh.basis {
	case PayWork:
		paid = t.d - t.w
	case PayTravel:
		paid = t.tr
	}
	return vh.fixed + vh.fleet + vh.perM*dist + vh.perS*paid
}

// timeOK reports whether a route with time summary t keeps its time
// windows, maximum duration and maximum travel time.
func (vh *vehicle) timeOK(t tseg) bool {
	return t.tw == 0 && t.d <= vh.maxDur && t.tr <= vh.maxTravel
}

// rebuild recomputes every summary of r from its nodes, dropping reloads
// that would leave a trip empty. It is O(len(nodes)·dims).
func (in *compiled) rebuild(r *route) {
	vh := &in.veh[r.v]
	// Drop empty trips: a reload right after the start or another reload,
	// or right before the end.
	w := len(r.nodes)
	if vh.maxTrips > 1 {
		w = in.dropEmptyTrips(r.nodes)
	}
	r.nodes = r.nodes[:w]
	n, dims := len(r.nodes), in.dims
	r.fT, r.bT = grow(r.fT, n), grow(r.bT, n)
	r.fL, r.bL = grow(r.fL, n*dims), grow(r.bL, n*dims)
	r.fD = grow(r.fD, n)
	r.fBack, r.bLine = grow(r.fBack, n), grow(r.bLine, n)
	r.open, r.fStop, r.fRel = grow(r.open, n), grow(r.fStop, n), grow(r.fRel, n)
	in.summarize(r)
}

// dropEmptyTrips removes reloads that would leave a trip empty: right after
// the start or another reload, or right before the end. It returns the new
// length.
func (in *compiled) dropEmptyTrips(nodes []int32) int {
	w := 0
	for i, nd := range nodes {
		if in.kind[nd] == nkReload {
			prev := nodes[w-1]
			next := nodes[i+1]
			if in.kind[prev] == nkStart || in.kind[prev] == nkReload || in.kind[next] == nkEnd {
				continue
			}
		}
		nodes[w] = nd
		w++
	}
	if w >= 3 && in.kind[nodes[w-2]] == nkReload {
		nodes[w-2] = nodes[w-1]
		w--
	}
	return w
}

// summarize fills the prefix and suffix summaries of r.
func (in *compiled) summarize(r *route) {
	in.summarizePart(r, 0, len(r.nodes)-1, 0)
}

// summarizePart refreshes the summaries of r after ins nodes were inserted
// at indexes from..last of its sequence (other nodes unchanged, summary
// arrays already sized): prefixes before from and suffixes after last
// (shifted by ins) stay valid, so only about half of the work of a full
// summarize is done. summarizePart(r, 0, len-1, 0) is a full summarize.
func (in *compiled) summarizePart(r *route, from, last, ins int) {
	vh := &in.veh[r.v]
	n, dims := len(r.nodes), in.dims
	prof := vh.profile
	if ins > 0 {
		old := n - ins
		copy(r.bT[last+1:n], r.bT[last+1-ins:old])
		copy(r.bL[(last+1)*dims:n*dims], r.bL[(last+1-ins)*dims:old*dims])
		copy(r.bLine[last+1:n], r.bLine[last+1-ins:old])
	}
	r.multiTW = 0
	for _, nd := range r.nodes {
		if in.tws[nd] != nil {
			r.multiTW++
		}
	}
	if len(vh.breaks) > 0 {
		r.multiTW++ // breaks are scheduled by the exact walk (breaks.go)
	}
	for i := from; i < n; i++ {
		nd := r.nodes[i]
		if i == 0 {
			r.fT[0] = in.nodeTime[nd]
			r.fD[0] = 0
			r.fBack[0] = false
			r.open[0] = 0
			r.fStop[0] = 0
			r.fRel[0] = 0
			for k := 0; k < dims; k++ {
				r.fL[k] = lseg{}
			}
			continue
		}
		prev := r.nodes[i-1]
		r.fT[i] = cat(r.fT[i-1], in.nodeTime[nd], in.travel(prof, in.loc[prev], in.loc[nd]))
		r.fD[i] = r.fD[i-1] + in.distance(in.loc[prev], in.loc[nd])
		r.fStop[i], r.fRel[i], r.open[i] = r.fStop[i-1], r.fRel[i-1], r.open[i-1]
		switch in.kind[nd] {
		case nkReload:
			r.fRel[i]++
		case nkJob:
			r.fStop[i]++
		case nkPickup:
			r.fStop[i]++
			r.open[i]++
		case nkDelivery:
			r.fStop[i]++
			r.open[i]--
		}
		if in.isBoundary(nd) {
			r.fBack[i] = false
			for k := 0; k < dims; k++ {
				r.fL[i*dims+k] = lseg{}
			}
			continue
		}
		r.fBack[i] = r.fBack[i-1] || in.bh[nd] == bhBack
		for k := 0; k < dims; k++ {
			r.fL[i*dims+k] = lcat(r.fL[(i-1)*dims+k], in.load[int(nd)*dims+k])
		}
	}
	for i := last; i >= 0; i-- {
		nd := r.nodes[i]
		if i == n-1 {
			r.bT[i] = in.nodeTime[nd]
			r.bLine[i] = false
			for k := 0; k < dims; k++ {
				r.bL[i*dims+k] = lseg{}
			}
			continue
		}
		next := r.nodes[i+1]
		r.bT[i] = cat(in.nodeTime[nd], r.bT[i+1], in.travel(prof, in.loc[nd], in.loc[next]))
		if in.isBoundary(nd) {
			r.bLine[i] = false
			for k := 0; k < dims; k++ {
				r.bL[i*dims+k] = lseg{}
			}
			continue
		}
		r.bLine[i] = r.bLine[i+1] || in.bh[nd] == bhLine
		for k := 0; k < dims; k++ {
			r.bL[i*dims+k] = lcat(in.load[int(nd)*dims+k], r.bL[(i+1)*dims+k])
		}
	}
	r.stops = int(r.fStop[n-1])
	r.trips = int(r.fRel[n-1]) + 1
	r.dist = r.fD[n-1]
	r.dur = r.fT[n-1].d
	t := r.fT[n-1]
	if len(vh.breaks) > 0 && r.stops > 0 {
		// The duration with the breaks, as the export schedules them (the
		// summaries leave breaks out, so moves estimate without them).
		if ok, _, dur := in.breakSchedule(r.v, r.nodes); ok {
			t.d = dur
		}
	}
	r.cost = vh.routeCost(r.stops, r.dist, t)
}

// loadsOK reports whether every trip of a freshly rebuilt route fits the
// vehicle: the maximum load of a trip is its fL at its last node.
func (in *compiled) loadsOK(r *route) bool {
	cp := in.veh[r.v].capacity
	for i := 1; i < len(r.nodes); i++ {
		if !in.isBoundary(r.nodes[i]) {
			continue
		}
		for k := 0; k < in.dims; k++ {
			if r.fL[(i-1)*in.dims+k].m > cp[k] {
				return false
			}
		}
	}
	return true
}

// feasible checks a rebuilt route completely (used by tests and when
// importing an initial solution).
func (in *compiled) feasible(r *route) bool {
	vh := &in.veh[r.v]
	last := len(r.nodes) - 1
	if !vh.timeOK(r.fT[last]) || r.dist > vh.maxDist ||
		r.stops > vh.maxStops || r.trips > vh.maxTrips || !in.loadsOK(r) {
		return false
	}
	if r.multiTW > 0 && !in.exactTimeOK(r.v, r.nodes) {
		return false
	}
	// Pickups before deliveries within one trip; backhaul rule.
	pos := map[int32]int{}
	for i, nd := range r.nodes {
		pos[nd] = i
		if in.kind[nd] == nkDelivery {
			pi, ok := pos[in.partner[nd]]
			if !ok || r.fRel[pi] != r.fRel[i] {
				return false
			}
		}
		if in.bh[nd] == bhLine && vh.backhaul && r.fBack[i] {
			return false
		}
	}
	return r.open[last] == 0
}

// exactTimeOK checks a node sequence against every time window of every
// node (not only their hull) and the vehicle's maximum duration. Only routes
// that hold a node with several windows need it.
func (in *compiled) exactTimeOK(v int32, seq []int32) bool {
	ok, _, dur := in.exactSchedule(v, seq)
	return ok && dur <= in.veh[v].maxDur
}

// exactSchedule schedules a node sequence with all time windows: a forward
// pass from the shift start finds the earliest possible end, and a backward
// pass from that end finds the latest departure that still reaches it
// (Savelsbergh's forward time slack, for several windows per node). It
// returns feasibility, that departure and the duration end − departure.
func (in *compiled) exactSchedule(v int32, seq []int32) (bool, int64, int64) {
	if len(in.veh[v].breaks) > 0 {
		return in.breakSchedule(v, seq)
	}
	prof := in.veh[v].profile
	t := in.twE[seq[0]]
	for i, nd := range seq {
		if i > 0 {
			t += in.travel(prof, in.loc[seq[i-1]], in.loc[nd])
		}
		if ws := in.tws[nd]; ws != nil {
			ok := false
			for _, w := range ws {
				if t <= w.End {
					t = max(t, w.Start)
					ok = true
					break
				}
			}
			if !ok {
				return false, 0, 0
			}
		} else {
			if t > in.twL[nd] {
				return false, 0, 0
			}
			t = max(t, in.twE[nd])
		}
		t += in.service[nd]
	}
	end := t - in.service[seq[len(seq)-1]]
	// Backward: latest service start at each node that keeps the end.
	late := in.latestDeparture(v, seq, end)
	return true, late, end - late
}

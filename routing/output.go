package routing

import "fmt"

// export turns a search solution into the public Solution with schedules.
//
// Schedule: each route leaves its start at the earliest time that achieves
// its minimal duration (Vidal's E of the whole route, so no waiting that a
// later departure would avoid), and every stop then starts service as early
// as it can. Route.Duration is the arrival at the end (or at the last stop of
// an open route) minus that departure: driving, service and waiting.
//
// expired reports whether the time limit has passed: the diagnostics of
// unassigned tasks then skip the insertion attempts that cost O(n) each.
func (in *compiled) export(s *solution, expired func() bool) *Solution {
	p := in.p
	out := &Solution{}
	for v := range s.routes {
		r := &s.routes[v]
		if r.empty() {
			continue
		}
		var rt Route
		if len(in.veh[r.v].breaks) > 0 {
			rt = in.exportBreakRoute(r)
		} else {
			rt = in.exportRoute(r)
		}
		out.Routes = append(out.Routes, rt)
		out.Cost += rt.Cost
		out.Distance += rt.Distance
		out.Duration += rt.Duration
	}
	for t := 0; t < in.nTasks; t++ {
		if !s.unassigned[t] {
			continue
		}
		u := Unassigned{Task: t, Reason: in.diagnose(s, t, expired)}
		if t >= in.nJobs {
			u.Shipment, u.Task = true, t-in.nJobs
			out.Cost += p.Shipments[u.Task].Penalty
		} else {
			out.Cost += p.Jobs[t].Penalty
		}
		out.Unassigned = append(out.Unassigned, u)
	}
	return out
}

func (in *compiled) exportRoute(r *route) Route {
	vh := &in.veh[r.v]
	prof := vh.profile
	dims := in.dims
	last := len(r.nodes) - 1
	rt := Route{Vehicle: int(r.v), Distance: r.dist}
	// tripLoad returns the deliveries of the trip that starts after position i.
	tripLoad := func(i int) []int64 {
		l := make([]int64, dims)
		for j := i + 1; j < last && !in.isBoundary(r.nodes[j]); j++ {
			nd := r.nodes[j]
			if in.kind[nd] == nkJob {
				for k := 0; k < dims; k++ {
					l[k] += in.load[int(nd)*dims+k].d
				}
			}
		}
		return l
	}
	load := tripLoad(0)
	t := r.fT[last].e
	if r.multiTW > 0 {
		_, t, _ = in.exactSchedule(r.v, r.nodes)
	}
	var startTime, endTime int64
	for i, nd := range r.nodes {
		var arr int64
		if i == 0 {
			arr = t
			startTime = t
		} else {
			arr = t + in.travel(prof, in.loc[r.nodes[i-1]], in.loc[nd])
		}
		begin := max(arr, in.twE[nd])
		if ws := in.tws[nd]; ws != nil {
			for _, w := range ws {
				if arr <= w.End {
					begin = max(arr, w.Start)
					break
				}
			}
		}
		if i == 0 {
			begin = arr
		}
		t = begin + in.service[nd]
		stop := RouteStop{Task: -1, Location: int(in.loc[nd]), Arrival: arr, Waiting: begin - arr, Departure: t}
		switch in.kind[nd] {
		case nkStart:
			stop.Kind = KindStart
		case nkEnd:
			stop.Kind = KindEnd
			endTime = arr
		case nkReload:
			stop.Kind = KindReload
			load = tripLoad(i)
		case nkJob:
			stop.Kind, stop.Task = KindJob, int(in.task[nd])
		case nkPickup:
			stop.Kind, stop.Task = KindPickup, int(in.task[nd])-in.nJobs
		case nkDelivery:
			stop.Kind, stop.Task = KindDelivery, int(in.task[nd])-in.nJobs
		}
		if k := in.kind[nd]; k == nkJob || k == nkPickup || k == nkDelivery {
			for d := 0; d < dims; d++ {
				ls := in.load[int(nd)*dims+d]
				load[d] += ls.p - ls.d
			}
			endTime = t
		}
		stop.Load = append([]int64(nil), load...)
		if (stop.Kind == KindStart && vh.startLoc < 0) || (stop.Kind == KindEnd && vh.endLoc < 0) {
			continue
		}
		rt.Stops = append(rt.Stops, stop)
	}
	if vh.endLoc >= 0 {
		endTime = rt.Stops[len(rt.Stops)-1].Arrival
	}
	if vh.startLoc < 0 && len(rt.Stops) > 0 {
		startTime = rt.Stops[0].Arrival
	}
	rt.Duration = endTime - startTime
	var waiting int64
	for _, st := range rt.Stops {
		waiting += st.Waiting
	}
	rt.Cost = vh.routeCost(r.stops, rt.Distance, tseg{d: rt.Duration, tr: r.fT[last].tr, w: waiting}) - vh.fleet
	return rt
}

// diagnose says why task t is unassigned in s. It checks, in order: skills
// (no vehicle has them), capacity (the amount exceeds every compatible
// vehicle), unreachable (no compatible vehicle can drive there and back),
// then a route serving only this task on each compatible vehicle (time
// window, max duration, max distance, max stops). A task that fits an empty
// route but is out is either not worth its penalty (a feasible insertion
// costs more) or blocked by the binding constraint of its cheapest insertion
// in the final routes.
//
// Past the time limit (expired), a task that fits an empty route is
// reported as ReasonTimeLimit without the insertion attempts.
func (in *compiled) diagnose(s *solution, t int, expired func() bool) Reason {
	nv := len(in.veh)
	node := in.taskNode[t]
	ship := in.kind[node] == nkPickup
	nodes := []int32{node}
	if ship {
		nodes = append(nodes, in.partner[node])
	}
	anyCompat, anyCap, anyReach := false, false, false
	var alone Reason
	for v := 0; v < nv; v++ {
		if !in.compat[t*nv+v] {
			continue
		}
		anyCompat = true
		vh := &in.veh[v]
		fits := true
		for d := 0; d < in.dims; d++ {
			for _, nd := range nodes {
				if ls := in.load[int(nd)*in.dims+d]; ls.m > vh.capacity[d] {
					fits = false
				}
			}
		}
		if !fits {
			continue
		}
		anyCap = true
		seq := append(append([]int32{vh.start}, nodes...), vh.end)
		reach := true
		for i := 1; i < len(seq); i++ {
			if in.travel(vh.profile, in.loc[seq[i-1]], in.loc[seq[i]]) >= infTime {
				reach = false
			}
		}
		if !reach {
			continue
		}
		anyReach = true
		r := route{v: int32(v), nodes: seq}
		in.rebuild(&r)
		why := in.violation(&r)
		if why == "" {
			alone = ""
			break
		}
		if alone == "" {
			alone = why
		}
	}
	switch {
	case !anyCompat:
		return ReasonSkills
	case !anyCap:
		return ReasonCapacity
	case !anyReach:
		return ReasonUnreachable
	case alone != "":
		return alone
	case expired != nil && expired():
		return ReasonTimeLimit
	}
	// Feasible alone: is a feasible insertion in the final routes just too
	// expensive?
	sr := newSearch(in, Options{}, 1)
	var ins insertion
	sr.bestInsertion(s, t, 0, &ins)
	if ins.v >= 0 {
		return ReasonPenalty
	}
	// The binding constraint of the cheapest (by added distance) attempt.
	bestD, bestV, bestK := noCost, -1, -1
	for v := 0; v < nv; v++ {
		if !in.compat[t*nv+v] {
			continue
		}
		r := &s.routes[v]
		for k := 0; k < len(r.nodes)-1; k++ {
			a, b := in.loc[r.nodes[k]], in.loc[r.nodes[k+1]]
			dd := in.distance(a, in.loc[node]) + in.distance(in.loc[nodes[len(nodes)-1]], b) - in.distance(a, b)
			if dd < bestD {
				bestD, bestV, bestK = dd, v, k
			}
		}
	}
	if bestV < 0 {
		return ReasonCapacity
	}
	r := &s.routes[bestV]
	seq := append(append(append([]int32{}, r.nodes[:bestK+1]...), nodes...), r.nodes[bestK+1:]...)
	tmp := route{v: int32(bestV), nodes: seq}
	in.rebuild(&tmp)
	why := in.violation(&tmp)
	if why == ReasonCapacity && in.veh[bestV].maxTrips > 1 && !r.empty() {
		// The trips are full: would a trip of its own fit? If time is
		// what forbids it (the shift, most often), say so.
		last := len(r.nodes) - 1
		seq = append(append(append(append([]int32{}, r.nodes[:last]...), in.veh[bestV].reload), nodes...), r.nodes[last])
		trip := route{v: int32(bestV), nodes: seq}
		in.rebuild(&trip)
		if w := in.violation(&trip); w != "" && w != ReasonCapacity {
			return w
		}
	}
	if why != "" {
		return why
	}
	return ReasonCapacity
}

// shiftBinds reports whether a route with time warp would keep its time
// windows if its vehicle's shift had no end: then the shift, not a task's
// window, is what it breaks.
func (in *compiled) shiftBinds(r *route) bool {
	prof := in.veh[r.v].profile
	var t tseg
	for i, nd := range r.nodes {
		x := in.nodeTime[nd]
		if in.isBoundary(nd) {
			x.l = noHorizon
		}
		if i == 0 {
			t = x
			continue
		}
		t = cat(t, x, in.travel(prof, in.loc[r.nodes[i-1]], in.loc[nd]))
	}
	return t.tw == 0
}

// violation names the first constraint a rebuilt route breaks, or "".
func (in *compiled) violation(r *route) Reason {
	vh := &in.veh[r.v]
	last := len(r.nodes) - 1
	if r.stops == 0 {
		return ""
	}
	switch {
	case !in.loadsOK(r) || r.trips > vh.maxTrips:
		return ReasonCapacity
	case r.fT[last].tw > 0 || (r.multiTW > 0 && !in.exactTimeOK(r.v, r.nodes)):
		if r.fT[last].tw >= infTime/2 {
			return ReasonUnreachable
		}
		if r.fT[last].tw > 0 && in.shiftBinds(r) {
			return ReasonShift
		}
		return ReasonTimeWindow
	case r.dur > vh.maxDur:
		return ReasonMaxDuration
	case r.fT[last].tr > vh.maxTravel:
		return ReasonMaxTravel
	case r.dist > vh.maxDist:
		return ReasonMaxDistance
	case r.stops > vh.maxStops:
		return ReasonMaxStops
	}
	if vh.backhaul {
		for i, nd := range r.nodes {
			if in.bh[nd] == bhLine && r.fBack[i] {
				return ReasonCapacity
			}
		}
	}
	return ""
}

// importSolution reads an initial solution. Routes that are infeasible for
// this problem are dropped whole; their tasks are reinserted by the search.
func (in *compiled) importSolution(init *Solution) (*solution, error) {
	s := in.newSolution()
	seen := make([]bool, in.nTN)
	for ri, rt := range init.Routes {
		v := rt.Vehicle
		if v < 0 || v >= len(in.veh) {
			return nil, invalid(fmt.Sprintf("options.initial.routes[%d].vehicle", ri), "vehicle %d out of range", v)
		}
		if !s.routes[v].empty() {
			return nil, invalid(fmt.Sprintf("options.initial.routes[%d].vehicle", ri), "vehicle %d has two routes", v)
		}
		vh := &in.veh[v]
		nodes := []int32{vh.start}
		for si, st := range rt.Stops {
			var nd int32
			switch st.Kind {
			case KindStart, KindEnd:
				continue
			case KindReload:
				nodes = append(nodes, vh.reload)
				continue
			case KindJob:
				if st.Task < 0 || st.Task >= in.nJobs {
					return nil, invalid(fmt.Sprintf("options.initial.routes[%d].stops[%d]", ri, si), "job %d out of range", st.Task)
				}
				nd = int32(st.Task)
			case KindPickup, KindDelivery:
				if st.Task < 0 || st.Task >= in.nShip {
					return nil, invalid(fmt.Sprintf("options.initial.routes[%d].stops[%d]", ri, si), "shipment %d out of range", st.Task)
				}
				nd = int32(in.nJobs + st.Task)
				if st.Kind == KindDelivery {
					nd += int32(in.nShip)
				}
			default:
				return nil, invalid(fmt.Sprintf("options.initial.routes[%d].stops[%d]", ri, si), "unknown kind %d", st.Kind)
			}
			if seen[nd] {
				return nil, invalid(fmt.Sprintf("options.initial.routes[%d].stops[%d]", ri, si), "task visited twice")
			}
			seen[nd] = true
			nodes = append(nodes, nd)
		}
		nodes = append(nodes, vh.end)
		r := &s.routes[v]
		r.nodes = nodes
		in.rebuild(r)
		ok := in.feasible(r)
		for _, nd := range r.nodes {
			if int(nd) < in.nTN && (!in.compat[int(in.task[nd])*len(in.veh)+v] ||
				(in.partner[nd] >= 0 && !seen[in.partner[nd]])) {
				ok = false
			}
		}
		if !ok {
			r.nodes = append(r.nodes[:0], vh.start, vh.end)
			in.rebuild(r)
			continue
		}
		for _, nd := range r.nodes {
			if int(nd) < in.nTN {
				t := in.task[nd]
				if s.unassigned[t] {
					s.unassigned[t] = false
					s.nUnassigned--
					s.cost -= in.penalty[t]
				}
			}
		}
		in.refresh(s, int32(v))
	}
	// Recompute the cost from scratch: simpler than tracking the above.
	s.cost = 0
	for v := range s.routes {
		s.cost += s.routes[v].cost
	}
	for t, u := range s.unassigned {
		if u {
			s.cost += in.penalty[t]
		}
	}
	return s, nil
}

func (k StopKind) String() string {
	switch k {
	case KindStart:
		return "start"
	case KindJob:
		return "job"
	case KindPickup:
		return "pickup"
	case KindDelivery:
		return "delivery"
	case KindReload:
		return "reload"
	case KindEnd:
		return "end"
	case KindBreak:
		return "break"
	}
	return fmt.Sprintf("StopKind(%d)", uint8(k))
}

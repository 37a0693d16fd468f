package routing

import (
	"cmp"
	"slices"
)

// Breaks (VROOM's vehicle breaks) are not nodes of a route: they are
// scheduled by a walk along it. A route of a vehicle with breaks counts as
// a route with several time windows (route.multiTW), so every move on it is
// confirmed by exactSchedule, which walks it with its breaks, and the
// export walks it the same way to place them.
//
// The walk takes the breaks in order, each at the first gap between two
// stops (after the start's departure or a stop's service, before driving
// on) where either it costs nothing (the vehicle would wait at least as
// long at the next stop anyway) or it cannot wait any longer (no window of
// the break is still open after the next stop's service). A break whose
// MaxLoad the load exceeds waits for a later gap. A route whose walk leaves
// a break untaken, or reaches a stop too late, is infeasible. The rule is
// greedy, not exact: a route that only a break placed earlier than needed
// makes feasible is refused.

// sortedBreaks returns the indexes of bs ordered by the start of their
// first window (those without windows first), and the breaks in that
// order.
func sortedBreaks(bs []Break) ([]int, []Break) {
	if len(bs) == 0 {
		return nil, nil
	}
	idx := make([]int, len(bs))
	for i := range idx {
		idx[i] = i
	}
	first := func(i int) int64 {
		if len(bs[i].TimeWindows) == 0 {
			return -1
		}
		return bs[i].TimeWindows[0].Start
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(first(a), first(b)) })
	out := make([]Break, len(bs))
	for k, i := range idx {
		out[k] = bs[i]
	}
	return idx, out
}

// breakStart returns the earliest start at or after t within one of b's
// windows, or false when every window has closed.
func breakStart(b *Break, t int64) (int64, bool) {
	if len(b.TimeWindows) == 0 {
		return t, true
	}
	for _, w := range b.TimeWindows {
		if t <= w.End {
			return max(t, w.Start), true
		}
	}
	return 0, false
}

// nodeBegin returns when service at nd can begin for an arrival at t, or
// false when every window of nd has closed.
func (in *compiled) nodeBegin(nd int32, t int64) (int64, bool) {
	if ws := in.tws[nd]; ws != nil {
		for _, w := range ws {
			if t <= w.End {
				return max(t, w.Start), true
			}
		}
		return 0, false
	}
	if t > in.twL[nd] {
		return 0, false
	}
	return max(t, in.twE[nd]), true
}

// breakVisit receives the walk's stops: node index i of the sequence (or
// -1 for a break, with its index b in the vehicle's sorted breaks),
// arrival, start of service and departure, and the load after it.
type breakVisit func(i, b int, arrival, begin, departure int64, load []int64)

// walkBreaks walks seq for vehicle v from a departure at depart, taking
// the breaks as described above, and returns whether every stop and break
// was on time and the arrival at the last node (its service start for an
// open route's last stop).
func (in *compiled) walkBreaks(v int32, seq []int32, depart int64, visit breakVisit) (bool, int64) {
	vh := &in.veh[v]
	prof := vh.profile
	dims := in.dims
	load := make([]int64, dims)
	tripLoad := func(from int) {
		clear(load)
		for j := from; j < len(seq) && (j == from || !in.isBoundary(seq[j])); j++ {
			if in.kind[seq[j]] == nkJob {
				for d := 0; d < dims; d++ {
					load[d] += in.load[int(seq[j])*dims+d].d
				}
			}
		}
	}
	tripLoad(0)
	next := 0 // the next break to take
	t := depart
	if visit != nil {
		visit(0, -1, depart, depart, depart, load)
	}
	var begin int64
	for i := 1; i < len(seq); i++ {
		prev, nd := seq[i-1], seq[i]
		drive := in.travel(prof, in.loc[prev], in.loc[nd])
		last := i == len(seq)-1
		for next < len(vh.breaks) {
			b := &vh.breaks[next]
			s, ok := breakStart(b, t)
			if !ok {
				return false, 0
			}
			if !fitsLoad(b.MaxLoad, load) {
				if last {
					return false, 0
				}
				break
			}
			without, ok := in.nodeBegin(nd, t+drive)
			if !ok && !last {
				// Too late for the next stop anyway: the walk fails there.
				break
			}
			free := s+b.Service+drive <= without
			_, later := breakStart(b, without+in.service[nd])
			if !free && later && !last {
				break
			}
			if visit != nil {
				visit(-1, next, t, s, s+b.Service, load)
			}
			t = s + b.Service
			next++
		}
		arr := t + drive
		var ok bool
		if begin, ok = in.nodeBegin(nd, arr); !ok {
			return false, 0
		}
		if in.kind[nd] == nkReload {
			tripLoad(i + 1)
		} else {
			for d := 0; d < dims; d++ {
				ls := in.load[int(nd)*dims+d]
				load[d] += ls.p - ls.d
			}
		}
		t = begin + in.service[nd]
		if visit != nil {
			visit(i, -1, arr, begin, t, load)
		}
	}
	if next < len(vh.breaks) {
		return false, 0
	}
	return true, begin
}

func fitsLoad(maxLoad, load []int64) bool {
	for d := range maxLoad {
		if d < len(load) && load[d] > maxLoad[d] {
			return false
		}
	}
	return true
}

// breakSchedule is exactSchedule for a vehicle with breaks: the earliest
// end from a departure at the shift start, then the latest departure
// (among the one without breaks' slack, that less the breaks, and the
// shift start) that still reaches it. An empty route takes no break.
func (in *compiled) breakSchedule(v int32, seq []int32) (bool, int64, int64) {
	if len(seq) <= 2 {
		return true, in.twE[seq[0]], 0
	}
	t0 := in.twE[seq[0]]
	ok, end := in.walkBreaks(v, seq, t0, nil)
	if !ok {
		return false, 0, 0
	}
	var total int64
	for _, b := range in.veh[v].breaks {
		total += b.Service
	}
	late := in.latestDeparture(v, seq, end)
	for _, dep := range []int64{late, late - total} {
		if dep <= t0 {
			break
		}
		if ok, e := in.walkBreaks(v, seq, dep, nil); ok && e <= end {
			return true, dep, end - dep
		}
	}
	return true, t0, end - t0
}

// latestDeparture is the backward pass of exactSchedule (and of the
// schedule with breaks): the latest departure from seq[0] that still
// starts the last node's service by end.
func (in *compiled) latestDeparture(v int32, seq []int32, end int64) int64 {
	prof := in.veh[v].profile
	late := end
	for i := len(seq) - 2; i >= 0; i-- {
		nd := seq[i]
		late -= in.travel(prof, in.loc[nd], in.loc[seq[i+1]]) + in.service[nd]
		if ws := in.tws[nd]; ws != nil {
			for k := len(ws) - 1; k >= 0; k-- {
				if ws[k].Start <= late {
					late = min(late, ws[k].End)
					break
				}
			}
		} else {
			late = min(late, in.twL[nd])
		}
	}
	return late
}

// exportBreakRoute is exportRoute for a vehicle with breaks: the stops of
// the walk from the departure breakSchedule chose, breaks included.
func (in *compiled) exportBreakRoute(r *route) Route {
	vh := &in.veh[r.v]
	rt := Route{Vehicle: int(r.v), Distance: r.dist}
	_, dep, _ := in.breakSchedule(r.v, r.nodes)
	last := len(r.nodes) - 1
	prevLoc := -1
	var waiting, startTime, endTime int64
	in.walkBreaks(r.v, r.nodes, dep, func(i, b int, arr, begin, departure int64, load []int64) {
		stop := RouteStop{Task: -1, Arrival: arr, Waiting: begin - arr, Departure: departure, Load: append([]int64(nil), load...)}
		if i < 0 {
			stop.Kind, stop.Task, stop.Location = KindBreak, vh.breakOf[b], prevLoc
		} else {
			nd := r.nodes[i]
			stop.Location = int(in.loc[nd])
			switch in.kind[nd] {
			case nkStart:
				stop.Kind = KindStart
			case nkEnd:
				stop.Kind = KindEnd
			case nkReload:
				stop.Kind = KindReload
			case nkJob:
				stop.Kind, stop.Task = KindJob, int(in.task[nd])
			case nkPickup:
				stop.Kind, stop.Task = KindPickup, int(in.task[nd])-in.nJobs
			case nkDelivery:
				stop.Kind, stop.Task = KindDelivery, int(in.task[nd])-in.nJobs
			}
			if stop.Location >= 0 {
				prevLoc = stop.Location
			}
		}
		switch {
		case i == 0 && vh.startLoc < 0, i == last && vh.endLoc < 0:
			return // "nowhere": no stop
		}
		if len(rt.Stops) == 0 {
			startTime = arr
			if stop.Kind == KindStart {
				startTime = departure
			}
		}
		endTime = arr
		if i != last {
			endTime = departure
		}
		waiting += stop.Waiting
		rt.Stops = append(rt.Stops, stop)
	})
	if vh.endLoc < 0 && len(rt.Stops) > 0 {
		// An open route ends when its last stop's service ends.
		endTime = rt.Stops[len(rt.Stops)-1].Departure
	}
	rt.Duration = endTime - startTime
	rt.Cost = vh.routeCost(r.stops, rt.Distance, tseg{d: rt.Duration, tr: r.fT[last].tr, w: waiting}) - vh.fleet
	return rt
}

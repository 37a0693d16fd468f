package routing

// Reload variants of a job insertion (multi-trip vehicles).
const (
	reloadNone   int8 = iota
	reloadBefore      // insert [reload, job]: the job opens a new trip
	reloadAfter       // insert [job, reload]: the job closes its trip
)

// insertion is a candidate position for a task in a route.
type insertion struct {
	cost   int64 // change of the route's cost
	v      int32 // vehicle (route)
	pos    int32 // insert after nodes[pos]
	pos2   int32 // shipments: the delivery goes after nodes[pos2], pos2 ≥ pos
	reload int8
}

const noCost = int64(1) << 62

func (x *insertion) reset() { *x = insertion{cost: noCost, v: -1} }

// insertJob finds the cheapest feasible position of job node x in r that is
// cheaper than out.cost, skipping each position with probability blink
// (Christiaens & Vanden Berghe's "blinks"). Every position is checked in O(1)
// (O(dims) for loads) from r's prefix and suffix summaries; routes that hold
// a node with several time windows get an exact walk, but only for a
// position that would become the best.
//
// When sol is given and the instance and route are large (see
// granularPositions), only the positions next to x's nearest tasks in r and
// the route's first and last arcs are tried: a granular neighbourhood
// (P. Toth and D. Vigo, "The granular tabu search and its application to the
// vehicle-routing problem", INFORMS Journal on Computing 15(4):333–346,
// 2003), which makes an insertion O(granularPosNeighbors) instead of O(n).
// A nil sol tries every position.
func (s *search) insertJob(sol *solution, r *route, x int32, out *insertion, blink float64) {
	in := s.in
	vh := &in.veh[r.v]
	if r.stops+1 > vh.maxStops {
		return
	}
	n := len(r.nodes)
	var positions []int32
	if sol != nil && s.granPos && n > granularRouteNodes {
		positions = s.nearPositions(sol, r, x)
		s.coarse = true
	}
	dims := in.dims
	xl := in.load[int(x)*dims : int(x)*dims+dims]
	xt := in.nodeTime[x]
	xloc := in.loc[x]
	prof := vh.profile
	capa := vh.capacity
	line := vh.backhaul && in.bh[x] == bhLine
	back := vh.backhaul && in.bh[x] == bhBack
	exact := r.multiTW > 0 || in.tws[x] != nil
	multi := r.trips < vh.maxTrips
	blinkBelow := uint64(blink * (1 << 63) * 2)
	var x0 lseg
	var c0 int64
	if dims == 1 {
		x0, c0 = xl[0], capa[0]
	}
	last := n - 1
	if positions != nil {
		last = len(positions)
	}
	for i := 0; i < last; i++ {
		k := i
		if positions != nil {
			k = int(positions[i])
		}
		if blinkBelow > 0 && s.rng.next() < blinkBelow {
			continue
		}
		a, b := r.nodes[k], r.nodes[k+1]
		al, bl := in.loc[a], in.loc[b]
		if multi && r.open[k] == 0 {
			s.insertJobReload(r, x, k, out)
		}
		if (line && r.fBack[k]) || (back && r.bLine[k+1]) {
			continue
		}
		if dims == 1 {
			if lcat(lcat(r.fL[k], x0), r.bL[k+1]).m > c0 {
				continue
			}
		} else {
			ok := true
			for d := 0; d < dims; d++ {
				if lcat(lcat(r.fL[k*dims+d], xl[d]), r.bL[(k+1)*dims+d]).m > capa[d] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		dist := r.dist + in.distance(al, xloc) + in.distance(xloc, bl) - in.distance(al, bl)
		if dist > vh.maxDist {
			continue
		}
		// At equal cost an insertion without a reload beats one with.
		if vh.perS == 0 && vh.routeCost(r.stops+1, dist, tseg{})-r.cost > out.cost {
			continue
		}
		t := cat(cat(r.fT[k], xt, in.travel(prof, al, xloc)), r.bT[k+1], in.travel(prof, xloc, bl))
		if !vh.timeOK(t) {
			continue
		}
		delta := vh.routeCost(r.stops+1, dist, t) - r.cost
		if delta > out.cost || (delta == out.cost && out.reload == reloadNone) {
			continue
		}
		if exact && !in.exactTimeOK(r.v, s.splice(r, k, x, -1, -1)) {
			continue
		}
		*out = insertion{cost: delta, v: r.v, pos: int32(k), pos2: int32(k)}
	}
}

// nearPositions lists, in increasing order and without repeats, the
// positions k of r (insert after nodes[k]) next to one of the
// granularPosNeighbors nearest task nodes of x that r holds, plus the first
// and last arcs of r and those next to its reloads. It reuses a scratch
// buffer.
func (s *search) nearPositions(sol *solution, r *route, x int32) []int32 {
	buf := append(s.posBuf[:0], 0, int32(len(r.nodes)-2))
	if r.trips > 1 {
		// Both sides of each reload: the ends of every trip, where a trip
		// with room left takes x (a kind test per node, no evaluation).
		for i := 1; i < len(r.nodes)-1; i++ {
			if s.in.kind[r.nodes[i]] == nkReload {
				buf = append(buf, int32(i-1), int32(i))
			}
		}
	}
	nb := s.in.neighbors[x]
	for k := 0; k < len(nb) && k < granularPosNeighbors; k++ {
		w := nb[k]
		if sol.routeOf[w] != r.v {
			continue
		}
		p := sol.posOf[w]
		buf = append(buf, p-1, p)
	}
	// Insertion sort and deduplication: the list is short.
	for i := 1; i < len(buf); i++ {
		p := buf[i]
		j := i - 1
		for ; j >= 0 && buf[j] > p; j-- {
			buf[j+1] = buf[j]
		}
		buf[j+1] = p
	}
	out := buf[:1]
	for _, p := range buf[1:] {
		if p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	s.posBuf = buf
	return out
}

// insertJobReload tries job x after nodes[k] together with a new reload,
// before or after it, splitting the trip there.
func (s *search) insertJobReload(r *route, x int32, k int, out *insertion) {
	in := s.in
	vh := &in.veh[r.v]
	dims := in.dims
	a, b := r.nodes[k], r.nodes[k+1]
	al, bl := in.loc[a], in.loc[b]
	prof := vh.profile
	for variant := reloadBefore; variant <= reloadAfter; variant++ {
		var first, second int32
		if variant == reloadBefore {
			if in.isBoundary(a) || (vh.backhaul && in.bh[x] == bhBack && r.bLine[k+1]) {
				continue
			}
			first, second = vh.reload, x
		} else {
			if in.isBoundary(b) || (vh.backhaul && in.bh[x] == bhLine && r.fBack[k]) {
				continue
			}
			first, second = x, vh.reload
		}
		ok := true
		for d := 0; d < dims; d++ {
			var m int64
			if variant == reloadBefore {
				m = lcat(in.load[int(x)*dims+d], r.bL[(k+1)*dims+d]).m
			} else {
				m = lcat(r.fL[k*dims+d], in.load[int(x)*dims+d]).m
			}
			if m > vh.capacity[d] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		fl, sl := in.loc[first], in.loc[second]
		dist := r.dist + in.distance(al, fl) + in.distance(fl, sl) + in.distance(sl, bl) - in.distance(al, bl)
		if dist > vh.maxDist {
			continue
		}
		t := cat(r.fT[k], in.nodeTime[first], in.travel(prof, al, fl))
		t = cat(t, in.nodeTime[second], in.travel(prof, fl, sl))
		t = cat(t, r.bT[k+1], in.travel(prof, sl, bl))
		if !vh.timeOK(t) {
			continue
		}
		delta := vh.routeCost(r.stops+1, dist, t) - r.cost
		if delta >= out.cost {
			continue
		}
		if (r.multiTW > 0 || in.tws[x] != nil) && !in.exactTimeOK(r.v, s.splice(r, k, first, second, -1)) {
			continue
		}
		*out = insertion{cost: delta, v: r.v, pos: int32(k), pos2: int32(k), reload: variant}
	}
}

// insertShipment finds the cheapest feasible pair of positions for the
// pickup node p and delivery node q of a shipment in r: the pickup after
// nodes[a], the delivery after nodes[b], b ≥ a, both in one trip. The
// segment between them grows one node at a time, so each pair is O(1).
func (s *search) insertShipment(r *route, p, q int32, out *insertion, blink float64) {
	in := s.in
	vh := &in.veh[r.v]
	if r.stops+2 > vh.maxStops {
		return
	}
	dims := in.dims
	prof := vh.profile
	capa := vh.capacity
	pl, ql := in.loc[p], in.loc[q]
	pt, qt := in.nodeTime[p], in.nodeTime[q]
	exact := r.multiTW > 0 || in.tws[p] != nil || in.tws[q] != nil
	lb := s.lbuf[:dims]
	n := len(r.nodes)
	// With distance-only costs, the delivery detour after each position and
	// its suffix minimum bound the pair's cost from below (under the
	// triangle inequality), which prunes most pickup positions on long
	// routes without changing the result.
	prune := vh.perS == 0 && vh.perM > 0
	if prune {
		s.detour = grow(s.detour, n)
		s.sufMin = grow(s.sufMin, n+1)
		s.sufMin[n-1], s.sufMin[n] = noCost, noCost
		for b := n - 2; b >= 0; b-- {
			bl, nl := in.loc[r.nodes[b]], in.loc[r.nodes[b+1]]
			s.detour[b] = in.distance(bl, ql) + in.distance(ql, nl) - in.distance(bl, nl)
			s.sufMin[b] = min(s.sufMin[b+1], s.detour[b])
		}
	}
	fixed := int64(0)
	if r.empty() {
		fixed = vh.fixed
	}
outer:
	for a := 0; a < n-1; a++ {
		an := r.nodes[a]
		al := in.loc[an]
		if prune {
			nl := in.loc[r.nodes[a+1]]
			dp := in.distance(al, pl) + in.distance(pl, nl) - in.distance(al, nl)
			adj := in.distance(al, pl) + in.distance(pl, ql) + in.distance(ql, nl) - in.distance(al, nl)
			if fixed+vh.perM*min(adj, dp+s.sufMin[a+1]) >= out.cost {
				continue
			}
		}
		if vh.backhaul && r.bLine[a+1] {
			continue // a shipment loads after the trip's deliveries
		}
		pre := cat(r.fT[a], pt, in.travel(prof, al, pl))
		if pre.tw > 0 {
			continue
		}
		for d := 0; d < dims; d++ {
			lb[d] = lcat(r.fL[a*dims+d], in.load[int(p)*dims+d])
			if lb[d].m > capa[d] {
				continue outer
			}
		}
		nextLoc := in.loc[r.nodes[a+1]]
		pickDist := in.distance(al, pl) - in.distance(al, nextLoc)
		last := pl
		for b := a; b < n-1; b++ {
			if prune && b > a && fixed+vh.perM*(pickDist+in.distance(pl, nextLoc)+s.sufMin[b]) >= out.cost {
				break
			}
			if b > a {
				nd := r.nodes[b]
				if in.isBoundary(nd) {
					break
				}
				pre = cat(pre, in.nodeTime[nd], in.travel(prof, last, in.loc[nd]))
				if pre.tw > 0 {
					break
				}
				for d := 0; d < dims; d++ {
					lb[d] = lcat(lb[d], in.load[int(nd)*dims+d])
					if lb[d].m > capa[d] {
						continue outer
					}
				}
				last = in.loc[nd]
			}
			if blink > 0 && s.rng.float() < blink {
				continue
			}
			bn := r.nodes[b+1]
			bl := in.loc[bn]
			var dd int64
			if b == a {
				dd = in.distance(al, pl) + in.distance(pl, ql) + in.distance(ql, bl) - in.distance(al, bl)
			} else {
				dd = pickDist + in.distance(pl, nextLoc) +
					in.distance(last, ql) + in.distance(ql, bl) - in.distance(last, bl)
			}
			dist := r.dist + dd
			if dist > vh.maxDist {
				continue
			}
			ok := true
			for d := 0; d < dims; d++ {
				if lcat(lcat(lb[d], in.load[int(q)*dims+d]), r.bL[(b+1)*dims+d]).m > capa[d] {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			if vh.perS == 0 && vh.routeCost(r.stops+2, dist, tseg{})-r.cost >= out.cost {
				continue
			}
			t := cat(cat(pre, qt, in.travel(prof, last, ql)), r.bT[b+1], in.travel(prof, ql, bl))
			if !vh.timeOK(t) {
				continue
			}
			delta := vh.routeCost(r.stops+2, dist, t) - r.cost
			if delta >= out.cost {
				continue
			}
			if exact && !in.exactTimeOK(r.v, s.splice(r, a, p, q, b)) {
				continue
			}
			*out = insertion{cost: delta, v: r.v, pos: int32(a), pos2: int32(b)}
		}
	}
}

// splice writes into the search's scratch buffer the nodes of r with x (and
// y, when y ≥ 0) inserted after nodes[k]; when k2 ≥ 0, y goes after
// nodes[k2] instead (k2 ≥ k).
func (s *search) splice(r *route, k int, x, y int32, k2 int) []int32 {
	buf := s.seq[:0]
	for i, nd := range r.nodes {
		buf = append(buf, nd)
		if i == k {
			buf = append(buf, x)
			if y >= 0 && k2 < 0 {
				buf = append(buf, y)
			}
		}
		if k2 >= 0 && i == k2 {
			buf = append(buf, y)
		}
	}
	s.seq = buf
	return buf
}

package routing

// Local search: first-improvement descent over relocate, swap, 2-opt*,
// intra-route or-opt and 2-opt, restricted to neighbour lists (granular
// neighbourhoods, Toth & Vigo 2003). Every move is evaluated in O(1) (O(dims)
// for loads) by concatenating the prefix and suffix summaries of the touched
// routes (Vidal et al. 2013); intra-route moves grow their middle segment one
// node at a time, which is O(1) per move as well. Routes that hold a node with
// several time windows are only changed by relocate, whose insertion side
// checks them exactly.

const (
	lsNeighbors = 24 // neighbours per task scanned by inter-route moves
	lsMaxPasses = 100
	lsMaxString = 3 // or-opt string length
)

// localSearch descends to a local optimum of sol (first improvement, at
// most lsMaxPasses passes). It returns early, with a consistent solution, when the time limit has
// passed or the run's ctx is done (checked between tasks), so that the
// polish of the first solution cannot overrun a short deadline.
func (s *search) localSearch(sol *solution) {
	in := s.in
	if in.nTN == 0 {
		return
	}
	s.order = s.order[:0]
	for nd := 0; nd < in.nTN; nd++ {
		if k := in.kind[nd]; k == nkJob || k == nkPickup {
			s.order = append(s.order, int32(nd))
		}
	}
	for pass := 0; pass < lsMaxPasses; pass++ {
		improved := false
		for i := len(s.order) - 1; i > 0; i-- {
			j := s.rng.intn(i + 1)
			s.order[i], s.order[j] = s.order[j], s.order[i]
		}
		for _, u := range s.order {
			if v := sol.routeOf[u]; v < 0 {
				continue
			}
			if s.expired() {
				return
			}
			if in.kind[u] == nkPickup {
				if s.relocateTask(sol, u) {
					improved = true
				}
				continue
			}
			if s.relocateTask(sol, u) || s.swapJobs(sol, u) || s.twoOptStar(sol, u) {
				improved = true
			}
		}
		for v := range sol.routes {
			r := &sol.routes[v]
			if r.empty() || r.multiTW > 0 {
				continue
			}
			for s.orOpt(sol, int32(v)) || s.twoOpt(sol, int32(v)) {
				improved = true
			}
		}
		if !improved {
			break
		}
	}
}

// removalCost returns the cost change of taking job node u (at pos i) out
// of r, and whether the shorter route is still feasible (it can only fail
// when the matrices break the triangle inequality).
func (s *search) removalCost(r *route, i int) (int64, bool) {
	in := s.in
	vh := &in.veh[r.v]
	a, u, b := r.nodes[i-1], r.nodes[i], r.nodes[i+1]
	al, ul, bl := in.loc[a], in.loc[u], in.loc[b]
	t := cat(r.fT[i-1], r.bT[i+1], in.travel(vh.profile, al, bl))
	dist := r.dist - in.distance(al, ul) - in.distance(ul, bl) + in.distance(al, bl)
	if !vh.timeOK(t) || dist > vh.maxDist {
		return 0, false
	}
	if r.multiTW > 0 {
		s.seq = append(append(s.seq[:0], r.nodes[:i]...), r.nodes[i+1:]...)
		if !in.exactTimeOK(r.v, s.seq) {
			return 0, false
		}
	}
	return vh.routeCost(r.stops-1, dist, t) - r.cost, true
}

// relocateTask moves a job, or a shipment (both nodes), to its cheapest
// position in another route near it, if that lowers the total cost.
func (s *search) relocateTask(sol *solution, u int32) bool {
	in := s.in
	t := int(in.task[u])
	A := sol.routeOf[u]
	ra := &sol.routes[A]
	var gain int64
	if in.kind[u] == nkJob {
		d, ok := s.removalCost(ra, int(sol.posOf[u]))
		if !ok {
			return false
		}
		gain = -d
	} else {
		// Shipment: evaluate the route without both nodes exactly; rare and
		// small, so an O(n) rebuild into scratch is fine.
		gain = s.shipmentRemovalGain(sol, u)
		if gain <= 0 {
			return false
		}
	}
	if gain <= 0 {
		return false
	}
	s.stamp++
	s.routeSeen[A] = s.stamp
	var ins insertion
	ins.reset()
	ins.cost = gain
	nv := len(in.veh)
	nb := in.neighbors[u]
	ship := in.kind[u] == nkPickup
	for k := 0; k < len(nb) && k < lsNeighbors; k++ {
		B := sol.routeOf[nb[k]]
		if B < 0 || s.routeSeen[B] == s.stamp || !in.compat[t*nv+int(B)] {
			continue
		}
		s.routeSeen[B] = s.stamp
		s.moveEvals += int64(len(sol.routes[B].nodes))
		if ship {
			s.insertShipment(&sol.routes[B], u, in.partner[u], &ins, 0)
		} else {
			s.insertJob(sol, &sol.routes[B], u, &ins, 0)
		}
	}
	if ship {
		// Within its own route too: s.tmp is that route without the pair.
		s.moveEvals += int64(len(s.tmp.nodes))
		s.insertShipment(&s.tmp, u, in.partner[u], &ins, 0)
	}
	if ins.v < 0 {
		return false
	}
	in.removeTask(sol, t)
	s.refresh(sol, A)
	in.apply(sol, t, &ins)
	s.mark(ins.v)
	return true
}

func (s *search) mark(v int32) {
	if !s.dirtyMark[v] {
		s.dirtyMark[v] = true
		s.dirty = append(s.dirty, v)
	}
}

// shipmentRemovalGain is the cost saved by taking shipment pickup u and its
// delivery out of their route.
func (s *search) shipmentRemovalGain(sol *solution, u int32) int64 {
	in := s.in
	r := &sol.routes[sol.routeOf[u]]
	q := in.partner[u]
	s.tmp.v = r.v
	s.tmp.nodes = s.tmp.nodes[:0]
	for _, nd := range r.nodes {
		if nd != u && nd != q {
			s.tmp.nodes = append(s.tmp.nodes, nd)
		}
	}
	in.rebuild(&s.tmp)
	if in.violation(&s.tmp) != "" {
		return 0
	}
	return r.cost - s.tmp.cost
}

// swapJobs exchanges job u with a neighbouring job of another route.
func (s *search) swapJobs(sol *solution, u int32) bool {
	in := s.in
	A := sol.routeOf[u]
	ra := &sol.routes[A]
	if ra.multiTW > 0 {
		return false
	}
	i := int(sol.posOf[u])
	nv := len(in.veh)
	tu := int(in.task[u])
	nb := in.neighbors[u]
	for k := 0; k < len(nb) && k < lsNeighbors; k++ {
		w := nb[k]
		B := sol.routeOf[w]
		if B < 0 || B == A || in.kind[w] != nkJob {
			continue
		}
		rb := &sol.routes[B]
		tw := int(in.task[w])
		if rb.multiTW > 0 || !in.compat[tu*nv+int(B)] || !in.compat[tw*nv+int(A)] {
			continue
		}
		j := int(sol.posOf[w])
		s.moveEvals++
		ca, oka := s.replaceCost(ra, i, w)
		if !oka {
			continue
		}
		cb, okb := s.replaceCost(rb, j, u)
		if !okb || ca+cb >= 0 {
			continue
		}
		ra.nodes[i], rb.nodes[j] = w, u
		s.refresh(sol, A)
		s.refresh(sol, B)
		return true
	}
	return false
}

// replaceCost is the cost change of putting job node x in place of the node
// at position i of r, and whether the result is feasible.
func (s *search) replaceCost(r *route, i int, x int32) (int64, bool) {
	in := s.in
	vh := &in.veh[r.v]
	if vh.backhaul && ((in.bh[x] == bhLine && r.fBack[i-1]) || (in.bh[x] == bhBack && r.bLine[i+1])) {
		return 0, false
	}
	dims := in.dims
	for d := 0; d < dims; d++ {
		if lcat(lcat(r.fL[(i-1)*dims+d], in.load[int(x)*dims+d]), r.bL[(i+1)*dims+d]).m > vh.capacity[d] {
			return 0, false
		}
	}
	a, u, b := r.nodes[i-1], r.nodes[i], r.nodes[i+1]
	al, ul, bl, xl := in.loc[a], in.loc[u], in.loc[b], in.loc[x]
	dist := r.dist - in.distance(al, ul) - in.distance(ul, bl) + in.distance(al, xl) + in.distance(xl, bl)
	if dist > vh.maxDist {
		return 0, false
	}
	t := cat(cat(r.fT[i-1], in.nodeTime[x], in.travel(vh.profile, al, xl)), r.bT[i+1], in.travel(vh.profile, xl, bl))
	if !vh.timeOK(t) {
		return 0, false
	}
	return vh.routeCost(r.stops, dist, t) - r.cost, true
}

// twoOptStar exchanges route tails (Potvin & Rousseau 1995) so that job u
// is followed by, or follows, one of its neighbours in another route.
func (s *search) twoOptStar(sol *solution, u int32) bool {
	in := s.in
	A := sol.routeOf[u]
	i := int(sol.posOf[u])
	nb := in.neighbors[u]
	for k := 0; k < len(nb) && k < lsNeighbors; k++ {
		w := nb[k]
		B := sol.routeOf[w]
		if B < 0 || B == A || in.veh[A].tour != in.veh[B].tour {
			continue
		}
		j := int(sol.posOf[w])
		// u -> w: A keeps [0..i], takes B from j; B keeps [0..j-1].
		if s.tryTails(sol, A, i, B, j-1) {
			return true
		}
		// w -> u: B keeps [0..j], takes A from i; A keeps [0..i-1].
		if s.tryTails(sol, B, j, A, i-1) {
			return true
		}
	}
	return false
}

// tryTails evaluates A' = A[0..i] + B[j+1..] and B' = B[0..j] + A[i+1..] and
// applies the move when it lowers the cost.
func (s *search) tryTails(sol *solution, A int32, i int, B int32, j int) bool {
	in := s.in
	ra, rb := &sol.routes[A], &sol.routes[B]
	if ra.multiTW > 0 || rb.multiTW > 0 || ra.open[i] != 0 || rb.open[j] != 0 {
		return false
	}
	va, vb := &in.veh[A], &in.veh[B]
	sameClass := va.class == vb.class
	if !sameClass && (ra.trips > 1 || rb.trips > 1) {
		return false
	}
	s.moveEvals++
	na, nb := len(ra.nodes), len(rb.nodes)
	if (va.backhaul && ra.fBack[i] && rb.bLine[j+1]) || (vb.backhaul && rb.fBack[j] && ra.bLine[i+1]) {
		return false
	}
	dims := in.dims
	for d := 0; d < dims; d++ {
		if lcat(ra.fL[i*dims+d], rb.bL[(j+1)*dims+d]).m > va.capacity[d] ||
			lcat(rb.fL[j*dims+d], ra.bL[(i+1)*dims+d]).m > vb.capacity[d] {
			return false
		}
	}
	sa := int(ra.fStop[i]) + rb.stops - int(rb.fStop[j])
	sb := int(rb.fStop[j]) + ra.stops - int(ra.fStop[i])
	ta := int(ra.fRel[i]) + int(rb.fRel[nb-1]-rb.fRel[j]) + 1
	tb := int(rb.fRel[j]) + int(ra.fRel[na-1]-ra.fRel[i]) + 1
	if sa > va.maxStops || sb > vb.maxStops || ta > va.maxTrips || tb > vb.maxTrips {
		return false
	}
	ai, ai1, bj, bj1 := in.loc[ra.nodes[i]], in.loc[ra.nodes[i+1]], in.loc[rb.nodes[j]], in.loc[rb.nodes[j+1]]
	da := ra.fD[i] + in.distance(ai, bj1) + rb.dist - rb.fD[j+1]
	db := rb.fD[j] + in.distance(bj, ai1) + ra.dist - ra.fD[i+1]
	if da > va.maxDist || db > vb.maxDist {
		return false
	}
	// Same tour class: same profile, start, end and shift, so the suffix
	// summaries of one route are valid for the other.
	tA := cat(ra.fT[i], rb.bT[j+1], in.travel(va.profile, ai, bj1))
	if !va.timeOK(tA) {
		return false
	}
	tB := cat(rb.fT[j], ra.bT[i+1], in.travel(vb.profile, bj, ai1))
	if !vb.timeOK(tB) {
		return false
	}
	delta := va.routeCost(sa, da, tA) + vb.routeCost(sb, db, tB) - ra.cost - rb.cost
	if delta >= 0 {
		return false
	}
	if !sameClass {
		nv := len(in.veh)
		for _, nd := range rb.nodes[j+1 : nb-1] {
			if t := in.task[nd]; t >= 0 && !in.compat[int(t)*nv+int(A)] {
				return false
			}
		}
		for _, nd := range ra.nodes[i+1 : na-1] {
			if t := in.task[nd]; t >= 0 && !in.compat[int(t)*nv+int(B)] {
				return false
			}
		}
	}
	// Apply: build both sequences in scratch, mapping reload nodes to the
	// receiving vehicle.
	s.bufA = append(s.bufA[:0], ra.nodes[:i+1]...)
	for _, nd := range rb.nodes[j+1 : nb-1] {
		if in.kind[nd] == nkReload {
			nd = va.reload
		}
		s.bufA = append(s.bufA, nd)
	}
	s.bufA = append(s.bufA, va.end)
	s.bufB = append(s.bufB[:0], rb.nodes[:j+1]...)
	for _, nd := range ra.nodes[i+1 : na-1] {
		if in.kind[nd] == nkReload {
			nd = vb.reload
		}
		s.bufB = append(s.bufB, nd)
	}
	s.bufB = append(s.bufB, vb.end)
	ra.nodes = append(ra.nodes[:0], s.bufA...)
	rb.nodes = append(rb.nodes[:0], s.bufB...)
	s.refresh(sol, A)
	s.refresh(sol, B)
	return true
}

// bhFlags tracks the backhaul rule across concatenated groups of one trip.
type bhFlags struct{ line, back, bad bool }

func (f bhFlags) then(line, back bool) bhFlags {
	return bhFlags{line: f.line || line, back: f.back || back, bad: f.bad || (f.back && line)}
}

// orOpt moves a string of one to three consecutive jobs elsewhere in the
// same trip (Or 1976), at most orOptReach positions away on large instances.
// Strings are tried shortest first, left to right, each first forward then
// backward; the first improving move is applied.
func (s *search) orOpt(sol *solution, v int32) bool {
	in := s.in
	r := &sol.routes[v]
	n := len(r.nodes)
	// On large instances a string moves at most orOptReach positions, which
	// keeps a pass over a long route O(n) instead of O(n²) (a granular
	// neighbourhood in the sense of Toth & Vigo 2003, by route position).
	reach := n
	if s.granPos {
		reach = orOptReach
	}
	for L := 1; L <= lsMaxString; L++ {
		for p := 1; p+L <= n-1; p++ {
			if !in.allJobs(r.nodes[p : p+L]) {
				continue
			}
			str := orString{p: p, L: L, run: s.summarise(r, p, L, s.lbuf)}
			prevL, nextL := in.loc[r.nodes[p-1]], in.loc[r.nodes[p+L]]
			str.cut = r.dist - in.distance(prevL, str.run.t.first) - in.distance(str.run.t.last, nextL) + in.distance(prevL, nextL)
			if s.orOptSide(sol, v, &str, reach, true) || s.orOptSide(sol, v, &str, reach, false) {
				return true
			}
		}
	}
	return false
}

// orRun summarises consecutive nodes of one trip for or-opt. t.first and
// t.last are the locations of its end nodes.
type orRun struct {
	t          tseg
	load       []lseg // per dimension, in a search scratch buffer
	line, back bool   // holds linehaul, backhaul jobs
}

// orString is the string or-opt moves: nodes[p..p+L-1] of a route.
type orString struct {
	p, L int
	run  orRun
	cut  int64 // route distance with the string cut out and its neighbours joined
}

// allJobs reports whether every node is a job (no trip boundary, no
// shipment node).
func (in *compiled) allJobs(nodes []int32) bool {
	for _, nd := range nodes {
		if in.kind[nd] != nkJob {
			return false
		}
	}
	return true
}

// summarise returns the run nodes[p..p+L-1] of r, with its loads in load.
func (s *search) summarise(r *route, p, L int, load []lseg) orRun {
	in := s.in
	dims := in.dims
	prof := in.veh[r.v].profile
	first := r.nodes[p]
	run := orRun{t: in.nodeTime[first], load: load}
	for d := 0; d < dims; d++ {
		load[d] = in.load[int(first)*dims+d]
	}
	for x := p; x < p+L; x++ {
		nd := r.nodes[x]
		if x > p {
			run.t = cat(run.t, in.nodeTime[nd], in.travel(prof, in.loc[r.nodes[x-1]], in.loc[nd]))
			for d := 0; d < dims; d++ {
				load[d] = lcat(load[d], in.load[int(nd)*dims+d])
			}
		}
		run.line = run.line || in.bh[nd] == bhLine
		run.back = run.back || in.bh[nd] == bhBack
	}
	return run
}

// orOptSide tries the string after each node on one side of it, nearest
// first, up to reach positions away and not past a trip boundary: forward
// walks the nodes after the string, backward those before it. The nodes
// passed over form the middle run that the string trades places with. It
// applies the first improving move and reports whether it found one.
func (s *search) orOptSide(sol *solution, v int32, str *orString, reach int, forward bool) bool {
	in := s.in
	r := &sol.routes[v]
	vh := &in.veh[v]
	prof := vh.profile
	dims := in.dims
	n := len(r.nodes)
	p, L := str.p, str.L
	mid := orRun{load: s.lbuf2}
	for k := 0; k < reach; k++ {
		// The string would go between nodes[g] and nodes[g+1]; nd joins
		// the middle run at its far end.
		var g int
		var nd int32
		if forward {
			g = p + L + k
			if g >= n-1 {
				break
			}
			nd = r.nodes[g]
		} else {
			g = p - 2 - k
			if g < 0 {
				break
			}
			nd = r.nodes[g+1]
		}
		if in.isBoundary(nd) {
			break
		}
		switch {
		case k == 0:
			mid.t = in.nodeTime[nd]
			for d := 0; d < dims; d++ {
				mid.load[d] = in.load[int(nd)*dims+d]
			}
		case forward:
			mid.t = cat(mid.t, in.nodeTime[nd], in.travel(prof, mid.t.last, in.loc[nd]))
			for d := 0; d < dims; d++ {
				mid.load[d] = lcat(mid.load[d], in.load[int(nd)*dims+d])
			}
		default:
			mid.t = cat(in.nodeTime[nd], mid.t, in.travel(prof, in.loc[nd], mid.t.first))
			for d := 0; d < dims; d++ {
				mid.load[d] = lcat(in.load[int(nd)*dims+d], mid.load[d])
			}
		}
		mid.line = mid.line || in.bh[nd] == bhLine
		mid.back = mid.back || in.bh[nd] == bhBack
		s.moveEvals++
		gl, g1l := in.loc[r.nodes[g]], in.loc[r.nodes[g+1]]
		dist := str.cut - in.distance(gl, g1l) + in.distance(gl, str.run.t.first) + in.distance(str.run.t.last, g1l)
		if dist > vh.maxDist || (vh.perS == 0 && vh.perM*(dist-r.dist) >= 0) {
			continue
		}
		// The trip would read nodes[..a] ⊕ x ⊕ y ⊕ nodes[b..].
		a, x, y, b := p-1, &mid, &str.run, g+1
		if !forward {
			a, x, y, b = g, &str.run, &mid, p+L
		}
		if vh.backhaul {
			f := bhFlags{back: r.fBack[a]}.then(x.line, x.back).then(y.line, y.back).then(r.bLine[b], false)
			if f.bad {
				continue
			}
		}
		t := cat(r.fT[a], x.t, in.travel(prof, in.loc[r.nodes[a]], x.t.first))
		t = cat(t, y.t, in.travel(prof, x.t.last, y.t.first))
		t = cat(t, r.bT[b], in.travel(prof, y.t.last, in.loc[r.nodes[b]]))
		if !vh.timeOK(t) {
			continue
		}
		if !s.loadsFit(vh, r.fL[a*dims:], x.load, y.load, r.bL[b*dims:]) {
			continue
		}
		if vh.routeCost(r.stops, dist, t) >= r.cost {
			continue
		}
		s.moveString(r, p, L, g+1)
		s.refresh(sol, v)
		return true
	}
	return false
}

// loadsFit checks a ⊕ b ⊕ c ⊕ d against the capacity, per dimension.
func (s *search) loadsFit(vh *vehicle, a, b, c, d []lseg) bool {
	for k := range vh.capacity {
		if lcat(lcat(lcat(a[k], b[k]), c[k]), d[k]).m > vh.capacity[k] {
			return false
		}
	}
	return true
}

// moveString moves nodes[p..p+L-1] so that it starts at index to of the
// original sequence (to ∉ [p, p+L]).
func (s *search) moveString(r *route, p, L, to int) {
	s.bufA = append(s.bufA[:0], r.nodes[p:p+L]...)
	if to > p {
		copy(r.nodes[p:], r.nodes[p+L:to])
		copy(r.nodes[to-L:], s.bufA)
	} else {
		copy(r.nodes[to+L:], r.nodes[to:p])
		copy(r.nodes[to:], s.bufA)
	}
}

// twoOpt reverses a run of jobs within one trip (Croes 1958). The reversed
// run's summary grows one node at a time from its end.
func (s *search) twoOpt(sol *solution, v int32) bool {
	in := s.in
	r := &sol.routes[v]
	vh := &in.veh[v]
	prof := vh.profile
	dims := in.dims
	n := len(r.nodes)
	rl := s.lbuf
	for i := 1; i < n-2; i++ {
		if in.kind[r.nodes[i]] != nkJob {
			continue
		}
		pl := in.loc[r.nodes[i-1]]
		il := in.loc[r.nodes[i]]
		rev := in.nodeTime[r.nodes[i]]
		for d := 0; d < dims; d++ {
			rl[d] = in.load[int(r.nodes[i])*dims+d]
		}
		var revDist int64
		line, back := in.bh[r.nodes[i]] == bhLine, in.bh[r.nodes[i]] == bhBack
		for j := i + 1; j < n-1; j++ {
			nd := r.nodes[j]
			if in.kind[nd] != nkJob {
				break
			}
			jl, prevl := in.loc[nd], in.loc[r.nodes[j-1]]
			rev = cat(in.nodeTime[nd], rev, in.travel(prof, jl, prevl))
			for d := 0; d < dims; d++ {
				rl[d] = lcat(in.load[int(nd)*dims+d], rl[d])
			}
			revDist += in.distance(jl, prevl)
			line = line || in.bh[nd] == bhLine
			back = back || in.bh[nd] == bhBack
			s.moveEvals++
			if vh.backhaul && line && back {
				break
			}
			nl := in.loc[r.nodes[j+1]]
			dist := r.dist - in.distance(pl, il) - (r.fD[j] - r.fD[i]) - in.distance(jl, nl) +
				in.distance(pl, jl) + revDist + in.distance(il, nl)
			if dist > vh.maxDist || (vh.perS == 0 && dist >= r.dist) {
				continue
			}
			if vh.backhaul && ((r.fBack[i-1] && line) || (back && r.bLine[j+1])) {
				continue
			}
			t := cat(cat(r.fT[i-1], rev, in.travel(prof, pl, jl)), r.bT[j+1], in.travel(prof, il, nl))
			if !vh.timeOK(t) {
				continue
			}
			ok := true
			for d := 0; d < dims; d++ {
				if lcat(lcat(r.fL[(i-1)*dims+d], rl[d]), r.bL[(j+1)*dims+d]).m > vh.capacity[d] {
					ok = false
					break
				}
			}
			if !ok || vh.routeCost(r.stops, dist, t) >= r.cost {
				continue
			}
			for a, b := i, j; a < b; a, b = a+1, b-1 {
				r.nodes[a], r.nodes[b] = r.nodes[b], r.nodes[a]
			}
			s.refresh(sol, v)
			return true
		}
	}
	return false
}

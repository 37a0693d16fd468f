package routing

// solution is the search's working representation: one route per vehicle
// (empty when the vehicle is unused), where each task node sits, and which
// tasks are left out.
type solution struct {
	routes      []route
	routeOf     []int32 // per task node: vehicle, or -1
	posOf       []int32 // per task node: position in its route
	unassigned  []bool  // per task
	nUnassigned int
	cost        int64 // route costs plus internal penalties
}

func (in *compiled) newSolution() *solution {
	s := &solution{
		routes:     make([]route, len(in.veh)),
		routeOf:    make([]int32, in.nTN),
		posOf:      make([]int32, in.nTN),
		unassigned: make([]bool, in.nTasks),
	}
	for v := range s.routes {
		r := &s.routes[v]
		r.v = int32(v)
		r.nodes = append(r.nodes[:0], in.veh[v].start, in.veh[v].end)
		in.rebuild(r)
	}
	for i := range s.routeOf {
		s.routeOf[i] = -1
	}
	for t := range s.unassigned {
		s.unassigned[t] = true
		s.cost += in.penalty[t]
	}
	s.nUnassigned = in.nTasks
	return s
}

// copyFrom makes s an exact copy of o, reusing memory.
func (s *solution) copyFrom(o *solution) {
	if len(s.routes) != len(o.routes) {
		s.routes = make([]route, len(o.routes))
	}
	for v := range o.routes {
		s.routes[v].copyFrom(&o.routes[v])
	}
	s.copyIndex(o)
}

// copyIndex copies everything but the routes.
func (s *solution) copyIndex(o *solution) {
	s.routeOf = append(s.routeOf[:0], o.routeOf...)
	s.posOf = append(s.posOf[:0], o.posOf...)
	s.unassigned = append(s.unassigned[:0], o.unassigned...)
	s.nUnassigned = o.nUnassigned
	s.cost = o.cost
}

// refresh rebuilds route v's summaries and indexes after its nodes changed,
// and updates the solution cost.
func (in *compiled) refresh(s *solution, v int32) {
	r := &s.routes[v]
	old := r.cost
	in.rebuild(r)
	s.cost += r.cost - old
	for i, nd := range r.nodes {
		if int(nd) < in.nTN {
			s.routeOf[nd] = v
			s.posOf[nd] = int32(i)
		}
	}
}

// removeTask takes task t out of its route (not refreshed: the caller
// refreshes the route once it has removed all it wants).
func (in *compiled) removeTask(s *solution, t int) int32 {
	node := in.taskNode[t]
	v := s.routeOf[node]
	if v < 0 {
		return -1
	}
	r := &s.routes[v]
	w := 0
	for _, nd := range r.nodes {
		if int(nd) < in.nTN && int(in.task[nd]) == t {
			s.routeOf[nd] = -1
			continue
		}
		r.nodes[w] = nd
		w++
	}
	r.nodes = r.nodes[:w]
	s.unassigned[t] = true
	s.nUnassigned++
	s.cost += in.penalty[t]
	return v
}

// apply performs an insertion of task t and refreshes the route.
func (in *compiled) apply(s *solution, t int, ins *insertion) {
	r := &s.routes[ins.v]
	node := in.taskNode[t]
	var add [3]int32
	var extra []int32
	switch {
	case in.kind[node] == nkPickup:
		q := in.partner[node]
		if ins.pos2 == ins.pos {
			add[0], add[1] = node, q
			extra = add[:2]
		} else {
			// pickup after pos, delivery after pos2.
			r.nodes = insertAt(r.nodes, int(ins.pos2)+1, q)
			extra = add[:1]
			add[0] = node
		}
	case ins.reload == reloadBefore:
		add[0], add[1] = in.veh[ins.v].reload, node
		extra = add[:2]
	case ins.reload == reloadAfter:
		add[0], add[1] = node, in.veh[ins.v].reload
		extra = add[:2]
	default:
		add[0] = node
		extra = add[:1]
	}
	r.nodes = insertAt(r.nodes, int(ins.pos)+1, extra...)
	s.unassigned[t] = false
	s.nUnassigned--
	s.cost -= in.penalty[t]
	if in.veh[ins.v].maxTrips > 1 {
		in.refresh(s, ins.v) // a full rebuild also drops empty trips
		return
	}
	from, last := int(ins.pos)+1, int(ins.pos)+1
	if in.kind[node] == nkPickup {
		last = int(ins.pos2) + 2
	}
	in.refreshInserted(s, ins.v, from, last, len(r.nodes)-len(r.fT))
}

// refreshInserted is refresh after inserting nodes at indexes from..last of
// route v, which leaves the summaries outside that range valid.
func (in *compiled) refreshInserted(s *solution, v int32, from, last, ins int) {
	r := &s.routes[v]
	old := r.cost
	n, dims := len(r.nodes), in.dims
	r.fT, r.bT = grow(r.fT, n), grow(r.bT, n)
	r.fL, r.bL = grow(r.fL, n*dims), grow(r.bL, n*dims)
	r.fD = grow(r.fD, n)
	r.fBack, r.bLine = grow(r.fBack, n), grow(r.bLine, n)
	r.open, r.fStop, r.fRel = grow(r.open, n), grow(r.fStop, n), grow(r.fRel, n)
	in.summarizePart(r, from, last, ins)
	s.cost += r.cost - old
	for i := from; i < n; i++ {
		if nd := r.nodes[i]; int(nd) < in.nTN {
			s.routeOf[nd] = v
			s.posOf[nd] = int32(i)
		}
	}
}

// insertAt inserts xs before index i, reusing the slice's capacity.
func insertAt(a []int32, i int, xs ...int32) []int32 {
	n := len(a)
	for range xs {
		a = append(a, 0)
	}
	copy(a[i+len(xs):], a[i:n])
	copy(a[i:], xs)
	return a
}

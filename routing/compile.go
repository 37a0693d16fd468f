package routing

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
)

// Internal times beyond every horizon. An Unreachable arc costs infTime, so a
// route that uses it always violates its shift.
const (
	noHorizon = MaxTime * 4 // a shift with End == 0
	infTime   = MaxTime * 64
	noLimit   = math.MaxInt64 / 8
)

// requiredPenalty is the internal cost of leaving a required task (Penalty
// == 0) unassigned, times 1 + w·priority (see priorityWeight). It exceeds
// any route cost of a sane problem (MaxPenalty is a tenth of it), so the
// search serves every required task it can.
const requiredPenalty = 10 * MaxPenalty

// Node kinds. A route is a sequence of node ids: task nodes first, then three
// depot nodes per vehicle (start, end, reload).
const (
	nkJob uint8 = iota
	nkPickup
	nkDelivery
	nkStart
	nkEnd
	nkReload
)

// Backhaul classes of a node under the backhaul rule.
const (
	bhNone uint8 = iota
	bhLine       // a job with a delivery: must precede every backhaul of its trip
	bhBack       // a pickup-only job
)

type vehicle struct {
	start, end, reload int32 // node ids
	startLoc, endLoc   int32
	capacity           []int64
	profile            []int32 // travel times, already divided by the speed factor
	fixed, perM, perS  int64
	maxDur, maxDist    int64
	maxTravel          int64
	basis              TimeBasis // what perS pays for
	fleet              int64     // internal cost of using the vehicle (Options.MinimizeVehicles)
	breaks             []Break   // sorted by first window start
	breakOf            []int     // index in Vehicle.Breaks of each of breaks
	maxStops           int
	maxTrips           int
	backhaul           bool
	class              int // vehicles of one class are interchangeable
	tour               int // vehicles of one tour class share start, end, shift and profile
}

// compiled is a Problem compiled into flat arrays for the search.
type compiled struct {
	p      *Problem
	n      int // locations
	dims   int
	dist   []int32
	nJobs  int
	nShip  int
	nTasks int
	nTN    int // task nodes: nJobs + 2*nShip

	// Per node (task nodes then depot nodes).
	loc      []int32
	service  []int64
	twE, twL []int64        // hull of the node's windows
	tws      [][]TimeWindow // set only when a node has two or more windows
	load     []lseg         // node*dims + k
	kind     []uint8        // nk*
	bh       []uint8        // bh*
	task     []int32        // node -> task, -1 for depots
	partner  []int32        // pickup <-> delivery node, -1 otherwise
	nodeTime []tseg         // the node alone as a time segment

	// Per task.
	taskNode []int32 // job node or pickup node
	penalty  []int64 // internal penalty for leaving the task out
	prio     []int
	size     []int64 // total amount, for the "demand" insertion order
	compat   []bool  // task*len(veh) + v

	veh       []vehicle
	nClasses  int
	neighbors [][]int32 // per task node: task nodes by increasing distance
	meanArc   float64   // mean arc cost, scales the annealing temperature
	hasTW     bool      // some task has a time window
	refLoc    int32     // the depot, for "far" and "close" insertion orders
	prioW     int64     // priority weight, see priorityWeight
}

// effectivePenalty is the internal cost of leaving a task of the given
// number of stops (1 for a job, 2 for a shipment) out: its penalty, or
// for a required task requiredPenalty·(stops + w·priority).
func effectivePenalty(pen int64, prio, stops int, w int64) int64 {
	if pen == 0 {
		return requiredPenalty * (int64(stops) + w*int64(max(prio, 0)))
	}
	return pen
}

// priorityWeight makes priorities lexicographic, as in VROOM: with
// w = stops + 1 (a shipment has two), one unit of priority served
// outweighs serving every other required stop, and a required stop
// outweighs any route cost, so the search maximises the sum of priorities
// served, then the number of required stops served (VROOM's count of
// assigned tasks), then minimises cost. The internal costs must fit in an
// int64 (with room to spare): when requiredPenalty·(stops + w·Σpriority)
// would not, w is the largest weight that fits (at least 1, and priorities
// beyond that budget are scaled by it all the same).
func priorityWeight(stops int, sumPrio int64) int64 {
	const budget = (int64(1) << 61) / requiredPenalty // about 230 000
	w := int64(stops + 1)
	if sumPrio > 0 && int64(stops)+w*sumPrio > budget {
		w = max((budget-int64(stops))/sumPrio, 1)
	}
	return w
}

// requiredPriorities is the sum of the required tasks' priorities.
func requiredPriorities(p *Problem) int64 {
	var sum int64
	for j := range p.Jobs {
		if p.Jobs[j].Penalty == 0 {
			sum += int64(max(p.Jobs[j].Priority, 0))
		}
	}
	for s := range p.Shipments {
		if p.Shipments[s].Penalty == 0 {
			sum += int64(max(p.Shipments[s].Priority, 0))
		}
	}
	return sum
}

// compile builds the search instance of a validated problem.
func compile(p *Problem) *compiled {
	in := newCompiled(p)
	for j := range p.Jobs {
		in.addJob(j, &p.Jobs[j])
	}
	for s := range p.Shipments {
		in.addShipment(s, &p.Shipments[s])
	}
	in.addVehicles()
	in.finishNodes()
	in.matchSkills()
	in.refLoc = 0
	if len(in.veh) > 0 {
		if in.veh[0].startLoc >= 0 {
			in.refLoc = in.veh[0].startLoc
		} else if in.veh[0].endLoc >= 0 {
			in.refLoc = in.veh[0].endLoc
		}
	}
	in.buildNeighbors()
	in.meanArc = in.sampleMeanArc()
	return in
}

// newCompiled sizes the per-node and per-task arrays: task nodes (jobs,
// then shipment pickups, then shipment deliveries) and three depot nodes
// per vehicle.
func newCompiled(p *Problem) *compiled {
	in := &compiled{p: p, n: p.Locations, dims: p.Dimensions, dist: p.Distances}
	in.nJobs, in.nShip = len(p.Jobs), len(p.Shipments)
	in.nTasks = in.nJobs + in.nShip
	in.nTN = in.nJobs + 2*in.nShip
	nn := in.nTN + 3*len(p.Vehicles)
	in.loc = make([]int32, nn)
	in.service = make([]int64, nn)
	in.twE = make([]int64, nn)
	in.twL = make([]int64, nn)
	in.tws = make([][]TimeWindow, nn)
	in.load = make([]lseg, nn*in.dims)
	in.kind = make([]uint8, nn)
	in.bh = make([]uint8, nn)
	in.task = make([]int32, nn)
	in.partner = make([]int32, nn)
	in.taskNode = make([]int32, in.nTasks)
	in.penalty = make([]int64, in.nTasks)
	in.prio = make([]int, in.nTasks)
	in.size = make([]int64, in.nTasks)
	in.prioW = priorityWeight(in.nTN, requiredPriorities(p))
	return in
}

// setWindows sets a task node's window hull, keeping the windows themselves
// only when there are two or more.
func (in *compiled) setWindows(node int, tws []TimeWindow) {
	in.twE[node], in.twL[node] = 0, noHorizon
	if len(tws) > 0 {
		in.twE[node] = max(0, tws[0].Start)
		in.twL[node] = min(noHorizon, tws[len(tws)-1].End)
	}
	if len(tws) > 1 {
		in.tws[node] = tws
	}
}

// addJob fills node and task j from job j.
func (in *compiled) addJob(j int, job *Job) {
	in.loc[j] = int32(job.Location)
	in.service[j] = job.Service
	in.setWindows(j, job.TimeWindows)
	in.kind[j] = nkJob
	in.task[j] = int32(j)
	in.partner[j] = -1
	for k := 0; k < in.dims; k++ {
		var d, pk int64
		if len(job.Delivery) > 0 {
			d = job.Delivery[k]
		}
		if len(job.Pickup) > 0 {
			pk = job.Pickup[k]
		}
		in.load[j*in.dims+k] = lseg{d: d, p: pk, m: max(d, pk)}
		in.size[j] += max(d, pk)
	}
	switch {
	case job.IsBackhaul():
		in.bh[j] = bhBack
	case nonZero(job.Delivery):
		in.bh[j] = bhLine
	}
	in.taskNode[j] = int32(j)
	in.penalty[j] = effectivePenalty(job.Penalty, job.Priority, 1, in.prioW)
	in.prio[j] = job.Priority
}

// addShipment fills task nJobs+s and its pickup and delivery nodes from
// shipment s.
func (in *compiled) addShipment(s int, sh *Shipment) {
	t := in.nJobs + s
	pn, dn := in.nJobs+s, in.nJobs+in.nShip+s
	for _, e := range []struct {
		node int
		stop *Stop
		kind uint8
	}{{pn, &sh.Pickup, nkPickup}, {dn, &sh.Delivery, nkDelivery}} {
		in.loc[e.node] = int32(e.stop.Location)
		in.service[e.node] = e.stop.Service
		in.setWindows(e.node, e.stop.TimeWindows)
		in.kind[e.node] = e.kind
		in.task[e.node] = int32(t)
	}
	in.partner[pn], in.partner[dn] = int32(dn), int32(pn)
	// Under the backhaul rule a shipment loads like a backhaul: after the
	// trip's last delivery job.
	in.bh[pn] = bhBack
	for k := 0; k < in.dims; k++ {
		var a int64
		if len(sh.Amount) > 0 {
			a = sh.Amount[k]
		}
		// The amount rides from pickup to delivery: a pickup that the
		// delivery takes back (a negative pickup) keeps load sums exact.
		in.load[pn*in.dims+k] = lseg{p: a, m: a}
		in.load[dn*in.dims+k] = lseg{p: -a, m: 0}
		in.size[t] += a
	}
	in.taskNode[t] = int32(pn)
	in.penalty[t] = effectivePenalty(sh.Penalty, sh.Priority, 2, in.prioW)
	in.prio[t] = sh.Priority
}

// addVehicles fills the vehicles and their depot nodes, sharing one
// travel-time profile per speed factor, and numbers their tour classes and
// classes in order of first appearance.
func (in *compiled) addVehicles() {
	p := in.p
	profiles := map[float64][]int32{}
	classes := map[string]int{}
	tours := map[string]int{}
	in.veh = make([]vehicle, len(p.Vehicles))
	for i := range p.Vehicles {
		v := &p.Vehicles[i]
		sf := v.SpeedFactor
		if sf == 0 {
			sf = 1
		}
		prof, ok := profiles[sf]
		if !ok {
			prof = scaleDurations(p.Durations, sf)
			profiles[sf] = prof
		}
		vv := newVehicle(v, in.nTN+3*i, prof, p.Backhaul)
		in.addDepotNodes(v, in.nTN+3*i)
		skills := slices.Clone(v.Skills)
		slices.Sort(skills)
		skills = slices.Compact(skills)
		tourKey := fmt.Sprint(v.Start, v.End, v.Shift, sf, v.ReloadTime)
		if _, ok := tours[tourKey]; !ok {
			tours[tourKey] = len(tours)
		}
		vv.tour = tours[tourKey]
		key := fmt.Sprint(tourKey, v.Capacity, skills, v.Costs, v.MaxDuration, v.MaxDistance, v.MaxTravel,
			v.MaxStops, vv.maxTrips, vv.backhaul, v.Breaks)
		if _, ok := classes[key]; !ok {
			classes[key] = len(classes)
		}
		vv.class = classes[key]
		in.veh[i] = vv
	}
	in.nClasses = len(classes)
}

// newVehicle is v with its depot nodes from base, its travel-time profile,
// and zero limits replaced by no limit.
func newVehicle(v *Vehicle, base int, prof []int32, backhaul bool) vehicle {
	vv := vehicle{
		start: int32(base), end: int32(base + 1), reload: int32(base + 2),
		startLoc: int32(v.Start), endLoc: int32(v.End),
		capacity: v.Capacity, profile: prof,
		fixed: v.Costs.Fixed, perM: v.Costs.PerMeter, perS: v.Costs.PerSecond, basis: v.Costs.TimeBasis,
		maxDur: v.MaxDuration, maxDist: v.MaxDistance, maxTravel: v.MaxTravel, maxStops: v.MaxStops,
		maxTrips: max(v.MaxTrips, 1),
		backhaul: v.Backhaul || backhaul,
	}
	if vv.maxDur == 0 {
		vv.maxDur = noLimit
	}
	if vv.maxDist == 0 {
		vv.maxDist = noLimit
	}
	if vv.maxTravel == 0 {
		vv.maxTravel = noLimit
	}
	vv.breakOf, vv.breaks = sortedBreaks(v.Breaks)
	if vv.maxStops == 0 {
		vv.maxStops = math.MaxInt32
	}
	return vv
}

// addDepotNodes fills v's start, end and reload nodes from base: all within
// its shift, the reload node at the start location with the reload time as
// its service.
func (in *compiled) addDepotNodes(v *Vehicle, base int) {
	horizon := v.Shift.End
	if horizon == 0 {
		horizon = noHorizon
	}
	for k, kind := range []uint8{nkStart, nkEnd, nkReload} {
		node := base + k
		in.kind[node] = kind
		in.task[node] = -1
		in.partner[node] = -1
		in.twE[node], in.twL[node] = v.Shift.Start, horizon
		in.loc[node] = int32(v.Start)
	}
	in.loc[base+1] = int32(v.End)
	in.service[base+2] = v.ReloadTime
}

// finishNodes notes whether any task has a time window and builds each
// node's time segment.
func (in *compiled) finishNodes() {
	for nd := 0; nd < in.nTN; nd++ {
		if in.twE[nd] > 0 || in.twL[nd] < noHorizon {
			in.hasTW = true
		}
	}
	in.nodeTime = make([]tseg, len(in.loc))
	for i := range in.nodeTime {
		in.nodeTime[i] = tseg{d: in.service[i], e: in.twE[i], l: in.twL[i], first: in.loc[i], last: in.loc[i]}
	}
}

// matchSkills fills compat: a vehicle may serve a task when it has every
// skill the task needs.
func (in *compiled) matchSkills() {
	p := in.p
	nv := len(p.Vehicles)
	in.compat = make([]bool, in.nTasks*nv)
	vskills := make([]map[string]bool, nv)
	for i := range p.Vehicles {
		vskills[i] = map[string]bool{}
		for _, s := range p.Vehicles[i].Skills {
			vskills[i][s] = true
		}
	}
	for t := 0; t < in.nTasks; t++ {
		var need []string
		if t < in.nJobs {
			need = p.Jobs[t].Skills
		} else {
			need = p.Shipments[t-in.nJobs].Skills
		}
		for v := 0; v < nv; v++ {
			ok := true
			for _, s := range need {
				if !vskills[v][s] {
					ok = false
					break
				}
			}
			in.compat[t*nv+v] = ok
		}
	}
}

// scaleDurations divides every travel time by the speed factor once, so the
// hot loop never divides.
func scaleDurations(d []int32, sf float64) []int32 {
	if sf == 1 {
		return d
	}
	out := make([]int32, len(d))
	for k, v := range d {
		if v == Unreachable {
			out[k] = Unreachable
			continue
		}
		out[k] = int32(min(math.Round(float64(v)/sf), Unreachable-1))
	}
	return out
}

// travel returns the travel time from a to b (locations; -1 is "nowhere",
// reached in no time) on a profile.
func (in *compiled) travel(prof []int32, a, b int32) int64 {
	if a < 0 || b < 0 {
		return 0
	}
	t := prof[int(a)*in.n+int(b)]
	if t == Unreachable {
		return infTime
	}
	return int64(t)
}

// distance returns the distance from a to b (locations, -1 is "nowhere").
func (in *compiled) distance(a, b int32) int64 {
	if a < 0 || b < 0 {
		return 0
	}
	return int64(in.dist[int(a)*in.n+int(b)])
}

// maxNeighbors bounds the neighbour lists used by ruin and local search.
const maxNeighbors = 120

type nbHeap struct {
	key []int64
	id  []int32
}

func (h *nbHeap) Len() int           { return len(h.id) }
func (h *nbHeap) Less(i, j int) bool { return h.key[i] > h.key[j] } // max-heap
func (h *nbHeap) Swap(i, j int) {
	h.key[i], h.key[j] = h.key[j], h.key[i]
	h.id[i], h.id[j] = h.id[j], h.id[i]
}
func (h *nbHeap) Push(x any) {} // unused: the heap is filled in place
func (h *nbHeap) Pop() any   { return nil }

// proximity is the symmetric closeness used for neighbour lists: the sum of
// both directions' distances, or of travel times where distances are zero.
func (in *compiled) proximity(a, b int32) int64 {
	d := in.distance(a, b) + in.distance(b, a)
	if d == 0 && len(in.veh) > 0 {
		pr := in.veh[0].profile
		d = min(in.travel(pr, a, b), MaxTime) + min(in.travel(pr, b, a), MaxTime)
	}
	return d
}

func (in *compiled) buildNeighbors() {
	k := min(in.nTN-1, maxNeighbors)
	in.neighbors = make([][]int32, in.nTN)
	if k <= 0 {
		return
	}
	h := &nbHeap{key: make([]int64, 0, k), id: make([]int32, 0, k)}
	for a := 0; a < in.nTN; a++ {
		h.key, h.id = h.key[:0], h.id[:0]
		for b := 0; b < in.nTN; b++ {
			if a == b {
				continue
			}
			d := in.proximity(in.loc[a], in.loc[b])
			if len(h.id) < k {
				h.key = append(h.key, d)
				h.id = append(h.id, int32(b))
				if len(h.id) == k {
					heap.Init(h)
				}
				continue
			}
			if d < h.key[0] || (d == h.key[0] && int32(b) < h.id[0]) {
				h.key[0], h.id[0] = d, int32(b)
				heap.Fix(h, 0)
			}
		}
		idx := make([]int, len(h.id))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(x, y int) int {
			if h.key[x] != h.key[y] {
				if h.key[x] < h.key[y] {
					return -1
				}
				return 1
			}
			return int(h.id[x] - h.id[y])
		})
		nb := make([]int32, len(idx))
		for i, x := range idx {
			nb[i] = h.id[x]
		}
		in.neighbors[a] = nb
	}
}

// sampleMeanArc estimates the mean cost of an arc between task locations,
// deterministically, to scale the annealing temperature to the instance.
func (in *compiled) sampleMeanArc() float64 {
	if in.nTN < 2 || len(in.veh) == 0 {
		return 1
	}
	var perM, perS float64
	for i := range in.veh {
		perM += float64(in.veh[i].perM)
		perS += float64(in.veh[i].perS)
	}
	perM /= float64(len(in.veh))
	perS /= float64(len(in.veh))
	r := newRNG(12345)
	var sum float64
	const samples = 4000
	for s := 0; s < samples; s++ {
		a, b := in.loc[r.intn(in.nTN)], in.loc[r.intn(in.nTN)]
		sum += perM*float64(in.distance(a, b)) + perS*float64(min(in.travel(in.veh[0].profile, a, b), MaxTime))
	}
	m := sum / samples
	if m < 1 {
		m = 1
	}
	return m
}

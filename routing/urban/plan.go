package urban

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing/fleet"
	"github.com/paulmach/orb"
)

// vehicle classes of the shared fleet.
const (
	classParcel = iota // small vehicles for general parcels (tricycles)
	classBulky         // vans and trucks: bulky parcels
	classCold          // refrigerated: fresh parcels
)

func (e *env) class(t *fleet.VehicleType) int {
	switch {
	case t.ColdChain:
		return classCold
	case e.canCarryBulky(t):
		return classBulky
	}
	return classParcel
}

func parcelClass(p *Parcel) int {
	switch {
	case p.ColdChain:
		return classCold
	case p.Category == Bulky:
		return classBulky
	}
	return classParcel
}

// centreOf returns the shared centre of a district: the one whose Zone
// is the district, else the one nearest the point.
func (e *env) centreOf(district string, near orb.Point) depots.ID {
	if e.opts.RespectDistricts && district != "" {
		for _, c := range e.centres {
			if c.Zone == district {
				return c.ID
			}
		}
	}
	best, bestD := e.centres[0].ID, math.Inf(1)
	for _, c := range e.centres {
		if d := geo.HaversineMeters(c.Location, near); d < bestD {
			best, bestD = c.ID, d
		}
	}
	return best
}

// layout is the task structure of every pooled plan of the day: one task
// per sector of zones (see sweepGroups) for general parcels with the
// sector's small vehicles, and per centre one task for bulky parcels with
// its vans and one for fresh parcels with its refrigerated vans. It is fixed by the grand
// coalition's workloads, so that every coalition plans the same tasks
// with the same vehicles (and can start from the grand plan's routes).
type layout struct {
	tasks  []task // without parcels
	taskOf []int  // per parcel of the day: its task
}

// newLayout shares the shared fleet among the tasks: per centre (every
// centre's own vehicles when zones respect districts, else the whole
// fleet) and vehicle class, in proportion to the tasks' workload by the
// largest-remainder method. A centre whose area has parcels but which has
// no vehicle at all is an error.
func (e *env) newLayout() (*layout, error) {
	zones := e.zones
	zoneDepot := make([]depots.ID, len(zones))
	var centres []depots.ID
	centreIdx := map[depots.ID]int{}
	for z := range zones {
		zoneDepot[z] = e.centreOf(zones[z].Group, zones[z].Centre)
		if _, ok := centreIdx[zoneDepot[z]]; !ok {
			centreIdx[zoneDepot[z]] = len(centres)
			centres = append(centres, zoneDepot[z])
		}
	}
	l := &layout{taskOf: make([]int, len(e.in.Parcels))}
	for z := range zones {
		l.tasks = append(l.tasks, task{name: zones[z].ID, zone: zones[z].ID, district: zones[z].Group, class: classParcel, centre: zoneDepot[z]})
	}
	layer := func(c depots.ID, class int) int {
		return len(zones) + 2*centreIdx[c] + class - classBulky
	}
	for _, c := range centres {
		d := ""
		if f := e.in.facility(c); f != nil {
			d = f.Zone
		}
		l.tasks = append(l.tasks, task{name: "bulky-" + string(c), zone: "bulky-" + string(c), district: d, class: classBulky, centre: c},
			task{name: "cold-" + string(c), zone: "cold-" + string(c), district: d, class: classCold, centre: c})
	}
	weights := make([]float64, len(l.tasks))
	for i := range e.in.Parcels {
		p := &e.in.Parcels[i]
		z := e.parcelZone[i]
		t := z
		if c := parcelClass(p); c != classParcel {
			t = layer(zoneDepot[z], c)
		}
		l.taskOf[i] = t
		weights[t] += float64(p.ServiceSeconds) + e.opts.StopSeconds
	}
	// Zones are territories, not routing tasks: each centre's loaded zones
	// are swept into groups by bearing from the centre, as many as its
	// workload has Options.TargetZoneSeconds but no more than it has small
	// vehicles, and each group is one task.
	small := map[depots.ID]int{}
	for _, v := range e.fleet[depots.Shared] {
		if e.class(v.Type) == classParcel {
			key := depots.ID("")
			if e.opts.RespectDistricts {
				key = v.Depot
			}
			small[key]++
		}
	}
	totalW := 0.0
	for z := range zones {
		totalW += weights[z]
	}
	for _, c := range centres {
		key := depots.ID("")
		if e.opts.RespectDistricts {
			key = c
		}
		var loaded []int
		centreW := 0.0
		for z := range zones {
			if zoneDepot[z] == c && weights[z] > 0 {
				loaded = append(loaded, z)
				centreW += weights[z]
			}
		}
		if len(loaded) < 2 {
			continue
		}
		vehicles := small[key]
		if key == "" && totalW > 0 {
			vehicles = int(float64(vehicles) * centreW / totalW)
		}
		g := min(len(loaded), max(1, vehicles), max(1, int(math.Round(centreW/e.opts.TargetZoneSeconds))))
		at := e.depotLoc[c]
		groups := sweepGroups(loaded, func(z int) float64 {
			return math.Atan2(zones[z].Centre[1]-at[1], zones[z].Centre[0]-at[0])
		}, weights, g)
		for gi, grp := range groups {
			if len(grp) < 2 {
				continue
			}
			into := grp[0]
			l.tasks[into].name = fmt.Sprintf("zones-%s-%d", c, gi+1)
			l.tasks[into].zoned = true
			for _, z := range grp[1:] {
				weights[into] += weights[z]
				weights[z] = 0
			}
			for i, t := range l.taskOf {
				if slices.Contains(grp[1:], t) {
					l.taskOf[i] = into
				}
			}
		}
	}
	pools := map[depots.ID][]vehicle{}
	var poolKeys []depots.ID
	for _, v := range e.fleet[depots.Shared] {
		key := depots.ID("")
		if e.opts.RespectDistricts {
			key = v.Depot
		}
		if _, ok := pools[key]; !ok {
			poolKeys = append(poolKeys, key)
		}
		pools[key] = append(pools[key], v)
	}
	for t := range l.tasks {
		if weights[t] > 0 {
			key := depots.ID("")
			if e.opts.RespectDistricts {
				key = l.tasks[t].centre
			}
			if len(pools[key]) == 0 {
				return nil, fmt.Errorf("%w: %s has parcels but centre %s has no shared vehicle", ErrInvalid, l.tasks[t].name, l.tasks[t].centre)
			}
		}
	}
	for _, key := range poolKeys {
		byClass := map[int][]vehicle{}
		for _, v := range pools[key] {
			c := e.class(v.Type)
			byClass[c] = append(byClass[c], v)
		}
		for c := classParcel; c <= classCold; c++ {
			vs := byClass[c]
			if len(vs) == 0 {
				continue
			}
			w := make([]float64, len(l.tasks))
			for t := range l.tasks {
				if l.tasks[t].class == c && (key == "" || l.tasks[t].centre == key) {
					w[t] = weights[t]
				}
			}
			alloc := allocate(vs, w)
			given := 0
			for t, a := range alloc {
				for _, v := range a {
					v.Depot = l.tasks[t].centre
					l.tasks[t].vehicles = append(l.tasks[t].vehicles, v)
				}
				given += len(a)
			}
			// Idle vehicles still join the mop-up through an empty task.
			if given < len(vs) {
				l.tasks = append(l.tasks, task{name: fmt.Sprintf("spare-%s-%d", key, c), zone: "spare", vehicles: vs[given:]})
			}
		}
	}
	return l, nil
}

// warmRoutes picks the routes of a superset's plan that start a
// coalition's: as many as the coalition's share of their parcels, with
// the most of its parcels. The parcels of the others are inserted
// afresh, so that a small coalition does not keep every vehicle of the
// grand coalition (and pay its fixed cost) for a few stops each.
func warmRoutes(routes []Route, member []bool) []Route {
	kept := make([]int, len(routes))
	mine, all := 0, 0
	for r := range routes {
		for _, p := range routes[r].seq {
			if p >= 0 {
				all++
				if member[p] {
					kept[r]++
					mine++
				}
			}
		}
	}
	if all == 0 {
		return nil
	}
	k := int(math.Ceil(float64(len(routes)) * float64(mine) / float64(all)))
	order := make([]int, len(routes))
	for r := range order {
		order[r] = r
	}
	slices.SortStableFunc(order, func(a, b int) int { return kept[b] - kept[a] })
	out := make([]Route, 0, k)
	for _, r := range order[:k] {
		out = append(out, routes[r])
	}
	return out
}

// sweepGroups cuts items, ordered by bearing, into g runs of consecutive
// bearings (sectors) whose weights come closest to equal: of every
// rotation of the circular order, the one whose heaviest run is lightest
// (the sweep of Gillett & Miller, "A heuristic algorithm for the
// vehicle-dispatch problem", Operations Research 22(2), 1974).
func sweepGroups(items []int, bearing func(int) float64, weights []float64, g int) [][]int {
	order := slices.Clone(items)
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(bearing(a), bearing(b)) })
	total := 0.0
	for _, z := range order {
		total += weights[z]
	}
	var best [][]int
	bestMax := math.Inf(1)
	for r := range order {
		rot := append(slices.Clone(order[r:]), order[:r]...)
		var groups [][]int
		cum, heaviest, cur := 0.0, 0.0, 0.0
		for k, z := range rot {
			left := len(rot) - k
			// Cut before z when the run has reached its share, or when the
			// remaining items are just enough for the remaining runs.
			if len(groups) > 0 && len(groups) < g && (cum >= total*float64(len(groups))/float64(g) || left == g-len(groups)) {
				heaviest = max(heaviest, cur)
				groups = append(groups, nil)
				cur = 0
			}
			if len(groups) == 0 {
				groups = append(groups, nil)
			}
			groups[len(groups)-1] = append(groups[len(groups)-1], z)
			cum += weights[z]
			cur += weights[z]
		}
		heaviest = max(heaviest, cur)
		if len(groups) == g && heaviest < bestMax {
			best, bestMax = groups, heaviest
		}
	}
	return best
}

// pooledTasks is a pooled plan's task structure: its tasks with their
// parcels, and which of them run in the first stage and which in the
// second (indexes into tasks).
type pooledTasks struct {
	tasks         []task
	first, second []int
}

// pick returns the tasks ids, in their order.
func (pt pooledTasks) pick(ids []int) []task {
	out := make([]task, len(ids))
	for k, t := range ids {
		out[k] = pt.tasks[t]
	}
	return out
}

// pooledTasks lays out the pooled plan of parcels idx on the day's layout.
// warm, when set, is a plan of a superset of the parcels whose routes
// seed each task. First run the zones (small vehicles) and the cold
// chain; then, per centre, the bulky parcels with the centre's vans,
// which also take what the zones' small vehicles could not (too far for
// their range, or too late for their speed).
func (e *env) pooledTasks(idx []int, warm *routed) pooledTasks {
	l := e.layout
	pt := pooledTasks{tasks: slices.Clone(l.tasks)}
	for _, i := range idx {
		t := l.taskOf[i]
		pt.tasks[t].parcels = append(pt.tasks[t].parcels, i)
	}
	if warm != nil {
		byTask := map[string][]Route{}
		for _, r := range warm.routes {
			byTask[r.task] = append(byTask[r.task], r)
		}
		member := make([]bool, len(e.in.Parcels))
		for _, i := range idx {
			member[i] = true
		}
		for t := range pt.tasks {
			pt.tasks[t].initial = warmRoutes(byTask[pt.tasks[t].name], member)
		}
	}
	for t := range pt.tasks {
		if pt.tasks[t].class == classBulky && pt.tasks[t].centre != "" {
			pt.second = append(pt.second, t)
		} else {
			pt.first = append(pt.first, t)
		}
	}
	return pt
}

// pooled plans the parcels idx jointly with the shared fleet on the day's
// layout (see pooledTasks).
func (e *env) pooled(ctx context.Context, idx []int, stage string, effort float64, warm *routed) (routed, error) {
	pt := e.pooledTasks(idx, warm)
	b := newBudget(e.opts, len(e.in.Parcels), effort)
	r1, err := e.solveAll(ctx, stage, pt.pick(pt.first), b)
	if err != nil {
		return routed{}, err
	}
	return e.pooledVans(ctx, stage, pt, r1, b)
}

// pooledVans finishes a pooled plan from r1, the results of its first
// stage's tasks: the centres' vans take the zones' leftovers with the
// bulky parcels, then the city-wide mop-up takes what is still left.
func (e *env) pooledVans(ctx context.Context, stage string, pt pooledTasks, r1 []routed, b budget) (routed, error) {
	byCentre := map[depots.ID]int{}
	for _, t := range pt.second {
		byCentre[pt.tasks[t].centre] = t
	}
	for k, t := range pt.first {
		bt, ok := byCentre[pt.tasks[t].centre]
		if !ok || pt.tasks[t].class != classParcel {
			continue
		}
		for _, u := range r1[k].unassigned {
			pt.tasks[bt].parcels = append(pt.tasks[bt].parcels, u.index)
		}
		r1[k].unassigned = nil
	}
	r2, err := e.solveAll(ctx, stage+" vans", pt.pick(pt.second), b)
	if err != nil {
		return routed{}, err
	}
	return e.combine(ctx, stage, append(r1, r2...), b)
}

// separate plans each carrier alone: per district station when it has
// them, else from its depot, with its own fleet. Every carrier's tasks
// run on one worker pool. A carrier station (or depot) with parcels but
// no vehicle is an error.
func (e *env) separate(ctx context.Context) (routed, []float64, error) {
	var all routed
	costs := make([]float64, len(e.in.Carriers))
	b := newBudget(e.opts, len(e.in.Parcels), 1)
	var tasks []task
	var owner []int // carrier of each task
	for ci, c := range e.in.Carriers {
		first := len(tasks)
		stIdx := map[depots.ID]int{}
		var stations []*depots.Facility
		for _, id := range c.Stations {
			if f := e.in.facility(id); f != nil {
				stIdx[id] = len(tasks)
				stations = append(stations, f)
				tasks = append(tasks, task{name: string(id), zone: string(id), district: f.Zone})
				owner = append(owner, ci)
			}
		}
		if len(stations) == 0 {
			stIdx[c.Depot] = len(tasks)
			d := ""
			if f := e.in.facility(c.Depot); f != nil {
				d = f.Zone
			}
			tasks = append(tasks, task{name: string(c.Depot), zone: string(c.Depot), district: d})
			owner = append(owner, ci)
		}
		for i := range e.in.Parcels {
			p := &e.in.Parcels[i]
			if p.Carrier != c.ID {
				continue
			}
			t := first
			if len(stations) > 0 {
				t = stIdx[nearestStation(stations, p)]
			}
			tasks[t].parcels = append(tasks[t].parcels, i)
		}
		for _, v := range e.fleet[c.ID] {
			t, ok := stIdx[v.Depot]
			if !ok {
				t = first
			}
			tasks[t].vehicles = append(tasks[t].vehicles, v)
		}
	}
	for ti, t := range tasks {
		if len(t.parcels) > 0 && len(t.vehicles) == 0 {
			return all, nil, fmt.Errorf("%w: carrier %s: %s has %d parcels and no vehicle", ErrInvalid, e.in.Carriers[owner[ti]].ID, t.name, len(t.parcels))
		}
	}
	results, err := e.solveAll(ctx, "separate", tasks, b)
	if err != nil {
		return all, nil, err
	}
	for ci, c := range e.in.Carriers {
		var mine []routed
		for t := range tasks {
			if owner[t] == ci {
				mine = append(mine, results[t])
			}
		}
		r, err := e.combine(ctx, "separate "+c.ID, mine, b)
		if err != nil {
			return all, nil, err
		}
		costs[ci] = e.gameCost(r)
		all.routes = append(all.routes, r.routes...)
		all.unassigned = append(all.unassigned, r.unassigned...)
		all.cost += r.cost
		all.cut = append(all.cut, r.cut...)
	}
	return all, costs, nil
}

// nearestStation is the station in the parcel's district, else the nearest.
func nearestStation(st []*depots.Facility, p *Parcel) depots.ID {
	for _, s := range st {
		if s.Zone == p.District {
			return s.ID
		}
	}
	best, bestD := st[0].ID, math.Inf(1)
	for _, s := range st {
		if d := geo.HaversineMeters(s.Location, p.Location); d < bestD {
			best, bestD = s.ID, d
		}
	}
	return best
}

// coalitionMasks lists the coalitions (bit i: carrier i of n) whose
// pooled plans the cost sharing needs beyond the singletons (stand-alone
// costs) and the grand coalition (the pooled plan), each once, in a fixed
// order: every coalition up to Options.ExactShapleyCarriers carriers;
// beyond, for each carrier the coalition of all the others and
// Options.ShapleySamples coalitions per size it may join, with and
// without it (see strataSamples, seeded by Options.Seed), which it also
// returns.
func (e *env) coalitionMasks(n int) ([]uint64, [][][]uint64) {
	full := uint64(1)<<n - 1
	known := func(m uint64) bool { return m == 0 || m == full || bits.OnesCount64(m) == 1 }
	var masks []uint64
	if n <= e.opts.ExactShapleyCarriers {
		for mask := uint64(1); mask < full; mask++ {
			if !known(mask) {
				masks = append(masks, mask)
			}
		}
		return masks, nil
	}
	strata := strataSamples(n, e.opts.ShapleySamples, rand.New(rand.NewPCG(uint64(e.opts.Seed), 0x5a1e)))
	seen := map[uint64]bool{}
	add := func(m uint64) {
		if !known(m) && !seen[m] {
			seen[m] = true
			masks = append(masks, m)
		}
	}
	for i := range n {
		add(full &^ (1 << i))
		for _, k := range strata[i] {
			for _, m := range k {
				add(m)
				add(m | 1<<i)
			}
		}
	}
	return masks, strata
}

// share allocates the pooled cost among the carriers by the Shapley value
// of the cost game whose coalitions plan their parcels jointly, if it is
// individually rational, else by the proportional rule. costs holds the
// cost of every coalition of coalitionMasks, of the singletons and of the
// grand coalition.
//
// Up to ExactShapleyCarriers carriers the value is exact over all 2^n
// coalitions, and the allocation is checked against the core (no
// coalition pays more than its own plan would cost). Beyond, it is
// estimated by sampling (Castro, Gómez & Tejada, "Polynomial calculation
// of the Shapley value based on sampling", Computers & Operations Research
// 36(5), 2009) stratified by the size of the coalition a carrier joins
// (see stratifiedShapley), with the standard error of each value. Coalition plans start from the grand
// coalition's routes, restricted to their parcels, on the same tasks and
// vehicles.
func (e *env) share(rep *Report, carriers []string, costs map[uint64]float64, standalone []float64) {
	n := len(carriers)
	full := uint64(1)<<n - 1
	costs[0] = 0
	phi := make([]float64, n)
	se := make([]float64, n)
	rule := RuleShapleyExact
	if n <= e.opts.ExactShapleyCarriers {
		fact := make([]float64, n+1)
		fact[0] = 1
		for i := 1; i <= n; i++ {
			fact[i] = fact[i-1] * float64(i)
		}
		for mask := uint64(0); mask <= full; mask++ {
			s := bits.OnesCount64(mask)
			for i := range n {
				if mask&(1<<i) == 0 {
					phi[i] += fact[s] * fact[n-s-1] / fact[n] * (costs[mask|1<<i] - costs[mask])
				}
			}
		}
	} else {
		rule = RuleShapleySampled
		_, strata := e.coalitionMasks(n)
		phi, se = stratifiedShapley(n, strata, func(m uint64) float64 { return costs[m] })
		// Sampling does not make the values sum to the grand coalition's
		// cost; scale the differences so that they do (efficiency).
		total := 0.0
		for _, p := range phi {
			total += p
		}
		if total != 0 {
			for i := range phi {
				phi[i] *= costs[full] / total
				se[i] *= math.Abs(costs[full] / total)
			}
		}
	}
	sumSA := 0.0
	for _, s := range standalone {
		sumSA += s
	}
	const eps = 1e-6
	ir := true
	for i := range n {
		if phi[i] > standalone[i]+eps {
			ir = false
		}
	}
	if !ir {
		rule = RuleProportional
	}
	rep.CostRule = rule
	rep.IndividuallyRational = true
	rep.CoalitionCosts = map[string]float64{}
	for mask, c := range costs {
		if mask != 0 {
			rep.CoalitionCosts[coalitionName(carriers, mask)] = round2(c)
		}
	}
	counts := map[string]int{}
	for i := range e.in.Parcels {
		counts[e.in.Parcels[i].Carrier]++
	}
	alloc := make([]float64, n)
	for i, id := range carriers {
		prop := 0.0
		if sumSA > 0 {
			prop = costs[full] * standalone[i] / sumSA
		}
		alloc[i] = phi[i]
		if rule == RuleProportional {
			alloc[i] = prop
		}
		if alloc[i] > standalone[i]+eps {
			rep.IndividuallyRational = false
		}
		rep.Carriers = append(rep.Carriers, CarrierCost{
			ID: id, Parcels: counts[id], AllocatedCost: alloc[i], StandaloneCost: standalone[i], Shapley: phi[i], ShapleyStdErr: se[i], Proportional: prop,
		})
	}
	if n <= e.opts.ExactShapleyCarriers {
		in := true
		for mask := uint64(1); mask < full; mask++ {
			paid := 0.0
			for i := range n {
				if mask&(1<<i) != 0 {
					paid += alloc[i]
				}
			}
			if paid > costs[mask]+eps*float64(n) {
				in = false
				rep.CoreViolations = append(rep.CoreViolations, CoreViolation{Coalition: coalitionName(carriers, mask), Pays: round2(paid), Cost: round2(costs[mask])})
			}
		}
		rep.InCore = &in
	}
}

// strataSamples draws, for each of n carriers i and each size k from 1
// to n−2 of the coalition it joins, m coalitions of k other carriers,
// uniformly: strata[i][k-1] are their masks. The sizes 0 and n−1 need no
// sample (one coalition each).
func strataSamples(n, m int, rng *rand.Rand) [][][]uint64 {
	strata := make([][][]uint64, n)
	for i := range n {
		others := make([]int, 0, n-1)
		for j := range n {
			if j != i {
				others = append(others, j)
			}
		}
		for k := 1; k <= n-2; k++ {
			var ms []uint64
			for range m {
				rng.Shuffle(len(others), func(a, b int) { others[a], others[b] = others[b], others[a] })
				var mask uint64
				for _, j := range others[:k] {
					mask |= 1 << j
				}
				ms = append(ms, mask)
			}
			strata[i] = append(strata[i], ms)
		}
	}
	return strata
}

// stratifiedShapley estimates each carrier's Shapley value as the mean,
// over the sizes k of the coalition it joins, of its mean marginal cost
// in the stratum of size k (every size has weight 1/n in the Shapley
// value): exact for sizes 0 (its stand-alone cost) and n−1 (joining the
// other n−1), sampled between. The standard error is √(Σ s²ₖ/mₖ)/n over
// the sampled strata (Castro, Gómez, Molina & Tejada, "Improving
// polynomial estimation of the Shapley value by stratified random
// sampling with optimum allocation", Computers & Operations Research 82,
// 2017, with equal allocation). Stratifying by size removes the largest
// part of the variance of sampling whole orders: a carrier's marginal
// cost depends most on how many carriers it joins.
func stratifiedShapley(n int, strata [][][]uint64, cost func(uint64) float64) (phi, se []float64) {
	full := uint64(1)<<n - 1
	phi, se = make([]float64, n), make([]float64, n)
	for i := range n {
		bit := uint64(1) << i
		sum := cost(bit)
		if n > 1 {
			sum += cost(full) - cost(full&^bit)
		}
		v := 0.0
		for _, ms := range strata[i] {
			mean, sq := 0.0, 0.0
			for _, m := range ms {
				d := cost(m|bit) - cost(m)
				mean += d
				sq += d * d
			}
			k := float64(len(ms))
			mean /= k
			sum += mean
			if k > 1 {
				v += max(0, (sq-k*mean*mean)/(k-1)) / k
			}
		}
		phi[i] = sum / float64(n)
		se[i] = math.Sqrt(v) / float64(n)
	}
	return phi, se
}

func coalitionName(carriers []string, mask uint64) string {
	var parts []string
	for k, c := range carriers {
		if mask&(1<<k) != 0 {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "+")
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

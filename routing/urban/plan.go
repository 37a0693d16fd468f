package urban

import (
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"strings"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing/fleet"
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

// pooled plans the parcels idx jointly with the shared fleet.
func (e *env) pooled(ctx context.Context, idx []int, stage string, effort float64) (routed, []Zone, error) {
	shared := e.fleet[depots.Shared]
	nParcelVehicles := 0
	for _, v := range shared {
		if e.class(v.Type) == classParcel {
			nParcelVehicles++
		}
	}
	zones, of, err := zonesOf(e.in.Parcels, idx, e.opts, nParcelVehicles)
	if err != nil {
		return routed{}, nil, err
	}
	// Each zone's centre: its district's, or the nearest.
	zoneDepot := make([]depots.ID, len(zones))
	for z := range zones {
		zoneDepot[z] = e.nearestCentre(zones[z])
	}
	var depotsUsed []depots.ID
	depotIdx := map[depots.ID]int{}
	for _, d := range zoneDepot {
		if _, ok := depotIdx[d]; !ok {
			depotIdx[d] = len(depotsUsed)
			depotsUsed = append(depotsUsed, d)
		}
	}
	// Tasks: zones (general and bulky parcels), then per centre a cold
	// chain task: refrigerated vans only carry fresh food.
	tasks := make([]task, len(zones)+len(depotsUsed))
	for z := range zones {
		tasks[z] = task{name: zones[z].ID, zone: zones[z].ID}
	}
	for d, id := range depotsUsed {
		tasks[len(zones)+d] = task{name: "cold-" + string(id), zone: "cold-" + string(id)}
	}
	bulkyWeight := make([]float64, len(tasks))
	weights := make([]float64, len(tasks))
	for k, i := range idx {
		t := of[k]
		p := &e.in.Parcels[i]
		if p.ColdChain {
			t = len(zones) + depotIdx[zoneDepot[of[k]]]
		}
		w := float64(p.ServiceSeconds) + e.opts.StopSeconds
		if p.Category == Bulky {
			bulkyWeight[t] += w
		}
		tasks[t].parcels = append(tasks[t].parcels, i)
		weights[t] += w
	}
	taskDepot := func(t int) depots.ID {
		if t < len(zones) {
			return zoneDepot[t]
		}
		return depotsUsed[t-len(zones)]
	}
	// weight returns task t's claim on vehicles of class c: cold vans go
	// to cold tasks, vans to zones by bulky workload (then by all), small
	// vehicles to zones by workload.
	weight := func(t, c int) float64 {
		cold := t >= len(zones)
		switch {
		case c == classCold && cold, c == classParcel && !cold:
			return weights[t]
		case c == classBulky && !cold:
			return bulkyWeight[t] + 1e-3*weights[t]
		}
		return 0
	}
	// Share the fleet: per pool (a centre's own vehicles when zones keep to
	// districts, else the whole fleet), per vehicle type, among the tasks
	// in proportion to their claim.
	pools := map[depots.ID][]vehicle{}
	var poolKeys []depots.ID
	for _, v := range shared {
		key := depots.ID("")
		if e.opts.RespectDistricts {
			key = v.Depot
		}
		if _, ok := pools[key]; !ok {
			poolKeys = append(poolKeys, key)
		}
		pools[key] = append(pools[key], v)
	}
	nBase := len(tasks)
	for _, key := range poolKeys {
		byType := map[string][]vehicle{}
		var typeKeys []string
		for _, v := range pools[key] {
			if _, ok := byType[v.Type.ID]; !ok {
				typeKeys = append(typeKeys, v.Type.ID)
			}
			byType[v.Type.ID] = append(byType[v.Type.ID], v)
		}
		for _, tk := range typeKeys {
			vs := byType[tk]
			c := e.class(vs[0].Type)
			w := make([]float64, nBase)
			for t := range nBase {
				if key == "" || taskDepot(t) == key {
					w[t] = weight(t, c)
				}
			}
			alloc := allocate(vs, w)
			var spare []vehicle
			for t, a := range alloc {
				for _, v := range a {
					v.Depot = taskDepot(t)
					tasks[t].vehicles = append(tasks[t].vehicles, v)
				}
			}
			if len(alloc) == 0 || sumLen(alloc) < len(vs) { // no task of this class here
				spare = vs[sumLen(alloc):]
			}
			// Idle vehicles still join the mop-up through an empty task.
			if len(spare) > 0 {
				tasks = append(tasks, task{name: "spare-" + tk, zone: "spare", vehicles: spare})
				weights = append(weights, 0)
			}
		}
	}
	b := newBudget(e.opts, len(e.in.Parcels), effort)
	results, err := e.solveAll(ctx, stage, tasks, b)
	if err != nil {
		return routed{}, nil, err
	}
	if e.opts.CrossZoneEffort > 0 {
		e.acrossZones(ctx, stage, tasks, results, zoneDepot, depotsUsed, effort)
	}
	r, err := e.combine(ctx, stage, results, b)
	return r, zones, err
}

// acrossZones re-solves the zones of each centre together, seeded with
// their routes, so that routes may cross the zone lines between them; a
// merged plan replaces the zones' plans when it leaves fewer parcels out,
// or as many at no more cost.
func (e *env) acrossZones(ctx context.Context, stage string, tasks []task, results []routed, zoneDepot, depotsUsed []depots.ID, effort float64) {
	var merged []task
	var members [][]int
	for _, d := range depotsUsed {
		var ts []int
		for t := range zoneDepot {
			if zoneDepot[t] == d && len(tasks[t].parcels) > 0 {
				ts = append(ts, t)
			}
		}
		if len(ts) < 2 {
			continue
		}
		m := task{name: "across-" + string(d), zone: "across-" + string(d), zoneOf: map[int]string{}}
		for _, t := range ts {
			m.parcels = append(m.parcels, tasks[t].parcels...)
			m.vehicles = append(m.vehicles, tasks[t].vehicles...)
			m.initial = append(m.initial, results[t].routes...)
			for _, p := range tasks[t].parcels {
				m.zoneOf[p] = tasks[t].zone
			}
		}
		merged = append(merged, m)
		members = append(members, ts)
	}
	if len(merged) == 0 {
		return
	}
	mr, err := e.solveAll(ctx, stage+" across zones", merged, newBudget(e.opts, len(e.in.Parcels), effort*e.opts.CrossZoneEffort))
	if err != nil {
		return // the zone plans stand
	}
	for i, ts := range members {
		// Serving more parcels comes first, as in the solver's objective
		// (required parcels), then cost.
		cost, un := 0.0, 0
		for _, t := range ts {
			cost += results[t].cost
			un += len(results[t].unassigned)
		}
		if n := len(mr[i].unassigned); n < un || n == un && mr[i].cost <= cost {
			results[ts[0]] = mr[i]
			for _, t := range ts[1:] {
				results[t] = routed{}
			}
		}
	}
}

func sumLen(a [][]vehicle) int {
	n := 0
	for _, x := range a {
		n += len(x)
	}
	return n
}

// nearestCentre returns the zone's district centre when zones respect
// districts and the district has one, else the centre nearest the zone.
func (e *env) nearestCentre(z Zone) depots.ID {
	if e.opts.RespectDistricts && z.Group != "" {
		for _, c := range e.centres {
			if c.Zone == z.Group {
				return c.ID
			}
		}
	}
	best, bestD := e.centres[0].ID, math.Inf(1)
	for _, c := range e.centres {
		if d := geo.HaversineMeters(c.Location, z.Centre); d < bestD {
			best, bestD = c.ID, d
		}
	}
	return best
}

// separate plans each carrier alone: per district station when it has
// them, else from its depot, with its own fleet.
func (e *env) separate(ctx context.Context) (routed, []float64, error) {
	var all routed
	costs := make([]float64, len(e.in.Carriers))
	b := newBudget(e.opts, len(e.in.Parcels), 1)
	for ci, c := range e.in.Carriers {
		fleet := e.fleet[c.ID]
		var tasks []task
		stIdx := map[depots.ID]int{}
		var stations []*depots.Facility
		for _, id := range c.Stations {
			if f := e.in.facility(id); f != nil {
				stIdx[id] = len(tasks)
				stations = append(stations, f)
				tasks = append(tasks, task{name: string(id), zone: string(id)})
			}
		}
		if len(tasks) == 0 {
			stIdx[c.Depot] = 0
			tasks = append(tasks, task{name: string(c.Depot), zone: string(c.Depot)})
		}
		for i := range e.in.Parcels {
			p := &e.in.Parcels[i]
			if p.Carrier != c.ID {
				continue
			}
			t := 0
			if len(stations) > 0 {
				t = stIdx[nearestStation(stations, p)]
			}
			tasks[t].parcels = append(tasks[t].parcels, i)
		}
		for _, v := range fleet {
			t, ok := stIdx[v.Depot]
			if !ok {
				t = 0
			}
			tasks[t].vehicles = append(tasks[t].vehicles, v)
		}
		r, err := e.runTasks(ctx, "separate "+c.ID, tasks, b)
		if err != nil {
			return all, nil, err
		}
		costs[ci] = r.cost + e.opts.UnassignedPenaltyYuan*float64(len(r.unassigned))
		all.routes = append(all.routes, r.routes...)
		all.unassigned = append(all.unassigned, r.unassigned...)
		all.cost += r.cost
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

// share allocates the pooled cost among the carriers: the Shapley value of
// the cost game whose coalitions plan their parcels jointly (exact over
// all coalitions up to ExactShapleyCarriers carriers, else sampled over
// random orders: Castro, Gómez & Tejada, "Polynomial calculation of the
// Shapley value based on sampling", Computers & Operations Research
// 36(5), 2009), if it is individually rational; else the proportional
// rule.
func (e *env) share(ctx context.Context, rep *Report, carriers []string, pooled routed, standalone []float64) error {
	n := len(carriers)
	full := uint64(1)<<n - 1
	pen := e.opts.UnassignedPenaltyYuan
	costs := map[uint64]float64{0: 0}
	for i := range n {
		costs[1<<i] = standalone[i]
	}
	// The grand coalition's cost is the pooled plan's, even for a lone
	// carrier (whose "coalition" is then its pooled plan, not its own
	// fleet).
	costs[full] = pooled.cost + pen*float64(len(pooled.unassigned))
	value := func(mask uint64) (float64, error) {
		if c, ok := costs[mask]; ok {
			return c, nil
		}
		var idx []int
		for i := range e.in.Parcels {
			for k, c := range carriers {
				if mask&(1<<k) != 0 && e.in.Parcels[i].Carrier == c {
					idx = append(idx, i)
				}
			}
		}
		r, _, err := e.pooled(ctx, idx, "coalition "+coalitionName(carriers, mask), e.opts.CoalitionEffort)
		if err != nil {
			return 0, err
		}
		c := r.cost + pen*float64(len(r.unassigned))
		costs[mask] = c
		return c, nil
	}
	phi := make([]float64, n)
	rule := RuleShapleyExact
	if n <= e.opts.ExactShapleyCarriers {
		fact := make([]float64, n+1)
		fact[0] = 1
		for i := 1; i <= n; i++ {
			fact[i] = fact[i-1] * float64(i)
		}
		for mask := uint64(0); mask <= full; mask++ {
			vs, err := value(mask)
			if err != nil {
				return err
			}
			s := bits.OnesCount64(mask)
			for i := range n {
				if mask&(1<<i) != 0 {
					continue
				}
				vsi, err := value(mask | 1<<i)
				if err != nil {
					return err
				}
				phi[i] += fact[s] * fact[n-s-1] / fact[n] * (vsi - vs)
			}
		}
	} else {
		rule = RuleShapleySampled
		rng := rand.New(rand.NewPCG(uint64(e.opts.Seed), 0x5a1e))
		for range e.opts.ShapleySamples {
			perm := rng.Perm(n)
			var mask uint64
			prev := 0.0
			for _, i := range perm {
				mask |= 1 << i
				v, err := value(mask)
				if err != nil {
					return err
				}
				phi[i] += v - prev
				prev = v
			}
		}
		for i := range phi {
			phi[i] /= float64(e.opts.ShapleySamples)
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
	for i, id := range carriers {
		prop := 0.0
		if sumSA > 0 {
			prop = costs[full] * standalone[i] / sumSA
		}
		alloc := phi[i]
		if rule == RuleProportional {
			alloc = prop
		}
		if alloc > standalone[i]+eps {
			rep.IndividuallyRational = false
		}
		rep.Carriers = append(rep.Carriers, CarrierCost{
			ID: id, Parcels: counts[id], AllocatedCost: alloc, StandaloneCost: standalone[i], Shapley: phi[i], Proportional: prop,
		})
	}
	return nil
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

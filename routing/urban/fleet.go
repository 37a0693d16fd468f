package urban

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/fleet"

	"golang.org/x/sync/errgroup"
)

// Capacity dimensions of the urban problems, with their integer scales.
const (
	dimParcels   = 0
	dimKg        = 1 // hundredths of a kg: weights are given to 0.01 kg
	dimLitres    = 2 // tenths of a litre
	kgScale      = 100
	litresScale  = 10
	microPerYuan = 1e6 // routing cost units per yuan (routing.Costs)
)

// Skills of urban jobs and vehicles.
const (
	SkillColdChain = "cold_chain"
	SkillBulky     = "bulky"
)

// vehicle is one vehicle of a fleet as a task sees it.
type vehicle struct {
	ID       string
	Type     *fleet.VehicleType
	Depot    depots.ID
	Operator string
}

// task is one routing problem of a plan: some parcels, some vehicles.
type task struct {
	name     string // zone, layer or station
	zone     string
	district string    // of the zone, layer or station
	class    int       // pooled: the vehicle class the task is for
	centre   depots.ID // pooled: the shared centre it is routed from
	parcels  []int     // indexes into Day.Parcels
	vehicles []vehicle
	// initial routes seed the search (their vehicles and parcels must be
	// the task's); zoned tasks span several zones and name each route's
	// zone by the zones of most of its parcels.
	initial []Route
	zoned   bool
}

// routed is what a task gives back.
type routed struct {
	routes     []Route
	unassigned []Unassigned
	unused     []vehicle
	cost       float64 // yuan, routes only
	// cut names the tasks whose search the budget or the deadline stopped
	// before their iterations were done.
	cut []string
}

// env is what every task of a plan shares.
type env struct {
	in   Input
	opts Options
	// zones are the day's territories, parcelZone each parcel's zone, and
	// layout the pooled plans' tasks.
	zones      []Zone
	parcelZone []int
	layout     *layout
	// taskZones, in a task solved on its own (SolveTask), stands for
	// zones and parcelZone: its parcels' zone IDs.
	taskZones map[int]string
	// cache holds solved tasks by task, parcels and budget, so that
	// coalitions with the same parcels in a task reuse its plan.
	mu       sync.Mutex
	cache    map[string]routed
	depotLoc map[depots.ID]orb.Point
	fleet    map[string][]vehicle // by operator: carriers and depots.Shared
	centres  []*depots.Facility   // shared distribution centres
	// progressMu makes Options.Progress calls one at a time when parts
	// are planned concurrently.
	progressMu sync.Mutex
}

func (e *env) canCarryBulky(t *fleet.VehicleType) bool { return t.CapacityKg >= e.opts.BulkyMinKg }

// routingVehicle converts a fleet vehicle based at location loc.
func (e *env) routingVehicle(v vehicle, loc int) routing.Vehicle {
	t := v.Type
	rv := routing.Vehicle{
		ID: v.ID, Start: loc, End: loc,
		Capacity: []int64{int64(t.CapacityParcels), int64(math.Round(t.CapacityKg * kgScale)), int64(math.Round(t.CapacityLitres * litresScale))},
		Shift:    routing.TimeWindow{Start: int64(t.ShiftStartSeconds), End: int64(t.ShiftEndSeconds)},
		Costs: routing.Costs{
			Fixed:     int64(math.Round(t.FixedYuan * microPerYuan)),
			PerMeter:  int64(math.Round(t.YuanPerKm * microPerYuan / 1000)),
			PerSecond: int64(math.Round(t.YuanPerHour * microPerYuan / 3600)),
		},
		MaxDistance: int64(t.RangeMeters),
		MaxDuration: int64(e.opts.MaxRouteHours * 3600),
		SpeedFactor: 1,
		MaxTrips:    e.opts.MaxTrips,
		ReloadTime:  int64(e.opts.ReloadSeconds),
	}
	if t.SpeedKmh > 0 {
		rv.SpeedFactor = t.SpeedKmh / e.opts.TravelSpeedKmh
	}
	if t.ColdChain {
		rv.Skills = append(rv.Skills, SkillColdChain)
	}
	if e.canCarryBulky(t) {
		rv.Skills = append(rv.Skills, SkillBulky)
	}
	return rv
}

func parcelJob(p *Parcel, loc int) routing.Job {
	j := routing.Job{
		ID: p.ID, Location: loc,
		Delivery:    []int64{1, int64(math.Round(p.WeightKg * kgScale)), int64(math.Round(p.VolumeLitres * litresScale))},
		Service:     int64(p.ServiceSeconds),
		TimeWindows: []routing.TimeWindow{{Start: int64(p.Window.StartSeconds), End: int64(p.Window.EndSeconds)}},
	}
	if p.ColdChain {
		j.Skills = append(j.Skills, SkillColdChain)
	}
	if p.Category == Bulky {
		j.Skills = append(j.Skills, SkillBulky)
	}
	return j
}

// budget is the search effort of one task: the same rule for the pooled
// and the separate plans, proportional to the task's parcels.
type budget struct {
	perParcel      time.Duration
	maxTime        time.Duration
	itersPerParcel int
	seed           int64
	polish         bool
}

// newBudget gives every task fraction of the plan's effort; fraction 0
// (coalition plans that only polish their warm start) runs no ruin and
// recreate: greedy insertion of what the start lacks, then local search.
func newBudget(o Options, parcels int, fraction float64) budget {
	b := budget{seed: o.Seed, itersPerParcel: int(math.Ceil(float64(o.IterationsPerParcel) * fraction))}
	if fraction == 0 {
		b.polish = true
		return b
	}
	if o.TimeLimit > 0 && parcels > 0 {
		total := time.Duration(float64(o.TimeLimit) * fraction)
		b.maxTime = total
		b.perParcel = total * time.Duration(o.Workers) / time.Duration(parcels)
	}
	return b
}

func (b budget) options(parcels int) routing.Options {
	ro := routing.Options{Seed: b.seed}
	if b.polish {
		ro.Effort = routing.EffortLevel(0)
		return ro
	}
	if b.itersPerParcel > 0 {
		ro.Iterations = max(100, b.itersPerParcel*parcels)
	}
	if b.perParcel > 0 {
		ro.TimeLimit = min(b.maxTime, b.perParcel*time.Duration(max(parcels, 1)))
	}
	return ro
}

// solve routes one task, or returns the plan of an identical task solved
// before with the same budget.
func (e *env) solve(ctx context.Context, t task, b budget) (routed, error) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%d|%v|%v|%d|%d", t.name, b.itersPerParcel, b.perParcel, b.polish, len(t.vehicles), len(t.initial))
	for _, p := range t.parcels {
		fmt.Fprintf(h, ",%d", p)
	}
	key := fmt.Sprintf("%x", h.Sum64())
	e.mu.Lock()
	r, ok := e.cache[key]
	e.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := e.solveTask(ctx, t, b)
	if err != nil || len(r.cut) > 0 {
		return r, err
	}
	e.mu.Lock()
	e.cache[key] = r
	e.mu.Unlock()
	return r, nil
}

// solveTask routes one task.
func (e *env) solveTask(ctx context.Context, t task, b budget) (routed, error) {
	var out routed
	if len(t.parcels) == 0 {
		out.unused = t.vehicles
		return out, nil
	}
	if len(t.vehicles) == 0 {
		for _, pi := range t.parcels {
			out.unassigned = append(out.unassigned, Unassigned{Parcel: e.in.Parcels[pi].ID, Carrier: e.in.Parcels[pi].Carrier, Reason: ReasonNoVehicle, index: pi})
		}
		return out, nil
	}
	// Locations: the vehicles' depots, then one per parcel.
	var pts []orb.Point
	var depotIDs []depots.ID
	depotIdx := map[depots.ID]int{}
	for _, v := range t.vehicles {
		if _, ok := depotIdx[v.Depot]; !ok {
			loc, ok := e.depotLoc[v.Depot]
			if !ok {
				return out, fmt.Errorf("%w: vehicle %q: depot %q not among the day's facilities", ErrInvalid, v.ID, v.Depot)
			}
			depotIdx[v.Depot] = len(pts)
			depotIDs = append(depotIDs, v.Depot)
			pts = append(pts, loc)
		}
	}
	nd := len(pts)
	for _, pi := range t.parcels {
		pts = append(pts, e.in.Parcels[pi].Location)
	}
	m, err := e.opts.Travel.Matrix(ctx, pts)
	if err != nil {
		return out, fmt.Errorf("task %s: travel matrix: %w", t.name, err)
	}
	p := &routing.Problem{
		Locations: len(pts), Durations: m.Seconds, Distances: m.Meters, Dimensions: 3,
	}
	for _, v := range t.vehicles {
		p.Vehicles = append(p.Vehicles, e.routingVehicle(v, depotIdx[v.Depot]))
	}
	for k, pi := range t.parcels {
		p.Jobs = append(p.Jobs, parcelJob(&e.in.Parcels[pi], nd+k))
	}
	ro := b.options(len(t.parcels))
	if len(t.initial) > 0 {
		ro.Initial = initialSolution(t)
	}
	start := time.Now()
	sol, err := routing.Solve(ctx, p, ro)
	if err != nil {
		return out, fmt.Errorf("task %s: %w", t.name, err)
	}
	if ctx.Err() != nil || ro.Iterations > 0 && ro.TimeLimit > 0 && time.Since(start) >= ro.TimeLimit {
		out.cut = append(out.cut, t.name)
	}
	used := make([]bool, len(t.vehicles))
	for _, r := range sol.Routes {
		v := t.vehicles[r.Vehicle]
		used[r.Vehicle] = true
		rt := Route{
			Vehicle: v.ID, Type: v.Type.ID, Depot: string(v.Depot), Zone: t.zone, Operator: v.Operator, task: t.name,
			Km: float64(r.Distance) / 1000, Hours: float64(r.Duration) / 3600, CostYuan: float64(r.Cost) / microPerYuan,
		}
		if len(r.Stops) > 0 {
			rt.StartSeconds = int32(r.Stops[0].Departure)
			rt.EndSeconds = int32(r.Stops[len(r.Stops)-1].Arrival)
		}
		rt.Path = append(rt.Path, pts[depotIdx[v.Depot]])
		districts, zones := map[string]int{}, map[string]int{}
		for _, s := range r.Stops {
			if s.Kind == routing.KindReload {
				rt.Path = append(rt.Path, pts[depotIdx[v.Depot]])
				rt.seq = append(rt.seq, -1)
			}
			if s.Kind != routing.KindJob {
				continue
			}
			pi := t.parcels[s.Task]
			par := &e.in.Parcels[pi]
			rt.Parcels = append(rt.Parcels, par.ID)
			rt.Stops = append(rt.Stops, Stop{Parcel: par.ID, Carrier: par.Carrier, Kind: par.Category, Location: par.Location,
				ArrivalSeconds: int32(s.Arrival), StartSeconds: int32(s.Arrival + s.Waiting), Window: par.Window})
			rt.LoadParcels++
			rt.LoadKg += par.WeightKg
			rt.Path = append(rt.Path, par.Location)
			rt.seq = append(rt.seq, pi)
			districts[par.District]++
			if t.zoned {
				zones[e.zoneID(pi)]++
			}
		}
		if t.zoned {
			rt.Zone = majority(zones)
		}
		rt.Path = append(rt.Path, pts[depotIdx[v.Depot]])
		rt.District = majority(districts)
		if t.district != "" {
			rt.District = t.district
		}
		rt.LoadKg = math.Round(rt.LoadKg*100) / 100
		out.cost += rt.CostYuan
		out.routes = append(out.routes, rt)
	}
	for _, u := range sol.Unassigned {
		pi := t.parcels[u.Task]
		out.unassigned = append(out.unassigned, Unassigned{Parcel: e.in.Parcels[pi].ID, Carrier: e.in.Parcels[pi].Carrier, Reason: string(u.Reason), index: pi})
	}
	for i, v := range t.vehicles {
		if !used[i] {
			out.unused = append(out.unused, v)
		}
	}
	return out, nil
}

// zoneID is the ID of parcel pi's zone.
func (e *env) zoneID(pi int) string {
	if e.taskZones != nil {
		return e.taskZones[pi]
	}
	return e.zones[e.parcelZone[pi]].ID
}

// initialSolution maps a task's initial routes to its problem's indexes.
func initialSolution(t task) *routing.Solution {
	vi := make(map[string]int, len(t.vehicles))
	for i, v := range t.vehicles {
		vi[v.ID] = i
	}
	pi := make(map[int]int, len(t.parcels))
	for k, p := range t.parcels {
		pi[p] = k
	}
	sol := &routing.Solution{}
	for _, r := range t.initial {
		v, ok := vi[r.Vehicle]
		if !ok {
			continue
		}
		rt := routing.Route{Vehicle: v}
		for _, p := range r.seq {
			if p < 0 {
				rt.Stops = append(rt.Stops, routing.RouteStop{Kind: routing.KindReload, Task: -1})
				continue
			}
			if k, ok := pi[p]; ok {
				rt.Stops = append(rt.Stops, routing.RouteStop{Kind: routing.KindJob, Task: k})
			}
		}
		if slices.ContainsFunc(rt.Stops, func(s routing.RouteStop) bool { return s.Kind == routing.KindJob }) {
			sol.Routes = append(sol.Routes, rt)
		}
	}
	return sol
}

// majority returns the most frequent key, the smallest on ties.
func majority(m map[string]int) string {
	best, n := "", -1
	for k, c := range m {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

// runTasks solves tasks and combines them (see combine).
func (e *env) runTasks(ctx context.Context, stage string, tasks []task, b budget) (routed, error) {
	results, err := e.solveAll(ctx, stage, tasks, b)
	if err != nil {
		return routed{}, err
	}
	return e.combine(ctx, stage, results, b)
}

// solveAll solves tasks on a bounded worker pool; results keep task order.
func (e *env) solveAll(ctx context.Context, stage string, tasks []task, b budget) ([]routed, error) {
	results := make([]routed, len(tasks))
	order := make([]int, len(tasks)) // biggest first, for a shorter tail
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return len(tasks[y].parcels) - len(tasks[x].parcels) })
	err := e.inParallel(ctx, stage, order, func(ctx context.Context, i int) (err error) {
		results[i], err = e.solve(ctx, tasks[i], b)
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// inParallel calls fn for every index of order, Options.Workers at a
// time in that order, and reports stage's progress as each call ends; the
// first error cancels the calls still running and is returned.
func (e *env) inParallel(ctx context.Context, stage string, order []int, fn func(ctx context.Context, i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, e.opts.Workers))
	var mu sync.Mutex
	done := 0
	e.progress(stage, 0, len(order))
	for _, i := range order {
		g.Go(func() error {
			if err := fn(ctx, i); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			e.progress(stage, done, len(order))
			return nil
		})
	}
	return g.Wait()
}

// combine joins task results. Then, if parcels are left and vehicles idle,
// one mop-up task routes the leftovers with every idle vehicle, across
// zone lines.
func (e *env) combine(ctx context.Context, stage string, results []routed, b budget) (routed, error) {
	var all routed
	for _, r := range results {
		all.routes = append(all.routes, r.routes...)
		all.unassigned = append(all.unassigned, r.unassigned...)
		all.unused = append(all.unused, r.unused...)
		all.cost += r.cost
		all.cut = append(all.cut, r.cut...)
	}
	if len(all.unassigned) > 0 && len(all.unused) > 0 {
		mop := task{name: stage + "-mop-up", zone: "mop-up", vehicles: all.unused}
		for _, u := range all.unassigned {
			mop.parcels = append(mop.parcels, u.index)
		}
		e.progress(stage+" mop-up", 0, 1)
		r, err := e.solve(ctx, mop, b)
		if err != nil {
			return all, err
		}
		e.progress(stage+" mop-up", 1, 1)
		all.routes = append(all.routes, r.routes...)
		all.unassigned = r.unassigned
		all.unused = r.unused
		all.cost += r.cost
		all.cut = append(all.cut, r.cut...)
	}
	return all, nil
}

func (e *env) progress(stage string, done, total int) {
	if e.opts.Progress != nil {
		e.progressMu.Lock()
		defer e.progressMu.Unlock()
		e.opts.Progress(Progress{Stage: stage, Done: done, Total: total})
	}
}

// allocate shares vehicles among groups in proportion to weights by the
// largest-remainder method, giving every group of positive weight at least
// one vehicle while vehicles last. Vehicles keep their order.
func allocate(vs []vehicle, weights []float64) [][]vehicle {
	out := make([][]vehicle, len(weights))
	total := 0.0
	pos := 0
	for _, w := range weights {
		total += w
		if w > 0 {
			pos++
		}
	}
	if total <= 0 || len(vs) == 0 {
		return out
	}
	counts := make([]int, len(weights))
	given := 0
	if len(vs) >= pos {
		for i, w := range weights {
			if w > 0 {
				counts[i] = 1
				given++
			}
		}
	}
	// Largest remainder over what is left, against each group's quota.
	for given < len(vs) {
		best, bestGap := -1, math.Inf(-1)
		for i, w := range weights {
			if w <= 0 {
				continue
			}
			gap := w/total*float64(len(vs)) - float64(counts[i])
			if gap > bestGap {
				best, bestGap = i, gap
			}
		}
		counts[best]++
		given++
	}
	k := 0
	for i, c := range counts {
		out[i] = append(out[i], vs[k:k+c]...)
		k += c
	}
	return out
}

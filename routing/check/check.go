// Package check verifies vehicle-routing solutions independently of the
// solver. It recomputes every route from the instance's raw data (planar
// coordinates under the instance's rounding convention, or the JSON
// problem's matrices) in float64 arithmetic, and never calls routing's own
// evaluation code, so that a bug in the solver's incremental bookkeeping
// cannot hide behind the same bug in its checker.
//
// It checks that every task is served exactly once or listed unassigned;
// capacity per dimension along each trip (for VRPB this bounds each phase
// separately, since the load falls through the linehauls and rises through
// the backhauls); the backhaul order; shipment pairing and precedence on one
// trip; time windows after service times and waiting; vehicle shifts, skills
// and maximum duration, distance and stop count; and that no vehicle drives
// two routes.
//
// Route durations are the shortest the schedule allows: departure is
// delayed by the forward time slack of Savelsbergh (1992), "The vehicle
// routing problem with time windows: minimizing route duration", ORSA J.
// on Computing 4(2), so waiting at the first stops is not counted.
package check

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

// ErrInvalid is returned (wrapped) when a solution cannot be checked at all:
// an unknown task id or vehicle index, or an instance without the data the
// convention needs. Infeasibility is not an error: it is reported in
// Report.Violations.
var ErrInvalid = errors.New("check: solution cannot be checked")

// Reload marks, in Route.Stops, a return to the vehicle's start to reload
// between trips.
const Reload = "<reload>"

// Route is one vehicle's route as a list of task ids.
type Route struct {
	// Vehicle indexes Problem.Vehicles.
	Vehicle int
	// Stops are job ids and shipment pickup and delivery ids in visiting
	// order, without the start and end depot.
	Stops []string
}

// Report is the outcome of a check. Distances and durations are in the
// instance's own units (Euclidean units for benchmarks, metres and seconds
// for JSON problems).
type Report struct {
	// Cost is the objective under the instance's convention: total distance
	// for benchmark instances; for JSON problems vehicle fixed, per-km and
	// per-hour costs plus the penalties of unassigned tasks, in currency
	// units.
	Cost     float64
	Distance float64
	Duration float64
	// Routes counts the routes with at least one stop; RouteDistance and
	// RouteDuration are per input route.
	Routes        int
	RouteDistance []float64
	RouteDuration []float64
	Served        int // tasks served (a shipment counts once)
	Unassigned    int // tasks listed as unassigned
	Feasible      bool
	Violations    []string
}

// Complete reports whether the solution is feasible and serves every task.
func (r *Report) Complete() bool { return r.Feasible && r.Unassigned == 0 }

// task locates a stop id in the problem.
type task struct {
	job      int // index into Jobs, or -1
	shipment int // index into Shipments, or -1
	pickup   bool
}

// Solution checks a routing.Solution against the instance.
func Solution(in *instance.Instance, sol *routing.Solution) (Report, error) {
	if in == nil || in.Problem == nil || sol == nil {
		return Report{}, fmt.Errorf("%w: nil instance or solution", ErrInvalid)
	}
	routes, unassigned, err := Routes(in.Problem, sol)
	if err != nil {
		return Report{}, err
	}
	return Check(in, routes, unassigned)
}

// Routes converts a routing.Solution into id lists: its routes and the ids
// of its unassigned tasks (a shipment by its pickup id).
func Routes(p *routing.Problem, sol *routing.Solution) ([]Route, []string, error) {
	var routes []Route
	for i, r := range sol.Routes {
		cr := Route{Vehicle: r.Vehicle}
		for k, s := range r.Stops {
			switch s.Kind {
			case routing.KindStart, routing.KindEnd, routing.KindBreak:
				// Breaks are not re-checked here (package routing's
				// tests replay them).
			case routing.KindReload:
				cr.Stops = append(cr.Stops, Reload)
			case routing.KindJob:
				if s.Task < 0 || s.Task >= len(p.Jobs) {
					return nil, nil, fmt.Errorf("%w: routes[%d].stops[%d]: job %d out of range", ErrInvalid, i, k, s.Task)
				}
				cr.Stops = append(cr.Stops, p.Jobs[s.Task].ID)
			case routing.KindPickup, routing.KindDelivery:
				if s.Task < 0 || s.Task >= len(p.Shipments) {
					return nil, nil, fmt.Errorf("%w: routes[%d].stops[%d]: shipment %d out of range", ErrInvalid, i, k, s.Task)
				}
				if s.Kind == routing.KindPickup {
					cr.Stops = append(cr.Stops, p.Shipments[s.Task].Pickup.ID)
				} else {
					cr.Stops = append(cr.Stops, p.Shipments[s.Task].Delivery.ID)
				}
			default:
				return nil, nil, fmt.Errorf("%w: routes[%d].stops[%d]: unknown stop kind %d", ErrInvalid, i, k, s.Kind)
			}
		}
		routes = append(routes, cr)
	}
	var unassigned []string
	for i, u := range sol.Unassigned {
		switch {
		case u.Shipment && u.Task >= 0 && u.Task < len(p.Shipments):
			unassigned = append(unassigned, p.Shipments[u.Task].Pickup.ID)
		case !u.Shipment && u.Task >= 0 && u.Task < len(p.Jobs):
			unassigned = append(unassigned, p.Jobs[u.Task].ID)
		default:
			return nil, nil, fmt.Errorf("%w: unassigned[%d]: task %d out of range", ErrInvalid, i, u.Task)
		}
	}
	return routes, unassigned, nil
}

// checker holds what one Check call needs.
type checker struct {
	in    *instance.Instance
	p     *routing.Problem
	scale float64
	tol   float64
	rep   *Report
	// Driving and service (reloads included) of the last route checked.
	driven, work float64
}

func (c *checker) violate(format string, args ...any) {
	c.rep.Violations = append(c.rep.Violations, fmt.Sprintf(format, args...))
}

// dist returns the length of the arc a→b in instance units.
func (c *checker) dist(a, b int) float64 {
	if a == b || a < 0 || b < 0 {
		return 0
	}
	if c.in.Convention == instance.ConventionMatrix {
		return float64(c.p.Distances[a*c.p.Locations+b])
	}
	return euclid(c.in.Convention, c.in.Coords[a], c.in.Coords[b])
}

// travel returns the drive time a→b in instance units for vehicle v.
func (c *checker) travel(v *routing.Vehicle, a, b int) float64 {
	if a == b || a < 0 || b < 0 {
		return 0
	}
	var t float64
	if c.in.Convention == instance.ConventionMatrix {
		t = float64(c.p.Durations[a*c.p.Locations+b])
	} else {
		t = euclid(c.in.Convention, c.in.Coords[a], c.in.Coords[b])
		if c.in.Speed > 0 {
			t /= c.in.Speed
		}
	}
	if v.SpeedFactor > 0 {
		t /= v.SpeedFactor
	}
	return t
}

// euclid is the checker's own arc length, kept apart from the reader's.
func euclid(conv instance.Convention, a, b orb.Point) float64 {
	dx, dy := a[0]-b[0], a[1]-b[1]
	d := math.Sqrt(dx*dx + dy*dy)
	switch conv {
	case instance.ConventionRounded:
		return math.Floor(d + 0.5)
	case instance.ConventionTruncated:
		return math.Floor(10*d) / 10
	}
	return d
}

// Check verifies routes and the list of unassigned task ids against the
// instance. It returns an error only when the input cannot be checked;
// infeasibility is in the report.
func Check(in *instance.Instance, routes []Route, unassigned []string) (Report, error) {
	if in == nil || in.Problem == nil {
		return Report{}, fmt.Errorf("%w: nil instance", ErrInvalid)
	}
	p := in.Problem
	if in.Convention != instance.ConventionMatrix && len(in.Coords) != p.Locations {
		return Report{}, fmt.Errorf("%w: %d coordinates for %d locations", ErrInvalid, len(in.Coords), p.Locations)
	}
	if in.Convention == instance.ConventionMatrix && (len(p.Distances) != p.Locations*p.Locations || len(p.Durations) != len(p.Distances)) {
		return Report{}, fmt.Errorf("%w: matrices are not %d×%d", ErrInvalid, p.Locations, p.Locations)
	}
	rep := Report{}
	c := &checker{in: in, p: p, scale: in.Scale(), tol: 1e-6, rep: &rep}
	if in.Convention == instance.ConventionMatrix {
		c.tol = 1 // the solver may round scaled travel times to whole seconds
	}
	tasks := make(map[string]task, len(p.Jobs)+2*len(p.Shipments))
	for i := range p.Jobs {
		tasks[p.Jobs[i].ID] = task{job: i, shipment: -1}
	}
	for i := range p.Shipments {
		tasks[p.Shipments[i].Pickup.ID] = task{job: -1, shipment: i, pickup: true}
		tasks[p.Shipments[i].Delivery.ID] = task{job: -1, shipment: i}
	}
	seen := make(map[string]string) // id → where it was served
	usedVehicle := make(map[int]int)
	var fixed, variable float64 // micro-units, JSON only
	for ri, r := range routes {
		if r.Vehicle < 0 || r.Vehicle >= len(p.Vehicles) {
			return Report{}, fmt.Errorf("%w: route %d: vehicle %d out of range [0, %d)", ErrInvalid, ri, r.Vehicle, len(p.Vehicles))
		}
		for k, id := range r.Stops {
			if _, ok := tasks[id]; !ok && id != Reload {
				return Report{}, fmt.Errorf("%w: route %d stop %d: unknown task id %q", ErrInvalid, ri, k, id)
			}
		}
		dist, dur := c.route(ri, r, tasks, seen)
		rep.RouteDistance = append(rep.RouteDistance, dist)
		rep.RouteDuration = append(rep.RouteDuration, dur)
		if len(r.Stops) == 0 {
			continue
		}
		rep.Routes++
		if prev, ok := usedVehicle[r.Vehicle]; ok {
			c.violate("route %d: vehicle %s already drives route %d", ri, p.Vehicles[r.Vehicle].ID, prev)
		}
		usedVehicle[r.Vehicle] = ri
		rep.Distance += dist
		rep.Duration += dur
		v := &p.Vehicles[r.Vehicle]
		fixed += float64(v.Costs.Fixed)
		variable += float64(v.Costs.PerMeter)*dist + float64(v.Costs.PerSecond)*c.paidTime(v, dur)
	}
	if rep.Routes > len(p.Vehicles) {
		c.violate("%d routes for a fleet of %d", rep.Routes, len(p.Vehicles))
	}
	var penalties float64
	listed := make(map[string]bool)
	for _, id := range unassigned {
		t, ok := tasks[id]
		if !ok {
			return Report{}, fmt.Errorf("%w: unassigned: unknown task id %q", ErrInvalid, id)
		}
		key := id
		if t.shipment >= 0 {
			key = p.Shipments[t.shipment].Pickup.ID
		}
		if listed[key] {
			c.violate("task %s listed unassigned twice", id)
			continue
		}
		listed[key] = true
		if where, ok := seen[key]; ok {
			c.violate("task %s is listed unassigned but served on %s", id, where)
		}
		rep.Unassigned++
		if t.shipment >= 0 {
			penalties += float64(p.Shipments[t.shipment].Penalty)
		} else {
			penalties += float64(p.Jobs[t.job].Penalty)
		}
	}
	for i := range p.Jobs {
		id := p.Jobs[i].ID
		if _, ok := seen[id]; ok {
			rep.Served++
		} else if !listed[id] {
			c.violate("job %s is neither served nor listed unassigned", id)
		}
	}
	for i := range p.Shipments {
		pid, did := p.Shipments[i].Pickup.ID, p.Shipments[i].Delivery.ID
		_, okP := seen[pid]
		_, okD := seen[did]
		switch {
		case okP && okD:
			rep.Served++
		case okP != okD:
			c.violate("shipment %s/%s: only one end is served", pid, did)
		case !listed[pid]:
			c.violate("shipment %s/%s is neither served nor listed unassigned", pid, did)
		}
	}
	if in.Convention == instance.ConventionMatrix {
		rep.Cost = (fixed + variable + penalties) / instance.MicroUnits
	} else {
		rep.Cost = rep.Distance
	}
	rep.Feasible = len(rep.Violations) == 0
	return rep, nil
}

// route walks one route, recording violations, and returns its distance and
// its shortest duration in instance units.
func (c *checker) route(ri int, r Route, tasks map[string]task, seen map[string]string) (distance, duration float64) {
	if len(r.Stops) == 0 {
		return 0, 0
	}
	p := c.p
	v := &p.Vehicles[r.Vehicle]
	name := fmt.Sprintf("route %d (vehicle %s)", ri, v.ID)
	c.driven, c.work = 0, 0
	dims := p.Dimensions
	backhaul := p.Backhaul || v.Backhaul
	maxTrips := max(v.MaxTrips, 1)

	shiftStart := float64(v.Shift.Start) / c.scale
	shiftEnd := math.Inf(1)
	if v.Shift.End != 0 {
		shiftEnd = float64(v.Shift.End) / c.scale
	}
	load := make([]int64, dims)
	// startTrip loads the deliveries of the jobs of the trip beginning at
	// stop k and checks the load leaving the depot.
	startTrip := func(k int) {
		clear(load)
		for _, id := range r.Stops[k:] {
			if id == Reload {
				break
			}
			if t := tasks[id]; t.job >= 0 {
				addTo(load, p.Jobs[t.job].Delivery, 1)
			}
		}
		c.capacity(name, "leaving the depot", load, v.Capacity)
	}

	trips := 1
	pos := v.Start
	t := shiftStart
	var cumWait, slack float64 = 0, math.Inf(1)
	inTrip := map[int]bool{} // shipments picked up on the current trip
	backhauls := false
	stops := 0
	if len(r.Stops) > 0 && r.Stops[0] == Reload {
		c.violate("%s: starts with a reload", name)
	}
	startTrip(0)
	for k, id := range r.Stops {
		if id == Reload {
			trips++
			if v.Start < 0 {
				c.violate("%s: reload without a start depot", name)
			}
			for s := range inTrip {
				c.violate("%s: shipment %s picked up but not delivered before the reload", name, p.Shipments[s].Pickup.ID)
			}
			clear(inTrip)
			distance += c.dist(pos, v.Start)
			t += c.travel(v, pos, v.Start) + float64(v.ReloadTime)/c.scale
			c.driven += c.travel(v, pos, v.Start)
			c.work += float64(v.ReloadTime) / c.scale
			pos = v.Start
			backhauls = false
			startTrip(k + 1)
			continue
		}
		stops++
		tk := tasks[id]
		where := fmt.Sprintf("%s stop %d", name, k)
		if prev, dup := seen[id]; dup {
			c.violate("task %s served twice: on %s and %s", id, prev, where)
		} else {
			seen[id] = where
		}
		var loc int
		var service int64
		var tws []routing.TimeWindow
		var skills []string
		switch {
		case tk.job >= 0:
			j := &p.Jobs[tk.job]
			loc, service, tws, skills = j.Location, j.Service, j.TimeWindows, j.Skills
			if backhaul {
				if j.IsBackhaul() {
					backhauls = true
				} else if backhauls && nonZero(j.Delivery) {
					c.violate("%s: linehaul %s after a backhaul", where, id)
				}
			}
			addTo(load, j.Delivery, -1)
			addTo(load, j.Pickup, 1)
		default:
			s := &p.Shipments[tk.shipment]
			skills = s.Skills
			st := &s.Delivery
			if tk.pickup {
				st = &s.Pickup
				inTrip[tk.shipment] = true
				if backhaul {
					backhauls = true // a shipment loads like a backhaul
				}
				addTo(load, s.Amount, 1)
			} else {
				if !inTrip[tk.shipment] {
					c.violate("%s: delivery %s before its pickup %s on this trip", where, id, s.Pickup.ID)
				}
				delete(inTrip, tk.shipment)
				addTo(load, s.Amount, -1)
			}
			loc, service, tws = st.Location, st.Service, st.TimeWindows
		}
		for _, sk := range skills {
			if !slices.Contains(v.Skills, sk) {
				c.violate("%s: task %s needs skill %q", where, id, sk)
			}
		}
		c.capacity(where, "after "+id, load, v.Capacity)

		if pos < 0 { // open start: the route begins here
			pos = loc
		}
		distance += c.dist(pos, loc)
		arrive := t + c.travel(v, pos, loc)
		begin := arrive
		late := math.Inf(1)
		if len(tws) > 0 {
			ok := false
			for _, w := range tws {
				end := float64(w.End) / c.scale
				if arrive <= end+c.tol {
					begin = max(arrive, float64(w.Start)/c.scale)
					late = end
					ok = true
					break
				}
			}
			if !ok {
				c.violate("%s: task %s reached at %.4f, after its last time window ends at %.4f", where, id, arrive, float64(tws[len(tws)-1].End)/c.scale)
			}
		}
		cumWait += begin - arrive
		slack = min(slack, cumWait+max(0, late-begin))
		t = begin + float64(service)/c.scale
		c.driven += c.travel(v, pos, loc)
		c.work += float64(service) / c.scale
		pos = loc
	}
	for s := range inTrip {
		c.violate("%s: shipment %s picked up but never delivered", name, p.Shipments[s].Pickup.ID)
	}
	if v.End >= 0 {
		distance += c.dist(pos, v.End)
		t += c.travel(v, pos, v.End)
		c.driven += c.travel(v, pos, v.End)
	}
	if t > shiftEnd+c.tol {
		c.violate("%s: ends at %.4f, after the shift ends at %.4f", name, t, shiftEnd)
	}
	slack = min(slack, cumWait+max(0, shiftEnd-t))
	duration = t - shiftStart - min(cumWait, slack)
	if trips > maxTrips {
		c.violate("%s: %d trips, at most %d allowed", name, trips, maxTrips)
	}
	if v.MaxStops > 0 && stops > v.MaxStops {
		c.violate("%s: %d stops, at most %d allowed", name, stops, v.MaxStops)
	}
	if v.MaxDistance > 0 && distance > float64(v.MaxDistance)/c.scale+c.tol {
		c.violate("%s: distance %.4f over the limit %.4f", name, distance, float64(v.MaxDistance)/c.scale)
	}
	if v.MaxDuration > 0 && duration > float64(v.MaxDuration)/c.scale+c.tol {
		c.violate("%s: duration %.4f over the limit %.4f", name, duration, float64(v.MaxDuration)/c.scale)
	}
	return distance, duration
}

// capacity records a violation when load exceeds cap in any dimension.
func (c *checker) capacity(where, when string, load, capacity []int64) {
	for d, q := range load {
		var limit int64
		if d < len(capacity) {
			limit = capacity[d]
		}
		if q > limit {
			c.violate("%s: load %d %s exceeds capacity %d in dimension %d", where, q, when, limit, d)
			return
		}
	}
}

func addTo(load, a []int64, sign int64) {
	for d := range min(len(load), len(a)) {
		load[d] += sign * a[d]
	}
}

func nonZero(a []int64) bool {
	for _, v := range a {
		if v != 0 {
			return true
		}
	}
	return false
}

// paidTime is the time a vehicle's PerSecond pays for on the route just
// checked, of duration dur (see routing.TimeBasis): the duration, driving
// and service (waiting free), or driving only.
func (c *checker) paidTime(v *routing.Vehicle, dur float64) float64 {
	switch v.Costs.TimeBasis {
	case routing.PayWork:
		return c.driven + c.work
	case routing.PayTravel:
		return c.driven
	}
	return dur
}

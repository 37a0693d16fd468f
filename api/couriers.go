package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/paulmach/orb"
)

// Stop statuses of a courier route.
const (
	stopPending    = "pending"
	stopInProgress = "in_progress"
	stopDelivered  = "delivered"
	stopFailed     = "failed"
)

// Stop event types a courier reports.
const (
	eventArrived    = "arrived"     // at a stop: it becomes in progress
	eventDelivered  = "delivered"   // stop completed
	eventFailed     = "failed"      // stop attempted and failed
	eventOrderAdded = "order_added" // a new job joins the route
)

// courierRoute is the route assigned to a courier, as stored and returned.
// Locations are inline [lon, lat] points, so the route can be re-planned
// without the problem it came from.
type courierRoute struct {
	CourierID string               `json:"courier_id"`
	Version   int64                `json:"version"`
	PlanID    string               `json:"plan_id,omitempty"`
	Vehicle   instance.VehicleJSON `json:"vehicle"`
	// Stops are in visiting order; completed and in-progress stops come
	// first and never move.
	Stops []courierStop `json:"stops"`
	// Unassigned lists tasks the last (re-)plan could not fit.
	Unassigned []unassignedDoc `json:"unassigned"`
	// Cost, distance and duration are those of the remaining route as last
	// planned.
	Cost            float64 `json:"cost"`
	DistanceMeters  int64   `json:"distance_meters"`
	DurationSeconds int64   `json:"duration_seconds"`
}

// courierStop is one stop of a courier route.
type courierStop struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`   // job, pickup or delivery
	Status    string    `json:"status"` // pending, in_progress, delivered or failed
	Location  orb.Point `json:"location"`
	Arrival   int64     `json:"arrival"`
	Departure int64     `json:"departure"`
	Load      []int64   `json:"load,omitempty"`
	// Job is the task of a job stop; Shipment that of a pickup or delivery
	// stop.
	Job      *instance.JobJSON      `json:"job,omitempty"`
	Shipment *instance.ShipmentJSON `json:"shipment,omitempty"`
}

// stopEventRequest is the body of POST /v1/couriers/{id}/events.
type stopEventRequest struct {
	Type   string `json:"type"`
	StopID string `json:"stop_id,omitempty"`
	// At is when it happened, in seconds on the route's clock; it becomes
	// the start of the re-planned shift. Omitted: the stop's planned
	// departure.
	At *int64 `json:"at,omitempty"`
	// Location is the courier's position, when known; otherwise the last
	// stop's.
	Location *geo.LonLat `json:"location,omitempty"`
	// Job is the new order of an order_added event; its location must be an
	// inline [lon, lat] point.
	Job    *instance.JobJSON `json:"job,omitempty"`
	Reason string            `json:"reason,omitempty"`
}

// stopEventResponse answers a stop event with the re-planned route.
type stopEventResponse struct {
	Seq       int64         `json:"seq"`
	Replanned bool          `json:"replanned"`
	Route     *courierRoute `json:"route"`
}

func inlineLocation(in *instance.Instance, l *instance.Location, idx int) *instance.Location {
	if l == nil || idx < 0 {
		return nil
	}
	pt := in.Coords[idx]
	return &instance.Location{Index: -1, Point: &pt}
}

// dispatch solves a problem whose vehicle ids are courier ids and makes each
// route the courier's current route. The result is stored as a plan.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	req, in, o, err := s.parseSolveRequest(r.Context(), body, s.syncBudget())
	if err != nil {
		return err
	}
	if in.Coords == nil {
		return badParam("locations", "dispatch needs coordinates, so that routes can be re-planned: give locations, not only a matrix")
	}
	opts := routingOptions(o, s.cfg.DefaultSolveTime, s.cfg.MaxSolveTime)
	sol, err := s.solve(r.Context(), "dispatch", in.Problem, opts)
	if err != nil {
		return err
	}
	p := in.Problem
	planID := newID("plan_")
	routes := make([]*courierRoute, len(p.Vehicles))
	for vi, v := range p.Vehicles {
		vj := req.Vehicles[vi]
		vj.Start, vj.End = inlineLocation(in, vj.Start, v.Start), inlineLocation(in, vj.End, v.End)
		routes[vi] = &courierRoute{CourierID: v.ID, PlanID: planID, Vehicle: vj, Stops: []courierStop{}, Unassigned: []unassignedDoc{}}
	}
	for _, rt := range sol.Routes {
		cr := routes[rt.Vehicle]
		cr.Cost, cr.DistanceMeters, cr.DurationSeconds = money(rt.Cost), rt.Distance, rt.Duration
		for _, st := range rt.Stops {
			cs, ok := stopFromSolution(in, req, st)
			if ok {
				cr.Stops = append(cr.Stops, cs)
			}
		}
	}
	doc := newSolutionDoc(in, sol)
	for _, cr := range routes { // unassigned tasks are the planner's, listed on every route
		cr.Unassigned = doc.Unassigned
	}
	for _, cr := range routes {
		base, err := s.storedVersion(r.Context(), cr.CourierID)
		if err != nil {
			return err
		}
		if err := s.saveRoute(r.Context(), cr, base, nil); err != nil {
			return err
		}
	}
	res, _ := json.Marshal(doc)
	pl := &store.Plan{ID: planID, Kind: "dispatch", Owner: principalFrom(r.Context()).Name, Request: body, Result: res}
	if err := s.store.CreatePlan(r.Context(), pl); err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/plans/"+planID)
	writeJSON(w, http.StatusCreated, map[string]any{"plan_id": planID, "solution": doc})
	return nil
}

// stopFromSolution describes a solved stop with its task, inline location.
func stopFromSolution(in *instance.Instance, req *solveRequest, st routing.RouteStop) (courierStop, bool) {
	cs := courierStop{Status: stopPending, Location: in.Coords[st.Location], Arrival: st.Arrival, Departure: st.Departure, Load: st.Load}
	switch st.Kind {
	case routing.KindJob:
		j := req.Jobs[st.Task]
		j.Location = *inlineLocation(in, &j.Location, in.Problem.Jobs[st.Task].Location)
		cs.ID, cs.Type, cs.Job = j.ID, "job", &j
	case routing.KindPickup, routing.KindDelivery:
		sh := req.Shipments[st.Task]
		ps := in.Problem.Shipments[st.Task]
		sh.Pickup.Location = *inlineLocation(in, &sh.Pickup.Location, ps.Pickup.Location)
		sh.Delivery.Location = *inlineLocation(in, &sh.Delivery.Location, ps.Delivery.Location)
		cs.Shipment = &sh
		if st.Kind == routing.KindPickup {
			cs.ID, cs.Type = sh.Pickup.ID, "pickup"
		} else {
			cs.ID, cs.Type = sh.Delivery.ID, "delivery"
		}
	default:
		return cs, false
	}
	return cs, true
}

// saveRoute stores cr as the version after base (0 for a courier with no
// route yet), together with ev when it is not nil. The store checks the
// version in the write, so a route changed since base is never overwritten:
// the caller gets a conflict instead.
func (s *Server) saveRoute(ctx context.Context, cr *courierRoute, base int64, ev *store.StopEvent) error {
	cr.Version = base + 1
	doc, err := json.Marshal(cr)
	if err != nil {
		return fmt.Errorf("api: encode route: %w", err)
	}
	err = s.store.SaveRoute(ctx, &store.CourierRoute{CourierID: cr.CourierID, Version: cr.Version, Route: doc}, ev)
	if errors.Is(err, store.ErrConflict) {
		return errorf(errConflict, "the route of courier %q changed while this request was handled; read it again and retry", cr.CourierID)
	}
	return err
}

// storedVersion is the courier's current route version, 0 when it has none.
func (s *Server) storedVersion(ctx context.Context, courierID string) (int64, error) {
	cur, err := s.store.Route(ctx, courierID)
	switch {
	case err == nil:
		return cur.Version, nil
	case errors.Is(err, store.ErrNotFound):
		return 0, nil
	}
	return 0, err
}

// routeETag is the strong entity tag of a route version.
func routeETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// checkIfMatch refuses a write whose If-Match names another version of the
// route (RFC 9110 §13.1.1); a missing header or "*" always matches.
func checkIfMatch(r *http.Request, version int64) error {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" || im == "*" {
		return nil
	}
	for _, tag := range strings.Split(im, ",") {
		if strings.TrimSpace(tag) == routeETag(version) {
			return nil
		}
	}
	return errorf(errPrecondition, "If-Match %s does not match the current route version %s", im, routeETag(version))
}

func (s *Server) loadRoute(ctx context.Context, courierID string) (*courierRoute, error) {
	sr, err := s.store.Route(ctx, courierID)
	if err != nil {
		return nil, err
	}
	var cr courierRoute
	if err := json.Unmarshal(sr.Route, &cr); err != nil {
		return nil, fmt.Errorf("api: stored route of %q: %w", courierID, err)
	}
	cr.Version = sr.Version
	return &cr, nil
}

func (s *Server) courierAccess(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !principalFrom(r.Context()).mayActFor(id) {
		return "", errorf(errForbidden, "a courier key sees only its own route and events")
	}
	return id, nil
}

func (s *Server) getCourierRoute(w http.ResponseWriter, r *http.Request) error {
	id, err := s.courierAccess(r)
	if err != nil {
		return err
	}
	cr, err := s.loadRoute(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", routeETag(cr.Version))
	if wantsGeoJSON(r) {
		w.Header().Set("Content-Type", "application/geo+json")
		return json.NewEncoder(w).Encode(cr.GeoJSON())
	}
	writeJSON(w, http.StatusOK, cr)
	return nil
}

func (s *Server) getStopEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := s.courierAccess(r)
	if err != nil {
		return err
	}
	evs, err := s.store.Events(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(evs))
	for _, e := range evs {
		out = append(out, map[string]any{"seq": e.Seq, "type": e.Kind, "stop_id": e.StopID,
			"event": e.Payload, "created_at": e.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"courier_id": id, "events": out})
	return nil
}

func (s *Server) courierLock(id string) *sync.Mutex {
	m, _ := s.courierMu.LoadOrStore(id, new(sync.Mutex))
	return m.(*sync.Mutex)
}

// postStopEvent records a stop event and re-plans the remaining stops.
func (s *Server) postStopEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := s.courierAccess(r)
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var ev stopEventRequest
	if err := decodeStrict(body, &ev, true); err != nil {
		return err
	}
	mu := s.courierLock(id)
	mu.Lock()
	defer mu.Unlock()
	cr, err := s.loadRoute(r.Context(), id)
	if err != nil {
		return err
	}
	if err := checkIfMatch(r, cr.Version); err != nil {
		return err
	}
	base := cr.Version
	if err := applyEvent(cr, &ev); err != nil {
		return err
	}
	replanned := false
	if ev.Type != eventArrived {
		if err := s.replan(r.Context(), cr, &ev); err != nil {
			return err
		}
		replanned = true
	}
	se := &store.StopEvent{CourierID: id, Kind: ev.Type, StopID: ev.StopID, Payload: body}
	if ev.Type == eventOrderAdded {
		se.StopID = ev.Job.ID
	}
	if err := s.saveRoute(r.Context(), cr, base, se); err != nil {
		return err
	}
	w.Header().Set("ETag", routeETag(cr.Version))
	writeJSON(w, http.StatusOK, stopEventResponse{Seq: se.Seq, Replanned: replanned, Route: cr})
	return nil
}

// applyEvent validates ev against the route and marks the stop.
func applyEvent(cr *courierRoute, ev *stopEventRequest) error {
	if ev.Location != nil {
		if err := checkPoint("location", orb.Point(*ev.Location)); err != nil {
			return err
		}
	}
	if ev.At != nil && (*ev.At < 0 || *ev.At > routing.MaxTime) {
		return badParam("at", "time %d outside [0, %d]", *ev.At, routing.MaxTime)
	}
	switch ev.Type {
	case eventArrived, eventDelivered, eventFailed:
		if ev.StopID == "" {
			return badParam("stop_id", "required for a %s event", ev.Type)
		}
		if ev.Job != nil {
			return badParam("job", "only an order_added event carries a job")
		}
		i := slices.IndexFunc(cr.Stops, func(st courierStop) bool { return st.ID == ev.StopID })
		if i < 0 {
			return &statusError{err: errNotFound, detail: fmt.Sprintf("stop %q is not on courier %s's route", ev.StopID, cr.CourierID),
				params: []invalidParam{{Name: "stop_id", Reason: "unknown stop id"}}}
		}
		st := &cr.Stops[i]
		if st.Status == stopDelivered || st.Status == stopFailed {
			return errorf(errConflict, "stop %q is already %s", st.ID, st.Status)
		}
		if ev.Type == eventArrived && st.Status == stopInProgress {
			return errorf(errConflict, "stop %q is already in progress", st.ID)
		}
		if st.Type == "delivery" && ev.Type != eventFailed {
			if p := pickupOf(cr, st); p != nil && p.Status != stopDelivered {
				return errorf(errConflict, "stop %q: its pickup %q is not done", st.ID, p.ID)
			}
		}
		// A stop reached out of order moves up to just after the
		// completed ones: the courier's actual sequence wins.
		first := slices.IndexFunc(cr.Stops, func(st courierStop) bool { return st.Status == stopPending })
		if first >= 0 && i > first && st.Status == stopPending {
			moved := *st
			copy(cr.Stops[first+1:i+1], cr.Stops[first:i])
			cr.Stops[first] = moved
			i = first
			st = &cr.Stops[i]
		}
		switch ev.Type {
		case eventArrived:
			st.Status = stopInProgress
		case eventDelivered:
			st.Status = stopDelivered
		case eventFailed:
			st.Status = stopFailed
			if st.Type == "pickup" { // nothing to deliver: the delivery fails too
				for k := range cr.Stops {
					if cr.Stops[k].Type == "delivery" && cr.Stops[k].Shipment != nil &&
						cr.Stops[k].Shipment.Pickup.ID == st.ID && cr.Stops[k].Status == stopPending {
						cr.Stops[k].Status = stopFailed
					}
				}
			}
		}
		if ev.At != nil { // the courier's clock wins over the plan's
			switch ev.Type {
			case eventArrived:
				// The planned stay (waiting and service) starts now, not
				// at the planned arrival: a stop reached early or out of
				// order must not keep its late planned departure.
				stay := max(st.Departure-st.Arrival, 0)
				st.Arrival = *ev.At
				st.Departure = *ev.At + stay
			default:
				st.Arrival = min(st.Arrival, *ev.At)
				st.Departure = *ev.At
			}
		}
	case eventOrderAdded:
		if ev.Job == nil {
			return badParam("job", "required for an order_added event")
		}
		if ev.Job.ID == "" {
			return badParam("job.id", "missing id")
		}
		if ev.Job.Location.Point == nil {
			return badParam("job.location", "give the new order's location as [lon, lat]")
		}
		if err := checkPoint("job.location", *ev.Job.Location.Point); err != nil {
			return err
		}
		for _, st := range cr.Stops {
			if st.ID == ev.Job.ID || (st.Shipment != nil && (st.Shipment.Pickup.ID == ev.Job.ID || st.Shipment.Delivery.ID == ev.Job.ID)) {
				return badParam("job.id", "id %q is already on the route", ev.Job.ID)
			}
		}
	case "":
		return badParam("type", "missing event type (delivered, failed, arrived or order_added)")
	default:
		return badParam("type", "unknown event type %q (want delivered, failed, arrived or order_added)", ev.Type)
	}
	return nil
}

func pickupOf(cr *courierRoute, st *courierStop) *courierStop {
	if st.Shipment == nil {
		return nil
	}
	for i := range cr.Stops {
		if cr.Stops[i].Type == "pickup" && cr.Stops[i].ID == st.Shipment.Pickup.ID {
			return &cr.Stops[i]
		}
	}
	return nil
}

// checkPoint validates a [lon, lat] point with geo.ValidatePoint, naming the
// field for invalid_params.
func checkPoint(name string, p orb.Point) error {
	if err := geo.ValidatePoint(p); err != nil {
		return badParam(name, "[%g, %g] is not a [lon, lat] point", p[0], p[1])
	}
	return nil
}

// replan re-solves the pending stops (plus a new order). Completed and
// in-progress stops are frozen; the vehicle starts at the courier's
// position at the event time, with its capacity reduced by what it still
// carries that is not in the new problem. The old order of the pending
// stops seeds the search (routing.Options.Initial), so that the plan
// changes as little as the solver's improvement allows.
func (s *Server) replan(ctx context.Context, cr *courierRoute, ev *stopEventRequest) error {
	done, pending := splitFrozen(cr.Stops)
	var newJob *instance.JobJSON
	if ev.Type == eventOrderAdded {
		newJob = ev.Job
	}
	if len(pending) == 0 && newJob == nil {
		cr.Stops, cr.Cost, cr.DistanceMeters, cr.DurationSeconds = done, 0, 0, 0
		return nil
	}
	v, err := remainingVehicle(cr, done, ev)
	if err != nil {
		return err
	}
	sub := newReplanProblem(cr, v, pending, newJob)
	in, err := s.instanceOf(ctx, &sub.doc, s.syncBudget())
	if err != nil {
		if newJob != nil {
			return fmt.Errorf("order_added job: %w", err)
		}
		return err
	}
	initial := sub.initialRoute(in.Problem)
	opts := routing.Options{Seed: 1, TimeLimit: s.cfg.ReplanTime, Initial: &routing.Solution{Routes: []routing.Route{initial}}}
	sol, err := s.solve(ctx, "replan", in.Problem, opts)
	if err != nil {
		return err
	}
	cr.Cost, cr.DistanceMeters, cr.DurationSeconds = 0, 0, 0
	for _, rt := range sol.Routes {
		cr.Cost, cr.DistanceMeters, cr.DurationSeconds = money(rt.Cost), rt.Distance, rt.Duration
	}
	cr.Stops = append(done, sub.courierStops(in, sol)...)
	cr.Unassigned = newSolutionDoc(in, sol).Unassigned
	return nil
}

// splitFrozen separates the stops that stay where they are (the completed
// and in-progress prefix, and failed stops further down) from the pending
// ones to re-plan, keeping the order of each.
func splitFrozen(stops []courierStop) (done, pending []courierStop) {
	frozen := 0
	for frozen < len(stops) && stops[frozen].Status != stopPending {
		frozen++
	}
	for i, st := range stops {
		if i < frozen || st.Status != stopPending {
			done = append(done, st)
		} else {
			pending = append(pending, st)
		}
	}
	return done, pending
}

// remainingVehicle is the courier's vehicle for the rest of the route: it
// starts at the event's location (else at the last frozen stop) and time
// (else that stop's departure), and has the capacity and stop budget that
// the frozen stops leave.
func remainingVehicle(cr *courierRoute, done []courierStop, ev *stopEventRequest) (instance.VehicleJSON, error) {
	v := cr.Vehicle
	var last *courierStop
	if len(done) > 0 {
		last = &done[len(done)-1]
		pt := last.Location
		v.Start = &instance.Location{Index: -1, Point: &pt}
	}
	if ev.Location != nil {
		pt := orb.Point(*ev.Location)
		v.Start = &instance.Location{Index: -1, Point: &pt}
	}
	var at int64
	switch {
	case ev.At != nil:
		at = *ev.At
	case last != nil:
		at = last.Departure
	}
	if v.Shift != nil {
		sh := *v.Shift
		sh[0] = max(sh[0], at)
		if sh[1] < sh[0] {
			return v, errorf(routing.ErrInfeasible, "the event at %d is after the end of courier %s's shift (%d)", at, cr.CourierID, v.Shift[1])
		}
		v.Shift = &sh
	} else if at > 0 {
		v.Shift = &instance.Window{at, 1 << 40}
	}
	v.Capacity = slices.Clone(v.Capacity)
	for _, st := range done {
		onBoard := cr.loadLeftOnBoard(&st)
		for d := range min(len(onBoard), len(v.Capacity)) {
			v.Capacity[d] = max(0, v.Capacity[d]-onBoard[d])
		}
	}
	if v.MaxStops > 0 {
		v.MaxStops = max(1, v.MaxStops-len(done))
	}
	return v, nil
}

// loadLeftOnBoard is what a frozen stop leaves in the vehicle that the
// re-planned problem does not account for: a job's pickup once delivered, a
// failed job's delivery, a failed delivery whose pickup was made.
func (cr *courierRoute) loadLeftOnBoard(st *courierStop) []int64 {
	switch {
	case st.Type == "job" && st.Status == stopDelivered && st.Job != nil:
		return st.Job.Pickup // collected, rides to the end
	case st.Type == "job" && st.Status == stopFailed && st.Job != nil:
		return st.Job.Delivery // not delivered, still on board
	case st.Type == "delivery" && st.Status == stopFailed && st.Shipment != nil:
		if p := pickupOf(cr, st); p != nil && p.Status == stopDelivered {
			return st.Shipment.Amount
		}
	}
	return nil
}

// replanProblem is the sub-problem of a re-plan: the pending tasks in their
// old order, and where each of its tasks came from.
type replanProblem struct {
	doc instance.Problem
	// jobStop is, by job index, the pending stop the job stands for (a job,
	// or a delivery whose pickup is done); nil for the new order, newJob.
	jobStop []*courierStop
	newJob  *instance.JobJSON
	// shipOrigin is the shipment of each shipment index.
	shipOrigin []*instance.ShipmentJSON
	// oldOrder is the pending stops' order, as stops of doc's tasks.
	oldOrder []taskRef
}

// taskRef is one stop of a task in the sub-problem.
type taskRef struct {
	kind routing.StopKind
	task int
}

// newReplanProblem builds the sub-problem for vehicle v. A delivery whose
// pickup is done becomes a plain delivery job, as its load is on board.
func newReplanProblem(cr *courierRoute, v instance.VehicleJSON, pending []courierStop, newJob *instance.JobJSON) *replanProblem {
	sp := &replanProblem{doc: instance.Problem{Vehicles: []instance.VehicleJSON{v}}, newJob: newJob}
	shipIndex := map[string]int{}
	for i := range pending {
		st := &pending[i]
		switch {
		case st.Type == "job":
			sp.doc.Jobs = append(sp.doc.Jobs, *st.Job)
			sp.jobStop = append(sp.jobStop, st)
			sp.oldOrder = append(sp.oldOrder, taskRef{routing.KindJob, len(sp.doc.Jobs) - 1})
		case st.Type == "delivery" && (pickupOf(cr, st) == nil || pickupOf(cr, st).Status == stopDelivered):
			sh := st.Shipment
			sp.doc.Jobs = append(sp.doc.Jobs, instance.JobJSON{ID: sh.Delivery.ID, Location: sh.Delivery.Location,
				Delivery: sh.Amount, Service: sh.Delivery.Service, TimeWindows: sh.Delivery.TimeWindows,
				Skills: sh.Skills, Priority: sh.Priority, Penalty: sh.Penalty})
			sp.jobStop = append(sp.jobStop, st)
			sp.oldOrder = append(sp.oldOrder, taskRef{routing.KindJob, len(sp.doc.Jobs) - 1})
		case st.Type == "pickup":
			sp.doc.Shipments = append(sp.doc.Shipments, *st.Shipment)
			sp.shipOrigin = append(sp.shipOrigin, st.Shipment)
			shipIndex[st.ID] = len(sp.doc.Shipments) - 1
			sp.oldOrder = append(sp.oldOrder, taskRef{routing.KindPickup, len(sp.doc.Shipments) - 1})
		case st.Type == "delivery":
			if k, ok := shipIndex[st.Shipment.Pickup.ID]; ok {
				sp.oldOrder = append(sp.oldOrder, taskRef{routing.KindDelivery, k})
			}
		}
	}
	if newJob != nil {
		sp.doc.Jobs = append(sp.doc.Jobs, *newJob)
		sp.jobStop = append(sp.jobStop, nil)
	}
	return sp
}

// initialRoute is the old order as a route of p, the compiled sub-problem;
// the new order, if any, is left for the solver to insert.
func (sp *replanProblem) initialRoute(p *routing.Problem) routing.Route {
	veh := p.Vehicles[0]
	initial := routing.Route{Vehicle: 0}
	if veh.Start >= 0 {
		initial.Stops = append(initial.Stops, routing.RouteStop{Kind: routing.KindStart, Task: -1, Location: veh.Start})
	}
	for _, o := range sp.oldOrder {
		loc := 0
		switch o.kind {
		case routing.KindJob:
			loc = p.Jobs[o.task].Location
		case routing.KindPickup:
			loc = p.Shipments[o.task].Pickup.Location
		case routing.KindDelivery:
			loc = p.Shipments[o.task].Delivery.Location
		}
		initial.Stops = append(initial.Stops, routing.RouteStop{Kind: o.kind, Task: o.task, Location: loc})
	}
	if veh.End >= 0 {
		initial.Stops = append(initial.Stops, routing.RouteStop{Kind: routing.KindEnd, Task: -1, Location: veh.End})
	}
	return initial
}

// courierStops turns the solved sub-problem back into pending courier
// stops, in visiting order.
func (sp *replanProblem) courierStops(in *instance.Instance, sol *routing.Solution) []courierStop {
	var stops []courierStop
	for _, rt := range sol.Routes {
		for _, st := range rt.Stops {
			var cs courierStop
			switch st.Kind {
			case routing.KindJob:
				if stop := sp.jobStop[st.Task]; stop != nil {
					cs = *stop
				} else {
					j := *sp.newJob
					cs = courierStop{ID: j.ID, Type: "job", Job: &j}
				}
			case routing.KindPickup, routing.KindDelivery:
				sh := sp.shipOrigin[st.Task]
				cs = courierStop{ID: sh.Pickup.ID, Type: "pickup", Shipment: sh}
				if st.Kind == routing.KindDelivery {
					cs.ID, cs.Type = sh.Delivery.ID, "delivery"
				}
			default:
				continue
			}
			cs.Status, cs.Location = stopPending, in.Coords[st.Location]
			cs.Arrival, cs.Departure, cs.Load = st.Arrival, st.Departure, st.Load
			stops = append(stops, cs)
		}
	}
	return stops
}

// GeoJSON returns the route as a FeatureCollection: the line through its
// start and stops, and a point per stop with its status.
func (cr *courierRoute) GeoJSON() map[string]any {
	features := []any{}
	var line [][2]float64
	if cr.Vehicle.Start != nil && cr.Vehicle.Start.Point != nil {
		line = append(line, [2]float64{cr.Vehicle.Start.Point[0], cr.Vehicle.Start.Point[1]})
	}
	for i, st := range cr.Stops {
		line = append(line, [2]float64{st.Location[0], st.Location[1]})
		features = append(features, feature(point(st.Location), map[string]any{
			"sequence": i, "id": st.ID, "type": st.Type, "status": st.Status, "arrival": st.Arrival}))
	}
	if len(line) >= 2 {
		features = append(features, feature(map[string]any{"type": "LineString", "coordinates": line},
			map[string]any{"courier_id": cr.CourierID, "version": cr.Version}))
	}
	return map[string]any{"type": "FeatureCollection", "features": features}
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) error {
	pl, err := s.store.Plan(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": pl.ID, "kind": pl.Kind, "created_at": pl.CreatedAt, "result": pl.Result})
	return nil
}

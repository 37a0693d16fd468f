package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
	"github.com/paulmach/orb"
)

// solveRequest is the body of /v1/optimize, /v1/jobs and /v1/dispatch:
// lastmile's JSON problem document (package routing/instance) with an
// optional "options" object.
type solveRequest struct {
	instance.Problem
	Options *solveOptions `json:"options,omitempty"`
}

// solveOptions tune one solve.
type solveOptions struct {
	// TimeLimitMs is the solve time in milliseconds. The server caps it
	// (Config.MaxSolveTime, or MaxJobTime for jobs) and applies its default
	// when it is zero.
	TimeLimitMs int64 `json:"time_limit_ms,omitempty"`
	// Iterations stops the search after this many iterations; zero means
	// only the time limit applies.
	Iterations int `json:"iterations,omitempty"`
	// Seed makes runs repeatable; zero means 1.
	Seed int64 `json:"seed,omitempty"`
	// Effort is the exploration level 0–5 (VROOM's -x): how long the
	// search goes on without improving before it stops; omitted means
	// routing.DefaultEffort. The time limit is a cap, not a target.
	Effort *int `json:"effort,omitempty"`
	// MinimizeVehicles puts the number of vehicles before cost.
	MinimizeVehicles bool `json:"minimize_vehicles,omitempty"`
}

// decodeSolveRequest decodes and validates a solveRequest within budget b,
// returning the instance and the options.
func (s *Server) decodeSolveRequest(ctx context.Context, body []byte, b budget) (*instance.Instance, solveOptions, error) {
	_, in, opts, err := s.parseSolveRequest(ctx, body, b)
	return in, opts, err
}

// parseSolveRequest is decodeSolveRequest that also returns the document.
func (s *Server) parseSolveRequest(ctx context.Context, body []byte, b budget) (*solveRequest, *instance.Instance, solveOptions, error) {
	if err := b.checkDeclared(body); err != nil {
		return nil, nil, solveOptions{}, err
	}
	var req solveRequest
	if err := decodeStrict(body, &req, true); err != nil {
		return nil, nil, solveOptions{}, err
	}
	var opts solveOptions
	if req.Options != nil {
		opts = *req.Options
	}
	if opts.TimeLimitMs < 0 {
		return nil, nil, opts, badParam("options.time_limit_ms", "negative time limit %d", opts.TimeLimitMs)
	}
	if opts.Iterations < 0 {
		return nil, nil, opts, badParam("options.iterations", "negative iteration limit %d", opts.Iterations)
	}
	if opts.Effort != nil && (*opts.Effort < 0 || *opts.Effort > 5) {
		return nil, nil, opts, badParam("options.effort", "effort %d, want 0 to 5", *opts.Effort)
	}
	if opts.Seed < 0 {
		return nil, nil, opts, badParam("options.seed", "negative seed %d", opts.Seed)
	}
	// Location's zero value is index 0: a task without "location" must be
	// refused, not quietly placed at the first location.
	if err := instance.RequireLocations(body); err != nil {
		return nil, nil, opts, err
	}
	in, err := s.instanceOf(ctx, &req.Problem, b)
	if err != nil {
		return nil, nil, opts, err
	}
	return &req, in, opts, nil
}

// routingOptions applies the server's default and cap to the request's
// time limit.
func routingOptions(o solveOptions, def, limit time.Duration) routing.Options {
	tl := limitFromMs(o.TimeLimitMs, def, limit)
	seed := o.Seed
	if seed == 0 {
		seed = 1
	}
	ro := routing.Options{Seed: seed, Iterations: o.Iterations, TimeLimit: tl, MinimizeVehicles: o.MinimizeVehicles}
	if o.Effort != nil {
		ro.Effort = routing.EffortLevel(*o.Effort)
	}
	return ro
}

// solve runs the solver under a deadline a little past the time limit, so
// that a solver that overruns is cut off, and records metrics.
func (s *Server) solve(ctx context.Context, kind string, p *routing.Problem, opts routing.Options) (*routing.Solution, error) {
	if opts.TimeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.TimeLimit+opts.TimeLimit/2+time.Second)
		defer cancel()
	}
	if m := s.cfg.MaxIterations; m > 0 && (opts.Iterations == 0 || opts.Iterations > m) {
		opts.Iterations = m
	}
	release, err := s.solves.acquire(ctx, kind != "job")
	if err != nil {
		return nil, err
	}
	defer release()
	start := time.Now()
	sol, err := s.safeSolve(ctx, p, opts)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && sol == nil {
			return nil, errorf(ErrUnavailable, "the solver found no solution within the time limit")
		}
		if sol == nil {
			return nil, err
		}
	}
	if sol == nil {
		return nil, fmt.Errorf("api: solver returned no solution and no error")
	}
	s.metrics.ObserveSolve(kind, time.Since(start), money(sol.Cost), len(sol.Unassigned))
	return sol, nil
}

// errSolverPanic reports a solver panic; the stack goes to the log only.
var errSolverPanic = errors.New("api: solver panicked")

// safeSolve calls the solver, turning a panic into an error so that a
// solver bug fails one request or job, never the process.
func (s *Server) safeSolve(ctx context.Context, p *routing.Problem, opts routing.Options) (sol *routing.Solution, err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.ErrorContext(ctx, "solver panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			sol, err = nil, fmt.Errorf("%w: %v", errSolverPanic, v)
		}
	}()
	return s.solver.Solve(ctx, p, opts)
}

// optimize solves a small problem synchronously.
func (s *Server) optimize(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, o, err := s.decodeSolveRequest(r.Context(), body, s.syncBudget())
	if err != nil {
		return err
	}
	opts := routingOptions(o, s.cfg.DefaultSolveTime, s.cfg.MaxSolveTime)
	sol, err := s.solve(r.Context(), "optimize", in.Problem, opts)
	if err != nil {
		return err
	}
	doc := newSolutionDoc(in, sol)
	doc.TimeLimitMs = opts.TimeLimit.Milliseconds()
	return writeSolution(w, r, http.StatusOK, doc)
}

// wantsGeoJSON reports whether the client asked for GeoJSON, by Accept or
// ?format=geojson.
func wantsGeoJSON(r *http.Request) bool {
	return r.URL.Query().Get("format") == "geojson" || strings.Contains(r.Header.Get("Accept"), "application/geo+json")
}

func writeSolution(w http.ResponseWriter, r *http.Request, status int, doc *solutionDoc) error {
	if wantsGeoJSON(r) {
		w.Header().Set("Content-Type", "application/geo+json")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(doc.GeoJSON())
	}
	writeJSON(w, status, doc)
	return nil
}

// solutionDoc is a solution as the API returns it. Costs are in currency
// units (yuan), times in seconds on the problem's clock, distances in
// metres.
type solutionDoc struct {
	Cost            float64         `json:"cost"`
	DistanceMeters  int64           `json:"distance_meters"`
	DurationSeconds int64           `json:"duration_seconds"`
	Routes          []routeDoc      `json:"routes"`
	Unassigned      []unassignedDoc `json:"unassigned"`
	// TimeLimitMs is the time limit the server applied.
	TimeLimitMs int64 `json:"time_limit_ms,omitempty"`
}

// routeDoc is one vehicle's route.
type routeDoc struct {
	Vehicle         string    `json:"vehicle"`
	Cost            float64   `json:"cost"`
	DistanceMeters  int64     `json:"distance_meters"`
	DurationSeconds int64     `json:"duration_seconds"`
	Stops           []stopDoc `json:"stops"`
}

// stopDoc is one stop of a route.
type stopDoc struct {
	// Type is start, job, pickup, delivery, reload or end.
	Type          string     `json:"type"`
	ID            string     `json:"id,omitempty"`
	Location      *orb.Point `json:"location,omitempty"`
	LocationIndex int        `json:"location_index"`
	Arrival       int64      `json:"arrival"`
	Waiting       int64      `json:"waiting"`
	Departure     int64      `json:"departure"`
	Load          []int64    `json:"load,omitempty"`
}

// unassignedDoc is a task no route serves.
type unassignedDoc struct {
	ID       string     `json:"id"`
	Type     string     `json:"type"` // job or shipment
	Location *orb.Point `json:"location,omitempty"`
	Reason   string     `json:"reason,omitempty"`
}

var kindNames = map[routing.StopKind]string{
	routing.KindStart: "start", routing.KindJob: "job", routing.KindPickup: "pickup",
	routing.KindDelivery: "delivery", routing.KindReload: "reload", routing.KindEnd: "end",
	routing.KindBreak: "break",
}

func money(v int64) float64 {
	return math.Round(float64(v)/instance.MicroUnits*1e6) / 1e6
}

// newSolutionDoc describes sol in the terms of in: ids and coordinates.
func newSolutionDoc(in *instance.Instance, sol *routing.Solution) *solutionDoc {
	p := in.Problem
	point := func(loc int) *orb.Point {
		if loc < 0 || loc >= len(in.Coords) {
			return nil
		}
		pt := in.Coords[loc]
		return &pt
	}
	doc := &solutionDoc{Cost: money(sol.Cost), DistanceMeters: sol.Distance, DurationSeconds: sol.Duration,
		Routes: []routeDoc{}, Unassigned: []unassignedDoc{}}
	for _, rt := range sol.Routes {
		rd := routeDoc{Cost: money(rt.Cost), DistanceMeters: rt.Distance, DurationSeconds: rt.Duration, Stops: []stopDoc{}}
		if rt.Vehicle >= 0 && rt.Vehicle < len(p.Vehicles) {
			rd.Vehicle = p.Vehicles[rt.Vehicle].ID
		}
		for _, st := range rt.Stops {
			sd := stopDoc{Type: kindNames[st.Kind], Location: point(st.Location), LocationIndex: st.Location,
				Arrival: st.Arrival, Waiting: st.Waiting, Departure: st.Departure, Load: st.Load}
			sd.ID = taskID(p, st.Kind, st.Task)
			if st.Kind == routing.KindBreak && rt.Vehicle >= 0 && rt.Vehicle < len(p.Vehicles) && st.Task < len(p.Vehicles[rt.Vehicle].Breaks) {
				sd.ID = p.Vehicles[rt.Vehicle].Breaks[st.Task].ID
			}
			rd.Stops = append(rd.Stops, sd)
		}
		doc.Routes = append(doc.Routes, rd)
	}
	for _, u := range sol.Unassigned {
		ud := unassignedDoc{Type: "job", Reason: string(u.Reason)}
		switch {
		case u.Shipment && u.Task >= 0 && u.Task < len(p.Shipments):
			sh := p.Shipments[u.Task]
			ud.Type, ud.ID, ud.Location = "shipment", sh.Pickup.ID, point(sh.Pickup.Location)
		case !u.Shipment && u.Task >= 0 && u.Task < len(p.Jobs):
			ud.ID, ud.Location = p.Jobs[u.Task].ID, point(p.Jobs[u.Task].Location)
		}
		doc.Unassigned = append(doc.Unassigned, ud)
	}
	return doc
}

func taskID(p *routing.Problem, k routing.StopKind, task int) string {
	switch {
	case k == routing.KindJob && task >= 0 && task < len(p.Jobs):
		return p.Jobs[task].ID
	case k == routing.KindPickup && task >= 0 && task < len(p.Shipments):
		return p.Shipments[task].Pickup.ID
	case k == routing.KindDelivery && task >= 0 && task < len(p.Shipments):
		return p.Shipments[task].Delivery.ID
	}
	return ""
}

// GeoJSON returns the solution as a FeatureCollection: a LineString per
// route (stops in order) and a Point per stop and per unassigned task. Stops
// without coordinates (matrix-only problems) are left out of the geometry.
func (d *solutionDoc) GeoJSON() map[string]any {
	features := []any{}
	for _, rt := range d.Routes {
		var line [][2]float64
		for i, st := range rt.Stops {
			if st.Location == nil {
				continue
			}
			line = append(line, [2]float64{st.Location[0], st.Location[1]})
			features = append(features, feature(point(*st.Location), map[string]any{
				"vehicle": rt.Vehicle, "sequence": i, "type": st.Type, "id": st.ID, "arrival": st.Arrival}))
		}
		if len(line) >= 2 {
			features = append(features, feature(map[string]any{"type": "LineString", "coordinates": line}, map[string]any{
				"vehicle": rt.Vehicle, "cost": rt.Cost, "distance_meters": rt.DistanceMeters, "duration_seconds": rt.DurationSeconds}))
		}
	}
	for _, u := range d.Unassigned {
		if u.Location != nil {
			features = append(features, feature(point(*u.Location), map[string]any{"unassigned": true, "id": u.ID, "reason": u.Reason}))
		}
	}
	return map[string]any{"type": "FeatureCollection", "features": features,
		"properties": map[string]any{"cost": d.Cost, "distance_meters": d.DistanceMeters, "duration_seconds": d.DurationSeconds}}
}

func point(p orb.Point) map[string]any {
	return map[string]any{"type": "Point", "coordinates": [2]float64{p[0], p[1]}}
}

func feature(geom any, props map[string]any) map[string]any {
	return map[string]any{"type": "Feature", "geometry": geom, "properties": props}
}

// limitFromMs is a request's time limit in milliseconds (≥ 0, validated
// before) as a duration: def when ms is 0, and never above limit. It
// compares in milliseconds first, so a huge ms cannot overflow
// time.Duration into a negative limit.
func limitFromMs(ms int64, def, limit time.Duration) time.Duration {
	switch {
	case ms <= 0:
		return min(def, limit)
	case ms >= limit.Milliseconds():
		return limit
	}
	return time.Duration(ms) * time.Millisecond
}

package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
	"github.com/paulmach/orb"
)

// The VROOM-compatible endpoint, POST /v1/vroom, takes VROOM's input
// document (docs/API.md of VROOM-Project/vroom) and answers in VROOM's
// output shape, so an existing VROOM client works by changing its URL.
//
// Supported: vehicles (id, profile, start, start_index, end, end_index,
// capacity, skills, time_window, costs {fixed, per_hour, per_km},
// max_tasks, max_travel_time, max_distance, speed_factor, description),
// jobs (id, location, location_index, setup, service, delivery, pickup,
// skills, priority, time_windows, description), shipments (amount, skills,
// priority, pickup and delivery steps), matrices {profile: {durations,
// distances}} and the older top-level "matrix" of durations.
//
// Differences, by design:
//   - breaks (time windows, service, max_load) are taken in the order of
//     their first window, each at the first gap between two steps where it
//     costs nothing or can wait no longer (a greedy placement, see
//     routing/breaks.go);
//   - setup time is added to service time (the solver has one service
//     duration per stop);
//   - the solver minimises VROOM's objective: fixed costs plus per_hour on
//     driving time (speed factor applied) and per_km, with waiting and
//     service free; the exploration level (VROOM's -x) is the query
//     parameter ?x=0..5, and a problem small enough is solved exactly;
//   - custom cost matrices (matrices.*.costs), vehicle steps and
//     multiple routing profiles in one request are refused (code 2);
//   - without matrices, travel comes from the great-circle model
//     (Config.Matrix), not OSRM;
//   - costs and durations are reported as VROOM computes them (fixed +
//     per_hour × travel time + per_km × distance, travel scaled by the
//     speed factor);
//   - each unassigned task carries a "reason" (extension);
//   - the API key may be given as ?api_key= (for clients that cannot set
//     an Authorization header);
//   - input errors are answered with status 400 and an RFC 9457
//     problem+json body that also has VROOM's "code" (2) and "error".

type vroomInput struct {
	Vehicles  []vroomVehicle         `json:"vehicles"`
	Jobs      []vroomJob             `json:"jobs"`
	Shipments []vroomShipment        `json:"shipments"`
	Matrices  map[string]vroomMatrix `json:"matrices"`
	Matrix    [][]int64              `json:"matrix"`
}

type vroomMatrix struct {
	Durations [][]int64 `json:"durations"`
	Distances [][]int64 `json:"distances"`
	Costs     [][]int64 `json:"costs"`
}

type vroomCosts struct {
	Fixed   *int64 `json:"fixed"`
	PerHour *int64 `json:"per_hour"`
	PerKm   *int64 `json:"per_km"`
}

type vroomVehicle struct {
	ID            uint64            `json:"id"`
	Profile       string            `json:"profile"`
	Start         *geo.LonLat       `json:"start"`
	StartIndex    *int              `json:"start_index"`
	End           *geo.LonLat       `json:"end"`
	EndIndex      *int              `json:"end_index"`
	Capacity      []int64           `json:"capacity"`
	Skills        []uint64          `json:"skills"`
	TimeWindow    *instance.Window  `json:"time_window"`
	Costs         *vroomCosts       `json:"costs"`
	MaxTasks      *int              `json:"max_tasks"`
	MaxTravelTime *int64            `json:"max_travel_time"`
	MaxDistance   *int64            `json:"max_distance"`
	SpeedFactor   *float64          `json:"speed_factor"`
	Breaks        []vroomBreak      `json:"breaks"`
	Steps         []json.RawMessage `json:"steps"`
	Description   string            `json:"description"`
}

type vroomBreak struct {
	ID          uint64            `json:"id"`
	TimeWindows []instance.Window `json:"time_windows"`
	Service     int64             `json:"service"`
	MaxLoad     []int64           `json:"max_load"`
	Description string            `json:"description"`
}

type vroomJob struct {
	ID            uint64            `json:"id"`
	Location      *geo.LonLat       `json:"location"`
	LocationIndex *int              `json:"location_index"`
	Setup         int64             `json:"setup"`
	Service       int64             `json:"service"`
	Delivery      []int64           `json:"delivery"`
	Pickup        []int64           `json:"pickup"`
	Amount        []int64           `json:"amount"` // deprecated alias of delivery
	Skills        []uint64          `json:"skills"`
	Priority      int               `json:"priority"`
	TimeWindows   []instance.Window `json:"time_windows"`
	Description   string            `json:"description"`
}

type vroomShipmentStep struct {
	ID            uint64            `json:"id"`
	Location      *geo.LonLat       `json:"location"`
	LocationIndex *int              `json:"location_index"`
	Setup         int64             `json:"setup"`
	Service       int64             `json:"service"`
	TimeWindows   []instance.Window `json:"time_windows"`
	Description   string            `json:"description"`
}

type vroomShipment struct {
	Amount   []int64           `json:"amount"`
	Skills   []uint64          `json:"skills"`
	Priority int               `json:"priority"`
	Pickup   vroomShipmentStep `json:"pickup"`
	Delivery vroomShipmentStep `json:"delivery"`
}

// VROOM's output.
type vroomOutput struct {
	Code       int               `json:"code"`
	Summary    vroomSummary      `json:"summary"`
	Unassigned []vroomUnassigned `json:"unassigned"`
	Routes     []vroomRoute      `json:"routes"`
	Warnings   []string          `json:"warnings,omitempty"`
}

type vroomTimes struct {
	Loading int64 `json:"loading"`
	Solving int64 `json:"solving"`
	Routing int64 `json:"routing"`
}

type vroomSummary struct {
	Cost           int64      `json:"cost"`
	Routes         int        `json:"routes"`
	Unassigned     int        `json:"unassigned"`
	Delivery       []int64    `json:"delivery"`
	Pickup         []int64    `json:"pickup"`
	Setup          int64      `json:"setup"`
	Service        int64      `json:"service"`
	Duration       int64      `json:"duration"`
	WaitingTime    int64      `json:"waiting_time"`
	Priority       int64      `json:"priority"`
	Distance       int64      `json:"distance"`
	Violations     []any      `json:"violations"`
	ComputingTimes vroomTimes `json:"computing_times"`
}

type vroomUnassigned struct {
	ID            uint64      `json:"id"`
	Type          string      `json:"type"`
	Location      *geo.LonLat `json:"location,omitempty"`
	LocationIndex *int        `json:"location_index,omitempty"`
	Description   string      `json:"description,omitempty"`
	Reason        string      `json:"reason,omitempty"`
}

type vroomRoute struct {
	Vehicle     uint64      `json:"vehicle"`
	Cost        int64       `json:"cost"`
	Delivery    []int64     `json:"delivery"`
	Pickup      []int64     `json:"pickup"`
	Setup       int64       `json:"setup"`
	Service     int64       `json:"service"`
	Duration    int64       `json:"duration"`
	WaitingTime int64       `json:"waiting_time"`
	Priority    int64       `json:"priority"`
	Distance    int64       `json:"distance"`
	Description string      `json:"description,omitempty"`
	Steps       []vroomStep `json:"steps"`
	Violations  []any       `json:"violations"`
}

type vroomStep struct {
	Type          string     `json:"type"`
	Location      *orb.Point `json:"location,omitempty"`
	LocationIndex *int       `json:"location_index,omitempty"`
	ID            *uint64    `json:"id,omitempty"`
	Job           *uint64    `json:"job,omitempty"` // deprecated alias of id, still read by old clients
	Description   string     `json:"description,omitempty"`
	Setup         int64      `json:"setup"`
	Service       int64      `json:"service"`
	WaitingTime   int64      `json:"waiting_time"`
	Load          []int64    `json:"load"`
	Arrival       int64      `json:"arrival"`
	Duration      int64      `json:"duration"`
	Distance      int64      `json:"distance"`
	Violations    []any      `json:"violations"`
}

// vroomTask remembers what VROOM called a task, to answer in its terms.
type vroomTask struct {
	id          uint64
	typ         string // job, pickup or delivery
	location    *geo.LonLat
	index       *int
	setup       int64
	service     int64
	priority    int
	description string
}

// vroomProblem is the converted request.
type vroomProblem struct {
	doc       instance.Problem
	vehicles  []vroomVehicle
	jobs      []vroomTask    // by routing job index
	shipments [][2]vroomTask // by routing shipment index: pickup, delivery
	indexMode bool
	warnings  []string
}

func (s *Server) vroom(w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	fail := func(err error) error {
		p := problemFor(err)
		code := 2
		if p.Status >= 500 {
			code = 1
			s.log.ErrorContext(r.Context(), "vroom request failed", "err", err)
		}
		p.Code, p.Error = &code, p.Detail
		if p.Error == "" {
			p.Error = p.Title
		}
		writeProblem(w, r, p)
		return nil
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return fail(err)
	}
	if err := s.syncBudget().checkDeclared(body); err != nil {
		return fail(err)
	}
	var vin vroomInput
	if err := decodeStrict(body, &vin, false); err != nil {
		return fail(err)
	}
	vp, err := convertVROOM(&vin)
	if err != nil {
		return fail(err)
	}
	in, err := s.instanceOf(r.Context(), &vp.doc, s.syncBudget())
	if err != nil {
		return fail(err)
	}
	loaded := time.Now()
	so, err := vroomOptions(r)
	if err != nil {
		return fail(err)
	}
	opts := routingOptions(so, s.cfg.DefaultSolveTime, s.cfg.MaxSolveTime)
	sol, err := s.solve(r.Context(), "vroom", in.Problem, opts)
	if err != nil {
		return fail(err)
	}
	out := vp.output(in, sol)
	out.Summary.ComputingTimes = vroomTimes{Loading: loaded.Sub(start).Milliseconds(), Solving: time.Since(loaded).Milliseconds()}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// vroomOptions reads the solve options VROOM takes on its command line,
// not in its JSON: ?x= (exploration level 0–5, as -x) and ?t= (threads,
// ignored: one search per request) are accepted as query parameters.
func vroomOptions(r *http.Request) (solveOptions, error) {
	var o solveOptions
	if x := r.URL.Query().Get("x"); x != "" {
		level, err := strconv.Atoi(x)
		if err != nil || level < 0 || level > 5 {
			return o, badParam("x", "exploration level %q, want 0 to 5", x)
		}
		o.Effort = &level
	}
	return o, nil
}

func skillNames(ids []uint64) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, len(ids))
	for i, v := range ids {
		out[i] = strconv.FormatUint(v, 10)
	}
	return out
}

// convertVROOM maps a VROOM input onto lastmile's problem document, whose
// decoder (instance.FromJSON) then checks everything else with the same
// field names (jobs[3].time_windows[0]).
func convertVROOM(v *vroomInput) (*vroomProblem, error) {
	if len(v.Vehicles) == 0 {
		return nil, badParam("vehicles", "at least one vehicle is required")
	}
	if len(v.Jobs) == 0 && len(v.Shipments) == 0 {
		return nil, badParam("jobs", "give at least one job or shipment")
	}
	profile, err := vroomProfile(v.Vehicles)
	if err != nil {
		return nil, err
	}
	mat, err := v.matrixFor(profile)
	if err != nil {
		return nil, err
	}
	c := &vroomConverter{vp: &vroomProblem{vehicles: v.Vehicles}}
	if mat != nil {
		c.vp.indexMode = true
		c.vp.doc.Matrix = &instance.MatrixJSON{Durations: mat.Durations, Distances: mat.Distances}
	}
	for _, veh := range v.Vehicles {
		c.dims = max(c.dims, len(veh.Capacity))
	}
	vehicleIDs := map[uint64]bool{}
	for i, veh := range v.Vehicles {
		f := fmt.Sprintf("vehicles[%d]", i)
		if vehicleIDs[veh.ID] {
			return nil, badParam(f+".id", "duplicate vehicle id %d", veh.ID)
		}
		vehicleIDs[veh.ID] = true
		if err := c.addVehicle(f, &veh); err != nil {
			return nil, err
		}
	}
	jobIDs := map[uint64]bool{}
	for i, j := range v.Jobs {
		f := fmt.Sprintf("jobs[%d]", i)
		if jobIDs[j.ID] {
			return nil, badParam(f+".id", "duplicate job id %d", j.ID)
		}
		jobIDs[j.ID] = true
		if err := c.addJob(f, &j); err != nil {
			return nil, err
		}
	}
	stepIDs := [2]map[uint64]bool{{}, {}} // pickups, deliveries
	for i, sh := range v.Shipments {
		if err := c.addShipment(fmt.Sprintf("shipments[%d]", i), &sh, stepIDs); err != nil {
			return nil, err
		}
	}
	return c.vp, nil
}

// vroomProfile returns the one routing profile of the vehicles ("car" when
// none is named), refusing a request that mixes profiles.
func vroomProfile(vehicles []vroomVehicle) (string, error) {
	profile := ""
	for i, veh := range vehicles {
		p := veh.Profile
		if p == "" {
			p = "car"
		}
		if i > 0 && p != profile {
			return "", badParam(fmt.Sprintf("vehicles[%d].profile", i), "profile %q differs from %q: one profile per request is supported", p, profile)
		}
		profile = p
	}
	return profile, nil
}

// matrixFor returns the custom matrix of profile: from "matrices", or the
// older top-level "matrix" of durations; nil when the input has neither.
func (v *vroomInput) matrixFor(profile string) (*vroomMatrix, error) {
	switch {
	case v.Matrices != nil:
		m, ok := v.Matrices[profile]
		if !ok {
			return nil, badParam("matrices", "no matrix for profile %q", profile)
		}
		if m.Costs != nil {
			return nil, badParam("matrices."+profile+".costs", "custom cost matrices are not supported")
		}
		if m.Durations == nil {
			return nil, badParam("matrices."+profile+".durations", "durations are required")
		}
		return &m, nil
	case v.Matrix != nil:
		return &vroomMatrix{Durations: v.Matrix}, nil
	}
	return nil, nil
}

// vroomConverter builds the problem document one vehicle, job and shipment
// at a time.
type vroomConverter struct {
	vp   *vroomProblem
	dims int // capacity dimensions of the widest vehicle
}

// location converts a VROOM location: a matrix index with a custom matrix,
// an inline [lon, lat] point otherwise.
func (c *vroomConverter) location(field string, pt *geo.LonLat, idx *int) (instance.Location, error) {
	if c.vp.indexMode {
		if idx == nil {
			return instance.Location{}, badParam(field+"_index", "required with a custom matrix")
		}
		return instance.Location{Index: *idx}, nil
	}
	if idx != nil {
		return instance.Location{}, badParam(field+"_index", "needs a custom matrix (matrices)")
	}
	if pt == nil {
		return instance.Location{}, badParam(field, "missing [lon, lat]")
	}
	p := orb.Point(*pt)
	return instance.Location{Index: -1, Point: &p}, nil
}

// amounts leaves out an empty amount when vehicles have capacities, so that
// the decoder reads it as zero in every dimension.
func (c *vroomConverter) amounts(a []int64) []int64 {
	if len(a) == 0 && c.dims > 0 {
		return nil
	}
	return a
}

// addVehicle converts the vehicle at field f.
func (c *vroomConverter) addVehicle(f string, veh *vroomVehicle) error {
	if len(veh.Steps) > 0 {
		return badParam(f+".steps", "vehicle steps (plan mode) are not supported")
	}
	vj := instance.VehicleJSON{ID: strconv.FormatUint(veh.ID, 10), Capacity: veh.Capacity, Skills: skillNames(veh.Skills)}
	for b, br := range veh.Breaks {
		if br.MaxLoad != nil && len(br.MaxLoad) != len(veh.Capacity) {
			return badParam(fmt.Sprintf("%s.breaks[%d].max_load", f, b), "%d dimensions, capacity has %d", len(br.MaxLoad), len(veh.Capacity))
		}
		vj.Breaks = append(vj.Breaks, instance.BreakJSON{ID: strconv.FormatUint(br.ID, 10), TimeWindows: br.TimeWindows,
			Service: br.Service, MaxLoad: br.MaxLoad})
	}
	if vj.Capacity == nil && c.dims > 0 {
		return badParam(f+".capacity", "missing while other vehicles have %d dimensions", c.dims)
	}
	if veh.Start != nil || veh.StartIndex != nil {
		l, err := c.location(f+".start", veh.Start, veh.StartIndex)
		if err != nil {
			return err
		}
		vj.Start = &l
	}
	if veh.End != nil || veh.EndIndex != nil {
		l, err := c.location(f+".end", veh.End, veh.EndIndex)
		if err != nil {
			return err
		}
		vj.End = &l
	}
	if vj.Start == nil && vj.End == nil {
		return badParam(f+".start", "a vehicle needs a start or an end")
	}
	if tw := veh.TimeWindow; tw != nil {
		vj.Shift = &instance.Window{tw[0], tw[1]}
	}
	costs, err := vroomVehicleCosts(f, veh.Costs)
	if err != nil {
		return err
	}
	vj.Costs = costs
	if err := setVROOMLimits(f, veh, &vj); err != nil {
		return err
	}
	c.vp.doc.Vehicles = append(c.vp.doc.Vehicles, vj)
	return nil
}

// vroomVehicleCosts converts a vehicle's costs; VROOM's default makes the
// cost the route's duration (3600 per hour).
func vroomVehicleCosts(f string, vc *vroomCosts) (*instance.CostsJSON, error) {
	// per_hour pays for driving only, as VROOM's objective: waiting and
	// service are free.
	c := instance.CostsJSON{PerHour: 3600, PerHourOn: "travel"}
	if vc == nil {
		return &c, nil
	}
	for _, field := range []struct {
		name string
		v    *int64
		dst  *float64
	}{{"fixed", vc.Fixed, &c.Fixed}, {"per_hour", vc.PerHour, &c.PerHour}, {"per_km", vc.PerKm, &c.PerKm}} {
		if field.v == nil {
			continue
		}
		if *field.v < 0 {
			return nil, badParam(f+".costs."+field.name, "negative cost %d", *field.v)
		}
		*field.dst = float64(*field.v)
	}
	return &c, nil
}

// setVROOMLimits checks and copies a vehicle's max_tasks, max_travel_time,
// max_distance and speed_factor.
func setVROOMLimits(f string, veh *vroomVehicle, vj *instance.VehicleJSON) error {
	if veh.MaxTasks != nil {
		if *veh.MaxTasks < 0 {
			return badParam(f+".max_tasks", "negative")
		}
		if *veh.MaxTasks == 0 {
			return badParam(f+".max_tasks", "0 tasks: leave the vehicle out instead")
		}
		vj.MaxStops = *veh.MaxTasks
	}
	if veh.MaxTravelTime != nil {
		if *veh.MaxTravelTime <= 0 {
			return badParam(f+".max_travel_time", "must be positive")
		}
		vj.MaxTravel = *veh.MaxTravelTime
	}
	if veh.MaxDistance != nil {
		if *veh.MaxDistance <= 0 {
			return badParam(f+".max_distance", "must be positive")
		}
		vj.MaxDistance = *veh.MaxDistance
	}
	if veh.SpeedFactor != nil {
		if sf := *veh.SpeedFactor; !(sf > 0 && sf <= 5) {
			return badParam(f+".speed_factor", "must be in (0, 5]")
		}
		vj.SpeedFactor = *veh.SpeedFactor
	}
	return nil
}

// checkVROOMTask checks the times and priority of the task at field f.
func checkVROOMTask(f string, setup, service int64, priority int) error {
	if setup < 0 {
		return badParam(f+".setup", "negative")
	}
	if service < 0 {
		return badParam(f+".service", "negative")
	}
	if priority < 0 || priority > 100 {
		return badParam(f+".priority", "must be in [0, 100]")
	}
	return nil
}

// addJob converts the job at field f. Setup time is added to service time:
// the solver has one service duration per stop.
func (c *vroomConverter) addJob(f string, j *vroomJob) error {
	if err := checkVROOMTask(f, j.Setup, j.Service, j.Priority); err != nil {
		return err
	}
	l, err := c.location(f+".location", j.Location, j.LocationIndex)
	if err != nil {
		return err
	}
	delivery := j.Delivery
	if delivery == nil {
		delivery = j.Amount
	}
	c.vp.doc.Jobs = append(c.vp.doc.Jobs, instance.JobJSON{ID: "job-" + strconv.FormatUint(j.ID, 10), Location: l,
		Delivery: c.amounts(delivery), Pickup: c.amounts(j.Pickup), Service: j.Setup + j.Service,
		TimeWindows: j.TimeWindows, Skills: skillNames(j.Skills), Priority: j.Priority})
	c.vp.jobs = append(c.vp.jobs, vroomTask{id: j.ID, typ: "job", location: j.Location, index: j.LocationIndex,
		setup: j.Setup, service: j.Service, priority: j.Priority, description: j.Description})
	return nil
}

// addShipment converts the shipment at field f; stepIDs holds the pickup
// and delivery ids seen so far, which must be unique among their kind.
func (c *vroomConverter) addShipment(f string, sh *vroomShipment, stepIDs [2]map[uint64]bool) error {
	if err := checkVROOMTask(f, 0, 0, sh.Priority); err != nil {
		return err
	}
	var tasks [2]vroomTask
	var stops [2]instance.StopJSON
	for k, st := range []vroomShipmentStep{sh.Pickup, sh.Delivery} {
		name := [2]string{"pickup", "delivery"}[k]
		g := f + "." + name
		if stepIDs[k][st.ID] {
			return badParam(g+".id", "duplicate %s id %d", name, st.ID)
		}
		stepIDs[k][st.ID] = true
		if err := checkVROOMTask(g, st.Setup, st.Service, 0); err != nil {
			return err
		}
		l, err := c.location(g+".location", st.Location, st.LocationIndex)
		if err != nil {
			return err
		}
		stops[k] = instance.StopJSON{ID: name + "-" + strconv.FormatUint(st.ID, 10), Location: l,
			Service: st.Setup + st.Service, TimeWindows: st.TimeWindows}
		tasks[k] = vroomTask{id: st.ID, typ: name, location: st.Location, index: st.LocationIndex,
			setup: st.Setup, service: st.Service, priority: sh.Priority, description: st.Description}
	}
	c.vp.doc.Shipments = append(c.vp.doc.Shipments, instance.ShipmentJSON{Pickup: stops[0], Delivery: stops[1],
		Amount: c.amounts(sh.Amount), Skills: skillNames(sh.Skills), Priority: sh.Priority})
	c.vp.shipments = append(c.vp.shipments, tasks)
	return nil
}

// output builds VROOM's answer. Step durations and distances are
// cumulative travel along the route, as in VROOM.
func (vp *vroomProblem) output(in *instance.Instance, sol *routing.Solution) *vroomOutput {
	p := in.Problem
	dims := p.Dimensions
	zero := func() []int64 { return make([]int64, dims) }
	add := func(dst, a []int64) {
		for i := range min(len(dst), len(a)) {
			dst[i] += a[i]
		}
	}
	out := &vroomOutput{Routes: []vroomRoute{}, Unassigned: []vroomUnassigned{}, Warnings: vp.warnings,
		Summary: vroomSummary{Delivery: zero(), Pickup: zero(), Violations: []any{}}}
	pointAt := func(idx int) (*orb.Point, *int) {
		if vp.indexMode {
			i := idx
			if in.Coords != nil && idx < len(in.Coords) {
				pt := in.Coords[idx]
				return &pt, &i
			}
			return nil, &i
		}
		if idx >= 0 && idx < len(in.Coords) {
			pt := in.Coords[idx]
			return &pt, nil
		}
		return nil, nil
	}
	for _, rt := range sol.Routes {
		if rt.Vehicle < 0 || rt.Vehicle >= len(vp.vehicles) {
			continue
		}
		veh := vp.vehicles[rt.Vehicle]
		vr := vroomRoute{Vehicle: veh.ID, Delivery: zero(), Pickup: zero(), Description: veh.Description,
			Steps: []vroomStep{}, Violations: []any{}}
		var travel, dist, departed int64
		prev := -1
		for _, st := range rt.Stops {
			if prev >= 0 {
				// Driving time as the solver scheduled it: the matrix
				// scaled by the vehicle's speed factor.
				travel += st.Arrival - departed
				dist += int64(p.Distances[prev*p.Locations+st.Location])
			}
			prev, departed = st.Location, st.Departure
			step := vroomStep{Arrival: st.Arrival, WaitingTime: st.Waiting, Duration: travel, Distance: dist,
				Load: st.Load, Violations: []any{}}
			if step.Load == nil {
				step.Load = zero()
			}
			step.Location, step.LocationIndex = pointAt(st.Location)
			var task *vroomTask
			switch st.Kind {
			case routing.KindStart:
				step.Type = "start"
			case routing.KindEnd:
				step.Type = "end"
			case routing.KindJob:
				task = &vp.jobs[st.Task]
				j := p.Jobs[st.Task]
				add(vr.Delivery, j.Delivery)
				add(vr.Pickup, j.Pickup)
			case routing.KindPickup:
				task = &vp.shipments[st.Task][0]
				add(vr.Pickup, p.Shipments[st.Task].Amount)
			case routing.KindDelivery:
				task = &vp.shipments[st.Task][1]
				add(vr.Delivery, p.Shipments[st.Task].Amount)
			case routing.KindBreak:
				if st.Task >= 0 && st.Task < len(veh.Breaks) {
					br := veh.Breaks[st.Task]
					id := br.ID
					step.Type, step.ID, step.Service, step.Description = "break", &id, br.Service, br.Description
				}
			default:
				continue // reloads do not occur in VROOM input
			}
			if task != nil {
				id := task.id
				step.Type, step.ID, step.Setup, step.Service, step.Description = task.typ, &id, task.setup, task.service, task.description
				if task.typ == "job" {
					step.Job = &id
				}
				vr.Setup += task.setup
				vr.Service += task.service
				if task.typ != "delivery" { // a shipment's priority counts once
					vr.Priority += int64(task.priority)
				}
			}
			vr.WaitingTime += st.Waiting
			vr.Steps = append(vr.Steps, step)
		}
		vr.Duration, vr.Distance = travel, dist
		vr.Cost = vroomCost(veh.Costs, travel, dist)
		out.Summary.Cost += vr.Cost
		out.Routes = append(out.Routes, vr)
		s := &out.Summary
		s.Routes++
		add(s.Delivery, vr.Delivery)
		add(s.Pickup, vr.Pickup)
		s.Setup += vr.Setup
		s.Service += vr.Service
		s.Duration += vr.Duration
		s.WaitingTime += vr.WaitingTime
		s.Priority += vr.Priority
		s.Distance += vr.Distance
	}
	for _, u := range sol.Unassigned {
		var tasks []vroomTask
		switch {
		case u.Shipment && u.Task >= 0 && u.Task < len(vp.shipments):
			tasks = vp.shipments[u.Task][:]
		case !u.Shipment && u.Task >= 0 && u.Task < len(vp.jobs):
			tasks = []vroomTask{vp.jobs[u.Task]}
		}
		for _, t := range tasks {
			out.Unassigned = append(out.Unassigned, vroomUnassigned{ID: t.id, Type: t.typ, Location: t.location,
				LocationIndex: t.index, Description: t.description, Reason: string(u.Reason)})
		}
	}
	out.Summary.Unassigned = len(out.Unassigned)
	return out
}

// vroomCost is a route's cost the way VROOM reports it: the fixed cost,
// per_hour for travel time and per_km for distance (defaults 0, 3600, 0).
func vroomCost(c *vroomCosts, travelSeconds, meters int64) int64 {
	fixed, perHour, perKm := int64(0), int64(3600), int64(0)
	if c != nil {
		if c.Fixed != nil {
			fixed = *c.Fixed
		}
		if c.PerHour != nil {
			perHour = *c.PerHour
		}
		if c.PerKm != nil {
			perKm = *c.PerKm
		}
	}
	return fixed + int64(math.Round(float64(perHour)*float64(travelSeconds)/3600+float64(perKm)*float64(meters)/1000))
}

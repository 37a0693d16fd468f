package instance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/field"
	"github.com/lastmile-dev/lastmile/routing"
)

// Problem is lastmile's JSON problem document. The API reuses it as the body
// of a solve request. Times are whole seconds (a shift or window [0, 3600]
// is the first hour of the planning day, or Unix seconds if the caller
// prefers), distances whole metres, money in currency units (yuan).
//
// A minimal problem:
//
//	{
//	  "locations": [[106.55, 29.56], [106.58, 29.57], [106.52, 29.54]],
//	  "vehicles": [{"id": "van-1", "start": 0, "end": 0, "capacity": [10]}],
//	  "jobs": [
//	    {"id": "a", "location": 1, "delivery": [3], "service": 120},
//	    {"id": "b", "location": [106.53, 29.55], "pickup": [2],
//	     "time_windows": [[3600, 7200]]}
//	  ]
//	}
type Problem struct {
	Name string `json:"name,omitempty"`
	// Datum of every coordinate in the document: "wgs84" (the default),
	// "gcj02" (Chinese map providers such as Amap and Tencent) or "bd09"
	// (Baidu). Coordinates are converted to WGS-84 on reading.
	Datum string `json:"datum,omitempty"`
	// Locations are [lon, lat] points. A task or vehicle refers to one by
	// index, or gives a [lon, lat] point inline, which is appended here.
	Locations []geo.LonLat `json:"locations,omitempty"`
	// Matrix, when given, is the travel matrix between Locations (or, with
	// no Locations, defines them: location i is row i). Without it the
	// matrix comes from a great-circle travel model.
	Matrix *MatrixJSON `json:"matrix,omitempty"`
	// Dimensions optionally names the capacity dimensions, e.g.
	// ["parcels", "kg"]; its length then fixes how many there are.
	Dimensions []string       `json:"dimensions,omitempty"`
	Vehicles   []VehicleJSON  `json:"vehicles"`
	Jobs       []JobJSON      `json:"jobs,omitempty"`
	Shipments  []ShipmentJSON `json:"shipments,omitempty"`
	// Backhaul imposes on every vehicle that all deliveries come before any
	// pickup on a trip (VRP with backhauls).
	Backhaul bool `json:"backhaul,omitempty"`
}

// MatrixJSON is a user-supplied travel matrix: row i, column j is from
// location i to j. Durations are seconds, distances metres. Distances may be
// omitted, in which case they are zero and cost falls on time only.
type MatrixJSON struct {
	Durations [][]int64 `json:"durations"`
	Distances [][]int64 `json:"distances,omitempty"`
}

// Location refers to a location: an index into Locations (JSON number) or
// an inline [lon, lat] point (JSON array).
type Location struct {
	Index int
	Point *orb.Point
}

// Window is a [start, end] pair of seconds: a time window or a shift.
// Decoding refuses arrays of any other length, as Point does.
type Window [2]int64

// UnmarshalJSON accepts exactly two integers. Its error is a
// *json.UnmarshalTypeError, which encoding/json completes with the path of
// the field (e.g. "jobs.time_windows").
func (w *Window) UnmarshalJSON(b []byte) error {
	var xs []int64
	if err := json.Unmarshal(b, &xs); err != nil || len(xs) != 2 {
		have := fmt.Sprintf("an array of %d numbers", len(xs))
		if err != nil {
			have = "not an array of two integers"
		}
		return &json.UnmarshalTypeError{Value: have, Type: reflect.TypeFor[Window]()}
	}
	*w = Window{xs[0], xs[1]}
	return nil
}

// UnmarshalJSON accepts a number or a [lon, lat] pair.
func (l *Location) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var p geo.LonLat
		if err := p.UnmarshalJSON(b); err != nil {
			return err // a *json.UnmarshalTypeError, so that the decoder adds the field
		}
		op := orb.Point(p)
		*l = Location{Index: -1, Point: &op}
		return nil
	}
	var i int
	if err := json.Unmarshal(b, &i); err != nil {
		return fmt.Errorf("location: want an index or [lon, lat]: %w", err)
	}
	*l = Location{Index: i}
	return nil
}

// MarshalJSON writes the index, or the inline point.
func (l Location) MarshalJSON() ([]byte, error) {
	if l.Point != nil {
		return json.Marshal(l.Point)
	}
	return json.Marshal(l.Index)
}

// CostsJSON are a vehicle's costs in currency units. With no costs object
// at all a vehicle costs 1 per km, so that plain problems minimise distance.
type CostsJSON struct {
	Fixed   float64 `json:"fixed,omitempty"`    // once, if the vehicle is used
	PerKm   float64 `json:"per_km,omitempty"`   // per kilometre driven
	PerHour float64 `json:"per_hour,omitempty"` // per hour of PerHourOn
	// PerHourOn is the time per_hour pays for: "duration" (the default:
	// driving, service and waiting, i.e. working time), "work" (driving and
	// service: waiting is free) or "travel" (driving only, as VROOM).
	PerHourOn string `json:"per_hour_on,omitempty"`
}

// timeBases maps CostsJSON.PerHourOn to routing's TimeBasis.
var timeBases = map[string]routing.TimeBasis{"": routing.PayDuration, "duration": routing.PayDuration,
	"work": routing.PayWork, "travel": routing.PayTravel}

// VehicleJSON is one vehicle.
type VehicleJSON struct {
	ID string `json:"id"`
	// Start and End are locations; omit End (or set it null) for an open
	// route that ends at its last stop, omit Start for one that starts at
	// its first stop.
	Start *Location `json:"start,omitempty"`
	End   *Location `json:"end,omitempty"`
	// Capacity has one entry per dimension.
	Capacity []int64 `json:"capacity,omitempty"`
	// Shift is [start, end] in seconds; omitted means no limit.
	Shift       *Window    `json:"shift,omitempty"`
	Skills      []string   `json:"skills,omitempty"`
	Costs       *CostsJSON `json:"costs,omitempty"`
	MaxDuration int64      `json:"max_duration,omitempty"` // seconds
	MaxTravel   int64      `json:"max_travel,omitempty"`   // seconds of driving
	MaxDistance int64      `json:"max_distance,omitempty"` // metres
	MaxStops    int        `json:"max_stops,omitempty"`
	// SpeedFactor scales travel times: 2 halves them; omitted means 1.
	SpeedFactor float64 `json:"speed_factor,omitempty"`
	// MaxTrips lets the vehicle reload at its start; ReloadSeconds is spent
	// there between trips.
	MaxTrips      int   `json:"max_trips,omitempty"`
	ReloadSeconds int64 `json:"reload_seconds,omitempty"`
	// Backhaul imposes the backhaul rule on this vehicle only.
	Backhaul bool `json:"backhaul,omitempty"`
	// Breaks the driver takes when the vehicle is used.
	Breaks []BreakJSON `json:"breaks,omitempty"`
}

// BreakJSON is a driver's break: service seconds starting within one of
// time_windows (any time when empty), taken only while the load is at
// most max_load when that is given.
type BreakJSON struct {
	ID          string   `json:"id"`
	TimeWindows []Window `json:"time_windows,omitempty"`
	Service     int64    `json:"service"`
	MaxLoad     []int64  `json:"max_load,omitempty"`
}

// JobJSON is a single-stop task.
type JobJSON struct {
	ID       string   `json:"id"`
	Location Location `json:"location"`
	// Delivery is carried from the depot and unloaded here; Pickup is loaded
	// here and carried to the route end. One entry per dimension.
	Delivery []int64 `json:"delivery,omitempty"`
	Pickup   []int64 `json:"pickup,omitempty"`
	// Service is the time spent at the stop, in seconds.
	Service int64 `json:"service,omitempty"`
	// TimeWindows are [start, end] seconds in which service must start,
	// sorted and disjoint; omitted means any time.
	TimeWindows []Window `json:"time_windows,omitempty"`
	Skills      []string `json:"skills,omitempty"`
	// Priority: higher is served first when not all jobs fit.
	Priority int `json:"priority,omitempty"`
	// Penalty is the cost in currency units of leaving the job out; omitted
	// means the job is required.
	Penalty float64 `json:"penalty,omitempty"`
}

// StopJSON is one end of a shipment.
type StopJSON struct {
	ID          string   `json:"id"`
	Location    Location `json:"location"`
	Service     int64    `json:"service,omitempty"`
	TimeWindows []Window `json:"time_windows,omitempty"`
}

// ShipmentJSON is a pickup-and-delivery pair served by one vehicle.
type ShipmentJSON struct {
	Pickup   StopJSON `json:"pickup"`
	Delivery StopJSON `json:"delivery"`
	Amount   []int64  `json:"amount,omitempty"`
	Skills   []string `json:"skills,omitempty"`
	Priority int      `json:"priority,omitempty"`
	Penalty  float64  `json:"penalty,omitempty"`
}

// MicroUnits is how many cost units make one currency unit: routing costs
// are integers in micro-yuan.
const MicroUnits = 1_000_000

// DecodeJSON reads a JSON Problem and converts it to an Instance under
// ConventionMatrix, building the travel matrix of a problem without one with
// geo's great-circle model (geo.GreatCircle, suburban defaults). Unknown
// fields are errors, so typos do not pass silently. Errors name the field,
// e.g. "jobs[3].time_windows[0]: end 100 before start 200", or the line and
// column of a syntax error.
func DecodeJSON(r io.Reader) (*Instance, error) {
	return DecodeJSONWith(context.Background(), r, geo.GreatCircle{})
}

// DecodeJSONWith is DecodeJSON with the travel matrix taken from src (for
// example an OSRM client) when the problem gives coordinates but no matrix.
func DecodeJSONWith(ctx context.Context, r io.Reader, src geo.MatrixSource) (*Instance, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("instance: reading JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc Problem
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonError(data, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the JSON problem", ErrFormat)
	}
	if err := RequireLocations(data); err != nil {
		return nil, err
	}
	return FromJSON(ctx, &doc, src)
}

// RequireLocations reports a task whose "location" is missing or null in
// the JSON document data (a Problem, or any object embedding its fields).
// Location's zero value is index 0, so without this check such a task would
// silently sit at location 0. DecodeJSON calls it; callers that decode a
// Problem themselves and then call FromJSON should too.
func RequireLocations(data []byte) error {
	type stop struct {
		Location json.RawMessage `json:"location"`
	}
	var doc struct {
		Jobs      []stop `json:"jobs"`
		Shipments []struct {
			Pickup   stop `json:"pickup"`
			Delivery stop `json:"delivery"`
		} `json:"shipments"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return jsonError(data, err)
	}
	missing := func(m json.RawMessage) bool {
		return len(m) == 0 || string(bytes.TrimSpace(m)) == "null"
	}
	for i, j := range doc.Jobs {
		if missing(j.Location) {
			return bad(fmt.Sprintf("jobs[%d].location", i), "missing")
		}
	}
	for i, s := range doc.Shipments {
		if missing(s.Pickup.Location) {
			return bad(fmt.Sprintf("shipments[%d].pickup.location", i), "missing")
		}
		if missing(s.Delivery.Location) {
			return bad(fmt.Sprintf("shipments[%d].delivery.location", i), "missing")
		}
	}
	return nil
}

// jsonError rewrites a decoding error with a line and column.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset)
		return fmt.Errorf("%w: line %d column %d: %w", ErrFormat, line, col, err)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		return bad(typ.Field, "line %d column %d: want %s, have %s", line, col, typ.Type, typ.Value)
	}
	return fmt.Errorf("%w: %w", ErrFormat, err)
}

func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// FromJSON converts a decoded Problem into an Instance, validating every
// field and converting coordinates to WGS-84. When the problem has no
// matrix, src builds one from the coordinates. An error that names a field
// is a *routing.FieldError whose Path is the JSON path, e.g.
// "jobs[3].time_windows[0]"; it wraps ErrFormat (ErrUnsupported for a
// feature the reader lacks).
func FromJSON(ctx context.Context, doc *Problem, src geo.MatrixSource) (*Instance, error) {
	c, err := newConverter(doc)
	if err != nil {
		return nil, err
	}
	p := &routing.Problem{Backhaul: doc.Backhaul, Scale: 1, Dimensions: c.dims}
	if p.Vehicles, err = c.vehicles(); err != nil {
		return nil, err
	}
	if p.Jobs, err = c.jobs(); err != nil {
		return nil, err
	}
	if p.Shipments, err = c.shipments(); err != nil {
		return nil, err
	}
	in := &Instance{Name: doc.Name, Format: FormatJSON, Convention: ConventionMatrix, Depot: -1, Problem: p}
	if err := c.travel(ctx, in, src); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// bad is a field error of the JSON document.
func bad(path, format string, args ...any) error {
	return field.New(ErrFormat, path, format, args...)
}

// converter holds what FromJSON's parts share while they convert one
// document: the datum, the coordinates (inline points are appended), the
// number of matrix rows, the capacity dimensions and the task stop ids seen.
type converter struct {
	doc    *Problem
	datum  geo.Datum
	coords []orb.Point
	n      int               // locations a task may refer to by index
	dims   int               // capacity dimensions
	ids    map[string]string // task stop id -> the field that used it first
}

// newConverter reads the datum, the locations and the matrix size, and fixes
// the number of capacity dimensions: the length of Dimensions, else the
// longest vehicle capacity.
func newConverter(doc *Problem) (*converter, error) {
	datum, err := geo.ParseDatum(doc.Datum)
	if err != nil {
		return nil, field.New(ErrFormat, "datum", "%w", err)
	}
	c := &converter{doc: doc, datum: datum, ids: map[string]string{}}
	for i, pt := range doc.Locations {
		q, err := c.point(fmt.Sprintf("locations[%d]", i), orb.Point(pt))
		if err != nil {
			return nil, err
		}
		c.coords = append(c.coords, q)
	}
	c.n = len(c.coords)
	if doc.Matrix != nil {
		m := len(doc.Matrix.Durations)
		if len(doc.Locations) > 0 && m != c.n {
			return nil, bad("matrix.durations", "%d rows for %d locations", m, c.n)
		}
		c.n = m
	}
	c.dims = len(doc.Dimensions)
	if c.dims == 0 {
		for _, v := range doc.Vehicles {
			c.dims = max(c.dims, len(v.Capacity))
		}
	}
	return c, nil
}

// point converts p from the document's datum to WGS-84.
func (c *converter) point(path string, p orb.Point) (orb.Point, error) {
	q, err := geo.ToWGS84(p, c.datum)
	if err != nil {
		return p, field.New(ErrFormat, path, "%w", err)
	}
	return q, nil
}

// resolve turns a Location into an index, appending inline points.
func (c *converter) resolve(path string, l Location) (int, error) {
	if l.Point != nil {
		if c.doc.Matrix != nil {
			return 0, bad(path, "inline coordinates need locations, not a matrix")
		}
		q, err := c.point(path, *l.Point)
		if err != nil {
			return 0, err
		}
		c.coords = append(c.coords, q)
		return len(c.coords) - 1, nil
	}
	if l.Index < 0 || l.Index >= c.n {
		return 0, bad(path, "location %d out of range [0, %d)", l.Index, c.n)
	}
	return l.Index, nil
}

// amounts checks one entry per dimension, none negative; nil stays nil.
func (c *converter) amounts(path string, a []int64) ([]int64, error) {
	if a == nil {
		return nil, nil
	}
	if len(a) != c.dims {
		return nil, bad(path, "%d amounts for %d capacity dimensions", len(a), c.dims)
	}
	for i, v := range a {
		if v < 0 {
			return nil, bad(fmt.Sprintf("%s[%d]", path, i), "negative amount %d", v)
		}
	}
	return a, nil
}

// windows checks that time windows are well formed, sorted and disjoint.
func windows(path string, tws []Window) ([]routing.TimeWindow, error) {
	var out []routing.TimeWindow
	for i, w := range tws {
		f := fmt.Sprintf("%s[%d]", path, i)
		if w[1] < w[0] {
			return nil, bad(f, "end %d before start %d", w[1], w[0])
		}
		if i > 0 && w[0] <= tws[i-1][1] {
			return nil, bad(f, "start %d not after the previous window's end %d (windows must be sorted and disjoint)", w[0], tws[i-1][1])
		}
		out = append(out, routing.TimeWindow{Start: w[0], End: w[1]})
	}
	return out, nil
}

// money converts currency units to integer micro-units.
func money(path string, v float64) (int64, error) {
	if v < 0 || math.IsNaN(v) || v*MicroUnits > 1<<62 {
		return 0, bad(path, "%g out of range", v)
	}
	return int64(math.Round(v * MicroUnits)), nil
}

// useID claims a task stop id, which must be set and unique.
func (c *converter) useID(path, id string) error {
	if id == "" {
		return bad(path, "missing id")
	}
	if prev, ok := c.ids[id]; ok {
		return bad(path, "id %q already used by %s", id, prev)
	}
	c.ids[id] = path
	return nil
}

// vehicles converts the vehicles, of which there must be at least one, each
// with a unique id.
func (c *converter) vehicles() ([]routing.Vehicle, error) {
	if len(c.doc.Vehicles) == 0 {
		return nil, bad("vehicles", "at least one vehicle is required")
	}
	var out []routing.Vehicle
	seen := map[string]bool{}
	for i := range c.doc.Vehicles {
		v := &c.doc.Vehicles[i]
		f := fmt.Sprintf("vehicles[%d]", i)
		if v.ID == "" {
			return nil, bad(f+".id", "missing id")
		}
		if seen[v.ID] {
			return nil, bad(f+".id", "duplicate vehicle id %q", v.ID)
		}
		seen[v.ID] = true
		rv, err := c.vehicle(f, v)
		if err != nil {
			return nil, err
		}
		out = append(out, rv)
	}
	return out, nil
}

// vehicle converts one vehicle at path f.
func (c *converter) vehicle(f string, v *VehicleJSON) (routing.Vehicle, error) {
	rv := routing.Vehicle{ID: v.ID, Start: -1, End: -1, Skills: v.Skills,
		MaxDuration: v.MaxDuration, MaxTravel: v.MaxTravel, MaxDistance: v.MaxDistance, MaxStops: v.MaxStops,
		SpeedFactor: v.SpeedFactor, MaxTrips: v.MaxTrips, ReloadTime: v.ReloadSeconds, Backhaul: v.Backhaul}
	var err error
	if v.Start != nil {
		if rv.Start, err = c.resolve(f+".start", *v.Start); err != nil {
			return rv, err
		}
	}
	if v.End != nil {
		if rv.End, err = c.resolve(f+".end", *v.End); err != nil {
			return rv, err
		}
	}
	if len(v.Capacity) != c.dims {
		return rv, bad(f+".capacity", "%d entries for %d dimensions", len(v.Capacity), c.dims)
	}
	if rv.Capacity, err = c.amounts(f+".capacity", v.Capacity); err != nil {
		return rv, err
	}
	if rv.Capacity == nil {
		rv.Capacity = []int64{}
	}
	if v.Shift != nil {
		if v.Shift[1] < v.Shift[0] {
			return rv, bad(f+".shift", "end %d before start %d", v.Shift[1], v.Shift[0])
		}
		rv.Shift = routing.TimeWindow{Start: v.Shift[0], End: v.Shift[1]}
	}
	if v.MaxDuration < 0 || v.MaxTravel < 0 || v.MaxDistance < 0 || v.MaxStops < 0 || v.MaxTrips < 0 || v.ReloadSeconds < 0 {
		return rv, bad(f, "negative max_duration, max_travel, max_distance, max_stops, max_trips or reload_seconds")
	}
	if v.SpeedFactor < 0 || math.IsNaN(v.SpeedFactor) {
		return rv, bad(f+".speed_factor", "%g must be positive", v.SpeedFactor)
	}
	if v.MaxTrips > 1 && rv.Start < 0 {
		return rv, bad(f+".max_trips", "reloading needs a start location")
	}
	costs := v.Costs
	if costs == nil {
		costs = &CostsJSON{PerKm: 1}
	}
	if rv.Costs.Fixed, err = money(f+".costs.fixed", costs.Fixed); err != nil {
		return rv, err
	}
	if rv.Costs.PerMeter, err = money(f+".costs.per_km", costs.PerKm/1000); err != nil {
		return rv, err
	}
	if rv.Costs.PerSecond, err = money(f+".costs.per_hour", costs.PerHour/3600); err != nil {
		return rv, err
	}
	basis, ok := timeBases[costs.PerHourOn]
	if !ok {
		return rv, bad(f+".costs.per_hour_on", "%q, want duration, work or travel", costs.PerHourOn)
	}
	rv.Costs.TimeBasis = basis
	if rv.Breaks, err = breaks(f, v.Breaks); err != nil {
		return rv, err
	}
	return rv, nil
}

// breaks converts a vehicle's breaks.
func breaks(f string, in []BreakJSON) ([]routing.Break, error) {
	var out []routing.Break
	for b, br := range in {
		g := fmt.Sprintf("%s.breaks[%d]", f, b)
		tws, err := windows(g+".time_windows", br.TimeWindows)
		if err != nil {
			return nil, err
		}
		if br.Service < 0 {
			return nil, bad(g+".service", "negative")
		}
		out = append(out, routing.Break{ID: br.ID, TimeWindows: tws, Service: br.Service, MaxLoad: br.MaxLoad})
	}
	return out, nil
}

// jobs converts the single-stop tasks.
func (c *converter) jobs() ([]routing.Job, error) {
	var out []routing.Job
	for i := range c.doc.Jobs {
		j := &c.doc.Jobs[i]
		f := fmt.Sprintf("jobs[%d]", i)
		if err := c.useID(f+".id", j.ID); err != nil {
			return nil, err
		}
		rj := routing.Job{ID: j.ID, Service: j.Service, Skills: j.Skills, Priority: j.Priority}
		if err := checkPriority(f+".priority", j.Priority); err != nil {
			return nil, err
		}
		var err error
		if rj.Location, err = c.resolve(f+".location", j.Location); err != nil {
			return nil, err
		}
		if rj.Delivery, err = c.amounts(f+".delivery", j.Delivery); err != nil {
			return nil, err
		}
		if rj.Pickup, err = c.amounts(f+".pickup", j.Pickup); err != nil {
			return nil, err
		}
		if j.Service < 0 {
			return nil, bad(f+".service", "negative service time %d", j.Service)
		}
		if rj.TimeWindows, err = windows(f+".time_windows", j.TimeWindows); err != nil {
			return nil, err
		}
		if rj.Penalty, err = money(f+".penalty", j.Penalty); err != nil {
			return nil, err
		}
		out = append(out, rj)
	}
	return out, nil
}

// MaxPriority bounds a task's priority, so that sums of priorities cannot
// overflow whatever the number of tasks.
const MaxPriority = 1_000_000

func checkPriority(path string, p int) error {
	if p < 0 || p > MaxPriority {
		return bad(path, "%d outside [0, %d]", p, MaxPriority)
	}
	return nil
}

// shipments converts the pickup-and-delivery pairs.
func (c *converter) shipments() ([]routing.Shipment, error) {
	var out []routing.Shipment
	for i := range c.doc.Shipments {
		s := &c.doc.Shipments[i]
		f := fmt.Sprintf("shipments[%d]", i)
		rs := routing.Shipment{Skills: s.Skills, Priority: s.Priority}
		if err := checkPriority(f+".priority", s.Priority); err != nil {
			return nil, err
		}
		var err error
		if rs.Pickup, err = c.stop(f+".pickup", &s.Pickup); err != nil {
			return nil, err
		}
		if rs.Delivery, err = c.stop(f+".delivery", &s.Delivery); err != nil {
			return nil, err
		}
		if rs.Amount, err = c.amounts(f+".amount", s.Amount); err != nil {
			return nil, err
		}
		if rs.Penalty, err = money(f+".penalty", s.Penalty); err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, nil
}

// stop converts one end of a shipment at path g.
func (c *converter) stop(g string, st *StopJSON) (routing.Stop, error) {
	if err := c.useID(g+".id", st.ID); err != nil {
		return routing.Stop{}, err
	}
	loc, err := c.resolve(g+".location", st.Location)
	if err != nil {
		return routing.Stop{}, err
	}
	if st.Service < 0 {
		return routing.Stop{}, bad(g+".service", "negative service time %d", st.Service)
	}
	tws, err := windows(g+".time_windows", st.TimeWindows)
	if err != nil {
		return routing.Stop{}, err
	}
	return routing.Stop{ID: st.ID, Location: loc, Service: st.Service, TimeWindows: tws}, nil
}

// travel fills in's travel matrix and coordinates: the user's matrix when
// the document has one, else a matrix from src over the coordinates.
func (c *converter) travel(ctx context.Context, in *Instance, src geo.MatrixSource) error {
	p := in.Problem
	if c.doc.Matrix != nil {
		if err := userMatrix(p, c.doc.Matrix, c.n); err != nil {
			return err
		}
		if len(c.doc.Locations) > 0 {
			in.Coords = c.coords
		}
		return nil
	}
	if len(c.coords) == 0 {
		return bad("locations", "give locations or a matrix")
	}
	if src == nil {
		return field.New(ErrUnsupported, "locations", "no travel matrix source")
	}
	m, err := src.Matrix(ctx, c.coords)
	if err != nil {
		return fmt.Errorf("instance: travel matrix: %w", err)
	}
	if err := m.Validate(); err != nil || m.N != len(c.coords) {
		return fmt.Errorf("instance: travel matrix for %d locations: %w", len(c.coords), errors.Join(err, geo.ErrMatrix))
	}
	in.Coords = c.coords
	p.Locations, p.Durations, p.Distances = m.N, m.Seconds, m.Meters
	return nil
}

// userMatrix copies the document's matrix, n×n, into p. The shape is
// checked before the n² arrays are allocated, so that a document of many
// empty rows cannot ask for gigabytes.
func userMatrix(p *routing.Problem, m *MatrixJSON, n int) error {
	if m.Distances != nil && len(m.Distances) != n {
		return bad("matrix.distances", "%d rows, want %d", len(m.Distances), n)
	}
	for _, mat := range []struct {
		name string
		rows [][]int64
	}{{"durations", m.Durations}, {"distances", m.Distances}} {
		for i, row := range mat.rows {
			if len(row) != n {
				return bad(fmt.Sprintf("matrix.%s[%d]", mat.name, i), "%d columns, want %d", len(row), n)
			}
		}
	}
	p.Locations = n
	p.Durations = make([]int32, n*n)
	p.Distances = make([]int32, n*n)
	fill := func(name string, rows [][]int64, dst []int32) error {
		for i, row := range rows {
			for j, v := range row {
				if v < 0 || v > math.MaxInt32 {
					return bad(fmt.Sprintf("matrix.%s[%d][%d]", name, i, j), "%d out of range [0, %d]", v, math.MaxInt32)
				}
				dst[i*n+j] = int32(v)
			}
		}
		return nil
	}
	if err := fill("durations", m.Durations, p.Durations); err != nil {
		return err
	}
	return fill("distances", m.Distances, p.Distances)
}

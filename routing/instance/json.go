package instance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo"
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
	Locations []orb.Point `json:"locations,omitempty"`
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

// UnmarshalJSON accepts a number or a [lon, lat] pair.
func (l *Location) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var p orb.Point
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("location: want an index or [lon, lat]: %w", err)
		}
		*l = Location{Index: -1, Point: &p}
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
	Shift       *[2]int64  `json:"shift,omitempty"`
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
	ID          string     `json:"id"`
	TimeWindows [][2]int64 `json:"time_windows,omitempty"`
	Service     int64      `json:"service"`
	MaxLoad     []int64    `json:"max_load,omitempty"`
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
	TimeWindows [][2]int64 `json:"time_windows,omitempty"`
	Skills      []string   `json:"skills,omitempty"`
	// Priority: higher is served first when not all jobs fit.
	Priority int `json:"priority,omitempty"`
	// Penalty is the cost in currency units of leaving the job out; omitted
	// means the job is required.
	Penalty float64 `json:"penalty,omitempty"`
}

// StopJSON is one end of a shipment.
type StopJSON struct {
	ID          string     `json:"id"`
	Location    Location   `json:"location"`
	Service     int64      `json:"service,omitempty"`
	TimeWindows [][2]int64 `json:"time_windows,omitempty"`
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
			return fmt.Errorf("%w: jobs[%d].location: missing", ErrFormat, i)
		}
	}
	for i, s := range doc.Shipments {
		if missing(s.Pickup.Location) {
			return fmt.Errorf("%w: shipments[%d].pickup.location: missing", ErrFormat, i)
		}
		if missing(s.Delivery.Location) {
			return fmt.Errorf("%w: shipments[%d].delivery.location: missing", ErrFormat, i)
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
		return fmt.Errorf("%w: line %d column %d: field %s: want %s, have %s", ErrFormat, line, col, typ.Field, typ.Type, typ.Value)
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
// matrix, src builds one from the coordinates.
func FromJSON(ctx context.Context, doc *Problem, src geo.MatrixSource) (*Instance, error) {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrFormat, field, fmt.Sprintf(format, args...))
	}
	datum, err := geo.ParseDatum(doc.Datum)
	if err != nil {
		return nil, fmt.Errorf("%w: datum: %w", ErrFormat, err)
	}
	point := func(field string, p orb.Point) (orb.Point, error) {
		q, err := geo.ToWGS84(p, datum)
		if err != nil {
			return p, fmt.Errorf("%w: %s: %w", ErrFormat, field, err)
		}
		return q, nil
	}
	in := &Instance{Name: doc.Name, Format: FormatJSON, Convention: ConventionMatrix, Depot: -1}
	p := &routing.Problem{Backhaul: doc.Backhaul, Scale: 1}
	in.Problem = p

	var coords []orb.Point
	for i, pt := range doc.Locations {
		q, err := point(fmt.Sprintf("locations[%d]", i), pt)
		if err != nil {
			return nil, err
		}
		coords = append(coords, q)
	}
	n := len(coords)
	if doc.Matrix != nil {
		m := len(doc.Matrix.Durations)
		if len(doc.Locations) > 0 && m != n {
			return nil, bad("matrix.durations", "%d rows for %d locations", m, n)
		}
		n = m
	}
	// resolve turns a Location into an index, appending inline points.
	resolve := func(field string, l Location) (int, error) {
		if l.Point != nil {
			if doc.Matrix != nil {
				return 0, bad(field, "inline coordinates need locations, not a matrix")
			}
			q, err := point(field, *l.Point)
			if err != nil {
				return 0, err
			}
			coords = append(coords, q)
			return len(coords) - 1, nil
		}
		if l.Index < 0 || l.Index >= n {
			return 0, bad(field, "location %d out of range [0, %d)", l.Index, n)
		}
		return l.Index, nil
	}

	dims := len(doc.Dimensions)
	if dims == 0 {
		for _, v := range doc.Vehicles {
			dims = max(dims, len(v.Capacity))
		}
	}
	p.Dimensions = dims
	amounts := func(field string, a []int64) ([]int64, error) {
		if a == nil {
			return nil, nil
		}
		if len(a) != dims {
			return nil, bad(field, "%d amounts for %d capacity dimensions", len(a), dims)
		}
		for i, v := range a {
			if v < 0 {
				return nil, bad(fmt.Sprintf("%s[%d]", field, i), "negative amount %d", v)
			}
		}
		return a, nil
	}
	windows := func(field string, tws [][2]int64) ([]routing.TimeWindow, error) {
		var out []routing.TimeWindow
		for i, w := range tws {
			f := fmt.Sprintf("%s[%d]", field, i)
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
	money := func(field string, v float64) (int64, error) {
		if v < 0 || math.IsNaN(v) || v*MicroUnits > 1<<62 {
			return 0, bad(field, "%g out of range", v)
		}
		return int64(math.Round(v * MicroUnits)), nil
	}
	ids := map[string]string{}
	useID := func(field, id string) error {
		if id == "" {
			return bad(field, "missing id")
		}
		if prev, ok := ids[id]; ok {
			return bad(field, "id %q already used by %s", id, prev)
		}
		ids[id] = field
		return nil
	}

	if len(doc.Vehicles) == 0 {
		return nil, bad("vehicles", "at least one vehicle is required")
	}
	vids := map[string]bool{}
	for i, v := range doc.Vehicles {
		f := fmt.Sprintf("vehicles[%d]", i)
		if v.ID == "" {
			return nil, bad(f+".id", "missing id")
		}
		if vids[v.ID] {
			return nil, bad(f+".id", "duplicate vehicle id %q", v.ID)
		}
		vids[v.ID] = true
		rv := routing.Vehicle{ID: v.ID, Start: -1, End: -1, Skills: v.Skills,
			MaxDuration: v.MaxDuration, MaxTravel: v.MaxTravel, MaxDistance: v.MaxDistance, MaxStops: v.MaxStops,
			SpeedFactor: v.SpeedFactor, MaxTrips: v.MaxTrips, ReloadTime: v.ReloadSeconds, Backhaul: v.Backhaul}
		var err error
		if v.Start != nil {
			if rv.Start, err = resolve(f+".start", *v.Start); err != nil {
				return nil, err
			}
		}
		if v.End != nil {
			if rv.End, err = resolve(f+".end", *v.End); err != nil {
				return nil, err
			}
		}
		if len(v.Capacity) != dims {
			return nil, bad(f+".capacity", "%d entries for %d dimensions", len(v.Capacity), dims)
		}
		if rv.Capacity, err = amounts(f+".capacity", v.Capacity); err != nil {
			return nil, err
		}
		if rv.Capacity == nil {
			rv.Capacity = []int64{}
		}
		if v.Shift != nil {
			if v.Shift[1] < v.Shift[0] {
				return nil, bad(f+".shift", "end %d before start %d", v.Shift[1], v.Shift[0])
			}
			rv.Shift = routing.TimeWindow{Start: v.Shift[0], End: v.Shift[1]}
		}
		if v.MaxDuration < 0 || v.MaxTravel < 0 || v.MaxDistance < 0 || v.MaxStops < 0 || v.MaxTrips < 0 || v.ReloadSeconds < 0 {
			return nil, bad(f, "negative max_duration, max_travel, max_distance, max_stops, max_trips or reload_seconds")
		}
		if v.SpeedFactor < 0 || math.IsNaN(v.SpeedFactor) {
			return nil, bad(f+".speed_factor", "%g must be positive", v.SpeedFactor)
		}
		if v.MaxTrips > 1 && rv.Start < 0 {
			return nil, bad(f+".max_trips", "reloading needs a start location")
		}
		c := v.Costs
		if c == nil {
			c = &CostsJSON{PerKm: 1}
		}
		if rv.Costs.Fixed, err = money(f+".costs.fixed", c.Fixed); err != nil {
			return nil, err
		}
		if rv.Costs.PerMeter, err = money(f+".costs.per_km", c.PerKm/1000); err != nil {
			return nil, err
		}
		if rv.Costs.PerSecond, err = money(f+".costs.per_hour", c.PerHour/3600); err != nil {
			return nil, err
		}
		basis, ok := timeBases[c.PerHourOn]
		if !ok {
			return nil, bad(f+".costs.per_hour_on", "%q, want duration, work or travel", c.PerHourOn)
		}
		rv.Costs.TimeBasis = basis
		for b, br := range v.Breaks {
			g := fmt.Sprintf("%s.breaks[%d]", f, b)
			tws, err := windows(g+".time_windows", br.TimeWindows)
			if err != nil {
				return nil, err
			}
			if br.Service < 0 {
				return nil, bad(g+".service", "negative")
			}
			rv.Breaks = append(rv.Breaks, routing.Break{ID: br.ID, TimeWindows: tws, Service: br.Service, MaxLoad: br.MaxLoad})
		}
		p.Vehicles = append(p.Vehicles, rv)
	}
	for i, j := range doc.Jobs {
		f := fmt.Sprintf("jobs[%d]", i)
		if err := useID(f+".id", j.ID); err != nil {
			return nil, err
		}
		rj := routing.Job{ID: j.ID, Service: j.Service, Skills: j.Skills, Priority: j.Priority}
		var err error
		if rj.Location, err = resolve(f+".location", j.Location); err != nil {
			return nil, err
		}
		if rj.Delivery, err = amounts(f+".delivery", j.Delivery); err != nil {
			return nil, err
		}
		if rj.Pickup, err = amounts(f+".pickup", j.Pickup); err != nil {
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
		p.Jobs = append(p.Jobs, rj)
	}
	for i, s := range doc.Shipments {
		f := fmt.Sprintf("shipments[%d]", i)
		rs := routing.Shipment{Skills: s.Skills, Priority: s.Priority}
		for _, e := range []struct {
			name string
			in   *StopJSON
			out  *routing.Stop
		}{{"pickup", &s.Pickup, &rs.Pickup}, {"delivery", &s.Delivery, &rs.Delivery}} {
			g := f + "." + e.name
			if err := useID(g+".id", e.in.ID); err != nil {
				return nil, err
			}
			loc, err := resolve(g+".location", e.in.Location)
			if err != nil {
				return nil, err
			}
			if e.in.Service < 0 {
				return nil, bad(g+".service", "negative service time %d", e.in.Service)
			}
			tws, err := windows(g+".time_windows", e.in.TimeWindows)
			if err != nil {
				return nil, err
			}
			*e.out = routing.Stop{ID: e.in.ID, Location: loc, Service: e.in.Service, TimeWindows: tws}
		}
		var err error
		if rs.Amount, err = amounts(f+".amount", s.Amount); err != nil {
			return nil, err
		}
		if rs.Penalty, err = money(f+".penalty", s.Penalty); err != nil {
			return nil, err
		}
		p.Shipments = append(p.Shipments, rs)
	}

	if doc.Matrix != nil {
		if err := userMatrix(p, doc.Matrix, n); err != nil {
			return nil, err
		}
		if len(doc.Locations) > 0 {
			in.Coords = coords
		}
	} else {
		if len(coords) == 0 {
			return nil, bad("locations", "give locations or a matrix")
		}
		if src == nil {
			return nil, fmt.Errorf("%w: locations: no travel matrix source", ErrUnsupported)
		}
		m, err := src.Matrix(ctx, coords)
		if err != nil {
			return nil, fmt.Errorf("instance: travel matrix: %w", err)
		}
		if err := m.Validate(); err != nil || m.N != len(coords) {
			return nil, fmt.Errorf("instance: travel matrix for %d locations: %w", len(coords), errors.Join(err, geo.ErrMatrix))
		}
		in.Coords = coords
		p.Locations, p.Durations, p.Distances = m.N, m.Seconds, m.Meters
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

func userMatrix(p *routing.Problem, m *MatrixJSON, n int) error {
	if m.Distances != nil && len(m.Distances) != n {
		return fmt.Errorf("%w: matrix.distances: %d rows, want %d", ErrFormat, len(m.Distances), n)
	}
	p.Locations = n
	p.Durations = make([]int32, n*n)
	p.Distances = make([]int32, n*n)
	fill := func(name string, rows [][]int64, dst []int32) error {
		for i, row := range rows {
			if len(row) != n {
				return fmt.Errorf("%w: matrix.%s[%d]: %d columns, want %d", ErrFormat, name, i, len(row), n)
			}
			for j, v := range row {
				if v < 0 || v > math.MaxInt32 {
					return fmt.Errorf("%w: matrix.%s[%d][%d]: %d out of range [0, %d]", ErrFormat, name, i, j, v, math.MaxInt32)
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

package instance

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing"
)

// Sentinel errors. Every reader wraps one of them with the line number and
// field at fault, so callers match with errors.Is and users read the detail.
var (
	// ErrFormat is returned for input that does not follow its format.
	ErrFormat = errors.New("instance: malformed input")
	// ErrUnsupported is returned for well-formed input that uses a feature
	// lastmile does not read, such as EXPLICIT edge weights.
	ErrUnsupported = errors.New("instance: unsupported feature")
)

// Format names an input format.
type Format string

// The formats lastmile reads.
const (
	FormatSolomon Format = "solomon" // Solomon (1987) VRPTW
	FormatVRPLIB  Format = "vrplib"  // TSPLIB / CVRPLIB .vrp
	FormatLiLim   Format = "lilim"   // Li & Lim (2001) PDPTW
	FormatVRPB    Format = "vrpb"    // Queiroga et al. (2020) VRP with backhauls
	FormatJSON    Format = "json"    // lastmile's own JSON problem
)

// Convention says how an instance measures an arc, and so how its objective
// is computed. Benchmark sets differ here, and a gap against a best-known
// solution means something only under the set's own convention.
type Convention uint8

const (
	// ConventionMatrix takes distances (metres) and durations (seconds) from
	// the problem's matrices, as for JSON problems.
	ConventionMatrix Convention = iota
	// ConventionReal is unrounded double-precision Euclidean distance (Solomon
	// and Li & Lim in the SINTEF tables).
	ConventionReal
	// ConventionRounded rounds each Euclidean arc to the nearest integer
	// (TSPLIB nint), the CVRPLIB and VRPB convention.
	ConventionRounded
	// ConventionTruncated truncates each Euclidean arc to one decimal, the
	// convention of the exact VRPTW methods (Kohl et al. 1999) and of the
	// LKH-3 Solomon tables.
	ConventionTruncated
)

// String returns the convention's name as used on the command line.
func (c Convention) String() string {
	switch c {
	case ConventionMatrix:
		return "matrix"
	case ConventionReal:
		return "real"
	case ConventionRounded:
		return "nint"
	case ConventionTruncated:
		return "trunc1"
	}
	return fmt.Sprintf("Convention(%d)", uint8(c))
}

// ParseConvention is the inverse of Convention.String.
func ParseConvention(s string) (Convention, error) {
	for _, c := range []Convention{ConventionMatrix, ConventionReal, ConventionRounded, ConventionTruncated} {
		if c.String() == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: convention %q (want real, nint, trunc1 or matrix)", ErrUnsupported, s)
}

// Instance is a routing problem as read from a file, with what the solver
// does not need but a checker and a report do: the raw coordinates, the
// objective convention and the file's own identifiers.
type Instance struct {
	Name   string
	Format Format
	// Problem is what routing.Solve takes. Its matrices are integers: for the
	// real and truncated conventions Euclidean distances are multiplied by
	// Problem.Scale (DefaultScale, or 10 for truncated) and rounded, travel
	// durations are rounded up so that a schedule the solver finds feasible
	// is feasible in real arithmetic too; time windows and service times are
	// scaled alike.
	Problem *routing.Problem
	// Coords holds each location's coordinates, indexed like the matrices:
	// planar x, y for benchmark files, [lon, lat] WGS-84 for JSON. It is nil
	// for a JSON problem given only a matrix.
	Coords []orb.Point
	// Convention is how the instance's objective measures an arc.
	Convention Convention
	// Speed divides Euclidean distance to give travel time (Li & Lim); zero
	// means 1.
	Speed float64
	// Depot is the depot's location index for benchmark files, -1 for JSON.
	Depot int
}

// DefaultScale is the matrix scale for instances under ConventionReal: three
// decimals of the instance's unit survive the integer matrices.
const DefaultScale = 1000

// Scale returns Problem.Scale, with zero meaning 1.
func (in *Instance) Scale() float64 {
	if in.Problem == nil || in.Problem.Scale == 0 {
		return 1
	}
	return float64(in.Problem.Scale)
}

// CostUnit is how many solver cost units make one unit of the reported
// cost: MicroUnits for JSON problems (costs in currency), Scale for
// benchmarks (cost is distance).
func (in *Instance) CostUnit() float64 {
	if in.Convention == ConventionMatrix {
		return MicroUnits
	}
	return in.Scale()
}

// NumericIDs reports whether task ids are the file's node numbers, which a
// report prints as JSON numbers. That is so for every benchmark format.
func (in *Instance) NumericIDs() bool { return in.Format != FormatJSON }

// arc returns the length of the arc between a and b under convention c, in
// the instance's own units.
func arc(c Convention, a, b orb.Point) float64 {
	d := math.Hypot(a[0]-b[0], a[1]-b[1])
	switch c {
	case ConventionRounded:
		return math.Floor(d + 0.5)
	case ConventionTruncated:
		return math.Floor(d*10) / 10
	}
	return d
}

// euclidMatrices fills p's matrices from planar coordinates under convention
// c, with travel time = length / speed. It fails when a scaled entry would
// not fit an int32.
func euclidMatrices(p *routing.Problem, pts []orb.Point, c Convention, speed float64) error {
	n := len(pts)
	if n > geo.MaxUserMatrixSize {
		return fmt.Errorf("%w: %d locations, at most %d", ErrUnsupported, n, geo.MaxUserMatrixSize)
	}
	scale := float64(p.Scale)
	if scale == 0 {
		scale = 1
	}
	if speed == 0 {
		speed = 1
	}
	p.Locations = n
	p.Distances = make([]int32, n*n)
	p.Durations = make([]int32, n*n)
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			d := arc(c, pts[i], pts[j])
			dist := math.Round(d * scale)
			// Round durations up (less a hair for float noise on exact
			// values), so integer feasibility implies real feasibility.
			dur := math.Ceil(d*scale/speed - 1e-6)
			if !(dist <= math.MaxInt32) || !(dur <= math.MaxInt32) || dur < 0 {
				return fmt.Errorf("%w: locations %d and %d are %g apart, too far for the scaled matrix", ErrUnsupported, i, j, d)
			}
			p.Distances[i*n+j] = int32(dist)
			p.Durations[i*n+j] = int32(dur)
		}
	}
	return nil
}

// scaleTime converts a time in instance units to matrix units, rejecting
// values that do not fit.
func scaleTime(t, scale float64) (int64, error) {
	v := math.Round(t * scale)
	if math.IsNaN(v) || math.Abs(v) > 1<<53 {
		return 0, fmt.Errorf("value %g out of range", t)
	}
	return int64(v), nil
}

// Validate checks that the problem is well formed: matrix sizes, location
// indices, capacity dimensions, sorted disjoint time windows and non-negative
// amounts. Every reader returns only instances that validate. An error that
// names a field is a *routing.FieldError with the JSON document's path, e.g.
// "jobs[3].delivery", wrapping ErrFormat.
func (in *Instance) Validate() error {
	if in == nil || in.Problem == nil {
		return fmt.Errorf("%w: no problem", ErrFormat)
	}
	p := in.Problem
	n := p.Locations
	if n < 0 || len(p.Distances) != n*n || len(p.Durations) != n*n {
		return bad("matrix", "not %d×%d", n, n)
	}
	if in.Coords != nil && len(in.Coords) != n {
		return bad("locations", "%d coordinates for %d locations", len(in.Coords), n)
	}
	for k := range p.Distances {
		if p.Distances[k] < 0 || p.Durations[k] < 0 {
			return bad("matrix", "negative entry at row %d column %d", k/max(n, 1), k%max(n, 1))
		}
	}
	loc := func(what string, l int, allowNone bool) error {
		if (allowNone && l == -1) || (l >= 0 && l < n) {
			return nil
		}
		return bad(what, "location %d out of range [0, %d)", l, n)
	}
	amounts := func(what string, a []int64) error {
		if a == nil {
			return nil
		}
		if len(a) != p.Dimensions {
			return bad(what, "%d amounts for %d dimensions", len(a), p.Dimensions)
		}
		for i, v := range a {
			if v < 0 {
				return bad(fmt.Sprintf("%s[%d]", what, i), "negative amount %d", v)
			}
		}
		return nil
	}
	windows := func(what string, tws []routing.TimeWindow) error {
		for i, tw := range tws {
			if tw.End < tw.Start {
				return bad(fmt.Sprintf("%s.time_windows[%d]", what, i), "end %d before start %d", tw.End, tw.Start)
			}
			if i > 0 && tw.Start <= tws[i-1].End {
				return bad(fmt.Sprintf("%s.time_windows[%d]", what, i), "overlaps or precedes the window before it")
			}
		}
		return nil
	}
	ids := make(map[string]string)
	id := func(what, s string) error {
		if prev, ok := ids[s]; ok {
			return bad(what, "id %q already used by %s", s, prev)
		}
		ids[s] = what
		return nil
	}
	for i := range p.Vehicles {
		v := &p.Vehicles[i]
		what := fmt.Sprintf("vehicles[%d]", i)
		if err := loc(what+".start", v.Start, true); err != nil {
			return err
		}
		if err := loc(what+".end", v.End, true); err != nil {
			return err
		}
		if len(v.Capacity) != p.Dimensions {
			return bad(what+".capacity", "%d entries for %d dimensions", len(v.Capacity), p.Dimensions)
		}
		if err := amounts(what+".capacity", v.Capacity); err != nil {
			return err
		}
		if v.Shift.End != 0 && v.Shift.End < v.Shift.Start {
			return bad(what+".shift", "end %d before start %d", v.Shift.End, v.Shift.Start)
		}
	}
	for i := range p.Jobs {
		j := &p.Jobs[i]
		what := fmt.Sprintf("jobs[%d]", i)
		if err := id(what+".id", j.ID); err != nil {
			return err
		}
		if err := loc(what+".location", j.Location, false); err != nil {
			return err
		}
		if err := amounts(what+".delivery", j.Delivery); err != nil {
			return err
		}
		if err := amounts(what+".pickup", j.Pickup); err != nil {
			return err
		}
		if err := windows(what, j.TimeWindows); err != nil {
			return err
		}
		if j.Service < 0 {
			return bad(what+".service", "negative")
		}
		if j.Penalty < 0 {
			return bad(what+".penalty", "negative")
		}
	}
	for i := range p.Shipments {
		s := &p.Shipments[i]
		what := fmt.Sprintf("shipments[%d]", i)
		for _, st := range []struct {
			name string
			s    *routing.Stop
		}{{"pickup", &s.Pickup}, {"delivery", &s.Delivery}} {
			w := what + "." + st.name
			if err := id(w+".id", st.s.ID); err != nil {
				return err
			}
			if err := loc(w+".location", st.s.Location, false); err != nil {
				return err
			}
			if err := windows(w, st.s.TimeWindows); err != nil {
				return err
			}
			if st.s.Service < 0 {
				return bad(w+".service", "negative")
			}
		}
		if err := amounts(what+".amount", s.Amount); err != nil {
			return err
		}
	}
	return nil
}

package instance

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/routing"
)

// ReadSolomon reads a Solomon (1987) VRPTW file under ConventionReal, the
// convention of the SINTEF best-known distances.
//
// The file is a name line, a VEHICLE block (NUMBER CAPACITY), then a
// CUSTOMER block of rows "CUST XCOORD YCOORD DEMAND READY DUE SERVICE". The
// first row is the depot; its DUE is the horizon by which every vehicle must
// be back. Travel time equals distance. Job ids are the customer numbers.
func ReadSolomon(r io.Reader) (*Instance, error) {
	return ReadSolomonConvention(r, ConventionReal)
}

// ReadSolomonConvention reads a Solomon file under the given convention:
// ConventionReal (matrix scale DefaultScale), ConventionTruncated (arcs
// truncated to one decimal, scale 10, exact) or ConventionRounded (scale 1).
func ReadSolomonConvention(r io.Reader, c Convention) (*Instance, error) {
	l := newLines(r)
	f, ok := l.next()
	if !ok {
		return nil, emptyOr(l)
	}
	name := strings.Join(f, " ")
	// VEHICLE, its header line and the NUMBER CAPACITY line.
	if f, ok = l.next(); !ok || !strings.EqualFold(f[0], "VEHICLE") {
		return nil, missing(l, "VEHICLE")
	}
	if f, ok = l.next(); !ok || !strings.EqualFold(f[0], "NUMBER") {
		return nil, missing(l, "NUMBER CAPACITY header")
	}
	if f, ok = l.next(); !ok {
		return nil, missing(l, "vehicle NUMBER CAPACITY")
	}
	var fleet, capacity int64
	if err := l.row(f, []string{"NUMBER", "CAPACITY"}, &fleet, &capacity); err != nil {
		return nil, err
	}
	if fleet < 1 || fleet > 100000 {
		return nil, l.errorf("field NUMBER: %d vehicles out of range [1, 100000]", fleet)
	}
	if capacity < 0 {
		return nil, l.errorf("field CAPACITY: negative capacity %d", capacity)
	}
	if f, ok = l.next(); !ok || !strings.EqualFold(f[0], "CUSTOMER") {
		return nil, missing(l, "CUSTOMER")
	}
	if f, ok = l.next(); !ok || !strings.EqualFold(f[0], "CUST") {
		return nil, missing(l, "CUST NO. header")
	}

	in, p, err := newBenchmark(name, FormatSolomon, c)
	if err != nil {
		return nil, err
	}
	scale := float64(p.Scale)
	names := []string{"CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME"}
	seen := map[int64]int{}
	for {
		f, ok = l.next()
		if !ok {
			break
		}
		var id, demand int64
		var x, y, ready, due, service float64
		if err := l.row(f, names, &id, &x, &y, &demand, &ready, &due, &service); err != nil {
			return nil, err
		}
		if prev, dup := seen[id]; dup {
			return nil, l.errorf("field CUST NO.: customer %d already on line %d", id, prev)
		}
		seen[id] = l.line
		if demand < 0 {
			return nil, l.errorf("field DEMAND: negative demand %d", demand)
		}
		if due < ready {
			return nil, l.errorf("field DUE DATE: %g before READY TIME %g", due, ready)
		}
		if service < 0 || ready < 0 {
			return nil, l.errorf("field SERVICE TIME or READY TIME: negative")
		}
		tw, err := window(ready, due, scale)
		if err != nil {
			return nil, l.errorf("field DUE DATE: %v", err)
		}
		in.Coords = append(in.Coords, orb.Point{x, y})
		if len(in.Coords) == 1 {
			if demand != 0 {
				return nil, l.errorf("field DEMAND: depot demand %d, want 0", demand)
			}
			p.Vehicles = fleetOf(int(fleet), 0, capacity, tw)
			continue
		}
		svc, _ := scaleTime(service, scale)
		p.Jobs = append(p.Jobs, routing.Job{
			ID:          strconv.FormatInt(id, 10),
			Location:    len(in.Coords) - 1,
			Delivery:    []int64{demand},
			Service:     svc,
			TimeWindows: []routing.TimeWindow{tw},
		})
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	if len(in.Coords) == 0 {
		return nil, missing(l, "depot row")
	}
	return in.finish()
}

// newBenchmark starts a single-depot, one-dimension benchmark instance.
func newBenchmark(name string, f Format, c Convention) (*Instance, *routing.Problem, error) {
	p := &routing.Problem{Dimensions: 1, Scale: 1}
	switch c {
	case ConventionReal:
		p.Scale = DefaultScale
	case ConventionTruncated:
		p.Scale = 10
	case ConventionRounded:
	default:
		return nil, nil, fmt.Errorf("%w: convention %v for a %s file", ErrUnsupported, c, f)
	}
	return &Instance{Name: name, Format: f, Problem: p, Convention: c, Depot: 0}, p, nil
}

// finish builds the matrices and validates.
func (in *Instance) finish() (*Instance, error) {
	if err := euclidMatrices(in.Problem, in.Coords, in.Convention, in.Speed); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// window scales [ready, due] to matrix units.
func window(ready, due, scale float64) (routing.TimeWindow, error) {
	s, err := scaleTime(ready, scale)
	if err != nil {
		return routing.TimeWindow{}, err
	}
	e, err := scaleTime(due, scale)
	if err != nil {
		return routing.TimeWindow{}, err
	}
	return routing.TimeWindow{Start: s, End: e}, nil
}

// fleetOf returns n identical vehicles based at depot, numbered from 1, with
// cost equal to distance.
func fleetOf(n, depot int, capacity int64, shift routing.TimeWindow) []routing.Vehicle {
	vs := make([]routing.Vehicle, n)
	for i := range vs {
		vs[i] = routing.Vehicle{
			ID:       strconv.Itoa(i + 1),
			Start:    depot,
			End:      depot,
			Capacity: []int64{capacity},
			Shift:    shift,
			Costs:    routing.Costs{PerMeter: 1},
		}
	}
	return vs
}

func emptyOr(l *lines) error {
	if err := l.err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: empty input", ErrFormat)
}

func missing(l *lines, what string) error {
	if err := l.err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: line %d: expected %s", ErrFormat, l.line, what)
}

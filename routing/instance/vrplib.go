package instance

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/routing"
)

// ReadVRPLIB reads a TSPLIB/CVRPLIB capacitated VRP file (.vrp) under
// ConventionRounded: each arc is its Euclidean length rounded to the nearest
// integer (TSPLIB nint), scale 1.
//
// Keywords: NAME, COMMENT, TYPE (CVRP), DIMENSION, CAPACITY,
// EDGE_WEIGHT_TYPE (EUC_2D only; others give ErrUnsupported), VEHICLES;
// sections NODE_COORD_SECTION, DEMAND_SECTION, DEPOT_SECTION (one depot),
// EOF. Job ids are the file's node numbers.
//
// The fleet is homogeneous: VEHICLES when given, else taken from the k of a
// name like "A-n32-k5". For the classic sets (Augerat A, B, P and
// Christofides-Eilon E) k is the fleet size: their optima and published
// best-known values use at most k routes, and with more vehicles a solver
// finds "better than optimal" solutions (P-n55-k15: 946 with 16 routes
// against the 989 optimum with 15). For Uchoa et al.'s X set (names starting
// "X-") k is only a lower bound on the routes and the objective does not
// limit them (X-n101-k25's optimum has 26), so the fleet is max(k, ⌈Σq/Q⌉)
// plus a slack of max(2, k/5). A file with neither gets one vehicle per
// customer.
func ReadVRPLIB(r io.Reader) (*Instance, error) { return readVRPLIB(r, FormatVRPLIB) }

// ReadVRPB reads a VRP with backhauls instance of Queiroga et al. (2020) in
// the VRP-REP layout: a CVRPLIB file whose NODE_COORD_SECTION rows are
// "id type x y", type -1 for the depot, 0 for a linehaul and 1 for a
// backhaul. Linehauls become deliveries and backhauls pickups, and
// Problem.Backhaul is set: on a route all linehauls precede all backhauls,
// and CAPACITY bounds each phase separately, which is what one delivery and
// pickup dimension gives (the load falls to zero, then rises). The fleet is
// chosen as for ReadVRPLIB's X set (k plus slack), with the demand bound
// taken per phase.
func ReadVRPB(r io.Reader) (*Instance, error) { return readVRPLIB(r, FormatVRPB) }

var nameK = regexp.MustCompile(`-k(\d+)`)

func readVRPLIB(r io.Reader, format Format) (*Instance, error) {
	in, p, err := newBenchmark("", format, ConventionRounded)
	if err != nil {
		return nil, err
	}
	in.Depot = -1
	f := &vrplibFile{in: in, l: newLines(r), format: format, dim: -1, capacity: -1, vehicles: -1, index: map[int64]int{}}
	if err := f.read(); err != nil {
		return nil, err
	}
	if err := f.complete(); err != nil {
		return nil, err
	}
	jobs, sum, err := f.jobs()
	if err != nil {
		return nil, err
	}
	p.Jobs = jobs
	p.Backhaul = format == FormatVRPB
	p.Vehicles = fleetOf(int(fleetSize(format, in.Name, f.vehicles, f.capacity, sum, len(p.Jobs))), in.Depot, f.capacity, routing.TimeWindow{})
	return in.finish()
}

// vrplibFile gathers a CVRPLIB or VRPB file's keywords and sections. Name,
// coordinates and depot go straight into in; the rest waits for jobs.
type vrplibFile struct {
	in     *Instance
	l      *lines
	format Format

	dim, capacity, vehicles int64 // -1 until read
	haveCoords, haveDemand  bool

	// Per node, in NODE_COORD_SECTION order.
	ids    []int64
	kinds  []int64 // VRPB node type: -1 depot, 0 linehaul, 1 backhaul
	demand []int64
	index  map[int64]int // node id to its position
}

// read reads keyword lines and sections up to EOF or the end of input.
func (f *vrplibFile) read() error {
	l := f.l
	for _, ok := l.next(); ok; _, ok = l.next() {
		key, value, isKey := keyword(l.text)
		if !isKey {
			return l.errorf("expected a KEYWORD : value line or a section, have %q", l.text)
		}
		var err error
		switch key {
		case "EOF":
			return l.err()
		case "NODE_COORD_SECTION":
			err = f.readCoords()
		case "DEMAND_SECTION":
			err = f.readDemands()
		case "DEPOT_SECTION":
			err = f.readDepots()
		default:
			err = f.header(key, value)
		}
		if err != nil {
			return err
		}
	}
	return l.err()
}

// header reads one "KEYWORD : value" line.
func (f *vrplibFile) header(key, value string) error {
	l := f.l
	var err error
	switch key {
	case "NAME":
		f.in.Name = value
	case "COMMENT":
	case "TYPE":
		if value != "CVRP" && value != "VRPB" {
			return fmt.Errorf("%w: line %d: TYPE %s (want CVRP)", ErrUnsupported, l.line, value)
		}
	case "DIMENSION":
		if f.dim, err = l.int("DIMENSION", value); err != nil {
			return err
		}
		if f.dim < 1 || f.dim > 100000 {
			return l.errorf("field DIMENSION: %d out of range [1, 100000]", f.dim)
		}
	case "CAPACITY":
		if f.capacity, err = l.int("CAPACITY", value); err != nil {
			return err
		}
		if f.capacity < 0 {
			return l.errorf("field CAPACITY: negative capacity %d", f.capacity)
		}
	case "VEHICLES":
		if f.vehicles, err = l.int("VEHICLES", value); err != nil {
			return err
		}
		if f.vehicles < 1 || f.vehicles > 100000 {
			return l.errorf("field VEHICLES: %d out of range [1, 100000]", f.vehicles)
		}
	case "EDGE_WEIGHT_TYPE":
		if value != "EUC_2D" {
			return fmt.Errorf("%w: line %d: EDGE_WEIGHT_TYPE %s (only EUC_2D is read)", ErrUnsupported, l.line, value)
		}
	default:
		return fmt.Errorf("%w: line %d: keyword %s", ErrUnsupported, l.line, key)
	}
	return nil
}

// readCoords reads DIMENSION rows "id x y", or "id type x y" for VRPB.
func (f *vrplibFile) readCoords() error {
	l := f.l
	if f.dim < 0 {
		return l.errorf("NODE_COORD_SECTION before DIMENSION")
	}
	names := []string{"id", "x", "y"}
	if f.format == FormatVRPB {
		names = []string{"id", "type", "x", "y"}
	}
	for range f.dim {
		fields, ok := l.next()
		if !ok {
			return missing(l, fmt.Sprintf("%d NODE_COORD_SECTION rows", f.dim))
		}
		var id, kind int64
		var x, y float64
		dst := []any{&id, &x, &y}
		if f.format == FormatVRPB {
			dst = []any{&id, &kind, &x, &y}
		}
		if err := l.row(fields, names, dst...); err != nil {
			return err
		}
		if _, dup := f.index[id]; dup {
			return l.errorf("field id: node %d listed twice", id)
		}
		if kind < -1 || kind > 1 {
			return l.errorf("field type: %d (want -1 depot, 0 linehaul, 1 backhaul)", kind)
		}
		f.index[id] = len(f.ids)
		f.ids = append(f.ids, id)
		f.kinds = append(f.kinds, kind)
		f.in.Coords = append(f.in.Coords, orb.Point{x, y})
	}
	f.haveCoords = true
	return nil
}

// readDemands reads DIMENSION rows "id demand", each node once.
func (f *vrplibFile) readDemands() error {
	l := f.l
	if !f.haveCoords {
		return l.errorf("DEMAND_SECTION before NODE_COORD_SECTION")
	}
	f.demand = make([]int64, f.dim)
	seen := make([]bool, f.dim)
	for range f.dim {
		fields, ok := l.next()
		if !ok {
			return missing(l, fmt.Sprintf("%d DEMAND_SECTION rows", f.dim))
		}
		if len(fields) != 2 {
			return l.errorf("want 2 fields (id demand), have %d", len(fields))
		}
		k, err := f.node("DEMAND_SECTION", fields[0])
		if err != nil {
			return err
		}
		q, err := l.int("demand", fields[1])
		if err != nil {
			return err
		}
		if q < 0 {
			return l.errorf("field demand: negative demand %d", q)
		}
		if seen[k] {
			return l.errorf("field id: node %d listed twice", f.ids[k])
		}
		seen[k] = true
		f.demand[k] = q
	}
	f.haveDemand = true
	return nil
}

// readDepots reads depot ids up to the closing -1. Only one depot is read.
func (f *vrplibFile) readDepots() error {
	l := f.l
	if !f.haveCoords {
		return l.errorf("DEPOT_SECTION before NODE_COORD_SECTION")
	}
	depotID := int64(-1)
	for {
		fields, ok := l.next()
		if !ok {
			return missing(l, "-1 closing DEPOT_SECTION")
		}
		if len(fields) != 1 {
			return l.errorf("want 1 field (depot id), have %d", len(fields))
		}
		if fields[0] == "-1" {
			return nil
		}
		k, err := f.node("DEPOT_SECTION", fields[0])
		if err != nil {
			return err
		}
		if depotID >= 0 {
			return fmt.Errorf("%w: line %d: a second depot (multi-depot files are not read)", ErrUnsupported, l.line)
		}
		depotID = f.ids[k]
		f.in.Depot = k
	}
}

// node returns the position of the node with the id in a section row.
func (f *vrplibFile) node(section, id string) (int, error) {
	n, err := f.l.int(section+" id", id)
	if err != nil {
		return 0, err
	}
	k, ok := f.index[n]
	if !ok {
		return 0, f.l.errorf("%s: node %d is not in NODE_COORD_SECTION", section, n)
	}
	return k, nil
}

// complete checks that the required sections were read and that the depot
// (the first node unless DEPOT_SECTION names one) is a depot.
func (f *vrplibFile) complete() error {
	in := f.in
	switch {
	case !f.haveCoords:
		return missing(f.l, "NODE_COORD_SECTION")
	case !f.haveDemand:
		return missing(f.l, "DEMAND_SECTION")
	case f.capacity < 0:
		return missing(f.l, "CAPACITY")
	}
	if in.Depot < 0 {
		// TSPLIB's default depot is the first node.
		in.Depot = 0
	}
	if f.demand[in.Depot] != 0 {
		return fmt.Errorf("%w: DEMAND_SECTION: depot %d has demand %d, want 0", ErrFormat, f.ids[in.Depot], f.demand[in.Depot])
	}
	if f.format == FormatVRPB && f.kinds[in.Depot] != -1 {
		return fmt.Errorf("%w: NODE_COORD_SECTION: depot %d has type %d, want -1", ErrFormat, f.ids[in.Depot], f.kinds[in.Depot])
	}
	return nil
}

// jobs makes a job of every node but the depot: a delivery, or for a VRPB
// backhaul a pickup. sum is the total delivered and picked up.
func (f *vrplibFile) jobs() (jobs []routing.Job, sum [2]int64, err error) {
	for k, id := range f.ids {
		if k == f.in.Depot {
			continue
		}
		job := routing.Job{ID: strconv.FormatInt(id, 10), Location: k}
		switch {
		case f.format == FormatVRPB && f.kinds[k] == 1:
			job.Pickup = []int64{f.demand[k]}
			sum[1] += f.demand[k]
		case f.format == FormatVRPB && f.kinds[k] == -1:
			return nil, sum, fmt.Errorf("%w: NODE_COORD_SECTION: node %d has depot type -1 but is not the depot", ErrFormat, id)
		default:
			job.Delivery = []int64{f.demand[k]}
			sum[0] += f.demand[k]
		}
		jobs = append(jobs, job)
	}
	return jobs, sum, nil
}

// fleetSize chooses the fleet as ReadVRPLIB documents.
func fleetSize(format Format, name string, vehicles, capacity int64, sum [2]int64, jobs int) int64 {
	if vehicles > 0 {
		return vehicles
	}
	m := nameK.FindStringSubmatch(name)
	if m == nil {
		return int64(max(jobs, 1))
	}
	k, _ := strconv.ParseInt(m[1], 10, 64)
	k = min(k, math.MaxInt32)
	if format != FormatVRPB && !strings.HasPrefix(name, "X-") {
		return max(k, 1)
	}
	if capacity > 0 {
		for _, s := range sum {
			k = max(k, (s+capacity-1)/capacity)
		}
	}
	k += max(2, k/5)
	return min(k, int64(max(jobs, 1)))
}

// keyword splits "KEY : value" (or "KEY: value", or a bare "KEY" such as a
// section name), upper-casing the key.
func keyword(s string) (key, value string, ok bool) {
	k, v, found := strings.Cut(s, ":")
	key = strings.ToUpper(strings.TrimSpace(k))
	if key == "" || strings.ContainsAny(key, " \t") {
		return "", "", false
	}
	if !found {
		return key, "", true
	}
	return key, strings.TrimSpace(v), true
}

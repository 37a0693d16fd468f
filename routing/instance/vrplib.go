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
	l := newLines(r)
	var (
		dim, capacity, vehicles int64 = -1, -1, -1
		haveCoords, haveDemand  bool
		depotID                 int64 = -1
		ids                     []int64
		kinds                   []int64
		demand                  []int64
		index                   = map[int64]int{}
		ended                   bool
	)
	needDim := func(section string) error {
		if dim < 0 {
			return l.errorf("%s before DIMENSION", section)
		}
		return nil
	}
	// node reads the id field of a section row.
	node := func(section string, f []string) (int, error) {
		id, err := l.int(section+" id", f[0])
		if err != nil {
			return 0, err
		}
		k, ok := index[id]
		if !ok {
			return 0, l.errorf("%s: node %d is not in NODE_COORD_SECTION", section, id)
		}
		return k, nil
	}
	f, ok := l.next()
	for ok && !ended {
		key, value, isKey := keyword(l.text)
		if !isKey {
			return nil, l.errorf("expected a KEYWORD : value line or a section, have %q", l.text)
		}
		switch key {
		case "NAME":
			in.Name = value
		case "COMMENT":
		case "TYPE":
			if value != "CVRP" && value != "VRPB" {
				return nil, fmt.Errorf("%w: line %d: TYPE %s (want CVRP)", ErrUnsupported, l.line, value)
			}
		case "DIMENSION":
			if dim, err = l.int("DIMENSION", value); err != nil {
				return nil, err
			}
			if dim < 1 || dim > 100000 {
				return nil, l.errorf("field DIMENSION: %d out of range [1, 100000]", dim)
			}
		case "CAPACITY":
			if capacity, err = l.int("CAPACITY", value); err != nil {
				return nil, err
			}
			if capacity < 0 {
				return nil, l.errorf("field CAPACITY: negative capacity %d", capacity)
			}
		case "VEHICLES":
			if vehicles, err = l.int("VEHICLES", value); err != nil {
				return nil, err
			}
			if vehicles < 1 || vehicles > 100000 {
				return nil, l.errorf("field VEHICLES: %d out of range [1, 100000]", vehicles)
			}
		case "EDGE_WEIGHT_TYPE":
			if value != "EUC_2D" {
				return nil, fmt.Errorf("%w: line %d: EDGE_WEIGHT_TYPE %s (only EUC_2D is read)", ErrUnsupported, l.line, value)
			}
		case "NODE_COORD_SECTION":
			if err := needDim(key); err != nil {
				return nil, err
			}
			names := []string{"id", "x", "y"}
			if format == FormatVRPB {
				names = []string{"id", "type", "x", "y"}
			}
			for range dim {
				if f, ok = l.next(); !ok {
					return nil, missing(l, fmt.Sprintf("%d NODE_COORD_SECTION rows", dim))
				}
				var id, kind int64
				var x, y float64
				dst := []any{&id, &x, &y}
				if format == FormatVRPB {
					dst = []any{&id, &kind, &x, &y}
				}
				if err := l.row(f, names, dst...); err != nil {
					return nil, err
				}
				if _, dup := index[id]; dup {
					return nil, l.errorf("field id: node %d listed twice", id)
				}
				if kind < -1 || kind > 1 {
					return nil, l.errorf("field type: %d (want -1 depot, 0 linehaul, 1 backhaul)", kind)
				}
				index[id] = len(ids)
				ids = append(ids, id)
				kinds = append(kinds, kind)
				in.Coords = append(in.Coords, orb.Point{x, y})
			}
			haveCoords = true
		case "DEMAND_SECTION":
			if !haveCoords {
				return nil, l.errorf("DEMAND_SECTION before NODE_COORD_SECTION")
			}
			demand = make([]int64, dim)
			seen := make([]bool, dim)
			for range dim {
				if f, ok = l.next(); !ok {
					return nil, missing(l, fmt.Sprintf("%d DEMAND_SECTION rows", dim))
				}
				if len(f) != 2 {
					return nil, l.errorf("want 2 fields (id demand), have %d", len(f))
				}
				k, err := node("DEMAND_SECTION", f)
				if err != nil {
					return nil, err
				}
				q, err := l.int("demand", f[1])
				if err != nil {
					return nil, err
				}
				if q < 0 {
					return nil, l.errorf("field demand: negative demand %d", q)
				}
				if seen[k] {
					return nil, l.errorf("field id: node %d listed twice", ids[k])
				}
				seen[k] = true
				demand[k] = q
			}
			haveDemand = true
		case "DEPOT_SECTION":
			if !haveCoords {
				return nil, l.errorf("DEPOT_SECTION before NODE_COORD_SECTION")
			}
			for {
				if f, ok = l.next(); !ok {
					return nil, missing(l, "-1 closing DEPOT_SECTION")
				}
				if len(f) != 1 {
					return nil, l.errorf("want 1 field (depot id), have %d", len(f))
				}
				if f[0] == "-1" {
					break
				}
				k, err := node("DEPOT_SECTION", f)
				if err != nil {
					return nil, err
				}
				if depotID >= 0 {
					return nil, fmt.Errorf("%w: line %d: a second depot (multi-depot files are not read)", ErrUnsupported, l.line)
				}
				depotID = ids[k]
				in.Depot = k
			}
		case "EOF":
			ended = true
			continue
		default:
			return nil, fmt.Errorf("%w: line %d: keyword %s", ErrUnsupported, l.line, key)
		}
		f, ok = l.next()
	}
	_ = f
	if err := l.err(); err != nil {
		return nil, err
	}
	switch {
	case !haveCoords:
		return nil, missing(l, "NODE_COORD_SECTION")
	case !haveDemand:
		return nil, missing(l, "DEMAND_SECTION")
	case capacity < 0:
		return nil, missing(l, "CAPACITY")
	}
	if in.Depot < 0 {
		// TSPLIB's default depot is the first node.
		in.Depot = 0
	}
	if demand[in.Depot] != 0 {
		return nil, fmt.Errorf("%w: DEMAND_SECTION: depot %d has demand %d, want 0", ErrFormat, ids[in.Depot], demand[in.Depot])
	}
	if format == FormatVRPB && kinds[in.Depot] != -1 {
		return nil, fmt.Errorf("%w: NODE_COORD_SECTION: depot %d has type %d, want -1", ErrFormat, ids[in.Depot], kinds[in.Depot])
	}
	var sum [2]int64
	for k, id := range ids {
		if k == in.Depot {
			continue
		}
		job := routing.Job{ID: strconv.FormatInt(id, 10), Location: k}
		switch {
		case format == FormatVRPB && kinds[k] == 1:
			job.Pickup = []int64{demand[k]}
			sum[1] += demand[k]
		case format == FormatVRPB && kinds[k] == -1:
			return nil, fmt.Errorf("%w: NODE_COORD_SECTION: node %d has depot type -1 but is not the depot", ErrFormat, id)
		default:
			job.Delivery = []int64{demand[k]}
			sum[0] += demand[k]
		}
		p.Jobs = append(p.Jobs, job)
	}
	p.Backhaul = format == FormatVRPB
	p.Vehicles = fleetOf(int(fleetSize(format, in.Name, vehicles, capacity, sum, len(p.Jobs))), in.Depot, capacity, routing.TimeWindow{})
	return in.finish()
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

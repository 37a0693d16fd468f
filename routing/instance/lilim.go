package instance

import (
	"io"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/routing"
)

// ReadLiLim reads a Li & Lim (2001) PDPTW file under ConventionReal.
//
// The first line is "K Q speed": fleet size, capacity and the speed dividing
// distance into travel time. Each following line is "id x y demand ready due
// service pickup delivery"; line 0 is the depot, whose due date ends every
// vehicle's shift. A speed of 0, found in some published files, means 1.
// A pickup has demand > 0 and names its delivery; the
// delivery has the opposite demand and names its pickup. Each pair becomes a
// routing.Shipment whose Pickup.ID and Delivery.ID are the node numbers. A
// row with zero demand and no partner becomes a plain routing.Job.
func ReadLiLim(r io.Reader) (*Instance, error) {
	l := newLines(r)
	f, ok := l.next()
	if !ok {
		return nil, emptyOr(l)
	}
	var fleet, capacity int64
	var speed float64
	if err := l.row(f, []string{"K", "Q", "speed"}, &fleet, &capacity, &speed); err != nil {
		return nil, err
	}
	if fleet < 1 || fleet > 100000 {
		return nil, l.errorf("field K: %d vehicles out of range [1, 100000]", fleet)
	}
	if capacity < 0 {
		return nil, l.errorf("field Q: negative capacity %d", capacity)
	}
	switch {
	case speed == 0:
		// Some published files (lc104, lr107, ...) carry 0; the literature
		// always drives at unit speed.
		speed = 1
	case !(speed > 0):
		return nil, l.errorf("field speed: %g, want > 0", speed)
	}
	in, p, err := newBenchmark("", FormatLiLim, ConventionReal)
	if err != nil {
		return nil, err
	}
	in.Speed = speed
	scale := float64(p.Scale)

	type node struct {
		id, demand, pickup, delivery int64
		line                         int
		stop                         routing.Stop
	}
	var nodes []node
	byID := map[int64]int{}
	names := []string{"id", "x", "y", "demand", "ready", "due", "service", "pickup", "delivery"}
	for {
		f, ok = l.next()
		if !ok {
			break
		}
		var nd node
		var x, y, ready, due, service float64
		if err := l.row(f, names, &nd.id, &x, &y, &nd.demand, &ready, &due, &service, &nd.pickup, &nd.delivery); err != nil {
			return nil, err
		}
		if prev, dup := byID[nd.id]; dup {
			return nil, l.errorf("field id: node %d already on line %d", nd.id, nodes[prev].line)
		}
		if due < ready {
			return nil, l.errorf("field due: %g before ready %g", due, ready)
		}
		if service < 0 || ready < 0 {
			return nil, l.errorf("field service or ready: negative")
		}
		tw, err := window(ready, due, scale)
		if err != nil {
			return nil, l.errorf("field due: %v", err)
		}
		svc, _ := scaleTime(service, scale)
		nd.line = l.line
		nd.stop = routing.Stop{ID: strconv.FormatInt(nd.id, 10), Location: len(nodes), Service: svc,
			TimeWindows: []routing.TimeWindow{tw}}
		byID[nd.id] = len(nodes)
		nodes = append(nodes, nd)
		in.Coords = append(in.Coords, orb.Point{x, y})
		if len(nodes) == 1 {
			if nd.demand != 0 {
				return nil, l.errorf("field demand: depot demand %d, want 0", nd.demand)
			}
			p.Vehicles = fleetOf(int(fleet), 0, capacity, tw)
		}
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, missing(l, "depot row")
	}
	lineErr := func(nd node, format string, args ...any) error {
		l.line = nd.line
		return l.errorf(format, args...)
	}
	for _, nd := range nodes[1:] {
		switch {
		case nd.demand > 0:
			k, ok := byID[nd.delivery]
			if !ok || k == 0 {
				return nil, lineErr(nd, "field delivery: pickup %d names delivery %d, which is not a customer", nd.id, nd.delivery)
			}
			d := nodes[k]
			if d.pickup != nd.id || d.demand != -nd.demand {
				return nil, lineErr(d, "field pickup: delivery %d does not match pickup %d (pickup %d, demand %d)", d.id, nd.id, d.pickup, d.demand)
			}
			p.Shipments = append(p.Shipments, routing.Shipment{
				Pickup: nd.stop, Delivery: d.stop, Amount: []int64{nd.demand},
			})
		case nd.demand < 0:
			k, ok := byID[nd.pickup]
			if !ok || k == 0 || nodes[k].demand <= 0 || nodes[k].delivery != nd.id {
				return nil, lineErr(nd, "field pickup: delivery %d names pickup %d, which is not its pickup", nd.id, nd.pickup)
			}
			// Paired from the pickup's side.
		default:
			if nd.pickup != 0 || nd.delivery != 0 {
				return nil, lineErr(nd, "field demand: zero demand on a paired node %d", nd.id)
			}
			p.Jobs = append(p.Jobs, routing.Job{ID: nd.stop.ID, Location: nd.stop.Location,
				Service: nd.stop.Service, TimeWindows: nd.stop.TimeWindows, Delivery: []int64{0}})
		}
	}
	return in.finish()
}

package routing

// tseg summarises a run of consecutive route nodes for time-window checks, as
// in Vidal, Crainic, Gendreau & Prins (2013), "A hybrid genetic algorithm with
// adaptive diversity management for a large class of vehicle routing problems
// with time-windows", Computers & Operations Research 40(1), section 4.1 and
// Vidal et al. (2014) "A unified solution framework for multi-attribute
// vehicle routing problems", EJOR 234(3). Two segments concatenate in O(1),
// so a move is checked from the prefix and suffix summaries of the routes it
// touches without walking them.
type tseg struct {
	d     int64 // minimal duration: travel, service and unavoidable waiting
	tr    int64 // travel time
	w     int64 // the unavoidable waiting inside d
	tw    int64 // time warp: how late the segment must be, 0 when feasible
	e     int64 // earliest start of service at the first node that achieves d
	l     int64 // latest start of service at the first node without time warp
	first int32 // location of the first node, -1 for "nowhere"
	last  int32 // location of the last node
}

// cat concatenates a and b, with travel time t from a's last to b's first
// node.
func cat(a, b tseg, t int64) tseg {
	delta := a.d - a.tw + t
	wait := max(b.e-delta-a.l, 0)
	warp := max(a.e+delta-b.l, 0)
	return tseg{
		d:     a.d + b.d + t + wait,
		tr:    a.tr + b.tr + t,
		w:     a.w + b.w + wait,
		tw:    a.tw + b.tw + warp,
		e:     max(b.e-delta, a.e) - wait,
		l:     min(b.l-delta, a.l) + warp,
		first: a.first,
		last:  b.last,
	}
}

// lseg summarises the loads of a run of nodes within one trip, per capacity
// dimension. Deliveries ride from the trip start to their stop and pickups
// from their stop to the trip end, so the load at any point of a trip is the
// deliveries still ahead plus the pickups already behind. A shipment is a
// pickup of its amount and a pickup of minus its amount at its delivery,
// which keeps the sums exact. This is the load counterpart of tseg for the
// VRP with simultaneous pickup and delivery (Vidal et al. 2014).
type lseg struct {
	d int64 // deliveries in the segment
	p int64 // pickups in the segment (a shipment delivery counts negative)
	m int64 // maximum load inside the segment, relative to the trip's other loads
}

// lcat concatenates load segments: loads inside a carry b's deliveries too,
// loads inside b carry a's pickups.
func lcat(a, b lseg) lseg {
	return lseg{d: a.d + b.d, p: a.p + b.p, m: max(a.m+b.d, a.p+b.m)}
}

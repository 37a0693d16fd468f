package coverage

import (
	"context"
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

// chooseAssignment resolves AssignAuto and checks that a min-cost
// assignment is possible.
func chooseAssignment(a Assignment, demand []Demand, chunkPairs [][]pair, truncated int) (Assignment, error) {
	n := 0
	for _, c := range chunkPairs {
		n += len(c)
	}
	integral := true
	for _, d := range demand {
		if d.Weight != math.Trunc(d.Weight) || d.Weight > 1<<40 {
			integral = false
			break
		}
	}
	switch a {
	case AssignGreedy:
		return a, nil
	case AssignMinCost:
		if !integral {
			return a, fmt.Errorf("%w: min-cost assignment needs whole-number weights", ErrInvalid)
		}
		return a, nil
	case AssignAuto:
		if integral && n <= MinCostMaxPairs && truncated == 0 {
			return AssignMinCost, nil
		}
		return AssignGreedy, nil
	}
	return a, fmt.Errorf("%w: unknown assignment method %d", ErrInvalid, a)
}

// assignMinCost assigns demand to points as a min-cost flow: every demand
// point sends its weight either to a point within reach (at its walking
// distance in metres per unit) or to an "unserved" node at a penalty larger
// than any chain of reassignments can cost, so the flow serves the most
// demand possible and, among such flows, walks the least. It returns, per
// demand point, the point serving most of it, or -1.
func assignMinCost(ctx context.Context, demand []Demand, points []Point, chunkPairs [][]pair,
	served, assigned []float64, circuity float64) ([]int32, error) {
	// Nodes: the demand points that have pairs, then the points, then the
	// unserved sink.
	node := make([]int32, len(demand)) // demand index → node, -1 when the demand has no pairs
	for i := range node {
		node[i] = -1
	}
	var order []int32
	nArcs := 0
	maxM := 0.0
	for _, c := range chunkPairs {
		for _, p := range c {
			if node[p.demand] < 0 {
				node[p.demand] = int32(len(order))
				order = append(order, p.demand)
			}
			nArcs++
			maxM = max(maxM, havMeters(math.Float64frombits(p.key))*circuity)
		}
	}
	nd := len(order)
	g := flow.NewGraph(nd + len(points) + 1)
	sink := nd + len(points)
	// An augmenting path alternates demand and point nodes, so it costs
	// at most (nodes) × the longest pair; the penalty exceeds that.
	penalty := float64(g.Nodes()+1)*(maxM+1) + 1
	type arc struct {
		k      int
		demand int32
		point  int32
	}
	arcs := make([]arc, 0, nArcs)
	total := int64(0)
	for _, c := range chunkPairs {
		for _, p := range c {
			w := int64(demand[p.demand].Weight)
			m := havMeters(math.Float64frombits(p.key)) * circuity
			k := g.AddArc(int(node[p.demand]), nd+int(p.point), w, m)
			arcs = append(arcs, arc{k: k, demand: p.demand, point: p.point})
		}
	}
	for i, di := range order {
		w := int64(demand[di].Weight)
		total += w
		g.SetSupply(i, w)
		g.AddArc(i, sink, w, penalty)
	}
	for j, p := range points {
		c := capacity(p)
		if math.IsInf(c, 1) || c > float64(total) {
			g.SetSupply(nd+j, -total)
		} else {
			g.SetSupply(nd+j, -int64(math.Floor(c)))
		}
	}
	g.SetSupply(sink, -total)
	res, err := g.Solve(ctx)
	if err != nil {
		return nil, fmt.Errorf("coverage: min-cost assignment: %w", err)
	}
	primary := make([]int32, len(demand))
	best := make([]int64, len(demand))
	for i := range primary {
		primary[i] = -1
	}
	for _, a := range arcs {
		f := res.Flow[a.k]
		if f == 0 {
			continue
		}
		served[a.demand] += float64(f)
		assigned[a.point] += float64(f)
		if f > best[a.demand] || f == best[a.demand] && a.point < primary[a.demand] {
			best[a.demand], primary[a.demand] = f, a.point
		}
	}
	return primary, nil
}

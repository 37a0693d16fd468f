package flow

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// TransportOptions tunes Transport.
type TransportOptions struct {
	// UnservedCost is the cost per unit of demand left unserved. When it
	// is positive, shortfall is a priced option rather than an error:
	// demand is left unserved wherever serving it would cost more. When it
	// is zero, Transport serves as much demand as capacity allows, at
	// minimum cost, and returns ErrInfeasible if any is left.
	UnservedCost float64
}

// Transportation is the solution of a transportation problem.
type Transportation struct {
	// M and N are the numbers of suppliers and customers.
	M, N int
	// Flow[i*N+j] is the amount supplier i sends to customer j.
	Flow []int64
	// Unserved[j] is customer j's demand that no supplier serves.
	Unserved []int64
	// Cost is Σ Flow[i*N+j]·cost[i*N+j], without any unserved penalty.
	Cost float64
	// Penalty is Σ Unserved[j]·UnservedCost.
	Penalty float64
	// Price[i] ≥ 0 is the shadow price of supplier i's capacity: the
	// optimal LP dual, zero unless i ships all it has (and zero for a
	// supplier without supply). For any set S of suppliers with capacity,
	// Σ_j demand[j]·min_{i∈S}(cost[i][j] + Price[i]) − Σ_{i∈S}
	// supply[i]·Price[i] is a lower bound on the cost of serving all
	// demand from S alone (weak duality, for any prices ≥ 0; a supplier
	// that had no supply here may be counted at price 0). For S = all
	// suppliers with supply it equals Cost.
	Price []float64
}

// Transport solves the bipartite transportation problem: supplier i can
// ship at most supply[i] units, customer j needs demand[j] units, and a
// unit from i to j costs cost[i*len(demand)+j]. A cost of +Inf forbids
// the pair. It returns the minimum-cost shipment that serves all demand,
// or, when capacity or the allowed pairs fall short, the one that serves
// the most demand (the least by penalty if UnservedCost > 0) at minimum
// cost. With UnservedCost == 0 a shortfall is returned together with
// ErrInfeasible, and the Transportation is still valid.
//
// It builds the network customer → supplier → sink and runs Graph.Solve.
// Unserved demand takes a per-customer arc straight to the sink, priced at
// UnservedCost or, if that is zero, at a penalty larger than any path
// cost, so the result is a minimum-cost maximum flow.
func Transport(ctx context.Context, supply, demand []int64, cost []float64, opts TransportOptions) (*Transportation, error) {
	m, n := len(supply), len(demand)
	if len(cost) != m*n {
		return nil, fmt.Errorf("%w: %d costs for %d suppliers × %d customers", ErrInvalid, len(cost), m, n)
	}
	if math.IsNaN(opts.UnservedCost) || math.IsInf(opts.UnservedCost, 0) || opts.UnservedCost < 0 {
		return nil, fmt.Errorf("%w: unserved cost %v", ErrInvalid, opts.UnservedCost)
	}
	maxAbs := 0.0
	for k, c := range cost {
		if math.IsNaN(c) || math.IsInf(c, -1) {
			return nil, fmt.Errorf("%w: cost[%d] = %v", ErrInvalid, k, c)
		}
		if !math.IsInf(c, 1) {
			maxAbs = max(maxAbs, math.Abs(c))
		}
	}
	var total int64
	for i, s := range supply {
		if s < 0 {
			return nil, fmt.Errorf("%w: supply[%d] = %d < 0", ErrInvalid, i, s)
		}
	}
	for j, d := range demand {
		if d < 0 {
			return nil, fmt.Errorf("%w: demand[%d] = %d < 0", ErrInvalid, j, d)
		}
		total += d
	}
	penalty := opts.UnservedCost
	if penalty == 0 {
		// Any simple residual path has at most m+n arcs.
		penalty = float64(m+n+2)*maxAbs*2 + 1
	}
	// Nodes: customers 0..n-1, suppliers n..n+m-1, sink n+m.
	sink := n + m
	g := NewGraph(n + m + 1)
	g.grow(m*n + m + n)
	arc := make([]int32, m*n)
	for j := 0; j < n; j++ {
		if demand[j] == 0 {
			continue
		}
		g.SetSupply(j, demand[j])
		for i := 0; i < m; i++ {
			c := cost[i*n+j]
			if math.IsInf(c, 1) || supply[i] == 0 {
				arc[i*n+j] = -1
				continue
			}
			// Capacity above the demand, so the arc never saturates and
			// the potentials stay dual prices of the plain problem.
			arc[i*n+j] = int32(g.AddArc(j, n+i, demand[j]+1, c))
		}
	}
	for i := 0; i < m; i++ {
		g.AddArc(n+i, sink, supply[i], 0)
	}
	unserved := make([]int32, n)
	for j := 0; j < n; j++ {
		unserved[j] = int32(g.AddArc(j, sink, demand[j], penalty))
	}
	g.SetSupply(sink, -total)
	res, err := g.Solve(ctx)
	if err != nil && !errors.Is(err, ErrInfeasible) {
		return nil, err
	}
	tr := &Transportation{M: m, N: n, Flow: make([]int64, m*n), Unserved: make([]int64, n), Price: make([]float64, m)}
	for i := 0; i < m; i++ {
		if supply[i] > 0 {
			tr.Price[i] = max(0, res.Potential[sink]-res.Potential[n+i])
		}
	}
	for j := 0; j < n; j++ {
		if demand[j] == 0 {
			continue
		}
		for i := 0; i < m; i++ {
			if a := arc[i*n+j]; a >= 0 {
				f := res.Flow[a]
				tr.Flow[i*n+j] = f
				tr.Cost += float64(f) * cost[i*n+j]
			}
		}
	}
	var short int64
	for j, a := range unserved {
		tr.Unserved[j] = res.Flow[a]
		short += res.Flow[a]
	}
	if opts.UnservedCost > 0 {
		tr.Penalty = float64(short) * opts.UnservedCost
		return tr, nil
	}
	if short > 0 {
		return tr, fmt.Errorf("%w: %d of %d units of demand unserved", ErrInfeasible, short, total)
	}
	return tr, nil
}

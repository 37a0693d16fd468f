package depots

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

// volumeScale is the number of flow units per parcel: the flow network
// carries integer thousandths of a parcel.
const volumeScale = 1000

// splitResult is a splittable allocation: served[i*W+w] parcels of demand i
// from warehouse w, and a lower bound on its objective.
type splitResult struct {
	served []float64
	bound  float64
	// prices are the LP dual prices of the capacities in the relaxed
	// flow, per parcel, laid out as singleSource's multipliers.
	prices []float64
}

// solveSplittable solves the splittable allocation as a minimum-cost flow.
//
// The network, per warehouse w and category k:
//
//	demand i (ambient, category k) ──cost c_iw──▶ amb(w,k) ──PerCategory[k]──▶ day(w) ──PerDay──▶ sink
//	demand i (cold, category k)    ──cost c_iw──▶ cold(w,k) ─PerCategory[k]─▶ coldroom(w) ──ColdChain──▶ day(w)
//	demand i ──penalty──▶ sink  (unserved for lack of capacity)
//
// Each demand node supplies its volume in thousandths of a parcel. Arc
// capacities carry the daily, category and cold-chain limits. A flow can
// model limits only on sets of volume that nest (a tree), and a category
// with both ambient and cold demand breaks the nesting: its cap must hold
// for ambient plus cold together, while the cold room holds cold volume of
// every category. The network therefore first gives each of the two arcs
// the whole category cap. That relaxation's optimum is the lower bound; if
// no category cap is exceeded it is also the answer. Otherwise each
// exceeded cap is split between its two arcs and the flow solved again,
// until no cap is exceeded (each split is final, so at most W·K rounds),
// for three ways of splitting: cold first (cold demand has fewer
// warehouses to turn to), in proportion to the relaxed flow, and ambient
// first. The cheapest of the three is returned, with the relaxation's
// bound, so the gap shows what the heuristic split may have cost.
func solveSplittable(ctx context.Context, in *model) (*splitResult, error) {
	W, K := in.W, in.K
	relaxed, err := solveNetwork(ctx, in, nil)
	if err != nil {
		return nil, err
	}
	res := &splitResult{served: relaxed.served, bound: relaxed.cost, prices: relaxed.prices}
	shares := []func(amb, cold, c float64) float64{
		func(amb, cold, c float64) float64 { return 1 - min(cold, c)/c },
		func(amb, cold, c float64) float64 { return amb / (amb + cold) },
		func(amb, cold, c float64) float64 { return min(amb, c) / c },
	}
	var best *network
	split := make([]float64, W*K)
	for _, share := range shares {
		for k := range split {
			split[k] = -1
		}
		net := relaxed
		for round := 0; ; round++ {
			over := false
			for wk := range split {
				c := in.catCap[wk] * volumeScale
				a, b := float64(net.amb[wk]), float64(net.cold[wk])
				if split[wk] >= 0 || math.IsInf(c, 1) || a == 0 || b == 0 || a+b <= c+0.5 {
					continue
				}
				split[wk] = share(a, b, c)
				over = true
			}
			if !over {
				break
			}
			if round > W*K {
				// Cannot happen: each round splits at least one more cap.
				return nil, fmt.Errorf("depots: splittable allocation did not settle after %d rounds", round)
			}
			if net, err = solveNetwork(ctx, in, split); err != nil {
				return nil, err
			}
		}
		if net == relaxed {
			return res, nil // no cap exceeded: the relaxation is exact
		}
		if best == nil || net.cost < best.cost {
			best = net
		}
	}
	res.served = best.served
	return res, nil
}

// network is one solved flow: served volumes, the flow on each
// amb(w,k)→day(w) and cold(w,k)→coldroom(w) arc in units, and the cost.
type network struct {
	served    []float64
	amb, cold []int64
	cost      float64
	prices    []float64 // see splitResult
}

// capArc is an arc of the flow network that carries a capacity: its index,
// its ends among the warehouse-side nodes and the sink (numbered from 0),
// its capacity in units, and the multiplier it prices.
type capArc struct {
	arc      int
	from, to int
	cap      int64
	mult     int
}

// solveNetwork solves the flow. split[w*K+k], when given and not negative,
// is the share of category k's cap at w that ambient demand may use (cold
// demand gets the rest); otherwise both get the whole cap.
func solveNetwork(ctx context.Context, in *model, split []float64) (*network, error) {
	W, K, D := in.W, in.K, in.D
	// Nodes: demand 0..D-1, then per warehouse amb(w,k), cold(w,k) for
	// each k, coldroom(w) and day(w), then the sink.
	per := 2*K + 2
	ambN := func(w, k int) int { return D + w*per + k }
	coldN := func(w, k int) int { return D + w*per + K + k }
	roomN := func(w int) int { return D + w*per + 2*K }
	dayN := func(w int) int { return D + w*per + 2*K + 1 }
	sink := D + W*per
	g := flow.NewGraph(sink + 1)
	var total int64
	units := make([]int64, D)
	arcs := make([]int32, D*W)
	unserved := make([]int32, D)
	for i := range D {
		unserved[i] = -1
		for w := range W {
			arcs[i*W+w] = -1
		}
		if in.forced[i] != "" {
			continue
		}
		u := int64(math.Round(in.vol[i] * volumeScale))
		if u == 0 {
			continue
		}
		units[i] = u
		total += u
		g.SetSupply(i, u)
		k := int(in.cat[i])
		for w := range W {
			c := in.cost[i*W+w]
			if math.IsInf(c, 1) {
				continue
			}
			to := ambN(w, k)
			if in.cold[i] {
				to = coldN(w, k)
			}
			arcs[i*W+w] = int32(g.AddArc(i, to, u, c/volumeScale))
		}
		unserved[i] = int32(g.AddArc(i, sink, u, in.penalty/volumeScale))
	}
	capUnits := func(c float64) int64 {
		if math.IsInf(c, 1) || c*volumeScale >= float64(total) {
			return total
		}
		return int64(math.Floor(c*volumeScale + 1e-6))
	}
	ambArc := make([]int, W*K)
	coldArc := make([]int, W*K)
	caps := make([]capArc, 0, W*(2*K+2))
	addCap := func(from, to int, c int64, mult int) int {
		a := g.AddArc(from, to, c, 0)
		caps = append(caps, capArc{arc: a, from: from - D, to: to - D, cap: c, mult: mult})
		return a
	}
	for w := range W {
		for k := range K {
			c := capUnits(in.catCap[w*K+k])
			ca, cc := c, c
			if split != nil && split[w*K+k] >= 0 {
				s := split[w*K+k]
				ca = int64(math.Round(float64(c) * s))
				cc = c - ca
			}
			ambArc[w*K+k] = addCap(ambN(w, k), dayN(w), ca, 2*W+w*K+k)
			coldArc[w*K+k] = addCap(coldN(w, k), roomN(w), cc, 2*W+w*K+k)
		}
		addCap(roomN(w), dayN(w), capUnits(in.coldCap[w]), W+w)
		addCap(dayN(w), sink, capUnits(in.day[w]), w)
	}
	g.SetSupply(sink, -total)
	r, err := g.Solve(ctx)
	if err != nil {
		if errors.Is(err, flow.ErrInfeasible) {
			// Every demand has an arc to the sink with room for all of it.
			return nil, fmt.Errorf("depots: allocation flow left %d units unrouted: %w", r.Unrouted, err)
		}
		return nil, fmt.Errorf("depots: allocation flow: %w", err)
	}
	net := &network{served: make([]float64, D*W), amb: make([]int64, W*K), cold: make([]int64, W*K), cost: r.Cost}
	for k, a := range arcs {
		if a >= 0 {
			net.served[k] = float64(r.Flow[a]) / volumeScale
		}
	}
	for wk := range ambArc {
		net.amb[wk] = r.Flow[ambArc[wk]]
		net.cold[wk] = r.Flow[coldArc[wk]]
	}
	// The penalty arcs' units and costs, and each demand's arrival node
	// at each warehouse, for capacityPrices.
	target := func(i, w int) int {
		if in.cold[i] {
			return coldN(w, int(in.cat[i])) - D
		}
		return ambN(w, int(in.cat[i])) - D
	}
	net.prices = capacityPrices(in, r.Flow, units, arcs, unserved, caps, sink-D, target)
	return net, nil
}

// capacityPrices reads LP dual prices of the capacities off an optimal
// flow. Shortest-path distances d in the residual network are optimal
// node potentials (reduced costs c + d_u − d_v ≥ 0 on every residual arc),
// and a capacity arc u→v (cost 0) is then priced max(0, d_v − d_u) per
// unit, zero unless it is saturated (Ahuja, Magnanti & Orlin 1993, §9.4).
// Only the warehouse-side nodes and the sink matter, so demand nodes are
// contracted: a residual path X → demand i → Y becomes an arc X → Y of
// cost c_iY − c_iX, and Bellman–Ford runs on the M = W(2K+2)+1 nodes
// left. An arc of zero capacity is priced at the unserved penalty: any
// price that keeps demand away from it is optimal. Prices are returned
// per parcel, with the category price the larger of its ambient and cold
// arcs' (the two coincide unless a category mixes both).
func capacityPrices(in *model, flow []int64, units []int64, arcs, unserved []int32, caps []capArc, sink int, target func(i, w int) int) []float64 {
	W, K := in.W, in.K
	M := sink + 1
	edge := make([]float64, M*M)
	for k := range edge {
		edge[k] = math.Inf(1)
	}
	relax := func(x, y int, c float64) {
		if x != y && c < edge[x*M+y] {
			edge[x*M+y] = c
		}
	}
	for _, a := range caps {
		f := flow[a.arc]
		if f < a.cap {
			relax(a.from, a.to, 0)
		}
		if f > 0 {
			relax(a.to, a.from, 0)
		}
	}
	type end struct {
		node int
		cost float64
	}
	var ins, outs []end
	for i := range in.D {
		if units[i] == 0 {
			continue
		}
		ins, outs = ins[:0], outs[:0]
		for w := range W {
			a := arcs[i*W+w]
			if a < 0 {
				continue
			}
			c := in.cost[i*W+w] / volumeScale
			if flow[a] > 0 {
				ins = append(ins, end{target(i, w), -c})
			}
			if flow[a] < units[i] {
				outs = append(outs, end{target(i, w), c})
			}
		}
		pen := in.penalty / volumeScale
		if f := flow[unserved[i]]; f > 0 {
			ins = append(ins, end{sink, -pen})
		}
		if f := flow[unserved[i]]; f < units[i] {
			outs = append(outs, end{sink, pen})
		}
		for _, x := range ins {
			for _, y := range outs {
				relax(x.node, y.node, x.cost+y.cost)
			}
		}
	}
	// Bellman–Ford from a virtual root joined to every node at cost 0. An
	// optimal flow leaves no negative cycle; M rounds bound float noise.
	d := make([]float64, M)
	for round := 0; round < M; round++ {
		changed := false
		for x := range M {
			for y := range M {
				if c := edge[x*M+y]; d[x]+c < d[y]-1e-12 {
					d[y] = d[x] + c
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	prices := make([]float64, W*(K+2))
	for _, a := range caps {
		p := max(0, d[a.to]-d[a.from]) * volumeScale
		if a.cap == 0 {
			p = in.penalty
		}
		prices[a.mult] = max(prices[a.mult], p)
	}
	return prices
}

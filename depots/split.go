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
func solveSplittable(ctx context.Context, in *instance) (*splitResult, error) {
	W, K := in.W, in.K
	relaxed, err := solveNetwork(ctx, in, nil)
	if err != nil {
		return nil, err
	}
	res := &splitResult{served: relaxed.served, bound: relaxed.cost}
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
}

// solveNetwork solves the flow. split[w*K+k], when given and not negative,
// is the share of category k's cap at w that ambient demand may use (cold
// demand gets the rest); otherwise both get the whole cap.
func solveNetwork(ctx context.Context, in *instance, split []float64) (*network, error) {
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
	for i := range D {
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
		g.AddArc(i, sink, u, in.penalty/volumeScale)
	}
	capUnits := func(c float64) int64 {
		if math.IsInf(c, 1) || c*volumeScale >= float64(total) {
			return total
		}
		return int64(math.Floor(c*volumeScale + 1e-6))
	}
	ambArc := make([]int, W*K)
	coldArc := make([]int, W*K)
	for w := range W {
		for k := range K {
			c := capUnits(in.catCap[w*K+k])
			ca, cc := c, c
			if split != nil && split[w*K+k] >= 0 {
				s := split[w*K+k]
				ca = int64(math.Round(float64(c) * s))
				cc = c - ca
			}
			ambArc[w*K+k] = g.AddArc(ambN(w, k), dayN(w), ca, 0)
			coldArc[w*K+k] = g.AddArc(coldN(w, k), roomN(w), cc, 0)
		}
		g.AddArc(roomN(w), dayN(w), capUnits(in.coldCap[w]), 0)
		g.AddArc(dayN(w), sink, capUnits(in.day[w]), 0)
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
	return net, nil
}

package flow

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalid reports a malformed network: a node out of range, a
	// negative capacity or a NaN or infinite cost.
	ErrInvalid = errors.New("flow: invalid network")
	// ErrInfeasible reports that some supply could not be routed to a
	// demand node. The result returned with it is still a valid flow.
	ErrInfeasible = errors.New("flow: supply cannot all be routed")
)

// Graph is a directed network for min-cost flow. Nodes are 0..N-1. Build
// it with NewGraph, AddArc and SetSupply, then call Solve. A Graph is not
// safe for concurrent use.
type Graph struct {
	n      int
	supply []int64

	// Arc k (forward) is stored at 2k, its residual twin at 2k+1.
	head []int32 // first residual arc out of each node, -1 if none
	next []int32
	to   []int32
	rcap []int64   // residual capacity
	cost []float64 // cost per unit on the residual arc
	cap0 []int64   // original capacity of forward arcs, by arc index k

	err error // first construction error, reported by Solve

	// Solver scratch, reused between Solve calls.
	pi    []float64
	dist  []float64
	prev  []int32
	stamp []uint32
	done  []uint32
	epoch uint32
	heap  distHeap
	final []int32 // nodes finalised by the last Dijkstra
}

// NewGraph returns an empty network with n nodes.
func NewGraph(n int) *Graph {
	g := &Graph{n: n}
	if n < 0 {
		g.err = fmt.Errorf("%w: %d nodes", ErrInvalid, n)
		n = 0
		g.n = 0
	}
	g.supply = make([]int64, n)
	g.head = make([]int32, n)
	for i := range g.head {
		g.head[i] = -1
	}
	return g
}

// Nodes returns the number of nodes.
func (g *Graph) Nodes() int { return g.n }

// Arcs returns the number of arcs added.
func (g *Graph) Arcs() int { return len(g.cap0) }

// AddArc adds an arc from→to that carries at most capacity units at
// costPerUnit each, and returns its index for Result.Flow. A bad
// argument is recorded and reported by Solve as ErrInvalid.
func (g *Graph) AddArc(from, to int, capacity int64, costPerUnit float64) int {
	k := len(g.cap0)
	switch {
	case g.err != nil:
	case from < 0 || from >= g.n || to < 0 || to >= g.n:
		g.err = fmt.Errorf("%w: arc %d: node %d→%d out of range [0,%d)", ErrInvalid, k, from, to, g.n)
	case capacity < 0:
		g.err = fmt.Errorf("%w: arc %d: capacity %d < 0", ErrInvalid, k, capacity)
	case math.IsNaN(costPerUnit) || math.IsInf(costPerUnit, 0):
		g.err = fmt.Errorf("%w: arc %d: cost %v", ErrInvalid, k, costPerUnit)
	}
	if g.err != nil {
		g.cap0 = append(g.cap0, 0)
		return k
	}
	g.cap0 = append(g.cap0, capacity)
	g.push(from, to, capacity, costPerUnit)
	g.push(to, from, 0, -costPerUnit)
	return k
}

// grow reserves room for k more arcs.
func (g *Graph) grow(k int) {
	g.to = append(make([]int32, 0, len(g.to)+2*k), g.to...)
	g.next = append(make([]int32, 0, len(g.next)+2*k), g.next...)
	g.rcap = append(make([]int64, 0, len(g.rcap)+2*k), g.rcap...)
	g.cost = append(make([]float64, 0, len(g.cost)+2*k), g.cost...)
	g.cap0 = append(make([]int64, 0, len(g.cap0)+k), g.cap0...)
}

func (g *Graph) push(from, to int, c int64, cost float64) {
	g.to = append(g.to, int32(to))
	g.rcap = append(g.rcap, c)
	g.cost = append(g.cost, cost)
	g.next = append(g.next, g.head[from])
	g.head[from] = int32(len(g.to) - 1)
}

// SetSupply sets the supply of node v: a positive amount must leave v, a
// negative amount is the most that may arrive at (be absorbed by) v.
// Demand nodes therefore need not be filled: Solve routes all the supply
// at minimum cost, into demand nodes up to their limits.
func (g *Graph) SetSupply(v int, amount int64) {
	if v < 0 || v >= g.n {
		if g.err == nil {
			g.err = fmt.Errorf("%w: supply at node %d out of range [0,%d)", ErrInvalid, v, g.n)
		}
		return
	}
	g.supply[v] = amount
}

// Result is a solved flow.
type Result struct {
	// Flow[k] is the amount on arc k, the index AddArc returned.
	Flow []int64
	// Cost is Σ Flow[k]·cost[k].
	Cost float64
	// Unrouted is the supply that could not reach any demand node; it is
	// nonzero only together with ErrInfeasible.
	Unrouted int64
	// Potential[v] is a node price π with cost(u,v) + π(u) − π(v) ≥ 0 on
	// every arc that has residual capacity (an unsaturated arc forward, an
	// arc with flow backward): optimal dual prices, the certificate of
	// optimality. A saturated arc u→v of cost c is worth π(v) − π(u) − c
	// per extra unit of capacity.
	Potential []float64
}

// Solve computes a minimum-cost flow that routes every node's supply into
// demand nodes (each absorbing at most its demand) along arcs within
// capacity. Costs may be negative as long as no negative-cost cycle has
// capacity (a residual negative cycle is reported as ErrInvalid).
//
// The method is successive shortest paths with Dijkstra on reduced costs
// and node potentials (Edmonds & Karp 1972; Tomizawa 1971), with the
// search stopped at the first demand node reached and potentials updated
// only on finalised nodes, which keeps every reduced cost nonnegative
// (Ahuja, Magnanti & Orlin 1993, §9.7). Each supply node is drained in
// turn, so a feasible problem is solved exactly. If some supply cannot be
// routed, Solve returns a maximum flow with ErrInfeasible and Unrouted
// set; that flow is of minimum cost for the amounts it carries from each
// source, but which sources fall short depends on node order. To choose
// the unserved supply by cost, add explicit penalty arcs to a spare
// demand node (Transport does this).
//
// Solve may be called again after changing supplies; it restarts from a
// zero flow.
func (g *Graph) Solve(ctx context.Context) (*Result, error) {
	if g.err != nil {
		return nil, g.err
	}
	n := g.n
	// Reset residual capacities to a zero flow.
	for k, c := range g.cap0 {
		g.rcap[2*k] = c
		g.rcap[2*k+1] = 0
	}
	g.pi = resizeF(g.pi, n)
	g.dist = resizeF(g.dist, n)
	g.prev = resizeI32(g.prev, n)
	if len(g.stamp) < n {
		g.stamp = make([]uint32, n)
		g.done = make([]uint32, n)
		g.epoch = 0
	}
	clear(g.pi)
	excess := make([]int64, n)
	copy(excess, g.supply)
	if err := g.initPotentials(); err != nil {
		return nil, err
	}
	var unrouted int64
	iter := 0
	for s := 0; s < n; s++ {
		for excess[s] > 0 {
			iter++
			if iter&63 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			t := g.shortestPath(s, excess)
			if t < 0 {
				unrouted += excess[s]
				break
			}
			// Bottleneck along the path.
			amt := min(excess[s], -excess[t])
			for v := t; v != s; {
				a := g.prev[v]
				amt = min(amt, g.rcap[a])
				v = int(g.to[a^1])
			}
			for v := t; v != s; {
				a := g.prev[v]
				g.rcap[a] -= amt
				g.rcap[a^1] += amt
				v = int(g.to[a^1])
			}
			excess[s] -= amt
			excess[t] += amt
		}
	}
	res := &Result{Flow: make([]int64, len(g.cap0)), Unrouted: unrouted, Potential: append([]float64(nil), g.pi...)}
	for k, c := range g.cap0 {
		f := c - g.rcap[2*k]
		res.Flow[k] = f
		res.Cost += float64(f) * g.cost[2*k]
	}
	if unrouted > 0 {
		return res, fmt.Errorf("%w: %d units unrouted", ErrInfeasible, unrouted)
	}
	return res, nil
}

// initPotentials makes every reduced cost nonnegative. With nonnegative
// costs zero potentials do; otherwise Bellman–Ford from a virtual root.
func (g *Graph) initPotentials() error {
	neg := false
	for a := 0; a < len(g.to); a += 2 {
		if g.cost[a] < 0 && g.rcap[a] > 0 {
			neg = true
			break
		}
	}
	if !neg {
		return nil
	}
	pi := g.pi // all zero: the virtual root reaches every node at 0
	for round := 0; ; round++ {
		changed := false
		for u := 0; u < g.n; u++ {
			for a := g.head[u]; a >= 0; a = g.next[a] {
				if g.rcap[a] == 0 {
					continue
				}
				v := g.to[a]
				if d := pi[u] + g.cost[a]; d < pi[v]-1e-9 {
					pi[v] = d
					changed = true
				}
			}
		}
		if !changed {
			return nil
		}
		if round >= g.n {
			return fmt.Errorf("%w: negative-cost cycle", ErrInvalid)
		}
	}
}

// shortestPath runs Dijkstra from s on reduced costs until it finalises a
// node with room to absorb flow, updates potentials and returns that node
// (prev holds the path), or -1 if none is reachable.
func (g *Graph) shortestPath(s int, excess []int64) int {
	g.epoch++
	if g.epoch == 0 { // wrapped: clear stamps
		clear(g.stamp)
		clear(g.done)
		g.epoch = 1
	}
	ep := g.epoch
	h := &g.heap
	h.reset()
	g.final = g.final[:0]
	g.dist[s] = 0
	g.stamp[s] = ep
	g.prev[s] = -1
	h.push(0, int32(s))
	t := -1
	var dt float64
	for h.len() > 0 {
		d, u := h.pop()
		if g.done[u] == ep || d > g.dist[u] {
			continue
		}
		g.done[u] = ep
		g.final = append(g.final, u)
		if excess[u] < 0 && int(u) != s {
			t, dt = int(u), d
			break
		}
		pu := g.pi[u]
		for a := g.head[u]; a >= 0; a = g.next[a] {
			if g.rcap[a] == 0 {
				continue
			}
			v := g.to[a]
			if g.done[v] == ep {
				continue
			}
			rc := g.cost[a] + pu - g.pi[v]
			if rc < 0 {
				rc = 0 // rounding noise; exact arithmetic keeps it ≥ 0
			}
			nd := d + rc
			if g.stamp[v] != ep || nd < g.dist[v] {
				g.stamp[v] = ep
				g.dist[v] = nd
				g.prev[v] = a
				if rc == 0 && excess[v] < 0 && int(v) != s {
					// A demand node at the current minimum distance:
					// nothing can reach it cheaper, so stop here.
					g.done[v] = ep
					g.final = append(g.final, v)
					t, dt = int(v), nd
					break
				}
				h.push(nd, v)
			}
		}
		if t >= 0 {
			break
		}
	}
	if t < 0 {
		return -1
	}
	// π(v) += d(v) − d(t) on finalised nodes; the others keep π, which
	// amounts to d'(v) = min(d(v), d(t)) up to a constant.
	for _, e := range g.final {
		g.pi[e] += g.dist[e] - dt
	}
	return t
}

func resizeF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func resizeI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// distHeap is a binary min-heap of (distance, node) with lazy deletion.
type distHeap struct {
	d []float64
	v []int32
}

func (h *distHeap) reset() {
	h.d = h.d[:0]
	h.v = h.v[:0]
}

func (h *distHeap) len() int { return len(h.d) }

func (h *distHeap) push(d float64, v int32) {
	h.d = append(h.d, d)
	h.v = append(h.v, v)
	i := len(h.d) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.d[p] <= d {
			break
		}
		h.d[i], h.v[i] = h.d[p], h.v[p]
		i = p
	}
	h.d[i], h.v[i] = d, v
}

func (h *distHeap) pop() (float64, int32) {
	d0, v0 := h.d[0], h.v[0]
	last := len(h.d) - 1
	d, v := h.d[last], h.v[last]
	h.d, h.v = h.d[:last], h.v[:last]
	if last > 0 {
		i := 0
		for {
			c := 2*i + 1
			if c >= last {
				break
			}
			if c+1 < last && h.d[c+1] < h.d[c] {
				c++
			}
			if h.d[c] >= d {
				break
			}
			h.d[i], h.v[i] = h.d[c], h.v[c]
			i = c
		}
		h.d[i], h.v[i] = d, v
	}
	return d0, v0
}

package location

import (
	"container/heap"
	"math"
	"slices"
)

// The branch-and-bound tree of SolveCFLP.

// branchAndBound explores the tree best bound first from root, whose bound
// is already computed, until it is empty, opts.Iterations nodes (default
// 5000) are processed, the clock expires or s.err is set. It returns the
// open nodes left and the number of nodes processed.
func (s *cflpSearch) branchAndBound(clk clock, root *cflpNode, opts Options) (*nodeQueue, int) {
	nodes, maxNodes := 1, opts.Iterations
	if maxNodes <= 0 {
		maxNodes = 5000
	}
	q := &nodeQueue{}
	if !s.pruned(root.bound) {
		heap.Push(q, root)
	}
	// A popped root is reprocessed only through its children: branch.
	first := true
	for q.Len() > 0 && nodes < maxNodes && !clk.expired() {
		nd := heap.Pop(q).(*cflpNode)
		if s.pruned(nd.bound) {
			continue
		}
		if !first {
			s.lagrange(clk, nd, 60, 0.5)
			nodes++
			if s.err != nil {
				break
			}
			if s.pruned(nd.bound) {
				continue
			}
		}
		first = false
		b := nd.branchVar()
		if b < 0 {
			// Every facility fixed: the node is one open set, evaluated
			// exactly by its transportation problem.
			s.eval(fixedOpen(nd.fix))
			continue
		}
		for _, v := range []int8{1, 0} {
			child := &cflpNode{fix: slices.Clone(nd.fix), lambda: slices.Clone(nd.lambda), bound: nd.bound}
			child.fix[b] = v
			heap.Push(q, child)
		}
		if nodes%50 == 0 {
			opts.report(nodes, s.ub, s.globalBound(q))
		}
	}
	return q, nodes
}

// cflpNode is a branch-and-bound node: fix[i] is -1 (free), 0 (closed)
// or 1 (open).
type cflpNode struct {
	fix    []int8
	lambda []float64
	bound  float64
	avgY   []float64 // ergodic average of y over the node's iterations
}

func (nd *cflpNode) branchVar() int {
	bi, bd := -1, 2.0
	for i, f := range nd.fix {
		if f >= 0 {
			continue
		}
		a := 0.5
		if nd.avgY != nil {
			a = nd.avgY[i]
		}
		if d := math.Abs(a - 0.5); d < bd {
			bi, bd = i, d
		}
	}
	return bi
}

func fixedOpen(fix []int8) []bool {
	o := make([]bool, len(fix))
	for i, f := range fix {
		o[i] = f == 1
	}
	return o
}

// globalBound is the smallest bound among the open nodes, or the
// incumbent's cost when the tree is empty.
func (s *cflpSearch) globalBound(q *nodeQueue) float64 {
	lb := s.ub
	for _, nd := range *q {
		lb = min(lb, nd.bound)
	}
	return lb
}

// nodeQueue is a best-bound-first priority queue.
type nodeQueue []*cflpNode

func (q nodeQueue) Len() int           { return len(q) }
func (q nodeQueue) Less(a, b int) bool { return q[a].bound < q[b].bound }
func (q nodeQueue) Swap(a, b int)      { q[a], q[b] = q[b], q[a] }
func (q *nodeQueue) Push(x any)        { *q = append(*q, x.(*cflpNode)) }
func (q *nodeQueue) Pop() any {
	o := *q
	x := o[len(o)-1]
	*q = o[:len(o)-1]
	return x
}

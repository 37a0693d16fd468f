package location

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

// Flow is an amount of one customer's demand served by one facility.
type Flow struct {
	Facility, Customer int
	Amount             int64
}

// CFLPSolution is a solution of a CFLP.
type CFLPSolution struct {
	// Cost is Σ_open Fixed[i] + Σ_flows Amount/Demand[j]·Cost[i][j].
	Cost float64
	// Open lists the open facilities, ascending, 0-based.
	Open []int
	// Flows lists the nonzero shipments, by customer then facility.
	Flows []Flow
	// LowerBound is the best proven lower bound on the optimal cost.
	LowerBound float64
	// Optimal reports that branch-and-bound closed the tree: Cost is
	// optimal within a relative tolerance of 1e-7.
	Optimal bool
	// Nodes is the number of branch-and-bound nodes explored.
	Nodes int
}

// pruneTol is the relative tolerance at which a bound prunes a node.
const pruneTol = 1e-7

// SolveCFLP solves the multi-source capacitated facility location
// problem: demand may be split between facilities.
//
// The lower bound is the Lagrangian relaxation of the demand
// constraints strengthened by the aggregate capacity constraint
// Σ s_i y_i ≥ Σ d_j (Cornuejols, Sridharan & Thizy 1991; Beasley 1988):
// for multipliers λ each facility's subproblem is a continuous knapsack,
// and choosing the facilities is a 0-1 covering knapsack, solved exactly.
// The multipliers are found by subgradient optimisation. Primal solutions
// come from the facilities the relaxation opens (a Lagrangian heuristic):
// for an open set the allocation is an exact transportation problem
// (flow.Transport), and the best set is improved by drop, add and swap
// moves. A best-first branch-and-bound over open/closed facilities, with
// the Lagrangian bound warm-started from the parent's multipliers, then
// closes the gap; it stops after opts.Iterations nodes (default 5000) or
// at the time limit, and the bound reported is the smallest among the
// open nodes.
func SolveCFLP(ctx context.Context, p *CFLP, opts Options) (*CFLPSolution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	clk := newClock(ctx, opts.TimeLimit)
	s := newCFLPSearch(ctx, p)
	if err := s.allOpen(); err != nil {
		return nil, err
	}
	root := &cflpNode{fix: make([]int8, s.m), lambda: s.initialLambda(), bound: math.Inf(-1)}
	for i := range root.fix {
		root.fix[i] = -1
	}
	s.atRoot(clk, root, opts)
	if s.err != nil {
		return nil, s.err
	}
	opts.report(0, s.ub, root.bound)
	q, nodes := s.branchAndBound(clk, root, opts)
	if s.err != nil {
		return nil, s.err
	}
	lb := s.globalBound(q)
	sol, err := s.solution()
	if err != nil {
		return nil, err
	}
	sol.LowerBound = min(lb, sol.Cost)
	sol.Optimal = q.Len() == 0 || s.pruned(lb)
	sol.Nodes = nodes
	return sol, nil
}

// allOpen prices every facility open, the first incumbent: feasible by
// Validate unless some customer has no allowed facility.
func (s *cflpSearch) allOpen() error {
	all := make([]bool, s.m)
	for i := range all {
		all[i] = true
	}
	if c := s.eval(all); math.IsInf(c, 1) {
		if s.err != nil {
			return s.err
		}
		return fmt.Errorf("%w: demand cannot be served even with every facility open", ErrInfeasible)
	}
	return nil
}

// atRoot raises the root's bound and improves the incumbent before the
// tree search. A short subgradient run finds good open sets, local search
// improves the best; a longer run then tightens the bound from where it
// was. With many facilities, where branch-and-bound cannot close the gap
// in reasonable time, the primal search goes first and the bound gets the
// time that is left.
func (s *cflpSearch) atRoot(clk clock, root *cflpNode, opts Options) {
	big := s.m > 60
	s.lagrange(clk, root, 150, 2)
	s.improve(clk, true)
	opts.report(0, s.ub, root.bound)
	if big {
		s.improve(clk, true)
		opts.report(0, s.ub, root.bound)
		s.perturb(clk, rand.New(rand.NewPCG(opts.Seed, 0x5851f42d4c957f2d)), 100)
		opts.report(0, s.ub, root.bound)
	}
	ub := s.ub
	s.lagrange(clk, root, 250, 0.5)
	if s.ub < ub {
		s.improve(clk, true)
	}
	if !big && !s.pruned(root.bound) {
		// With the final multipliers the screen is at its sharpest:
		// search the whole add and swap neighbourhood.
		s.improve(clk, true)
	}
}

// cflpSearch is the state shared by the bound, the heuristics and the
// branch-and-bound.
type cflpSearch struct {
	ctx    context.Context
	p      *CFLP
	m, n   int
	unit   []float64 // per-unit cost, unit[i*n+j] = Cost/Demand, +Inf if forbidden
	demand int64

	cache  map[string]evalEntry
	ub     float64
	best   []bool
	bestTr *flow.Transportation
	err    error // a non-recoverable error from Transport

	// Subgradient scratch.
	items [][]item
	v     []float64
	g     []float64
	y     []bool
	order []int
	// lastV holds each facility's Lagrangian value v_i at the root's best
	// multipliers, and lastLam their sum: Σλ + Σ_{i∈O} v_i is then a lower
	// bound on the cost of any open set O, which screens local-search
	// moves, and v ranks the facilities.
	lastV   []float64
	lastLam float64
	lamSum  float64 // Σλ of the last relax call
	openBuf []int
	supply  []int64

	evalEvery int // subgradient iterations between Lagrangian heuristic calls
}

// evalEntry is a priced open set: its cost and the shadow prices of the
// open facilities' capacities in its transportation problem.
type evalEntry struct {
	cost  float64
	price []float64
}

type item struct {
	j    int32
	frac float64
}

func newCFLPSearch(ctx context.Context, p *CFLP) *cflpSearch {
	m, n := p.M(), p.N()
	s := &cflpSearch{ctx: ctx, p: p, m: m, n: n, unit: make([]float64, m*n), cache: map[string]evalEntry{}, ub: math.Inf(1),
		items: make([][]item, m), v: make([]float64, m), g: make([]float64, n), y: make([]bool, m), supply: make([]int64, m)}
	s.evalEvery = 4
	if m*n > 20000 {
		s.evalEvery = 10 // each transportation problem costs milliseconds
	}
	for j := 0; j < n; j++ {
		s.demand += p.Demand[j]
		for i := 0; i < m; i++ {
			c := p.Cost[i*n+j]
			switch {
			case math.IsInf(c, 1):
				s.unit[i*n+j] = c
			case p.Demand[j] == 0:
				s.unit[i*n+j] = 0
			default:
				s.unit[i*n+j] = c / float64(p.Demand[j])
			}
		}
	}
	return s
}

func (s *cflpSearch) pruned(bound float64) bool {
	return bound >= s.ub-pruneTol*math.Abs(s.ub)
}

func (s *cflpSearch) solution() (*CFLPSolution, error) {
	if s.best == nil {
		return nil, fmt.Errorf("%w: no feasible open set found", ErrInfeasible)
	}
	p, n := s.p, s.n
	sol := &CFLPSolution{}
	for i, o := range s.best {
		if o {
			sol.Open = append(sol.Open, i)
			sol.Cost += p.Fixed[i]
		}
	}
	for j := 0; j < n; j++ {
		for i := 0; i < s.m; i++ {
			if a := s.bestTr.Flow[i*n+j]; a > 0 {
				sol.Flows = append(sol.Flows, Flow{Facility: i, Customer: j, Amount: a})
				sol.Cost += float64(a) / float64(p.Demand[j]) * p.Cost[i*n+j]
			}
		}
	}
	return sol, nil
}

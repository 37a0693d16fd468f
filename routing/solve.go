package routing

import (
	"context"
	"sync"
	"time"
)

// Solve plans routes for p. It validates p (an error is a *FieldError that
// wraps ErrInvalid and names the offending field), builds a first solution
// by greedy insertion, then improves it with SISR ruin and recreate under
// simulated annealing plus local search (see the package documentation)
// until opts.Iterations, opts.TimeLimit or ctx ends the run, and returns the
// best solution found.
// Cancelling ctx is not an error: Solve returns the best solution so far.
//
// With Options.Threads > 1, the threads run one annealing search on one
// shared plan, each committing the routes it changed unless another thread
// changed them first (see pool.go). Such a run is not reproducible: which
// steps collide depends on timing. With one thread, a run limited by
// Iterations (or Effort) alone is deterministic for a given seed.
//
// Solve does not return ErrInfeasible: a task that cannot (or should not)
// be served is listed in Solution.Unassigned with a Reason. Options.Progress
// is called on every new best; with several threads it is called from the
// thread that found it, one call at a time, while the others wait.
//
// Options.Initial, when set, is the starting point: its feasible routes are
// kept and everything else is inserted greedily before the search starts.
// The search then moves freely; nothing ties it to the initial routes.
func Solve(ctx context.Context, p *Problem, opts Options) (*Solution, error) {
	return solveWith(ctx, p, opts, true)
}

// maxThreads bounds Options.Threads: each thread holds two copies of the
// plan, and a pool gains nothing beyond the machine's cores.
const maxThreads = 256

// solveWith is Solve; exact false skips the enumeration of tiny problems, so
// that tests can hold the search itself to brute force.
func solveWith(ctx context.Context, p *Problem, opts Options, exact bool) (*Solution, error) {
	began := time.Now() // the time limit counts from here: compiling is part of the solve
	if err := validate(p); err != nil {
		return nil, err
	}
	if opts.Iterations < 0 || opts.TimeLimit < 0 || opts.Threads < 0 {
		return nil, invalid("options", "negative iterations, time limit or threads")
	}
	if opts.Threads > maxThreads {
		return nil, invalid("options.threads", "at most %d", maxThreads)
	}
	in := compile(p)
	if opts.MinimizeVehicles {
		in.weighFleet()
	}
	var initial *solution
	if opts.Initial != nil {
		var err error
		if initial, err = in.importSolution(opts.Initial); err != nil {
			return nil, err
		}
	}
	expired := func() bool {
		return (opts.TimeLimit > 0 && time.Since(began) >= opts.TimeLimit) || ctx.Err() != nil
	}
	if exact {
		if sol := solveExactly(ctx, in, opts, began); sol != nil {
			return in.export(sol, expired), nil
		}
	}
	threads := max(opts.Threads, 1)
	var mu sync.Mutex
	globalBest := noCost
	report := func(s *search) {
		if opts.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if s.best.cost >= globalBest {
			return
		}
		globalBest = s.best.cost
		used := 0
		for v := range s.best.routes {
			if !s.best.routes[v].empty() {
				used++
			}
		}
		opts.Progress(Progress{
			Elapsed:    time.Since(began),
			Iteration:  s.iter,
			BestCost:   in.publicCost(s.best),
			Routes:     used,
			Unassigned: s.best.nUnassigned,
			// A checkpoint needs the routes, not why tasks are left out:
			// skip the diagnostics' insertion attempts.
			Best: func() *Solution { return in.export(s.best, func() bool { return true }) },
		})
	}
	lead := newSearch(in, opts, opts.Seed)
	lead.start = began
	lead.report = report
	var best *solution
	ss := []*search{lead}
	iterations := func() int { return lead.iter }
	if threads == 1 {
		lead.run(ctx, initial)
		best = lead.best
	} else {
		for i := 1; i < threads; i++ {
			s := newSearch(in, opts, opts.Seed*1_000_003+int64(i)*0x5bd1e995)
			s.report = report
			ss = append(ss, s)
		}
		pl := newPool(in, ss)
		best = pl.run(ctx, initial)
		iterations = func() int { return int(pl.iters.Load()) }
	}
	lead.finish(best)
	sol := in.export(best, expired)
	sol.Iterations = iterations()
	return sol, nil
}

// solveExactly enumerates a tiny problem (see exact.go) and returns an
// optimal solution, or nil when the problem is too big to enumerate or the
// time limit or ctx ended the enumeration.
func solveExactly(ctx context.Context, in *compiled, opts Options, began time.Time) *solution {
	if in.nTasks == 0 || in.enumerationSize(exactLeaves) > exactLeaves {
		return nil
	}
	stop := func() bool {
		if opts.TimeLimit > 0 && time.Since(began) >= opts.TimeLimit {
			return true
		}
		return ctx.Err() != nil
	}
	sol := in.enumerate(in.metric(), exactSteps, stop)
	if sol != nil && opts.Progress != nil {
		used := 0
		for v := range sol.routes {
			if !sol.routes[v].empty() {
				used++
			}
		}
		opts.Progress(Progress{Elapsed: time.Since(began), BestCost: in.publicCost(sol), Routes: used, Unassigned: sol.nUnassigned})
	}
	return sol
}

// weighFleet gives every vehicle the internal cost of being used that
// makes the fleet's size the objective's second rank: a used vehicle
// outweighs any plan's cost, and all of them together less than one
// required stop.
func (in *compiled) weighFleet() {
	w := requiredPenalty / int64(len(in.veh)+1)
	for v := range in.veh {
		in.veh[v].fleet = w
	}
}

// publicCost is a solution's cost as Solution.Cost reports it: route costs
// plus the penalties of unassigned tasks (zero for required ones).
func (in *compiled) publicCost(s *solution) int64 {
	var c int64
	for v := range s.routes {
		if r := &s.routes[v]; !r.empty() {
			c += r.cost - in.veh[v].fleet
		}
	}
	for t, u := range s.unassigned {
		if !u {
			continue
		}
		if t < in.nJobs {
			c += in.p.Jobs[t].Penalty
		} else {
			c += in.p.Shipments[t-in.nJobs].Penalty
		}
	}
	return c
}

// finish inserts, without blinks, any task that still fits, so that the
// unassigned list holds only tasks that cannot or should not be served
// (or, past the time limit, that there was no time left to insert).
func (s *search) finish(sol *solution) {
	for t := 0; t < s.in.nTasks; t++ {
		if sol.unassigned[t] {
			s.removed = append(s.removed, int32(t))
		}
	}
	if len(s.removed) > 0 {
		s.recreate(sol, 0)
	}
	s.dropReloads(sol)
	for _, v := range s.dirty {
		s.dirtyMark[v] = false
	}
	s.dirty = s.dirty[:0]
}

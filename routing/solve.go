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
// With Options.Threads > 1, independent searches run with seeds derived
// from opts.Seed, and the best wins (ties go to the lowest thread). A run
// limited by Iterations alone is deterministic for a given seed.
//
// Solve does not return ErrInfeasible: a task that cannot (or should not)
// be served is listed in Solution.Unassigned with a Reason. Options.Progress
// is called on every new best; with several threads it is called from the
// thread that found it, one call at a time.
//
// Options.Initial, when set, is the starting point: its feasible routes are
// kept and everything else is inserted greedily before the search starts.
// The search then moves freely; nothing ties it to the initial routes.
func Solve(ctx context.Context, p *Problem, opts Options) (*Solution, error) {
	if err := validate(p); err != nil {
		return nil, err
	}
	if opts.Iterations < 0 || opts.TimeLimit < 0 || opts.Threads < 0 {
		return nil, invalid("options", "negative iterations, time limit or threads")
	}
	in := compile(p)
	var initial *solution
	if opts.Initial != nil {
		var err error
		if initial, err = in.importSolution(opts.Initial); err != nil {
			return nil, err
		}
	}
	threads := max(opts.Threads, 1)
	began := time.Now()
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
			Best:       func() *Solution { return in.export(s.best) },
		})
	}
	searches := make([]*search, threads)
	var wg sync.WaitGroup
	for i := range searches {
		seed := opts.Seed
		if i > 0 {
			seed = opts.Seed*1_000_003 + int64(i)*0x5bd1e995
		}
		s := newSearch(in, opts, seed)
		s.report = report
		searches[i] = s
		if threads == 1 {
			s.run(ctx, initial)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(ctx, initial)
		}()
	}
	wg.Wait()
	best := searches[0]
	for _, s := range searches[1:] {
		if s.best.cost < best.best.cost {
			best = s
		}
	}
	best.finish(best.best)
	return in.export(best.best), nil
}

// publicCost is a solution's cost as Solution.Cost reports it: route costs
// plus the penalties of unassigned tasks (zero for required ones).
func (in *compiled) publicCost(s *solution) int64 {
	var c int64
	for v := range s.routes {
		c += s.routes[v].cost
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
// unassigned list holds only tasks that cannot or should not be served.
func (s *search) finish(sol *solution) {
	for t := 0; t < s.in.nTasks; t++ {
		if sol.unassigned[t] {
			s.removed = append(s.removed, int32(t))
		}
	}
	if len(s.removed) > 0 {
		s.recreate(sol, 0)
	}
	for _, v := range s.dirty {
		s.dirtyMark[v] = false
	}
	s.dirty = s.dirty[:0]
}

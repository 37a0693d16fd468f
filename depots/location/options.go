package location

import (
	"context"
	"time"
)

// Options bounds and observes a solver run. The zero value runs each
// solver with its default iteration budget and no time limit; tests set
// Iterations for determinism, the CLI sets TimeLimit.
type Options struct {
	// TimeLimit bounds the run (0: no limit); the search stops at 98% of
	// it so that the answer arrives within it. A run that stops early
	// still returns its best solution and bound.
	TimeLimit time.Duration
	// Seed seeds every random choice; equal seeds give equal results
	// when no TimeLimit cuts the run short.
	Seed uint64
	// Iterations is the main-loop budget of the solver (VNS iterations
	// for p-median and capacitated p-median, branch-and-bound nodes for
	// CFLP); 0 selects a default.
	Iterations int
	// Progress, if set, is called now and then with the state of the
	// search. It must be cheap.
	Progress func(Progress)
}

// Progress reports a solver's state.
type Progress struct {
	Iteration  int
	Best       float64 // cost of the best solution so far
	LowerBound float64 // best lower bound so far, 0 if none
}

// clock tracks the deadline and context for a solver.
type clock struct {
	ctx      context.Context
	deadline time.Time
}

func newClock(ctx context.Context, limit time.Duration) clock {
	c := clock{ctx: ctx}
	if limit > 0 {
		// Stop a little early: the work between two checks and building
		// the solution must still fit in the limit.
		c.deadline = time.Now().Add(limit - limit/50)
	}
	return c
}

// expired reports whether the run must stop: the context is done or the
// time limit has passed.
func (c clock) expired() bool {
	if c.ctx.Err() != nil {
		return true
	}
	return !c.deadline.IsZero() && time.Now().After(c.deadline)
}

func (o Options) report(it int, best, lb float64) {
	if o.Progress != nil {
		o.Progress(Progress{Iteration: it, Best: best, LowerBound: lb})
	}
}

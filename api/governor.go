package api

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/sync/semaphore"
)

// governor bounds the solves (routing and planner runs) that run at once,
// so that a flood of long requests queues for CPU instead of slowing every
// solve and the health checks together. A synchronous request waits at most
// wait for a slot, then is refused with 503 and Retry-After; a job worker
// waits as long as its job's context allows.
type governor struct {
	slots chan struct{}
	wait  time.Duration
}

func newGovernor(n int, wait time.Duration) *governor {
	return &governor{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot and returns the function that gives it back. With
// bounded, it gives up after g.wait with errBusy.
func (g *governor) acquire(ctx context.Context, bounded bool) (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	default:
	}
	var timeout <-chan time.Time
	if bounded {
		t := time.NewTimer(g.wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case g.slots <- struct{}{}:
		return g.release, nil
	case <-timeout:
		return nil, errorf(errBusy, "all %d solver slots are busy; retry shortly or submit an asynchronous job", cap(g.slots))
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *governor) release() { <-g.slots }

// running is the number of slots taken, for the metrics.
func (g *governor) running() int { return len(g.slots) }

// governed runs h in a solver slot: planner runs (allocation, location,
// coverage, sites, urban and rural plans) compete for the same CPUs as
// routing solves.
func (s *Server) governed(h func(w http.ResponseWriter, r *http.Request) error) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		release, err := s.solves.acquire(r.Context(), true)
		if err != nil {
			return err
		}
		defer release()
		return h(w, r)
	}
}

// bodyBudget bounds the request bytes held at once, so that many
// concurrent large bodies cannot together exhaust memory: each request with
// a body reserves twice its declared length (the bytes, then what they
// decode to), or twice MaxBodyBytes when it declares none, until its
// handler returns. A request that cannot reserve within wait gets 503.
type bodyBudget struct {
	sem  *semaphore.Weighted
	max  int64
	wait time.Duration
}

func newBodyBudget(total int64, wait time.Duration) *bodyBudget {
	return &bodyBudget{sem: semaphore.NewWeighted(total), max: total, wait: wait}
}

// reserve holds the bytes r's body may need; release gives them back.
func (b *bodyBudget) reserve(r *http.Request, maxBody int64) (release func(), err error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return func() {}, nil
	}
	n := r.ContentLength
	if n < 0 || n > maxBody {
		n = maxBody
	}
	n = min(2*n, b.max)
	ctx, cancel := context.WithTimeout(r.Context(), b.wait)
	defer cancel()
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, errorf(errBusy, "the server is reading too many large requests; retry shortly")
	}
	return func() { b.sem.Release(n) }, nil
}

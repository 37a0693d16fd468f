package api

import (
	"context"
	"errors"
	"sync"

	"github.com/lastmile-dev/lastmile/store"
)

// errOverQuota makes a worker put a job back: its owner already runs
// MaxRunningPerKey jobs.
var errOverQuota = errors.New("api: the job's owner runs its quota of jobs")

// quotas holds the per-key limits that need state in this process: open
// progress streams. Queued and running jobs are counted in the store, so
// that the limits hold across servers and workers.
type quotas struct {
	s       *Server
	mu      sync.Mutex
	streams map[string]int
}

func newQuotas(s *Server) *quotas { return &quotas{s: s, streams: map[string]int{}} }

// openStream counts a progress stream of owner, or refuses it with 429
// when owner has MaxStreamsPerKey open here.
func (q *quotas) openStream(owner string) (release func(), err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n := q.streams[owner]; n >= q.s.cfg.MaxStreamsPerKey {
		return nil, errorf(errRateLimited, "this key has %d progress streams open, the most allowed; close one, or poll GET /v1/jobs/{id}", n)
	}
	q.streams[owner]++
	return func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		if q.streams[owner]--; q.streams[owner] <= 0 {
			delete(q.streams, owner)
		}
	}, nil
}

// checkQueued refuses a new job with 429 when owner already has
// MaxQueuedPerKey unfinished (queued or running) jobs.
func (s *Server) checkQueued(ctx context.Context, owner string) error {
	counts, err := s.store.CountJobs(ctx, owner)
	if err != nil {
		return err
	}
	if n := counts[store.JobQueued] + counts[store.JobRunning]; n >= s.cfg.MaxQueuedPerKey {
		return errorf(errRateLimited, "this key has %d unfinished jobs, the most allowed; wait for one to finish or cancel one", n)
	}
	return nil
}

package api

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/routing/instance"
)

// budget bounds the problems one endpoint accepts. Sizes are counted on the
// decoded document before any travel matrix is built (instance.Size), so an
// over-budget request costs its body and nothing more.
type budget struct {
	kind         string // "synchronous" or "job", for messages
	maxTasks     int    // jobs plus shipments; 0 is no limit
	maxLocations int
	maxBytes     int64
}

func (s *Server) syncBudget() budget {
	return budget{kind: "synchronous", maxTasks: s.cfg.MaxSyncTasks, maxLocations: s.cfg.MaxSyncLocations, maxBytes: s.cfg.MaxSolveBytes}
}

func (s *Server) jobBudget() budget {
	return budget{kind: "job", maxLocations: s.cfg.MaxJobLocations, maxBytes: s.cfg.MaxSolveBytes}
}

// instanceOf checks doc against b, converts it (building its travel matrix)
// and validates the result exactly as the solver will, so that every
// endpoint, synchronous or not, accepts the same problems.
func (s *Server) instanceOf(ctx context.Context, doc *instance.Problem, b budget) (*instance.Instance, error) {
	size := doc.Size()
	if n := len(doc.Jobs) + len(doc.Shipments); b.maxTasks > 0 && n > b.maxTasks {
		return nil, &statusError{err: errTooBig,
			detail: fmt.Sprintf("%d tasks exceed the %s limit of %d: submit it to POST /v1/jobs", n, b.kind, b.maxTasks),
			params: []invalidParam{{Name: "jobs", Reason: fmt.Sprintf("%d tasks, at most %d here", n, b.maxTasks)}}}
	}
	if err := size.Check(instance.Limits{MaxLocations: b.maxLocations, MaxBytes: b.maxBytes}); err != nil {
		return nil, err
	}
	in, err := instance.FromJSON(ctx, doc, s.cfg.Matrix)
	if err != nil {
		return nil, err
	}
	if err := in.Problem.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

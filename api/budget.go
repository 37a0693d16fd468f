package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/lastmile-dev/lastmile/routing/instance"
)

// budget bounds the problems one endpoint accepts. Sizes are counted on the
// decoded document before any travel matrix is built (instance.Size), so an
// over-budget request costs its body and nothing more.
type budget struct {
	kind         string // "synchronous" or "job", for messages
	maxTasks     int    // jobs plus shipments
	maxVehicles  int
	maxLocations int
	maxBytes     int64
}

func (s *Server) syncBudget() budget {
	return budget{kind: "synchronous", maxTasks: s.cfg.MaxSyncTasks, maxVehicles: s.cfg.MaxVehicles,
		maxLocations: s.cfg.MaxSyncLocations, maxBytes: s.cfg.MaxSolveBytes}
}

func (s *Server) jobBudget() budget {
	return budget{kind: "job", maxTasks: s.cfg.MaxJobTasks, maxVehicles: s.cfg.MaxVehicles,
		maxLocations: s.cfg.MaxJobLocations, maxBytes: s.cfg.MaxSolveBytes}
}

// checkDeclared refuses a problem body whose arrays are longer than b
// allows, counting them in the raw bytes (arrayLengths) before the body is
// decoded: decoding 100,000 jobs costs tens of megabytes before any other
// check could run. It reads the native format and VROOM's alike.
func (b budget) checkDeclared(body []byte) error {
	n := arrayLengths(body, "jobs", "shipments", "vehicles", "locations", "matrix", "matrix.durations", "matrices.*.durations")
	if err := b.checkCounts(n["jobs"]+n["shipments"], n["vehicles"]); err != nil {
		return err
	}
	rows := max(n["locations"], n["matrix"], n["matrix.durations"], n["matrices.*.durations"])
	if rows > b.maxLocations {
		return &statusError{err: errTooBig,
			detail: fmt.Sprintf("%d locations (or matrix rows) exceed the %s limit of %d", rows, b.kind, b.maxLocations),
			params: []invalidParam{{Name: "locations", Reason: fmt.Sprintf("%d locations, the limit is %d", rows, b.maxLocations)}}}
	}
	return nil
}

// checkCounts refuses more tasks or vehicles than b allows.
func (b budget) checkCounts(tasks, vehicles int) error {
	if tasks > b.maxTasks {
		hint := ""
		if b.kind == "synchronous" {
			hint = ": submit it to POST /v1/jobs"
		}
		return &statusError{err: errTooBig,
			detail: fmt.Sprintf("%d tasks exceed the %s limit of %d%s", tasks, b.kind, b.maxTasks, hint),
			params: []invalidParam{{Name: "jobs", Reason: fmt.Sprintf("%d tasks, the limit is %d", tasks, b.maxTasks)}}}
	}
	if vehicles > b.maxVehicles {
		return &statusError{err: errTooBig,
			detail: fmt.Sprintf("%d vehicles exceed the limit of %d", vehicles, b.maxVehicles),
			params: []invalidParam{{Name: "vehicles", Reason: fmt.Sprintf("%d vehicles, the limit is %d", vehicles, b.maxVehicles)}}}
	}
	return nil
}

// instanceOf checks doc against b, converts it (building its travel matrix)
// and validates the result exactly as the solver will, so that every
// endpoint, synchronous or not, accepts the same problems.
func (s *Server) instanceOf(ctx context.Context, doc *instance.Problem, b budget) (*instance.Instance, error) {
	if err := b.checkCounts(len(doc.Jobs)+len(doc.Shipments), len(doc.Vehicles)); err != nil {
		return nil, err
	}
	if err := s.checkRegion(doc); err != nil {
		return nil, err
	}
	size := doc.Size()
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

// checkMatrixPoints refuses a planner run whose travel matrix over n points
// would break the job budget: more points than MaxJobLocations, or more
// than MaxSolveBytes for the two n×n matrices. path names the request's
// point arrays.
func (s *Server) checkMatrixPoints(path string, n int) error {
	b := s.jobBudget()
	bytes := int64(n) * int64(n) * 8
	if n > b.maxLocations || bytes > b.maxBytes {
		reason := fmt.Sprintf("%d points need a %d×%d travel matrix (about %d MiB); the limits are %d points and %d MiB",
			n, n, n, bytes>>20, b.maxLocations, b.maxBytes>>20)
		return &statusError{err: errTooBig, detail: reason, params: []invalidParam{{Name: path, Reason: reason}}}
	}
	return nil
}

// checkDeclaredPoints counts the given arrays in the raw body and refuses
// the request when their total breaks checkMatrixPoints, before decoding.
func (s *Server) checkDeclaredPoints(body []byte, paths ...string) error {
	n := 0
	for _, c := range arrayLengths(body, paths...) {
		n += c
	}
	return s.checkMatrixPoints(strings.Join(paths, " + "), n)
}

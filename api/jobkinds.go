package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/lastmile-dev/lastmile/store"
	"github.com/riverqueue/river"
)

// Job kinds: an optimize job solves a routing problem (POST /v1/jobs); the
// others run a planner (POST /v1/plans/{kind} with Prefer: respond-async).
// Each kind is a River job kind with its own arguments type and worker.
const kindOptimize = "optimize"

var planKinds = []string{"allocation", "location", "coverage", "sites", "urban", "rural"}

// OptimizeArgs are the River arguments of an optimize job: the job's id;
// its request is in the job's row.
type OptimizeArgs struct {
	JobID string `json:"job_id"`
}

// Kind is the River job kind.
func (OptimizeArgs) Kind() string { return kindOptimize }

// PlanJob is what every planner job's arguments hold: the job's id (its
// request body is in the job's row) and the request's query string
// (?single_source=true, ?format=geojson).
type PlanJob struct {
	JobID string `json:"job_id"`
	Query string `json:"query,omitempty"`
}

func (p PlanJob) plan() PlanJob { return p }

// The planner jobs' arguments, one type per River kind.
type (
	AllocationArgs struct{ PlanJob }
	LocationArgs   struct{ PlanJob }
	CoverageArgs   struct{ PlanJob }
	SitesArgs      struct{ PlanJob }
	UrbanArgs      struct{ PlanJob }
	RuralArgs      struct{ PlanJob }
)

func (AllocationArgs) Kind() string { return "allocation" }
func (LocationArgs) Kind() string   { return "location" }
func (CoverageArgs) Kind() string   { return "coverage" }
func (SitesArgs) Kind() string      { return "sites" }
func (UrbanArgs) Kind() string      { return "urban" }
func (RuralArgs) Kind() string      { return "rural" }

// planArgs is any planner job's arguments.
type planArgs interface {
	river.JobArgs
	plan() PlanJob
}

// jobArgs builds the River arguments of a job of kind.
func jobArgs(kind, id, query string) (river.JobArgs, error) {
	p := PlanJob{JobID: id, Query: query}
	switch kind {
	case kindOptimize:
		return OptimizeArgs{JobID: id}, nil
	case "allocation":
		return AllocationArgs{p}, nil
	case "location":
		return LocationArgs{p}, nil
	case "coverage":
		return CoverageArgs{p}, nil
	case "sites":
		return SitesArgs{p}, nil
	case "urban":
		return UrbanArgs{p}, nil
	case "rural":
		return RuralArgs{p}, nil
	}
	return nil, fmt.Errorf("api: unknown job kind %q", kind)
}

// OptimizeWorker runs optimize jobs.
type OptimizeWorker struct {
	river.WorkerDefaults[OptimizeArgs]
	s *Server
}

// Work solves the job's problem and stores the outcome.
func (w *OptimizeWorker) Work(ctx context.Context, job *river.Job[OptimizeArgs]) error {
	return snoozeOverQuota(w.s.runJob(ctx, job.Args.JobID, job.ID, w.s.solveJob))
}

// snoozeFor is how long a job whose owner runs its quota waits.
const snoozeFor = time.Second

// snoozeOverQuota turns errOverQuota into River's snooze: the job goes back
// to the queue for snoozeFor, without counting as a failed attempt.
func snoozeOverQuota(err error) error {
	if errors.Is(err, errOverQuota) {
		return river.JobSnooze(snoozeFor)
	}
	return err
}

// PlanWorker runs the planner jobs of one kind.
type PlanWorker[A planArgs] struct {
	river.WorkerDefaults[A]
	s *Server
}

// Work runs the planner on the job's request and stores the outcome.
func (w *PlanWorker[A]) Work(ctx context.Context, job *river.Job[A]) error {
	p := job.Args.plan()
	return snoozeOverQuota(w.s.runJob(ctx, p.JobID, job.ID, func(ctx context.Context, r *jobRun) store.Outcome {
		return w.s.planJob(ctx, job.Args.Kind(), p.Query, r)
	}))
}

// Workers returns a River worker for every job kind, all running on s.
func (s *Server) Workers() *river.Workers {
	ws := river.NewWorkers()
	river.AddWorker(ws, &OptimizeWorker{s: s})
	river.AddWorker(ws, &PlanWorker[AllocationArgs]{s: s})
	river.AddWorker(ws, &PlanWorker[LocationArgs]{s: s})
	river.AddWorker(ws, &PlanWorker[CoverageArgs]{s: s})
	river.AddWorker(ws, &PlanWorker[SitesArgs]{s: s})
	river.AddWorker(ws, &UrbanWorker{s: s})
	river.AddWorker(ws, &UrbanPartWorker{s: s})
	river.AddWorker(ws, &PlanWorker[RuralArgs]{s: s})
	return ws
}

// work runs one attempt of a job of the local queue, as its River worker
// would.
func (s *Server) work(ctx context.Context, args river.JobArgs, queueID int64) error {
	if a, ok := args.(OptimizeArgs); ok {
		return s.runJob(ctx, a.JobID, queueID, s.solveJob)
	}
	p := args.(planArgs).plan()
	return s.runJob(ctx, p.JobID, queueID, func(ctx context.Context, r *jobRun) store.Outcome {
		return s.planJob(ctx, args.Kind(), p.Query, r)
	})
}

// planRoute serves a planner endpoint: synchronously in a solver slot, or,
// with Prefer: respond-async, as a job (202 with its Location).
func (s *Server) planRoute(kind string, h func(w http.ResponseWriter, r *http.Request) error) func(w http.ResponseWriter, r *http.Request) error {
	s.planners[kind] = h
	sync := s.governed(h)
	return func(w http.ResponseWriter, r *http.Request) error {
		if !preferAsync(r) {
			return sync(w, r)
		}
		body, err := s.readBody(w, r)
		if err != nil {
			return err
		}
		if err := s.validatePlan(r, h, body); err != nil {
			return err
		}
		w.Header().Set("Preference-Applied", "respond-async")
		return s.accept(w, r, kind, body, r.URL.RawQuery)
	}
}

// planJob is the core of a planner job: it runs the planner's handler on
// the stored request, in a solver slot, as the job's owner, and makes the
// outcome from its answer. The handler validates the request exactly as
// for a synchronous call, and its plan id is derived from the job's, so a
// retried attempt does not store a second plan.
func (s *Server) planJob(ctx context.Context, kind, query string, r *jobRun) store.Outcome {
	h := s.planners[kind]
	release, err := s.solves.acquire(ctx, false)
	if err != nil {
		return store.Outcome{Status: store.JobCancelled}
	}
	defer release()
	ctx = context.WithValue(ctx, principalKey{}, &principal{Role: RolePlanner, Name: r.job.Owner})
	ctx = context.WithValue(ctx, jobRunKey{}, r)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/v1/plans/"+kind+"?"+query, io.NopCloser(bytes.NewReader(r.job.Request)))
	if err != nil {
		return store.Outcome{Status: store.JobFailed, Error: "the stored request no longer parses"}
	}
	req.URL = &url.URL{Path: "/v1/plans/" + kind, RawQuery: query}
	req.ContentLength = int64(len(r.job.Request))
	req.Header.Set("Content-Type", "application/json")
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	start := time.Now()
	err = h(rec, req)
	prog := store.JobProgress{ElapsedSeconds: time.Since(start).Seconds()}
	if r.fanout {
		r.mu.Lock()
		prog = r.progress
		r.mu.Unlock()
	}
	switch {
	case errors.Is(err, errParked):
		r.parked = true
		return store.Outcome{}
	case err != nil && ctx.Err() != nil:
		return store.Outcome{Status: store.JobCancelled}
	case err != nil:
		p := problemFor(err)
		if p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
			s.log.Error("plan job failed", "job", r.job.ID, "kind", kind, "err", err)
		}
		detail := p.Detail
		if detail == "" {
			detail = p.Title
		}
		return store.Outcome{Status: store.JobFailed, Error: detail, Progress: prog}
	case !json.Valid(rec.body.Bytes()):
		return store.Outcome{Status: store.JobFailed, Error: "internal error", Progress: prog}
	}
	return store.Outcome{Status: store.JobSucceeded, Result: rec.body.Bytes(), Progress: prog}
}

// planID is the id of the plan a request stores: new for an HTTP request,
// derived from the job's id for a job, so that its attempts store one
// plan.
func planID(ctx context.Context) string {
	if r := jobRunFrom(ctx); r != nil {
		return "plan_" + r.job.ID
	}
	return newID("plan_")
}

// isRetriedPlan reports whether err is a job attempt finding the plan that
// an earlier attempt stored.
func isRetriedPlan(ctx context.Context, err error) bool {
	return jobRunFrom(ctx) != nil && errors.Is(err, store.ErrConflict)
}

// recorder is the http.ResponseWriter a planner job's handler writes to.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.code = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// errValid ends a planner handler run in validation mode: the request got
// through every check the handler makes before its heavy work.
var errValid = errors.New("api: request valid")

type validateOnlyKey struct{}

// checked returns errValid when r runs in validation mode, so that the
// handler stops just before its heavy work; nil otherwise. Every planner
// handler calls it once it has checked all of its input.
func checked(r *http.Request) error {
	if v, _ := r.Context().Value(validateOnlyKey{}).(bool); v {
		return errValid
	}
	return nil
}

// validatePlan runs planner handler h on body in validation mode, so that
// an asynchronous plan is refused with the same 4xx a synchronous call
// would get, at submission, rather than accepted with 202 and failed later.
func (s *Server) validatePlan(r *http.Request, h func(w http.ResponseWriter, r *http.Request) error, body []byte) error {
	vr := r.Clone(context.WithValue(r.Context(), validateOnlyKey{}, true))
	vr.Body, vr.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	err := h(&recorder{header: http.Header{}, code: http.StatusOK}, vr)
	switch {
	case errors.Is(err, errValid):
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("api: planner handler finished in validation mode")
}

package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/store"
)

// Causes of a job's cancellation.
var (
	errJobCancelled = errors.New("api: job cancelled by the client")
	errShutdown     = errors.New("api: server shutting down")
)

// queue is the bounded worker pool that runs asynchronous jobs. Jobs wait
// in pending (at most Config.QueueSize submitted ones, plus any re-queued at
// start); each worker takes the oldest.
type queue struct {
	s *Server

	mu       sync.Mutex
	cond     *sync.Cond
	pending  []string
	running  map[string]context.CancelCauseFunc
	stopping bool
	started  bool
	wg       sync.WaitGroup
}

func newQueue(s *Server) *queue {
	q := &queue{s: s, running: map[string]context.CancelCauseFunc{}}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// start re-queues the jobs a previous server left queued or running, then
// starts the workers.
func (q *queue) start(ctx context.Context) error {
	jobs, err := q.s.store.PendingJobs(ctx)
	if err != nil {
		return fmt.Errorf("api: re-queue pending jobs: %w", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		return nil
	}
	q.started = true
	for _, j := range jobs {
		if j.Status == store.JobRunning {
			j.Status = store.JobQueued
			if err := q.s.store.UpdateJob(ctx, j); err != nil {
				return fmt.Errorf("api: re-queue job %s: %w", j.ID, err)
			}
		}
		q.pending = append(q.pending, j.ID)
	}
	if len(jobs) > 0 {
		q.s.log.Info("re-queued jobs left by a previous server", "count", len(jobs))
	}
	q.gauges()
	for range q.s.cfg.Workers {
		q.wg.Add(1)
		go q.worker()
	}
	return nil
}

func (q *queue) gauges() {
	q.s.metrics.JobsQueued.Set(float64(len(q.pending)))
	q.s.metrics.JobsRunning.Set(float64(len(q.running)))
}

// enqueue adds a created job, or reports that the queue is full or closing.
func (q *queue) enqueue(id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return errorf(ErrUnavailable, "the server is shutting down; submit the job again later")
	}
	if len(q.pending) >= q.s.cfg.QueueSize {
		return errorf(ErrUnavailable, "the job queue is full (%d jobs waiting)", len(q.pending))
	}
	q.pending = append(q.pending, id)
	q.gauges()
	q.cond.Signal()
	return nil
}

// next blocks until a job is waiting or the queue stops.
func (q *queue) next() (string, context.Context, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) == 0 && !q.stopping {
		q.cond.Wait()
	}
	if q.stopping {
		return "", nil, false
	}
	id := q.pending[0]
	q.pending = q.pending[1:]
	ctx, cancel := context.WithCancelCause(context.Background())
	q.running[id] = cancel
	q.gauges()
	return id, ctx, true
}

// cancel cancels a job of this queue. A running job's worker stores the
// outcome, and cancel reports true; a waiting job is dropped from the queue
// and, as for a job this queue does not know, the caller marks it
// cancelled.
func (q *queue) cancel(id string) (running bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if c, ok := q.running[id]; ok {
		c(errJobCancelled)
		return true
	}
	for i, p := range q.pending {
		if p == id {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			q.gauges()
			break
		}
	}
	return false
}

// shutdown stops the workers from taking jobs, waits for running jobs until
// ctx is done, then cancels them; they are stored back as queued.
func (q *queue) shutdown(ctx context.Context) error {
	q.mu.Lock()
	q.stopping = true
	q.cond.Broadcast()
	waiting := len(q.pending)
	q.mu.Unlock()
	if waiting > 0 {
		persistent := true
		if p, ok := q.s.store.(interface{ Persistent() bool }); ok {
			persistent = p.Persistent()
		}
		q.s.log.Warn("jobs still queued at shutdown", "count", waiting, "persisted", persistent)
	}
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	for _, c := range q.running {
		c(errShutdown)
	}
	q.mu.Unlock()
	<-done
	return nil
}

func (q *queue) worker() {
	defer q.wg.Done()
	for {
		id, ctx, ok := q.next()
		if !ok {
			return
		}
		q.runSafely(ctx, id)
		q.mu.Lock()
		if c, ok := q.running[id]; ok {
			c(nil)
			delete(q.running, id)
		}
		q.gauges()
		q.mu.Unlock()
	}
}

// runSafely runs the job, turning a panic outside the solver (which
// safeSolve already guards) into a failed job rather than a dead process.
func (q *queue) runSafely(ctx context.Context, id string) {
	defer func() {
		if v := recover(); v != nil {
			q.s.log.Error("job panic", "job", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			bg := context.WithoutCancel(ctx)
			if j, err := q.s.store.Job(bg, id); err == nil {
				q.finish(bg, j, store.JobFailed, nil, "internal error")
			}
		}
	}()
	q.run(ctx, id)
}

// run solves one job, persisting progress every ProgressInterval and the
// outcome at the end. Store writes use a background context: the outcome
// must be saved even when the job's context was cancelled.
func (q *queue) run(ctx context.Context, id string) {
	s := q.s
	bg := context.WithoutCancel(ctx)
	j, err := s.store.Job(bg, id)
	if err != nil {
		s.log.Error("job vanished from the store", "job", id, "err", err)
		return
	}
	if j.Status.Final() {
		return
	}
	in, o, err := s.decodeSolveRequest(bg, j.Request, s.jobBudget())
	if err != nil { // validated at submission; only a schema change gets here
		q.finish(bg, j, store.JobFailed, nil, "the stored request no longer decodes: "+problemFor(err).Detail)
		return
	}
	j.Status = store.JobRunning
	if err := s.store.UpdateJob(bg, j); err != nil {
		s.log.Error("job: mark running", "job", id, "err", err)
	}

	var (
		mu      sync.Mutex
		latest  store.JobProgress
		changed bool
	)
	opts := routingOptions(o, s.cfg.MaxJobTime, s.cfg.MaxJobTime)
	start := time.Now()
	opts.Progress = func(p routing.Progress) {
		mu.Lock()
		latest = store.JobProgress{BestCost: money(p.BestCost), ElapsedSeconds: p.Elapsed.Seconds(), Iteration: p.Iteration,
			Routes: p.Routes, Unassigned: p.Unassigned}
		changed = true
		mu.Unlock()
	}
	stopSaver := make(chan struct{})
	saverDone := make(chan struct{})
	go func() { // persists progress off the solver's goroutine
		defer close(saverDone)
		t := time.NewTicker(s.cfg.ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-stopSaver:
				return
			case <-t.C:
				mu.Lock()
				p, c := latest, changed
				changed = false
				mu.Unlock()
				if !c {
					continue
				}
				j.Progress = p
				if err := s.store.UpdateJob(bg, j); err != nil {
					s.log.Warn("job: save progress", "job", id, "err", err)
				}
			}
		}
	}()
	sol, err := s.solve(ctx, "job", in.Problem, opts)
	close(stopSaver)
	<-saverDone
	mu.Lock()
	j.Progress = latest
	mu.Unlock()
	j.Progress.ElapsedSeconds = time.Since(start).Seconds()

	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errShutdown):
		j.Progress = store.JobProgress{}
		q.finish(bg, j, store.JobQueued, nil, "")
		s.log.Info("job interrupted by shutdown; stored as queued", "job", id)
	case errors.Is(cause, errJobCancelled):
		var res json.RawMessage
		if sol != nil {
			res, _ = json.Marshal(newSolutionDoc(in, sol))
		}
		q.finish(bg, j, store.JobCancelled, res, "")
	case err != nil:
		msg := problemFor(err)
		if msg.Status >= 500 && msg.Status != http.StatusServiceUnavailable {
			s.log.Error("job failed", "job", id, "err", err)
		}
		detail := msg.Detail
		if detail == "" {
			detail = msg.Title
		}
		q.finish(bg, j, store.JobFailed, nil, detail)
	default:
		doc := newSolutionDoc(in, sol)
		doc.TimeLimitMs = opts.TimeLimit.Milliseconds()
		j.Progress.BestCost, j.Progress.Routes, j.Progress.Unassigned = doc.Cost, len(sol.Routes), len(sol.Unassigned)
		res, err := json.Marshal(doc)
		if err != nil {
			q.finish(bg, j, store.JobFailed, nil, "internal error")
			return
		}
		q.finish(bg, j, store.JobSucceeded, res, "")
	}
}

func (q *queue) finish(ctx context.Context, j *store.Job, st store.JobStatus, result json.RawMessage, msg string) {
	// A server sharing the database may have cancelled the job meanwhile:
	// the cancellation stands, with whatever result was found.
	if cur, err := q.s.store.Job(ctx, j.ID); err == nil && cur.Status == store.JobCancelled {
		st, msg = store.JobCancelled, ""
	}
	j.Status, j.Result, j.Error = st, result, msg
	if err := q.s.store.UpdateJob(ctx, j); err != nil {
		q.s.log.Error("job: save outcome", "job", j.ID, "status", st, "err", err)
	}
}

// jobDoc is a job as the API returns it.
type jobDoc struct {
	ID        string            `json:"id"`
	Status    store.JobStatus   `json:"status"`
	Progress  store.JobProgress `json:"progress"`
	Result    json.RawMessage   `json:"result,omitempty"`
	Error     string            `json:"error,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Links     map[string]string `json:"links"`
}

func newJobDoc(j *store.Job) *jobDoc {
	return &jobDoc{ID: j.ID, Status: j.Status, Progress: j.Progress, Result: j.Result, Error: j.Error,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, Links: map[string]string{
			"self": "/v1/jobs/" + j.ID, "events": "/v1/jobs/" + j.ID + "/events", "cancel": "/v1/jobs/" + j.ID + "/cancel"}}
}

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// submitJob validates the problem, stores the job as queued and returns
// 202 with its location.
func (s *Server) submitJob(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if _, _, err := s.decodeSolveRequest(r.Context(), body, s.jobBudget()); err != nil {
		return err
	}
	p := principalFrom(r.Context())
	j := &store.Job{ID: newID("job_"), Status: store.JobQueued, Owner: p.Name, Request: body}
	if err := s.store.CreateJob(r.Context(), j); err != nil {
		return err
	}
	if err := s.queue.enqueue(j.ID); err != nil {
		j.Status, j.Error = store.JobFailed, "not queued: "+problemFor(err).Detail
		if uerr := s.store.UpdateJob(context.WithoutCancel(r.Context()), j); uerr != nil {
			s.log.Error("job: mark unqueued job failed", "job", j.ID, "err", uerr)
		}
		return err
	}
	w.Header().Set("Location", "/v1/jobs/"+j.ID)
	writeJSON(w, http.StatusAccepted, newJobDoc(j))
	return nil
}

// loadJob returns the job if the caller may see it: its owner, or a
// planner. Others get 404, so job ids leak nothing.
func (s *Server) loadJob(r *http.Request) (*store.Job, error) {
	j, err := s.store.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	p := principalFrom(r.Context())
	if p.Role.rank() < RolePlanner.rank() && j.Owner != p.Name {
		return nil, errorf(errNotFound, "job %q", j.ID)
	}
	return j, nil
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.loadJob(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newJobDoc(j))
	return nil
}

// cancelJob cancels a queued or running job. A running job stops at the
// solver's next check and keeps its best solution as the result.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.loadJob(r)
	if err != nil {
		return err
	}
	if j.Status.Final() {
		return errorf(errConflict, "job %s already %s", j.ID, j.Status)
	}
	if !s.queue.cancel(j.ID) {
		// Waiting here, or queued/running on another server sharing the
		// database: mark it cancelled; a worker skips final jobs, and a
		// finishing one keeps the cancellation.
		j.Status = store.JobCancelled
		if err := s.store.UpdateJob(r.Context(), j); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusAccepted, newJobDoc(j))
	return nil
}

// jobEvents streams the job's progress as server-sent events: a "progress"
// event whenever it changes and a final "done" event with the whole job,
// after which the stream ends.
func (s *Server) jobEvents(w http.ResponseWriter, r *http.Request) error {
	j, err := s.loadJob(r)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives WriteTimeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) bool {
		data, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	type progressEvent struct {
		ID       string            `json:"id"`
		Status   store.JobStatus   `json:"status"`
		Progress store.JobProgress `json:"progress"`
	}
	last := progressEvent{ID: j.ID, Status: j.Status, Progress: j.Progress}
	if !send("progress", last) {
		return nil
	}
	tick := time.NewTicker(s.cfg.ProgressInterval)
	defer tick.Stop()
	heartbeat := time.NewTicker(15 * time.Second)
	defer heartbeat.Stop()
	for {
		if j.Status.Final() {
			send("done", newJobDoc(j))
			return nil
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-s.quit:
			send("shutdown", map[string]string{"id": j.ID, "detail": "the server is restarting; reconnect"})
			return nil
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return nil
			}
		case <-tick.C:
			nj, err := s.store.Job(r.Context(), j.ID)
			if err != nil {
				if r.Context().Err() == nil {
					s.log.Warn("job events: reload", "job", j.ID, "err", err)
				}
				return nil
			}
			j = nj
			cur := progressEvent{ID: j.ID, Status: j.Status, Progress: j.Progress}
			if cur != last && !j.Status.Final() {
				last = cur
				if !send("progress", cur) {
					return nil
				}
			}
		}
	}
}

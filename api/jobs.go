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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/riverqueue/river"
)

// Causes of a run's cancellation.
var (
	errJobCancelled  = errors.New("api: job cancelled by the client")
	errShutdown      = errors.New("api: server shutting down")
	errJobSuperseded = errors.New("api: job taken over by another attempt")
)

// Queue is a durable job queue on the store's own database (River, in
// store.Postgres and store.SQLite). A store without one (store.Memory) runs
// jobs in this process and keeps them only as long as it lives.
type Queue interface {
	StartQueue(ctx context.Context, cfg store.QueueConfig) error
	StopQueue(ctx context.Context) error
	// EnqueueJob stores j as queued with its queue entry args, atomically.
	EnqueueJob(ctx context.Context, j *store.Job, args river.JobArgs) error
}

var (
	_ Queue = (*store.Postgres)(nil)
	_ Queue = (*store.SQLite)(nil)
)

// jobProgressEvery is the longest a running job goes without saving its
// progress: the save is also the heartbeat that tells other processes that
// its worker is alive.
const jobHeartbeat = time.Second

// jobRun is one attempt of a job: the job as StartJob returned it and the
// progress the core reports, saved by saveLoop.
type jobRun struct {
	s   *Server
	job *store.Job

	mu       sync.Mutex
	progress store.JobProgress
	changed  bool
	// best is the best solution so far (a copy the solver handed over),
	// found at bestIter after bestElapsed seconds; bestDirty says it is
	// newer than the saved checkpoint, saved at cpSavedAt.
	best        *routing.Solution
	bestIter    int
	bestElapsed float64
	bestDirty   bool
	cpSavedAt   time.Time

	// fanout is set for a job whose parts run as child jobs that it joins
	// (see fanout.go); continued says this run resumed a snoozed attempt
	// rather than began one, and parked, set by the body, that the attempt
	// waits for its children: it is snoozed instead of finished.
	fanout    bool
	continued bool
	parked    bool
}

type jobRunKey struct{}

// jobRunFrom returns the job run a planner handler runs in, or nil for an
// HTTP request.
func jobRunFrom(ctx context.Context) *jobRun {
	r, _ := ctx.Value(jobRunKey{}).(*jobRun)
	return r
}

func (r *jobRun) report(p store.JobProgress) {
	r.mu.Lock()
	r.progress, r.changed = p, true
	r.mu.Unlock()
}

// setBest records a new best solution found at iteration after elapsed
// seconds; the saver turns it into a checkpoint.
func (r *jobRun) setBest(sol *routing.Solution, iteration int, elapsed float64) {
	r.mu.Lock()
	r.best, r.bestIter, r.bestElapsed, r.bestDirty, r.changed = sol, iteration, elapsed, true, true
	r.mu.Unlock()
}

// save stores the progress if it changed or force is set (the heartbeat is
// due), with the best solution as the checkpoint when it is newer than the
// saved one and CheckpointInterval has passed (or flush is set), and
// reports whether it wrote. Its error is store.ErrConflict when the attempt
// no longer owns the job. Encoding the checkpoint here keeps it off the
// solver's goroutine.
func (r *jobRun) save(ctx context.Context, force, flush bool) (bool, error) {
	r.mu.Lock()
	p, changed := r.progress, r.changed
	var (
		best    *routing.Solution
		iter    int
		elapsed float64
	)
	if r.bestDirty && (flush || time.Since(r.cpSavedAt) >= r.s.cfg.CheckpointInterval) {
		best, iter, elapsed = r.best, r.bestIter, r.bestElapsed
		r.bestDirty = false
	}
	r.changed = false
	r.mu.Unlock()
	if !changed && !force && best == nil {
		return false, nil
	}
	var cp json.RawMessage
	if best != nil {
		cp, _ = json.Marshal(newCheckpoint(best, iter, elapsed))
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := r.s.store.SaveProgress(ctx, r.job.ID, r.job.Attempts, p, cp, iter)
	r.mu.Lock()
	switch {
	case err != nil:
		r.changed = true // try again at the next tick
		if best != nil && !r.bestDirty {
			r.bestDirty = true // nothing newer: retry this one
		}
	case best != nil:
		r.cpSavedAt = time.Now()
	}
	r.mu.Unlock()
	return err == nil, err
}

// saveLoop saves progress every ProgressInterval, and at least every
// jobHeartbeat, until stop is closed. When the attempt has lost the job
// (cancelled through any server, or taken over after this worker was
// thought dead) it cancels the run.
func (r *jobRun) saveLoop(ctx context.Context, cancel context.CancelCauseFunc, stop <-chan struct{}) {
	t := time.NewTicker(r.s.cfg.ProgressInterval)
	defer t.Stop()
	bg := context.WithoutCancel(ctx)
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		force := time.Since(last) >= jobHeartbeat
		wrote, err := r.save(bg, force, false)
		switch {
		case wrote:
			last = time.Now()
		case err == nil:
		case errors.Is(err, store.ErrConflict):
			cause := errJobSuperseded
			if j, jerr := r.s.store.Job(bg, r.job.ID); jerr == nil && j.Status == store.JobCancelled {
				cause = errJobCancelled
			}
			cancel(cause)
			return
		default:
			r.s.log.Warn("job: save progress", "job", r.job.ID, "err", err)
		}
	}
}

// runJob runs one attempt of job id from queue entry queueID: it marks the
// job running (compare-and-set: a final or superseded job is not run), runs
// body while saving progress, and stores the outcome. It returns an error
// only when the attempt should be retried: the database failed, or the
// server stopped mid-run.
func (s *Server) runJob(ctx context.Context, id string, queueID int64, body func(ctx context.Context, r *jobRun) store.Outcome) error {
	return s.runAttempt(ctx, id, attemptStart{queueID: queueID, maxRunning: s.cfg.MaxRunningPerKey}, body)
}

// attemptStart says how a run takes its job: from queue entry queueID,
// under the owner's quota of running jobs (0: none, for child jobs); join
// marks a job that joins child jobs, whose snoozed attempt continues
// (ContinueJob) rather than a new one beginning, and which the body may
// park.
type attemptStart struct {
	queueID    int64
	maxRunning int
	join       bool
}

// runAttempt is runJob with the start spelled out.
func (s *Server) runAttempt(ctx context.Context, id string, st attemptStart, body func(ctx context.Context, r *jobRun) store.Outcome) error {
	bg := context.WithoutCancel(ctx)
	fs, fanout := s.store.(fanoutStore)
	fanout = fanout && st.join
	var (
		j         *store.Job
		err       error
		continued bool
	)
	if fanout {
		j, err = fs.ContinueJob(bg, id, st.queueID)
		continued = err == nil
		if errors.Is(err, store.ErrConflict) {
			err = nil
		}
	}
	if !continued && err == nil {
		j, err = s.store.StartJob(bg, id, st.queueID, st.maxRunning)
	}
	if errors.Is(err, store.ErrQuota) {
		return errOverQuota
	}
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		s.log.Info("job not started", "job", id, "reason", err)
		if fanout { // a parent that ended (cancelled, failed) ends its children
			s.cancelChildren(bg, id)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("api: start job %s: %w", id, err)
	}
	if !continued {
		if j.Attempts > 1 {
			s.log.Info("job resumed", "job", id, "attempt", j.Attempts, "iteration", j.ResumedAt)
		}
		s.metrics.JobAttempts.WithLabelValues(j.Kind).Inc()
		if j.ResumedAt > 0 {
			s.metrics.JobsResumed.WithLabelValues(j.Kind).Inc()
		}
	}
	s.metrics.JobsRunning.Inc()
	defer s.metrics.JobsRunning.Dec()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.runs.Store(id, cancel)
	defer s.runs.Delete(id)

	run := &jobRun{s: s, job: j, progress: j.Progress, fanout: fanout, continued: continued}
	stop, saved := make(chan struct{}), make(chan struct{})
	go func() { defer close(saved); run.saveLoop(ctx, cancel, stop) }()
	out := s.safeBody(ctx, run, body)
	close(stop)
	<-saved

	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errJobSuperseded):
		s.log.Warn("job taken over by another attempt; this one's outcome is dropped", "job", id, "attempt", j.Attempts)
		return nil
	case errors.Is(cause, errJobCancelled), errors.Is(cause, river.ErrJobCancelledRemotely):
		out.Status, out.Error = store.JobCancelled, ""
		run.parked = false
	case s.isStopping() && ctx.Err() != nil && !run.parked:
		_, _ = run.save(bg, true, true) // keep the checkpoint for the next attempt
		if err := s.store.RequeueJob(bg, id, j.Attempts); err != nil {
			s.log.Warn("job: requeue at shutdown", "job", id, "err", err)
		}
		s.log.Info("job interrupted by shutdown; stored as queued", "job", id)
		return errShutdown
	}
	if run.parked {
		if _, err := run.save(bg, true, true); err != nil && !errors.Is(err, store.ErrConflict) {
			s.log.Warn("job: save progress before waiting", "job", id, "err", err)
		}
		return river.JobSnooze(parkFor)
	}
	if fanout && out.Status != store.JobSucceeded {
		defer s.cancelChildren(bg, id)
	}
	return s.finishJob(bg, j, out)
}

// safeBody runs body, turning a panic into a failed outcome.
func (s *Server) safeBody(ctx context.Context, r *jobRun, body func(ctx context.Context, r *jobRun) store.Outcome) (out store.Outcome) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("job panic", "job", r.job.ID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			out = store.Outcome{Status: store.JobFailed, Error: "internal error"}
		}
	}()
	return body(ctx, r)
}

// finishJob stores the outcome, retrying while the database is
// unreachable (for up to a minute: then River retries the whole attempt,
// which resumes from its checkpoint).
func (s *Server) finishJob(ctx context.Context, j *store.Job, out store.Outcome) error {
	delay := 100 * time.Millisecond
	deadline := time.Now().Add(time.Minute)
	for {
		err := s.store.FinishJob(ctx, j.ID, j.Attempts, out)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, store.ErrConflict):
			s.log.Info("job outcome not stored: the job changed meanwhile", "job", j.ID, "reason", err)
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("api: save outcome of job %s: %w", j.ID, err)
		}
		s.log.Warn("job: save outcome; retrying", "job", j.ID, "status", out.Status, "err", err, "retry_in", delay)
		time.Sleep(delay)
		delay = min(2*delay, 5*time.Second)
	}
}

// checkpoint is the best solution of a run as saved in the job: enough to
// seed the next attempt (routing.Options.Initial), no more. Stops are
// [kind, task] pairs, start and end left out.
type checkpoint struct {
	Cost      int64             `json:"cost"`
	Iteration int               `json:"iteration"`
	Elapsed   float64           `json:"elapsed_seconds"`
	Routes    []checkpointRoute `json:"routes"`
}

type checkpointRoute struct {
	Vehicle int      `json:"vehicle"`
	Stops   [][2]int `json:"stops"`
}

func newCheckpoint(sol *routing.Solution, iteration int, elapsed float64) *checkpoint {
	c := &checkpoint{Cost: sol.Cost, Iteration: iteration, Elapsed: elapsed, Routes: make([]checkpointRoute, 0, len(sol.Routes))}
	for _, r := range sol.Routes {
		cr := checkpointRoute{Vehicle: r.Vehicle, Stops: make([][2]int, 0, len(r.Stops))}
		for _, st := range r.Stops {
			if st.Kind != routing.KindStart && st.Kind != routing.KindEnd {
				cr.Stops = append(cr.Stops, [2]int{int(st.Kind), st.Task})
			}
		}
		c.Routes = append(c.Routes, cr)
	}
	return c
}

// initial is the checkpoint as a starting solution for routing.Solve.
func (c *checkpoint) initial() *routing.Solution {
	sol := &routing.Solution{Cost: c.Cost}
	for _, r := range c.Routes {
		rt := routing.Route{Vehicle: r.Vehicle}
		for _, st := range r.Stops {
			rt.Stops = append(rt.Stops, routing.RouteStop{Kind: routing.StopKind(st[0]), Task: st[1]})
		}
		sol.Routes = append(sol.Routes, rt)
	}
	return sol
}

// solveJob is the core of an optimize job: decode the stored request,
// solve it with progress reported and the best solution checkpointed every
// CheckpointInterval, and make the outcome. An attempt after one that
// saved a checkpoint starts from it (routing.Options.Initial), with the
// iterations and time the earlier attempts left.
func (s *Server) solveJob(ctx context.Context, r *jobRun) store.Outcome {
	start := time.Now()
	in, o, err := s.decodeSolveRequest(ctx, r.job.Request, s.jobBudget())
	if err != nil { // validated at submission; only a schema change gets here
		return store.Outcome{Status: store.JobFailed, Error: "the stored request no longer decodes: " + problemFor(err).Detail}
	}
	opts := routingOptions(o, s.cfg.MaxJobTime, s.cfg.MaxJobTime)
	var (
		base    int     // iterations done by earlier attempts
		before  float64 // seconds spent by earlier attempts
		resumed bool
	)
	if len(r.job.Checkpoint) > 0 {
		var cp checkpoint
		if err := json.Unmarshal(r.job.Checkpoint, &cp); err == nil {
			opts.Initial, base, before, resumed = cp.initial(), cp.Iteration, cp.Elapsed, true
			if opts.Iterations > 0 {
				opts.Iterations = max(opts.Iterations-base, 1)
			}
			if opts.TimeLimit > 0 {
				opts.TimeLimit = max(opts.TimeLimit-time.Duration(before*float64(time.Second)), time.Second)
			}
		} else {
			s.log.Warn("job: checkpoint does not decode; starting afresh", "job", r.job.ID, "err", err)
		}
	}
	opts.Progress = func(p routing.Progress) {
		elapsed := before + p.Elapsed.Seconds()
		r.report(store.JobProgress{BestCost: money(p.BestCost), ElapsedSeconds: elapsed, Iteration: base + p.Iteration,
			Routes: p.Routes, Unassigned: p.Unassigned})
		// Every new best is taken (the solver copies its best at each
		// improvement anyway, so the export adds a constant factor), so that
		// the last one is never lost; the saver writes one every
		// CheckpointInterval.
		if p.Best != nil {
			r.setBest(p.Best(), base+p.Iteration, elapsed)
		}
	}
	sol, err := s.solve(ctx, "job", in.Problem, opts)
	if err != nil && resumed && opts.Initial != nil && errors.Is(err, routing.ErrInvalid) {
		// A checkpoint the solver refuses (it cannot be from this
		// problem, but be safe): start afresh rather than fail the job.
		s.log.Warn("job: checkpoint refused by the solver; starting afresh", "job", r.job.ID, "err", err)
		opts.Initial = nil
		sol, err = s.solve(ctx, "job", in.Problem, opts)
	}
	r.mu.Lock()
	prog := r.progress
	r.mu.Unlock()
	prog.ElapsedSeconds = before + time.Since(start).Seconds()
	if ctx.Err() != nil && context.Cause(ctx) != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		// Cancelled or stopping: keep the best solution found, if any, as
		// the result and as the checkpoint.
		var res json.RawMessage
		if sol != nil {
			res, _ = json.Marshal(newSolutionDoc(in, sol))
			r.mu.Lock()
			if r.best != nil { // save it with the time spent, for the next attempt's budget
				r.bestElapsed, r.bestDirty = prog.ElapsedSeconds, true
			}
			r.mu.Unlock()
		}
		return store.Outcome{Status: store.JobCancelled, Result: res, Progress: prog}
	}
	if err != nil {
		msg := problemFor(err)
		if msg.Status >= 500 && msg.Status != http.StatusServiceUnavailable {
			s.log.Error("job failed", "job", r.job.ID, "err", err)
		}
		detail := msg.Detail
		if detail == "" {
			detail = msg.Title
		}
		return store.Outcome{Status: store.JobFailed, Error: detail, Progress: prog}
	}
	doc := newSolutionDoc(in, sol)
	doc.TimeLimitMs = opts.TimeLimit.Milliseconds()
	prog.BestCost, prog.Routes, prog.Unassigned = doc.Cost, len(sol.Routes), len(sol.Unassigned)
	res, err := json.Marshal(doc)
	if err != nil {
		return store.Outcome{Status: store.JobFailed, Error: "internal error", Progress: prog}
	}
	return store.Outcome{Status: store.JobSucceeded, Result: res, Progress: prog}
}

// localQueue runs jobs in this process for a store without a durable
// queue (store.Memory): a bounded pool of workers over a bounded list.
type localQueue struct {
	s *Server

	mu       sync.Mutex
	cond     *sync.Cond
	pending  []localEntry
	stopping bool
	wg       sync.WaitGroup
}

type localEntry struct {
	id   string
	kind string
	args river.JobArgs
}

func newLocalQueue(s *Server) *localQueue {
	q := &localQueue{s: s}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *localQueue) start(n int) {
	for range n {
		q.wg.Add(1)
		go q.worker()
	}
}

// enqueue creates the job and queues it, or reports that the queue is full
// or closing (and creates nothing).
func (q *localQueue) enqueue(ctx context.Context, j *store.Job, args river.JobArgs) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stopping {
		return errorf(ErrUnavailable, "the server is shutting down; submit the job again later")
	}
	if len(q.pending) >= q.s.cfg.QueueSize {
		return errorf(ErrUnavailable, "the job queue is full (%d jobs waiting)", len(q.pending))
	}
	j.Status = store.JobQueued
	if err := q.s.store.CreateJob(ctx, j); err != nil {
		return err
	}
	q.pending = append(q.pending, localEntry{id: j.ID, kind: j.Kind, args: args})
	q.s.metrics.JobsQueued.Set(float64(len(q.pending)))
	q.cond.Signal()
	return nil
}

func (q *localQueue) next() (localEntry, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) == 0 && !q.stopping {
		q.cond.Wait()
	}
	if q.stopping {
		return localEntry{}, false
	}
	e := q.pending[0]
	q.pending = q.pending[1:]
	q.s.metrics.JobsQueued.Set(float64(len(q.pending)))
	return e, true
}

func (q *localQueue) worker() {
	defer q.wg.Done()
	for {
		e, ok := q.next()
		if !ok {
			return
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		q.s.runs.Store("local:"+e.id, cancel)
		err := q.s.work(ctx, e.args, 0)
		q.s.runs.Delete("local:" + e.id)
		cancel(nil)
		if errors.Is(err, errOverQuota) { // its owner runs enough: later
			time.Sleep(snoozeFor / 10)
			q.mu.Lock()
			q.pending = append(q.pending, e)
			q.cond.Signal()
			q.mu.Unlock()
		}
	}
}

// shutdown stops taking jobs, waits for running ones until ctx is done,
// then cancels them.
func (q *localQueue) shutdown(ctx context.Context) {
	q.mu.Lock()
	q.stopping = true
	q.cond.Broadcast()
	waiting := len(q.pending)
	q.mu.Unlock()
	if waiting > 0 {
		q.s.log.Warn("jobs still queued at shutdown, not persisted", "count", waiting)
	}
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	q.s.runs.Range(func(k, v any) bool {
		v.(context.CancelCauseFunc)(errShutdown)
		return true
	})
	<-done
}

// enqueue stores a job and queues it: on the durable queue when the store
// has one, else in this process.
func (s *Server) enqueue(ctx context.Context, j *store.Job, args river.JobArgs) error {
	if q, ok := s.store.(Queue); ok {
		return q.EnqueueJob(ctx, j, args)
	}
	return s.local.enqueue(ctx, j, args)
}

// jobDoc is a job as the API returns it.
type jobDoc struct {
	ID       string            `json:"id"`
	Kind     string            `json:"kind"`
	Status   store.JobStatus   `json:"status"`
	Progress store.JobProgress `json:"progress"`
	Result   json.RawMessage   `json:"result,omitempty"`
	Error    string            `json:"error,omitempty"`
	// Attempts counts the runs that started the job; ResumedAt, when
	// positive, is the iteration the latest run resumed from, and Note says
	// so in words ("resumed at iteration N").
	Attempts  int    `json:"attempts"`
	ResumedAt int    `json:"resumed_at_iteration,omitempty"`
	Note      string `json:"note,omitempty"`
	// Owner names the key that submitted the job, in operators' listings
	// of every key's jobs.
	Owner     string            `json:"owner,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	Links     map[string]string `json:"links"`
}

func newJobDoc(j *store.Job) *jobDoc {
	d := &jobDoc{ID: j.ID, Kind: j.Kind, Status: j.Status, Progress: j.Progress, Result: j.Result, Error: j.Error,
		Attempts: j.Attempts, ResumedAt: j.ResumedAt,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, Links: map[string]string{
			"self": "/v1/jobs/" + j.ID, "events": "/v1/jobs/" + j.ID + "/events", "cancel": "/v1/jobs/" + j.ID + "/cancel"}}
	switch {
	case j.ResumedAt > 0:
		d.Note = fmt.Sprintf("resumed at iteration %d", j.ResumedAt)
	case j.Progress.ResumedParts > 0:
		d.Note = fmt.Sprintf("resumed with %d/%d sub-plans done", j.Progress.ResumedParts, j.Progress.PartsTotal)
	}
	return d
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
	return s.accept(w, r, kindOptimize, body, "")
}

// accept stores and queues a job of kind and answers 202 with its
// location.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, kind string, body []byte, query string) error {
	p := principalFrom(r.Context())
	if err := s.checkQueued(r.Context(), p.Name); err != nil {
		return err
	}
	j := &store.Job{ID: newID("job_"), Kind: kind, Status: store.JobQueued, Owner: p.Name, Request: body}
	args, err := jobArgs(kind, j.ID, query)
	if err != nil {
		return err
	}
	if err := s.enqueue(r.Context(), j, args); err != nil {
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

// jobPage is the answer of GET /v1/jobs.
type jobPage struct {
	Jobs []*jobDoc `json:"jobs"`
	// Next is the URL of the next page; empty on the last.
	Next string `json:"next,omitempty"`
}

// listJobs lists jobs newest first, without their results: the caller's
// own, or with ?all=true every key's (operators only, each job naming its
// owner); ?status= keeps one state, ?limit= (1 to 200, default 50) sets
// the page size and ?after=ID continues after a job.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return badParam("limit", "want an integer in [1, 200]")
		}
		limit = n
	}
	after := q.Get("after")
	if len(after) > 64 {
		return badParam("after", "not a job id")
	}
	status, err := jobStatusParam(q.Get("status"))
	if err != nil {
		return err
	}
	all, err := allJobsParam(r)
	if err != nil {
		return err
	}
	f := store.JobFilter{Owner: principalFrom(r.Context()).Name, Status: status, After: after, Limit: limit + 1}
	if all {
		f.Owner = ""
	}
	js, err := s.store.Jobs(r.Context(), f)
	if errors.Is(err, store.ErrNotFound) {
		return badParam("after", "no such job")
	}
	if err != nil {
		return err
	}
	page := jobPage{Jobs: []*jobDoc{}}
	for i, j := range js {
		if i == limit {
			page.Next = nextJobsPage(limit, js[i-1].ID, status, all)
			break
		}
		d := newJobDoc(j)
		if all {
			d.Owner = j.Owner
		}
		page.Jobs = append(page.Jobs, d)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// jobStatusParam parses ?status=: empty for any state.
func jobStatusParam(v string) (store.JobStatus, error) {
	switch st := store.JobStatus(v); st {
	case "", store.JobQueued, store.JobRunning, store.JobSucceeded, store.JobFailed, store.JobCancelled:
		return st, nil
	}
	return "", badParam("status", "want one of queued, running, succeeded, failed, cancelled")
}

// allJobsParam parses ?all=: every key's jobs, which only an operator may
// list (a courier sees its own jobs only, a planner reads others' by id).
func allJobsParam(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("all")
	if v == "" {
		return false, nil
	}
	all, err := strconv.ParseBool(v)
	if err != nil {
		return false, badParam("all", "want true or false")
	}
	if all && principalFrom(r.Context()).Role != RoleOperator {
		return false, errorf(errForbidden, "listing every key's jobs (all=true) needs an operator key")
	}
	return all, nil
}

func nextJobsPage(limit int, after string, status store.JobStatus, all bool) string {
	next := fmt.Sprintf("/v1/jobs?limit=%d&after=%s", limit, after)
	if status != "" {
		next += "&status=" + string(status)
	}
	if all {
		next += "&all=true"
	}
	return next
}

// cancelJob cancels a queued or running job, compare-and-set: a final job
// is left as it is (409), and a cancelled one stays cancelled whichever
// server runs it. A running job stops at its next progress save, or at
// once on this server, and keeps its best solution as the result.
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.loadJob(r)
	if err != nil {
		return err
	}
	if j.Status.Final() {
		return errorf(errConflict, "job %s already %s", j.ID, j.Status)
	}
	c, err := s.store.CancelJob(r.Context(), j.ID)
	if errors.Is(err, store.ErrConflict) {
		if cur, gerr := s.store.Job(r.Context(), j.ID); gerr == nil {
			return errorf(errConflict, "job %s already %s", j.ID, cur.Status)
		}
	}
	if err != nil {
		return err
	}
	if cancel, ok := s.runs.Load(j.ID); ok {
		cancel.(context.CancelCauseFunc)(errJobCancelled)
	}
	s.local.drop(j.ID)
	s.cancelChildren(r.Context(), j.ID)
	writeJSON(w, http.StatusAccepted, newJobDoc(c))
	return nil
}

// drop removes a waiting job from the local queue.
func (q *localQueue) drop(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, e := range q.pending {
		if e.id == id {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			q.s.metrics.JobsQueued.Set(float64(len(q.pending)))
			return
		}
	}
}

// preferAsync reports whether the request asks for an asynchronous answer
// (Prefer: respond-async, RFC 7240).
func preferAsync(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, pref := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(pref), ";")
			name, _, _ = strings.Cut(name, "=")
			if strings.EqualFold(strings.TrimSpace(name), "respond-async") {
				return true
			}
		}
	}
	return false
}

// JobWatcher pushes the changes of a job (state, progress, attempts) to
// its progress streams: PostgreSQL through LISTEN/NOTIFY from any process,
// the embedded stores from their own writes.
type JobWatcher interface {
	WatchJob(ctx context.Context, id string) (<-chan store.JobEvent, func())
}

var (
	_ JobWatcher = (*store.Postgres)(nil)
	_ JobWatcher = (*store.SQLite)(nil)
	_ JobWatcher = (*store.Memory)(nil)
)

// streamResync is how often a pushed stream reloads its job anyway, in
// case a notification was lost.
const streamResync = 10 * time.Second

// jobEvents streams the job's progress as server-sent events: a "progress"
// event whenever it changes and a final "done" event with the whole job,
// after which the stream ends. Changes are pushed by the store's watcher;
// a store without one is polled every ProgressInterval. Each key may hold
// MaxStreamsPerKey streams at once on this server.
func (s *Server) jobEvents(w http.ResponseWriter, r *http.Request) error {
	j, err := s.loadJob(r)
	if err != nil {
		return err
	}
	owner := principalFrom(r.Context()).Name
	release, err := s.quotas.openStream(owner)
	if err != nil {
		return err
	}
	defer release()
	var (
		events <-chan store.JobEvent
		poll   = s.cfg.ProgressInterval
	)
	if wt, ok := s.store.(JobWatcher); ok {
		ch, stop := wt.WatchJob(r.Context(), j.ID)
		defer stop()
		events, poll = ch, streamResync
		// The job may have changed between loading and watching.
		if nj, err := s.store.Job(r.Context(), j.ID); err == nil {
			j = nj
		}
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
		Attempts int               `json:"attempts"`
	}
	last := progressEvent{ID: j.ID, Status: j.Status, Progress: j.Progress, Attempts: j.Attempts}
	if !send("progress", last) {
		return nil
	}
	reload := func() bool {
		nj, err := s.store.Job(r.Context(), j.ID)
		if err != nil {
			if r.Context().Err() == nil {
				s.log.Warn("job events: reload", "job", j.ID, "err", err)
			}
			return false // the database may come back; the client keeps its stream
		}
		j = nj
		return true
	}
	tick := time.NewTicker(poll)
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
			continue
		case e := <-events:
			if e.Resync || e.Status.Final() {
				if !reload() {
					continue
				}
			} else {
				j.Status, j.Progress, j.Attempts = e.Status, e.Progress, e.Attempts
			}
		case <-tick.C:
			if !reload() {
				continue
			}
		}
		cur := progressEvent{ID: j.ID, Status: j.Status, Progress: j.Progress, Attempts: j.Attempts}
		if cur != last && !j.Status.Final() {
			last = cur
			if !send("progress", cur) {
				return nil
			}
		}
	}
}

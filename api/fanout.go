package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing/urban"
	"github.com/lastmile-dev/lastmile/store"
)

// An urban plan job on a durable queue fans out: each part of the day
// (urban.Day.Parts: the pooled plan, the separate plan, every coalition
// plan of the cost sharing) is a child job, of kind urban_part, that any
// worker of any process takes. The parent joins them without holding a
// worker: each of its runs creates the children it lacks, reads their
// states, reports "coalition plans 7/10 done" as its progress and, while
// some are unfinished, is snoozed (River's JobSnooze) in the same
// attempt; a child that finishes wakes it at once. Once all have
// succeeded it assembles the report (urban.Day.Report), which is the
// single-process plan's, byte for byte, for iteration-bounded searches.
//
// Children have ids derived from the parent's (job_….p3), so a parent
// retried after its worker died finds the children already done ("resumed
// with 9/12 sub-plans done"). Coalition children wait (scheduled a day
// ahead) until the pooled child, whose routes they start from, has
// succeeded and wakes them. Children are hidden from GET /v1/jobs and
// count in no quota of top-level jobs; they have a running quota per key
// of their own (Config.MaxRunningPerKey), so that one key's plans cannot
// take every worker from the others. Cancelling the parent cancels them, and a
// child that fails fails the parent.

// fanoutStore is what a fanned-out job needs of the store beyond
// JobStore: a durable queue, an attempt that continues after a snooze, and
// a way to wake a waiting job.
type fanoutStore interface {
	Queue
	ContinueJob(ctx context.Context, id string, queueID int64) (*store.Job, error)
	WakeJob(ctx context.Context, id string) error
}

var (
	_ fanoutStore = (*store.Postgres)(nil)
	_ fanoutStore = (*store.SQLite)(nil)
)

const kindUrbanPart = "urban_part"

// parkFor is how long a parent waits before it looks at its children
// again, when none wakes it earlier; holdFor how long a coalition child
// waits for the pooled child to wake it.
const (
	parkFor = 5 * time.Second
	holdFor = 24 * time.Hour
)

// errParked ends a parent's run while its children work.
var errParked = errors.New("api: waiting for child jobs")

// UrbanArgs' worker: the urban plan, fanned out on a durable queue.
type UrbanWorker struct {
	river.WorkerDefaults[UrbanArgs]
	s *Server
}

// Work runs or continues the urban plan job: on a durable queue it joins
// its child jobs (and is snoozed while they run), else it plans in
// process.
func (w *UrbanWorker) Work(ctx context.Context, job *river.Job[UrbanArgs]) error {
	p := job.Args.plan()
	st := attemptStart{queueID: job.ID, maxRunning: w.s.cfg.MaxRunningPerKey, join: true}
	return snoozeOverQuota(w.s.runAttempt(ctx, p.JobID, st, func(ctx context.Context, r *jobRun) store.Outcome {
		return w.s.planJob(ctx, "urban", p.Query, r)
	}))
}

// UrbanPartArgs are the River arguments of a child job of an urban plan:
// its id (the part and the parent's request are in its row); Held
// schedules it holdFor ahead, until it is woken.
type UrbanPartArgs struct {
	JobID string `json:"job_id"`
	Held  bool   `json:"held,omitempty"`
}

// Kind is the River job kind.
func (UrbanPartArgs) Kind() string { return kindUrbanPart }

// InsertOpts schedules a held child holdFor ahead.
func (a UrbanPartArgs) InsertOpts() river.InsertOpts {
	if a.Held {
		return river.InsertOpts{ScheduledAt: time.Now().Add(holdFor)}
	}
	return river.InsertOpts{}
}

// partRequest is a child job's request: its part (index into Parts) and
// the parent's request, from which it rebuilds the day.
type partRequest struct {
	Index int             `json:"index"`
	Part  urban.Part      `json:"part"`
	Plan  json.RawMessage `json:"plan"`
}

// UrbanPartWorker runs the child jobs of urban plans.
type UrbanPartWorker struct {
	river.WorkerDefaults[UrbanPartArgs]
	s *Server
}

// Work plans the child's part and wakes its parent (and, for the pooled
// part, the coalition children waiting for it).
func (w *UrbanPartWorker) Work(ctx context.Context, job *river.Job[UrbanPartArgs]) error {
	s, id := w.s, job.Args.JobID
	j, err := s.store.Job(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("api: child job %s: %w", id, err)
	}
	var req partRequest
	if err := json.Unmarshal(j.Request, &req); err != nil {
		s.log.Error("child job: request does not decode", "job", id, "err", err)
		return nil
	}
	if req.Part.Kind == urban.PartCoalition {
		pooled, err := s.store.Job(ctx, childID(j.Parent, 0))
		if err != nil {
			return fmt.Errorf("api: child job %s: pooled part: %w", id, err)
		}
		if !pooled.Status.Final() { // woken early: wait for it
			return river.JobSnooze(parkFor)
		}
	}
	// Children have a running quota per key of their own (see
	// store.Postgres.StartJob): one key's plans cannot take every worker.
	err = s.runAttempt(ctx, id, attemptStart{queueID: job.ID, maxRunning: s.cfg.MaxRunningPerKey}, func(ctx context.Context, r *jobRun) store.Outcome {
		return s.planPart(ctx, r, req)
	})
	if errors.Is(err, errOverQuota) {
		return river.JobSnooze(snoozeFor)
	}
	bg := context.WithoutCancel(ctx)
	if req.Part.Kind == urban.PartPooled {
		s.wakeChildren(bg, j.Parent)
	}
	s.wake(bg, j.Parent)
	return err
}

// planPart is the core of a child job: rebuild the day from the parent's
// request, plan the part (a coalition from the pooled child's outcome) in
// a solver slot, and store its urban.PartPlan as the result.
func (s *Server) planPart(ctx context.Context, r *jobRun, req partRequest) store.Outcome {
	start := time.Now()
	fail := func(msg string) store.Outcome {
		return store.Outcome{Status: store.JobFailed, Error: msg, Progress: store.JobProgress{ElapsedSeconds: time.Since(start).Seconds()}}
	}
	release, err := s.solves.acquire(ctx, false)
	if err != nil {
		return store.Outcome{Status: store.JobCancelled}
	}
	defer release()
	sreq, sc, err := scenarioFromBody(req.Plan, scenario.KindUrban)
	if err != nil {
		return fail("the parent's request no longer decodes: " + problemFor(err).Detail)
	}
	in, err := sc.UrbanInput()
	if err != nil {
		return fail(err.Error())
	}
	ureq := sreq.urbanRequest()
	opts := ureq.UrbanOptions(sc)
	opts.Progress = func(p urban.Progress) {
		r.report(store.JobProgress{Stage: fmt.Sprintf("%s: %s %d/%d", req.Part.Name, p.Stage, p.Done, p.Total),
			ElapsedSeconds: time.Since(start).Seconds(), PartsDone: p.Done, PartsTotal: p.Total})
	}
	d, err := urban.NewDay(in, opts)
	if err != nil {
		return fail(err.Error())
	}
	var pooled *urban.PartPlan
	if req.Part.Kind == urban.PartCoalition {
		pj, err := s.store.Job(ctx, childID(r.job.Parent, 0))
		if err != nil || pj.Status != store.JobSucceeded {
			return fail("the pooled plan it starts from did not succeed")
		}
		if err := json.Unmarshal(pj.Result, &pooled); err != nil {
			return fail("the pooled plan does not decode")
		}
	}
	ctx, cancel := context.WithTimeout(ctx, limitFromMs(sreq.TimeLimitMs, s.cfg.MaxJobTime, s.cfg.MaxJobTime))
	defer cancel()
	pp, err := d.PlanPart(ctx, req.Part, pooled)
	prog := store.JobProgress{Stage: req.Part.Name + " done", ElapsedSeconds: time.Since(start).Seconds()}
	switch {
	case err != nil && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		return store.Outcome{Status: store.JobCancelled, Progress: prog}
	case err != nil:
		return fail(err.Error())
	}
	res, err := json.Marshal(pp)
	if err != nil {
		return fail("internal error")
	}
	prog.BestCost = pp.CostYuan
	return store.Outcome{Status: store.JobSucceeded, Result: res, Progress: prog}
}

// childID is the id of the parent's child job for part index k.
func childID(parent string, k int) string { return parent + ".p" + strconv.Itoa(k) }

// childIndex is the part index of a child job id, -1 if it is none.
func childIndex(parent, id string) int {
	k, err := strconv.Atoi(strings.TrimPrefix(id, parent+".p"))
	if err != nil || !strings.HasPrefix(id, parent+".p") {
		return -1
	}
	return k
}

// joinUrban is the urban plan of a parent job: it makes sure every part
// has its child job, reports their progress, and returns errParked while
// some are unfinished, the assembled report once all have succeeded, or
// an error when one failed.
func (s *Server) joinUrban(ctx context.Context, r *jobRun, ureq scenario.UrbanRequest, sc *scenario.Scenario) (*urban.Report, error) {
	fs := s.store.(fanoutStore)
	parent := r.job
	in, err := sc.UrbanInput()
	if err != nil {
		return nil, err
	}
	opts := ureq.UrbanOptions(sc)
	var day *urban.Day
	newDay := func() (*urban.Day, error) {
		if day == nil {
			day, err = urban.NewDay(in, opts)
		}
		return day, err
	}
	kids, err := s.children(ctx, parent.ID)
	if err != nil {
		return nil, err
	}
	total := parent.Progress.PartsTotal
	if total == 0 || len(kids) < total {
		d, err := newDay()
		if err != nil {
			return nil, err
		}
		parts := d.Parts()
		for k, p := range parts {
			if _, ok := kids[k]; ok {
				continue
			}
			req, _ := json.Marshal(partRequest{Index: k, Part: p, Plan: parent.Request})
			cj := &store.Job{ID: childID(parent.ID, k), Kind: kindUrbanPart, Status: store.JobQueued, Owner: parent.Owner, Parent: parent.ID, Request: req}
			err := fs.EnqueueJob(ctx, cj, UrbanPartArgs{JobID: cj.ID, Held: p.Kind == urban.PartCoalition})
			if err != nil && !errors.Is(err, store.ErrConflict) {
				return nil, fmt.Errorf("create child job %s: %w", cj.ID, err)
			}
		}
		total = len(parts)
		if kids, err = s.children(ctx, parent.ID); err != nil {
			return nil, err
		}
	}
	done, first := 0, 0
	for k, kid := range kids {
		switch kid.Status {
		case store.JobSucceeded:
			done++
			if k < 2 {
				first++
			}
		case store.JobFailed, store.JobCancelled:
			return nil, errorf(errSubPlan, "sub-plan %d of %d (%s) %s: %s", k+1, total, kid.ID, kid.Status, kid.Error)
		}
	}
	prog := store.JobProgress{ElapsedSeconds: time.Since(parent.CreatedAt).Seconds(), PartsDone: done, PartsTotal: total,
		ResumedParts: parent.Progress.ResumedParts}
	if !r.continued { // a new attempt: say what it found done
		prog.ResumedParts = 0
		if parent.Attempts > 1 {
			prog.ResumedParts = done
		}
	}
	switch {
	case first < 2:
		prog.Stage = fmt.Sprintf("pooled and separate plans %d/2 done", first)
	case done < total:
		prog.Stage = fmt.Sprintf("coalition plans %d/%d done", done-2, total-2)
	default:
		prog.Stage = "assembling the report"
	}
	r.report(prog)
	if done < total {
		if kids[0] != nil && kids[0].Status == store.JobSucceeded {
			s.wakeChildren(ctx, parent.ID) // in case the pooled child's wake-up was lost
		}
		return nil, errParked
	}
	d, err := newDay()
	if err != nil {
		return nil, err
	}
	plans := make([]*urban.PartPlan, total)
	for k := range plans {
		kj, err := s.store.Job(ctx, childID(parent.ID, k))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(kj.Result, &plans[k]); err != nil {
			return nil, fmt.Errorf("sub-plan %s: %w", kj.ID, err)
		}
	}
	return d.Report(plans)
}

// children returns the child jobs of parent by part index.
func (s *Server) children(ctx context.Context, parent string) (map[int]*store.Job, error) {
	js, err := s.store.Jobs(ctx, store.JobFilter{Parent: parent, Limit: 1 << 16})
	if err != nil {
		return nil, err
	}
	out := make(map[int]*store.Job, len(js))
	for _, j := range js {
		if k := childIndex(parent, j.ID); k >= 0 {
			out[k] = j
		}
	}
	return out, nil
}

// wakeChildren wakes the parent's waiting coalition children: the pooled
// plan they start from is done.
func (s *Server) wakeChildren(ctx context.Context, parent string) {
	kids, err := s.children(ctx, parent)
	if err != nil {
		s.log.Warn("job: wake children", "job", parent, "err", err)
		return
	}
	for k, kid := range kids {
		if k >= 2 && kid.Status == store.JobQueued {
			s.wake(ctx, kid.ID)
		}
	}
}

// wake makes job id's waiting queue entry available now.
func (s *Server) wake(ctx context.Context, id string) {
	fs, ok := s.store.(fanoutStore)
	if !ok || id == "" {
		return
	}
	if err := fs.WakeJob(ctx, id); err != nil {
		s.log.Warn("job: wake", "job", id, "err", err)
	}
}

// cancelChildren cancels the unfinished children of a job that ended or
// was cancelled.
func (s *Server) cancelChildren(ctx context.Context, parent string) {
	if _, ok := s.store.(fanoutStore); !ok {
		return
	}
	kids, err := s.children(ctx, parent)
	if err != nil {
		s.log.Warn("job: cancel children", "job", parent, "err", err)
		return
	}
	for _, kid := range kids {
		if kid.Status.Final() {
			continue
		}
		if _, err := s.store.CancelJob(ctx, kid.ID); err != nil && !errors.Is(err, store.ErrConflict) {
			s.log.Warn("job: cancel child", "job", kid.ID, "err", err)
		}
		if cancel, ok := s.runs.Load(kid.ID); ok {
			cancel.(context.CancelCauseFunc)(errJobCancelled)
		}
	}
}

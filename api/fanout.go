package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
// worker of any process takes, and so is each routing task of the pooled
// plan's first stage (urban.Day.PooledTasks: the zones' small vehicles,
// each centre's cold chain), which urban.SolveTask routes without zoning
// the day. The parent joins them without holding a worker: each of its
// runs creates the children it lacks, reads their states, reports
// "pooled routing tasks 17/30 done", then "pooled and separate plans 1/2
// done", then "coalition plans 7/10 done" as its progress and, while some
// are unfinished, is snoozed (River's JobSnooze) in the same attempt; a
// child that finishes wakes it at once (a routing task only when it is
// the last one or did not succeed: the parent's own polls report the
// others). Once all have succeeded it assembles the report
// (urban.Day.Report), which is the single-process plan's, byte for byte,
// for iteration-bounded searches.
//
// Children have ids derived from the parent's (job_….t7 for a routing
// task, job_….p3 for a part), so a parent retried after its worker died
// finds the children already done ("resumed with 9/42 sub-plans done").
// The pooled child waits (scheduled a day ahead) until the last routing
// task wakes it, then plans the centres' vans and the mop-up from the
// tasks' outcomes (urban.Day.PlanPooled); coalition children wait until
// the pooled child, whose routes they start from, has succeeded and wakes
// them. The parent wakes a waiting child again should that wake-up be
// lost. Children are hidden from GET /v1/jobs and count in no quota of
// top-level jobs; they have a running quota per key of their own
// (Config.MaxRunningPerKey), so that one key's plans cannot take every
// worker from the others. Cancelling the parent cancels them, and a
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
// again, when none wakes it earlier; holdFor how long a pooled or
// coalition child waits for what it starts from to wake it.
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
// its id (the part or routing task and the parent's request are in its
// row); Held schedules it holdFor ahead, until it is woken.
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

// partRequest is a child job's request: its part (index into Parts) or
// routing task (index into urban.Day.PooledTasks, with its spec), and the
// parent's request, from which it rebuilds the day. Tasks is how many task
// children the pooled part has: its child waits for them all.
type partRequest struct {
	Index int             `json:"index"`
	Part  urban.Part      `json:"part"`
	Task  *urban.TaskSpec `json:"task,omitempty"`
	Tasks int             `json:"tasks,omitempty"`
	Plan  json.RawMessage `json:"plan"`
}

// name is the child's part or task in words.
func (req partRequest) name() string {
	if req.Task != nil {
		return "task " + req.Task.Name
	}
	return req.Part.Name
}

// UrbanPartWorker runs the child jobs of urban plans.
type UrbanPartWorker struct {
	river.WorkerDefaults[UrbanPartArgs]
	s *Server
}

// Work plans the child's part or routing task, once what it starts from
// is done, and wakes the jobs waiting for it.
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
	ready, err := s.ready(ctx, j.Parent, req)
	if err != nil {
		return fmt.Errorf("api: child job %s: %w", id, err)
	}
	if !ready { // woken early: wait
		return river.JobSnooze(parkFor)
	}
	// Children have a running quota per key of their own (see
	// store.Postgres.StartJob): one key's plans cannot take every worker.
	err = s.runAttempt(ctx, id, attemptStart{queueID: job.ID, maxRunning: s.cfg.MaxRunningPerKey}, func(ctx context.Context, r *jobRun) store.Outcome {
		if req.Task != nil {
			return s.planTask(ctx, r, req)
		}
		return s.planPart(ctx, r, req)
	})
	if errors.Is(err, errOverQuota) {
		return river.JobSnooze(snoozeFor)
	}
	s.wakeAfter(context.WithoutCancel(ctx), j.Parent, req)
	return err
}

// ready tells whether what a child starts from is final: a coalition's
// pooled child, the pooled child's task children.
func (s *Server) ready(ctx context.Context, parent string, req partRequest) (bool, error) {
	switch {
	case req.Task != nil:
		return true, nil
	case req.Part.Kind == urban.PartCoalition:
		pooled, err := s.store.Job(ctx, childID(parent, 0))
		if err != nil {
			return false, fmt.Errorf("pooled part: %w", err)
		}
		return pooled.Status.Final(), nil
	case req.Tasks > 0:
		f, err := s.children(ctx, parent)
		final, _ := f.tasksDone(req.Tasks)
		return final, err
	}
	return true, nil
}

// wakeAfter wakes, after a child's attempt, the jobs waiting for it: after
// the pooled child the coalition children, after the last task child the
// pooled child, and the parent, which joins them. A task child that
// succeeded while others run leaves the parent to its own polls
// (parkFor), so that dozens of tasks do not run it as many times.
func (s *Server) wakeAfter(ctx context.Context, parent string, req partRequest) {
	f, err := s.children(ctx, parent)
	if err != nil {
		s.log.Warn("job: wake after child", "job", parent, "err", err)
		s.wake(ctx, parent)
		return
	}
	switch {
	case req.Task != nil:
		if final, _ := f.tasksDone(req.Tasks); final {
			s.wake(ctx, childID(parent, 0))
		} else if kid := f.tasks[req.Index]; kid != nil && kid.Status == store.JobSucceeded {
			return
		}
	case req.Part.Kind == urban.PartPooled:
		s.wakeCoalitions(ctx, f)
	}
	s.wake(ctx, parent)
}

// planPart is the core of a part's child job: the part of the parent's
// day, a coalition from the pooled child's outcome, the pooled part from
// its task children's.
func (s *Server) planPart(ctx context.Context, r *jobRun, req partRequest) store.Outcome {
	return s.runChild(ctx, r, req, func(ctx context.Context, in urban.Input, opts urban.Options) (any, float64, error) {
		d, err := urban.NewDay(in, opts)
		if err != nil {
			return nil, 0, err
		}
		pp, err := s.partPlan(ctx, d, r.job.Parent, req)
		if err != nil {
			return nil, 0, err
		}
		return pp, pp.CostYuan, nil
	})
}

// partPlan plans the child's part of day d from the outcomes it starts
// from.
func (s *Server) partPlan(ctx context.Context, d *urban.Day, parent string, req partRequest) (*urban.PartPlan, error) {
	switch {
	case req.Part.Kind == urban.PartCoalition:
		var pooled *urban.PartPlan
		if err := s.childResult(ctx, childID(parent, 0), &pooled); err != nil {
			return nil, fmt.Errorf("the pooled plan it starts from: %w", err)
		}
		return d.PlanPart(ctx, req.Part, pooled)
	case req.Part.Kind == urban.PartPooled && req.Tasks > 0:
		tasks := make([]*urban.TaskPlan, req.Tasks)
		for k := range tasks {
			if err := s.childResult(ctx, taskChildID(parent, k), &tasks[k]); err != nil {
				return nil, fmt.Errorf("routing task %d of %d: %w", k+1, req.Tasks, err)
			}
		}
		return d.PlanPooled(ctx, tasks)
	}
	return d.PlanPart(ctx, req.Part, nil)
}

// planTask is the core of a routing task's child job: the task alone,
// from the parent's input and options, without zoning the day.
func (s *Server) planTask(ctx context.Context, r *jobRun, req partRequest) store.Outcome {
	return s.runChild(ctx, r, req, func(ctx context.Context, in urban.Input, opts urban.Options) (any, float64, error) {
		tp, err := urban.SolveTask(ctx, in, opts, *req.Task)
		if err != nil {
			return nil, 0, err
		}
		return tp, tp.CostYuan(), nil
	})
}

// runChild runs a child job's plan in a solver slot: it rebuilds the
// day's input and options from the parent's request, runs plan under the
// job's time limit and stores its outcome (JSON) as the result.
func (s *Server) runChild(ctx context.Context, r *jobRun, req partRequest,
	plan func(ctx context.Context, in urban.Input, opts urban.Options) (any, float64, error)) store.Outcome {
	start, name := time.Now(), req.name()
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
		r.report(store.JobProgress{Stage: fmt.Sprintf("%s: %s %d/%d", name, p.Stage, p.Done, p.Total),
			ElapsedSeconds: time.Since(start).Seconds(), PartsDone: p.Done, PartsTotal: p.Total})
	}
	ctx, cancel := context.WithTimeout(ctx, limitFromMs(sreq.TimeLimitMs, s.cfg.MaxJobTime, s.cfg.MaxJobTime))
	defer cancel()
	out, cost, err := plan(ctx, in, opts)
	prog := store.JobProgress{Stage: name + " done", ElapsedSeconds: time.Since(start).Seconds()}
	switch {
	case err != nil && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		return store.Outcome{Status: store.JobCancelled, Progress: prog}
	case err != nil:
		return fail(err.Error())
	}
	res, err := json.Marshal(out)
	if err != nil {
		return fail("internal error")
	}
	prog.BestCost = cost
	return store.Outcome{Status: store.JobSucceeded, Result: res, Progress: prog}
}

// childResult decodes the result of child job id, which must have
// succeeded, into v.
func (s *Server) childResult(ctx context.Context, id string, v any) error {
	j, err := s.store.Job(ctx, id)
	if err != nil {
		return err
	}
	if j.Status != store.JobSucceeded {
		return fmt.Errorf("%s is %s", id, j.Status)
	}
	if err := json.Unmarshal(j.Result, v); err != nil {
		return fmt.Errorf("%s: result: %w", id, err)
	}
	return nil
}

// childID is the id of the parent's child job for part index k.
func childID(parent string, k int) string { return parent + ".p" + strconv.Itoa(k) }

// taskChildID is the id of the parent's child job for routing task k.
func taskChildID(parent string, k int) string { return parent + ".t" + strconv.Itoa(k) }

// childIndex is the index of a child job id among the parent's children
// of tag ("p": parts, "t": tasks), -1 if it is none.
func childIndex(parent, tag, id string) int {
	rest, ok := strings.CutPrefix(id, parent+"."+tag)
	k, err := strconv.Atoi(rest)
	if !ok || err != nil || k < 0 {
		return -1
	}
	return k
}

// joinUrban is the urban plan of a parent job: it makes sure every part
// and routing task has its child job, reports their progress, and returns
// errParked while some are unfinished, the assembled report once all have
// succeeded, or an error when one failed.
func (s *Server) joinUrban(ctx context.Context, r *jobRun, ureq scenario.UrbanRequest, sc *scenario.Scenario) (*urban.Report, error) {
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
	f, err := s.children(ctx, parent.ID)
	if err != nil {
		return nil, err
	}
	total := parent.Progress.PartsTotal
	if total == 0 || f.len() < total {
		d, err := newDay()
		if err != nil {
			return nil, err
		}
		if total, err = s.createChildren(ctx, parent, f, d); err != nil {
			return nil, err
		}
		if f, err = s.children(ctx, parent.ID); err != nil {
			return nil, err
		}
	}
	prog, err := f.progress(total)
	if err != nil {
		return nil, err
	}
	prog.ElapsedSeconds, prog.ResumedParts = time.Since(parent.CreatedAt).Seconds(), parent.Progress.ResumedParts
	if !r.continued { // a new attempt: say what it found done
		prog.ResumedParts = 0
		if parent.Attempts > 1 {
			prog.ResumedParts = prog.PartsDone
		}
	}
	r.report(prog)
	if prog.PartsDone < total {
		s.rewake(ctx, f)
		return nil, errParked
	}
	d, err := newDay()
	if err != nil {
		return nil, err
	}
	plans := make([]*urban.PartPlan, len(f.parts))
	for k := range plans {
		if err := s.childResult(ctx, childID(parent.ID, k), &plans[k]); err != nil {
			return nil, fmt.Errorf("sub-plan: %w", err)
		}
	}
	return d.Report(plans)
}

// createChildren creates the child jobs that f lacks: one per routing
// task of the pooled part's first stage (job_….t0 …, biggest first), then
// one per part (job_….p0 …), the pooled part held until its tasks are
// done and the coalitions until the pooled part is. It returns how many
// children the parent has.
func (s *Server) createChildren(ctx context.Context, parent *store.Job, f family, d *urban.Day) (int, error) {
	tasks, parts := d.PooledTasks(), d.Parts()
	// Biggest first, as urban's own worker pool takes them: River takes
	// jobs in the order they were inserted, and the largest task is the
	// pooled plan's tail.
	order := make([]int, len(tasks))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(tasks[b].Parcels) - len(tasks[a].Parcels) })
	for _, k := range order {
		if f.tasks[k] == nil {
			req := partRequest{Index: k, Task: &tasks[k], Tasks: len(tasks), Plan: parent.Request}
			if err := s.createChild(ctx, parent, taskChildID(parent.ID, k), req, false); err != nil {
				return 0, err
			}
		}
	}
	for k, p := range parts {
		if f.parts[k] != nil {
			continue
		}
		req := partRequest{Index: k, Part: p, Plan: parent.Request}
		held := p.Kind == urban.PartCoalition
		if p.Kind == urban.PartPooled && len(tasks) > 0 {
			req.Tasks, held = len(tasks), true
		}
		if err := s.createChild(ctx, parent, childID(parent.ID, k), req, held); err != nil {
			return 0, err
		}
	}
	return len(tasks) + len(parts), nil
}

// createChild enqueues the parent's child job id, unless it exists.
func (s *Server) createChild(ctx context.Context, parent *store.Job, id string, req partRequest, held bool) error {
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("child job %s: %w", id, err)
	}
	cj := &store.Job{ID: id, Kind: kindUrbanPart, Status: store.JobQueued, Owner: parent.Owner, Parent: parent.ID, Request: b}
	err = s.store.(fanoutStore).EnqueueJob(ctx, cj, UrbanPartArgs{JobID: id, Held: held})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("create child job %s: %w", id, err)
	}
	return nil
}

// family is a parent's child jobs: its parts by part index, the pooled
// part's routing tasks by task index.
type family struct {
	parts, tasks map[int]*store.Job
}

func (f family) len() int { return len(f.parts) + len(f.tasks) }

// tasksDone tells whether task children 0 to n-1 all exist and are final,
// and whether they all succeeded.
func (f family) tasksDone(n int) (final, succeeded bool) {
	succeeded = true
	for k := range n {
		kid := f.tasks[k]
		if kid == nil || !kid.Status.Final() {
			return false, false
		}
		succeeded = succeeded && kid.Status == store.JobSucceeded
	}
	return true, succeeded
}

// progress is the parent's progress out of total children, in children
// done and in words by stage: the pooled part's routing tasks, then the
// pooled and separate parts, then the coalitions. A child that failed or
// was cancelled is an error.
func (f family) progress(total int) (store.JobProgress, error) {
	tasks, err := succeeded(f.tasks)
	if err != nil {
		return store.JobProgress{}, err
	}
	parts, err := succeeded(f.parts)
	if err != nil {
		return store.JobProgress{}, err
	}
	first := 0
	for k := range 2 {
		if kid := f.parts[k]; kid != nil && kid.Status == store.JobSucceeded {
			first++
		}
	}
	prog := store.JobProgress{PartsDone: tasks + parts, PartsTotal: total}
	switch {
	case tasks < len(f.tasks):
		prog.Stage = fmt.Sprintf("pooled routing tasks %d/%d done", tasks, len(f.tasks))
	case first < 2:
		prog.Stage = fmt.Sprintf("pooled and separate plans %d/2 done", first)
	case prog.PartsDone < total:
		prog.Stage = fmt.Sprintf("coalition plans %d/%d done", parts-2, len(f.parts)-2)
	default:
		prog.Stage = "assembling the report"
	}
	return prog, nil
}

// succeeded counts the kids that succeeded; one that failed or was
// cancelled is an error.
func succeeded(kids map[int]*store.Job) (int, error) {
	n := 0
	for _, kid := range kids {
		switch kid.Status {
		case store.JobSucceeded:
			n++
		case store.JobFailed, store.JobCancelled:
			return 0, errorf(errSubPlan, "sub-plan %s %s: %s", kid.ID, kid.Status, kid.Error)
		}
	}
	return n, nil
}

// children returns the child jobs of parent.
func (s *Server) children(ctx context.Context, parent string) (family, error) {
	f := family{parts: map[int]*store.Job{}, tasks: map[int]*store.Job{}}
	js, err := s.store.Jobs(ctx, store.JobFilter{Parent: parent, Limit: 1 << 16})
	if err != nil {
		return f, err
	}
	for _, j := range js {
		if k := childIndex(parent, "p", j.ID); k >= 0 {
			f.parts[k] = j
		} else if k := childIndex(parent, "t", j.ID); k >= 0 {
			f.tasks[k] = j
		}
	}
	return f, nil
}

// rewake wakes the children whose inputs are done, in case the wake-up
// of the child that finished last was lost: the pooled child once its
// tasks have succeeded, the coalition children once the pooled child has.
func (s *Server) rewake(ctx context.Context, f family) {
	pooled := f.parts[0]
	if pooled == nil {
		return
	}
	if _, ok := f.tasksDone(len(f.tasks)); ok && pooled.Status == store.JobQueued {
		s.wake(ctx, pooled.ID)
	}
	if pooled.Status == store.JobSucceeded {
		s.wakeCoalitions(ctx, f)
	}
}

// wakeCoalitions wakes the waiting coalition children: the pooled plan
// they start from is done.
func (s *Server) wakeCoalitions(ctx context.Context, f family) {
	for k, kid := range f.parts {
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
	f, err := s.children(ctx, parent)
	if err != nil {
		s.log.Warn("job: cancel children", "job", parent, "err", err)
		return
	}
	for _, kids := range []map[int]*store.Job{f.tasks, f.parts} {
		for _, kid := range kids {
			s.cancelChild(ctx, kid)
		}
	}
}

// cancelChild cancels a child job unless it is final.
func (s *Server) cancelChild(ctx context.Context, kid *store.Job) {
	if kid.Status.Final() {
		return
	}
	if _, err := s.store.CancelJob(ctx, kid.ID); err != nil && !errors.Is(err, store.ErrConflict) {
		s.log.Warn("job: cancel child", "job", kid.ID, "err", err)
	}
	if cancel, ok := s.runs.Load(kid.ID); ok {
		cancel.(context.CancelCauseFunc)(errJobCancelled)
	}
}

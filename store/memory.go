package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
)

// Memory is the embedded, non-persistent store. It is safe for concurrent
// use; values are copied in and out so callers never share memory with it.
type Memory struct {
	mu         sync.RWMutex
	facilities map[depots.ID]depots.Facility
	jobs       map[string]Job
	routes     map[string]CourierRoute
	events     []StopEvent
	plans      map[string]Plan
	seq        int64
	now        func() time.Time
	hub        *hub
	keys       map[string]APIKey
	demand     map[string]DemandPoint
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{
		facilities: map[depots.ID]depots.Facility{},
		jobs:       map[string]Job{},
		routes:     map[string]CourierRoute{},
		plans:      map[string]Plan{},
		hub:        newHub(),
		now:        func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
}

// Persistent reports false: nothing survives a restart.
func (m *Memory) Persistent() bool { return false }

// Close does nothing; it makes Memory interchangeable with Postgres.
func (m *Memory) Close() {}

// CreateFacility adds f, or returns ErrConflict if its id exists.
func (m *Memory) CreateFacility(ctx context.Context, f *depots.Facility) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.facilities[f.ID]; ok {
		return fmt.Errorf("facility %q: %w", f.ID, ErrConflict)
	}
	m.facilities[f.ID] = cloneFacility(f)
	return nil
}

// PutFacility creates or replaces f.
func (m *Memory) PutFacility(ctx context.Context, f *depots.Facility) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.facilities[f.ID] = cloneFacility(f)
	return nil
}

// Facility returns the facility id, or depots.ErrNotFound.
func (m *Memory) Facility(ctx context.Context, id depots.ID) (*depots.Facility, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.facilities[id]
	if !ok {
		return nil, fmt.Errorf("facility %q: %w", id, depots.ErrNotFound)
	}
	c := cloneFacility(&f)
	return &c, nil
}

// Facilities returns the facilities matching filter, ordered by id.
func (m *Memory) Facilities(ctx context.Context, filter FacilityFilter) ([]*depots.Facility, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*depots.Facility, 0, len(m.facilities))
	for _, f := range m.facilities {
		if filter.match(&f) {
			c := cloneFacility(&f)
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *depots.Facility) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out, nil
}

// DeleteFacility removes the facility id, or returns depots.ErrNotFound.
func (m *Memory) DeleteFacility(ctx context.Context, id depots.ID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.facilities[id]; !ok {
		return fmt.Errorf("facility %q: %w", id, depots.ErrNotFound)
	}
	delete(m.facilities, id)
	return nil
}

// CreateJob adds j, setting its timestamps, or returns ErrConflict.
func (m *Memory) CreateJob(ctx context.Context, j *Job) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.jobs[j.ID]; ok {
		return fmt.Errorf("job %q: %w", j.ID, ErrConflict)
	}
	if j.Kind == "" {
		j.Kind = "optimize"
	}
	now := m.now()
	j.CreatedAt, j.UpdatedAt = now, now
	m.jobs[j.ID] = cloneJob(j)
	return nil
}

// WatchJob returns the changes of job id until ctx ends or stop is called.
func (m *Memory) WatchJob(ctx context.Context, id string) (<-chan JobEvent, func()) {
	return m.hub.watch(ctx, id)
}

// Job returns the job id, or ErrNotFound.
func (m *Memory) Job(ctx context.Context, id string) (*Job, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	c := cloneJob(&j)
	return &c, nil
}

// Jobs lists the jobs matching f, newest first.
func (m *Memory) Jobs(ctx context.Context, f JobFilter) ([]*Job, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []*Job
	for _, j := range m.jobs {
		if (f.Owner == "" || j.Owner == f.Owner) && (f.Status == "" || j.Status == f.Status) && j.Parent == f.Parent {
			c := cloneJob(&j)
			c.Request, c.Result, c.Checkpoint = nil, nil, nil
			out = append(out, &c)
		}
	}
	slices.SortFunc(out, func(a, b *Job) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if f.After != "" {
		i := slices.IndexFunc(out, func(j *Job) bool { return j.ID == f.After })
		if i < 0 {
			return nil, fmt.Errorf("job cursor %q: %w", f.After, ErrNotFound)
		}
		out = out[i+1:]
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// CountJobs counts owner's jobs in each status.
func (m *Memory) CountJobs(ctx context.Context, owner string) (map[JobStatus]int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := map[JobStatus]int{}
	for _, j := range m.jobs {
		if (owner == "" || j.Owner == owner) && j.Parent == "" {
			out[j.Status]++
		}
	}
	return out, nil
}

// DeleteJob removes the job id (a job refused after it was created).
func (m *Memory) DeleteJob(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.jobs, id)
	return nil
}

// StartJob marks a queued or running job as running in a new attempt and
// returns it. A job that is final, or whose queue entry is not queueID,
// is not started: ErrConflict. With maxRunning > 0, a job whose owner
// already runs that many others is not started either: ErrQuota.
func (m *Memory) StartJob(ctx context.Context, id string, queueID int64, maxRunning int) (*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	switch {
	case !ok:
		return nil, fmt.Errorf("job %q: %w", id, ErrNotFound)
	case j.Status.Final():
		return nil, fmt.Errorf("job %q is %s: %w", id, j.Status, ErrConflict)
	case j.QueueID != queueID:
		return nil, fmt.Errorf("job %q: queue entry %d superseded by %d: %w", id, queueID, j.QueueID, ErrConflict)
	}
	if maxRunning > 0 {
		n := 0
		for _, o := range m.jobs {
			if o.Owner == j.Owner && o.Status == JobRunning && o.ID != id && (o.Parent == "") == (j.Parent == "") {
				n++
			}
		}
		if n >= maxRunning {
			return nil, fmt.Errorf("job %q: owner runs %d jobs: %w", id, n, ErrQuota)
		}
	}
	j.Status, j.Attempts, j.ResumedAt = JobRunning, j.Attempts+1, j.CheckpointIteration
	j.UpdatedAt = m.now()
	j.HeartbeatAt = j.UpdatedAt
	m.jobs[id] = j
	m.hub.publishJob(&j)
	c := cloneJob(&j)
	return &c, nil
}

// SaveProgress stores the progress (and, when not nil, the checkpoint
// found at iteration) of attempt, which must still be running: otherwise
// the job was cancelled or taken over, and SaveProgress returns
// ErrConflict.
func (m *Memory) SaveProgress(ctx context.Context, id string, attempt int, p JobProgress, checkpoint json.RawMessage, iteration int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	if j.Status != JobRunning || j.Attempts != attempt {
		return fmt.Errorf("job %q is %s (attempt %d, not %d): %w", id, j.Status, j.Attempts, attempt, ErrConflict)
	}
	j.Progress = p
	if checkpoint != nil {
		j.Checkpoint, j.CheckpointIteration = slices.Clone(checkpoint), iteration
	}
	j.UpdatedAt = m.now()
	j.HeartbeatAt = j.UpdatedAt
	m.jobs[id] = j
	m.hub.publishJob(&j)
	return nil
}

// FinishJob stores the outcome of attempt. A job cancelled meanwhile stays
// cancelled and keeps o.Result as its result if it has none; any other
// job that is not this attempt's running job is left alone: ErrConflict.
func (m *Memory) FinishJob(ctx context.Context, id string, attempt int, o Outcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	switch {
	case j.Attempts != attempt:
		return fmt.Errorf("job %q: attempt %d superseded by %d: %w", id, attempt, j.Attempts, ErrConflict)
	case j.Status == JobRunning:
		j.Status, j.Result, j.Error, j.Progress = o.Status, slices.Clone(o.Result), o.Error, o.Progress
		j.Checkpoint = nil
	case j.Status == JobCancelled && j.Result == nil && o.Result != nil:
		j.Result, j.Progress = slices.Clone(o.Result), o.Progress
	default:
		return fmt.Errorf("job %q is %s: %w", id, j.Status, ErrConflict)
	}
	j.UpdatedAt = m.now()
	m.jobs[id] = j
	m.hub.publishJob(&j)
	return nil
}

// RequeueJob puts attempt's running job back in the queue (a server
// stopping mid-run); its checkpoint stays.
func (m *Memory) RequeueJob(ctx context.Context, id string, attempt int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	if j.Status != JobRunning || j.Attempts != attempt {
		return fmt.Errorf("job %q is %s: %w", id, j.Status, ErrConflict)
	}
	j.Status, j.UpdatedAt = JobQueued, m.now()
	m.jobs[id] = j
	m.hub.publishJob(&j)
	return nil
}

// CancelJob marks a queued or running job cancelled and returns it; a
// final job is left alone: ErrConflict.
func (m *Memory) CancelJob(ctx context.Context, id string) (*Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	if j.Status.Final() {
		return nil, fmt.Errorf("job %q already %s: %w", id, j.Status, ErrConflict)
	}
	j.Status, j.UpdatedAt = JobCancelled, m.now()
	m.jobs[id] = j
	m.hub.publishJob(&j)
	c := cloneJob(&j)
	return &c, nil
}

// SaveRoute stores r as the courier's next route version and, when e is
// not nil, appends e, both or neither: under one lock, the version check
// and the writes are one step.
func (m *Memory) SaveRoute(ctx context.Context, r *CourierRoute, e *StopEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.routes[r.CourierID]; r.Version != old.Version+1 {
		return fmt.Errorf("route of courier %q: version %d after %d: %w", r.CourierID, r.Version, old.Version, ErrConflict)
	}
	r.UpdatedAt = m.now()
	c := *r
	c.Route = slices.Clone(r.Route)
	m.routes[r.CourierID] = c
	if e != nil {
		m.addEvent(e)
	}
	return nil
}

// Route returns the courier's current route, or ErrNotFound.
func (m *Memory) Route(ctx context.Context, courierID string) (*CourierRoute, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.routes[courierID]
	if !ok {
		return nil, fmt.Errorf("route of courier %q: %w", courierID, ErrNotFound)
	}
	r.Route = slices.Clone(r.Route)
	return &r, nil
}

func (m *Memory) addEvent(e *StopEvent) {
	m.seq++
	e.Seq, e.CreatedAt = m.seq, m.now()
	c := *e
	c.Payload = slices.Clone(e.Payload)
	m.events = append(m.events, c)
}

// Events returns the courier's events in the order they were added.
func (m *Memory) Events(ctx context.Context, courierID string) ([]*StopEvent, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []*StopEvent
	for _, e := range m.events {
		if e.CourierID == courierID {
			c := e
			c.Payload = slices.Clone(e.Payload)
			out = append(out, &c)
		}
	}
	return out, nil
}

// CreatePlan adds p, setting CreatedAt, or returns ErrConflict.
func (m *Memory) CreatePlan(ctx context.Context, p *Plan) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.plans[p.ID]; ok {
		return fmt.Errorf("plan %q: %w", p.ID, ErrConflict)
	}
	p.CreatedAt = m.now()
	c := *p
	c.Request, c.Result = slices.Clone(p.Request), slices.Clone(p.Result)
	m.plans[p.ID] = c
	return nil
}

// Plan returns the plan id, or ErrNotFound.
func (m *Memory) Plan(ctx context.Context, id string) (*Plan, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.plans[id]
	if !ok {
		return nil, fmt.Errorf("plan %q: %w", id, ErrNotFound)
	}
	p.Request, p.Result = slices.Clone(p.Request), slices.Clone(p.Result)
	return &p, nil
}

func cloneJob(j *Job) Job {
	c := *j
	c.Request, c.Result, c.Checkpoint = slices.Clone(j.Request), slices.Clone(j.Result), slices.Clone(j.Checkpoint)
	return c
}

func cloneFacility(f *depots.Facility) depots.Facility {
	c := *f
	if f.Capacity.PerCategory != nil {
		c.Capacity.PerCategory = make(map[string]float64, len(f.Capacity.PerCategory))
		for k, v := range f.Capacity.PerCategory {
			c.Capacity.PerCategory[k] = v
		}
	}
	return c
}

// Purge removes what r says has expired.
func (m *Memory) Purge(ctx context.Context, r Retention) (Purged, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out Purged
	now := m.now()
	if t, ok := cutoff(now, r.Jobs); ok {
		for id, j := range m.jobs {
			if j.Status.Final() && j.UpdatedAt.Before(t) {
				delete(m.jobs, id)
				out.Jobs++
			}
		}
	}
	if t, ok := cutoff(now, r.Results); ok {
		for id, j := range m.jobs {
			if j.Status.Final() && j.UpdatedAt.Before(t) && j.Result != nil {
				j.Result = nil
				m.jobs[id] = j
				out.Results++
			}
		}
	}
	if t, ok := cutoff(now, r.Plans); ok {
		for id, p := range m.plans {
			if p.CreatedAt.Before(t) {
				delete(m.plans, id)
				out.Plans++
			}
		}
	}
	return out, nil
}

package store

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
)

// Sentinel errors, matched with errors.Is. Facilities use depots.ErrNotFound.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid is text the database cannot keep (NUL, invalid UTF-8)
	// that got past the API's own checks: a client error, never a 500.
	ErrInvalid = errors.New("store: value not storable")
	// ErrUnavailable is a database that cannot be reached or is not
	// serving: the API answers 503 with Retry-After, and callers that can
	// wait retry.
	ErrUnavailable = errors.New("store: database unavailable")
	// ErrQuota is a job not started because its owner already runs the
	// most jobs allowed at once.
	ErrQuota = errors.New("store: the owner runs its quota of jobs")
)

// JobStatus is the life-cycle state of an asynchronous job.
type JobStatus string

const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// Final reports whether no further change will happen to a job in status s.
func (s JobStatus) Final() bool {
	return s == JobSucceeded || s == JobFailed || s == JobCancelled
}

// JobProgress is the best solution found so far by a running job.
// BestCost is in the same currency units as the solution's cost, so a
// client can compare progress with the result.
type JobProgress struct {
	BestCost       float64 `json:"best_cost"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	Iteration      int     `json:"iteration"`
	Routes         int     `json:"routes"`
	Unassigned     int     `json:"unassigned"`
	// Stage, PartsDone and PartsTotal are a fanned-out plan's progress in
	// words ("coalition plans 7/10 done") and in sub-plans (child jobs)
	// finished out of all; ResumedParts, when positive, is how many were
	// already finished when the latest attempt began.
	Stage        string `json:"stage,omitempty"`
	PartsDone    int    `json:"parts_done,omitempty"`
	PartsTotal   int    `json:"parts_total,omitempty"`
	ResumedParts int    `json:"resumed_parts,omitempty"`
}

// Job is one asynchronous run (a solve or a planner run): its request,
// state and result.
type Job struct {
	ID     string
	Status JobStatus
	// Kind is what the job runs: "optimize" or a planner ("allocation",
	// "location", "coverage", "sites", "urban", "rural").
	Kind string
	// Owner is the API key's name (or courier id) that submitted the job;
	// only it and planners may read the job.
	Owner    string
	Request  json.RawMessage
	Progress JobProgress
	// Result is set when Status is JobSucceeded (or JobCancelled with a best
	// solution); Error holds a client-safe message when Status is JobFailed.
	Result json.RawMessage
	Error  string
	// Attempts counts the runs that started the job: 1 for a job run once,
	// more after a worker died or a server stopped mid-run. StartJob
	// increments it, and each run's writes name its attempt, so that a
	// superseded run can change nothing.
	Attempts int
	// Checkpoint is the best solution a run saved (opaque to the store);
	// CheckpointIteration the iteration it was found at; ResumedAt the
	// iteration the latest attempt resumed from (0: from scratch).
	Checkpoint          json.RawMessage
	CheckpointIteration int
	ResumedAt           int
	// QueueID is the job's entry in the durable queue (River's job id);
	// 0 for a store without one.
	QueueID   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// HeartbeatAt is when the running attempt last saved progress.
	HeartbeatAt time.Time
	// Parent is the job this one is a part of (a sub-plan of a fanned-out
	// plan), "" for a top-level job. Listings and the per-key quotas count
	// top-level jobs only.
	Parent string
}

// Outcome is how a run ended: the final status with its result or error,
// and the last progress.
type Outcome struct {
	Status   JobStatus
	Result   json.RawMessage
	Error    string
	Progress JobProgress
}

// JobFilter selects jobs to list: an owner ("" for all) and a status (""
// for any), newest first, starting after the cursor (the last id of the
// previous page); top-level jobs, or with Parent the children of that job.
type JobFilter struct {
	Owner  string
	Status JobStatus
	After  string
	Limit  int
	Parent string
}

// CourierRoute is the route currently assigned to a courier. Version starts
// at 1 and grows by one with each re-plan; SaveRoute uses it for optimistic
// concurrency.
type CourierRoute struct {
	CourierID string
	Version   int64
	Route     json.RawMessage
	UpdatedAt time.Time
}

// StopEvent is something a courier reported: a delivery, a failure, an
// added order. Seq is assigned by the store, increasing per store.
type StopEvent struct {
	Seq       int64
	CourierID string
	Kind      string
	StopID    string
	Payload   json.RawMessage
	CreatedAt time.Time
}

// Plan is the stored result of a planning run (dispatch, allocation,
// location, coverage).
type Plan struct {
	ID        string
	Kind      string
	Owner     string
	Request   json.RawMessage
	Result    json.RawMessage
	CreatedAt time.Time
}

// FacilityFilter selects facilities; zero fields match everything.
type FacilityFilter struct {
	Kind depots.Kind
}

func (f FacilityFilter) match(fc *depots.Facility) bool {
	return f.Kind == "" || fc.Kind == f.Kind
}

// Retention says how long finished records are kept; zero keeps them
// forever. Jobs and Results count from a job's last change, Plans from
// their creation.
type Retention struct {
	Jobs    time.Duration // finished jobs are deleted
	Results time.Duration // finished jobs lose their result (the row stays)
	Plans   time.Duration // plans are deleted
}

// Purged counts what a purge removed.
type Purged struct {
	Jobs, Results, Plans int
}

func cutoff(now time.Time, d time.Duration) (time.Time, bool) {
	if d <= 0 {
		return time.Time{}, false
	}
	return now.Add(-d), true
}

package api

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/store"
)

// Bounds of the operator's summary: the failures it lists, and the
// unfinished jobs it reads for the ages by kind (the counts are exact
// whatever the size; past the bound, Truncated says the ages are of the
// newest jobs only).
const (
	summaryFailures   = 10
	summaryUnfinished = 10_000
	summaryPage       = 1000
)

// jobSummary is the answer of GET /v1/jobs/summary: the queue as an
// operator watches it, over every key's jobs.
type jobSummary struct {
	// Counts holds the number of jobs in each state, zeros included.
	Counts map[store.JobStatus]int `json:"counts"`
	// Queued and Running break the unfinished jobs down by kind, with the
	// age of the oldest.
	Queued  []kindAge `json:"queued"`
	Running []kindAge `json:"running"`
	// RecentFailures are the newest failed jobs, with their errors.
	RecentFailures []failedJob `json:"recent_failures"`
	Truncated      bool        `json:"truncated,omitempty"`
	GeneratedAt    time.Time   `json:"generated_at"`
}

// kindAge counts the jobs of one kind in one state; OldestAgeSeconds is
// how long the oldest has waited since it was submitted.
type kindAge struct {
	Kind             string  `json:"kind"`
	Count            int     `json:"count"`
	OldestID         string  `json:"oldest_id"`
	OldestAgeSeconds float64 `json:"oldest_age_seconds"`
}

type failedJob struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Owner    string    `json:"owner"`
	Error    string    `json:"error"`
	Attempts int       `json:"attempts"`
	FailedAt time.Time `json:"failed_at"`
}

// jobsSummary answers GET /v1/jobs/summary (operators only).
func (s *Server) jobsSummary(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := time.Now()
	counts, err := s.store.CountJobs(ctx, "")
	if err != nil {
		return err
	}
	sum := jobSummary{Counts: map[store.JobStatus]int{}, GeneratedAt: now.UTC()}
	for _, st := range []store.JobStatus{store.JobQueued, store.JobRunning, store.JobSucceeded, store.JobFailed, store.JobCancelled} {
		sum.Counts[st] = counts[st]
	}
	var truncQ, truncR bool
	if sum.Queued, truncQ, err = s.agesByKind(ctx, store.JobQueued, now); err != nil {
		return err
	}
	if sum.Running, truncR, err = s.agesByKind(ctx, store.JobRunning, now); err != nil {
		return err
	}
	sum.Truncated = truncQ || truncR
	failed, err := s.store.Jobs(ctx, store.JobFilter{Status: store.JobFailed, Limit: summaryFailures})
	if err != nil {
		return err
	}
	sum.RecentFailures = make([]failedJob, 0, len(failed))
	for _, j := range failed {
		sum.RecentFailures = append(sum.RecentFailures, failedJob{ID: j.ID, Kind: j.Kind, Owner: j.Owner,
			Error: j.Error, Attempts: j.Attempts, FailedAt: j.UpdatedAt})
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// agesByKind groups the jobs in state st by kind, reading at most
// summaryUnfinished of them (newest first, page by page), and reports
// whether it stopped there.
func (s *Server) agesByKind(ctx context.Context, st store.JobStatus, now time.Time) ([]kindAge, bool, error) {
	byKind := map[string]*kindAge{}
	after, read := "", 0
	for read < summaryUnfinished {
		js, err := s.store.Jobs(ctx, store.JobFilter{Status: st, After: after, Limit: summaryPage})
		if err != nil {
			return nil, false, err
		}
		for _, j := range js {
			k := byKind[j.Kind]
			if k == nil {
				k = &kindAge{Kind: j.Kind}
				byKind[j.Kind] = k
			}
			// Newest first: each job is older than the last seen.
			k.Count++
			k.OldestID, k.OldestAgeSeconds = j.ID, max(0, now.Sub(j.CreatedAt).Seconds())
		}
		read += len(js)
		if len(js) < summaryPage {
			return sortedKinds(byKind), false, nil
		}
		after = js[len(js)-1].ID
	}
	return sortedKinds(byKind), true, nil
}

func sortedKinds(m map[string]*kindAge) []kindAge {
	out := make([]kindAge, 0, len(m))
	for _, k := range m {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b kindAge) int { // longest wait first
		return cmp.Or(cmp.Compare(b.OldestAgeSeconds, a.OldestAgeSeconds), strings.Compare(a.Kind, b.Kind))
	})
	return out
}

package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/store"
)

// failOnTwoJobs fails every problem of two jobs and solves others slowly,
// so that a test can hold a job failed, one running and one queued.
func failOnTwoJobs() api.Solver {
	slow := slowSolver{steps: 1000, tick: 10 * time.Millisecond}
	return api.SolverFunc(func(ctx context.Context, p *routing.Problem, o routing.Options) (*routing.Solution, error) {
		if len(p.Jobs) == 2 {
			return nil, errors.New("solver exploded")
		}
		return slow.Solve(ctx, p, o)
	})
}

type jobList struct {
	Jobs []api.JobDoc `json:"jobs"`
	Next string       `json:"next"`
}

// TestJobsSummary: an operator sees every key's queue (counts by state,
// the oldest waiting job per kind, the newest failures with their errors)
// and may list every key's jobs; couriers and planners may not, and a
// courier's list holds only its own jobs.
func TestJobsSummary(t *testing.T) {
	jobStores(t, func(t *testing.T, open func() api.Store) {
		ts := startServer(t, api.Config{Store: open(), Solver: failOnTwoJobs(), Workers: 1})
		var failed, running, queued api.JobDoc
		ts.do("POST", "/v1/jobs", courierKey, smallProblem(2)).decode(t, &failed)
		if got := waitJob(t, ts, failed.ID, courierKey); got.Status != store.JobFailed {
			t.Fatalf("job of two tasks = %s, want failed", got.Status)
		}
		ts.do("POST", "/v1/jobs", plannerKey, smallProblem(3)).decode(t, &running)
		ts.do("POST", "/v1/jobs", plannerKey, smallProblem(3)).decode(t, &queued)
		waitStatus(t, ts, running.ID, store.JobRunning)

		for _, key := range []string{courierKey, plannerKey} {
			if r := ts.do("GET", "/v1/jobs/summary", key, nil); r.Status != http.StatusForbidden {
				t.Errorf("GET /v1/jobs/summary as %s = %d, want 403", key, r.Status)
			}
			if r := ts.do("GET", "/v1/jobs?all=true", key, nil); r.Status != http.StatusForbidden {
				t.Errorf("GET /v1/jobs?all=true as %s = %d, want 403", key, r.Status)
			}
		}

		var sum api.JobSummary
		r := ts.do("GET", "/v1/jobs/summary", operatorKey, nil)
		r.decode(t, &sum)
		if r.Status != http.StatusOK {
			t.Fatalf("GET /v1/jobs/summary = %d %s", r.Status, r.Body)
		}
		if c := sum.Counts; c[store.JobFailed] != 1 || c[store.JobRunning] != 1 || c[store.JobQueued] != 1 || c[store.JobSucceeded] != 0 {
			t.Errorf("summary counts = %v, want 1 failed, 1 running, 1 queued", c)
		}
		if len(sum.Queued) != 1 || sum.Queued[0].Kind != "optimize" || sum.Queued[0].Count != 1 || sum.Queued[0].OldestID != queued.ID ||
			sum.Queued[0].OldestAgeSeconds <= 0 {
			t.Errorf("summary queued = %+v, want optimize: 1, oldest %s", sum.Queued, queued.ID)
		}
		if len(sum.Running) != 1 || sum.Running[0].OldestID != running.ID {
			t.Errorf("summary running = %+v, want %s", sum.Running, running.ID)
		}
		if len(sum.RecentFailures) != 1 || sum.RecentFailures[0].ID != failed.ID || sum.RecentFailures[0].Error == "" ||
			!strings.HasPrefix(sum.RecentFailures[0].Owner, "courier:c1:") || sum.RecentFailures[0].FailedAt.IsZero() {
			t.Errorf("summary failures = %+v, want %s by courier c1 with its error and time", sum.RecentFailures, failed.ID)
		}

		for _, c := range []struct {
			key, query string
			want       []string
		}{
			{operatorKey, "all=true", []string{queued.ID, running.ID, failed.ID}},
			{operatorKey, "all=true&status=failed", []string{failed.ID}},
			{operatorKey, "", []string{}},
			{courierKey, "", []string{failed.ID}},
			{courierKey, "status=queued", []string{}},
			{courier2Key, "", []string{}},
			{plannerKey, "status=queued", []string{queued.ID}},
		} {
			var page jobList
			r := ts.do("GET", "/v1/jobs?"+c.query, c.key, nil)
			r.decode(t, &page)
			var got []string
			for _, j := range page.Jobs {
				got = append(got, j.ID)
				if strings.Contains(c.query, "all=true") && j.Owner == "" {
					t.Errorf("GET /v1/jobs?%s: job %s without its owner", c.query, j.ID)
				}
			}
			if r.Status != http.StatusOK || !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
				t.Errorf("GET /v1/jobs?%s as %s = %d %v, want %v", c.query, c.key, r.Status, got, c.want)
			}
		}
		// Pages of every key's jobs keep the filter.
		var page, rest jobList
		ts.do("GET", "/v1/jobs?all=true&limit=2", operatorKey, nil).decode(t, &page)
		ts.do("GET", page.Next, operatorKey, nil).decode(t, &rest)
		if len(page.Jobs) != 2 || len(rest.Jobs) != 1 || rest.Jobs[0].ID != failed.ID {
			t.Errorf("all jobs in pages of 2: %d then %v (next %q), want 2 then %s", len(page.Jobs), rest.Jobs, page.Next, failed.ID)
		}
		for _, q := range []string{"status=done", "all=maybe"} {
			r := ts.do("GET", "/v1/jobs?"+q, operatorKey, nil)
			if p := r.problem(t); r.Status != http.StatusBadRequest || len(p.InvalidParams) != 1 || !strings.HasPrefix(q, p.InvalidParams[0].Name+"=") {
				t.Errorf("GET /v1/jobs?%s = %d %+v, want 400 naming the parameter", q, r.Status, p)
			}
		}
		ts.do("DELETE", "/v1/jobs/"+running.ID, plannerKey, nil)
		ts.do("DELETE", "/v1/jobs/"+queued.ID, plannerKey, nil)
	})
}

func waitStatus(t *testing.T, ts *testServer, id string, want store.JobStatus) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var j api.JobDoc
		ts.do("GET", "/v1/jobs/"+id, operatorKey, nil).decode(t, &j)
		if j.Status == want {
			return
		}
	}
	t.Fatalf("job %s never %s", id, want)
}

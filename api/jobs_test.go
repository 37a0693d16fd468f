package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

var preferAsync = http.Header{"Prefer": {"respond-async, wait=5"}}

// jobStores runs fn on the in-memory store (jobs in-process) and, when a
// test database is set, on PostgreSQL (jobs on River).
func jobStores(t *testing.T, fn func(t *testing.T, open func() api.Store)) {
	t.Run("memory", func(t *testing.T) { fn(t, func() api.Store { return store.NewMemory() }) })
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, func() api.Store {
			db, err := store.OpenSQLite(context.Background(), dir, nil)
			if err != nil {
				t.Fatalf("OpenSQLite: %v", err)
			}
			t.Cleanup(db.Close)
			return db
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		fn(t, func() api.Store {
			db, err := store.OpenPostgres(context.Background(), dsn, nil)
			if err != nil {
				t.Fatalf("OpenPostgres: %v", err)
			}
			t.Cleanup(db.Close)
			return db
		})
	})
}

// TestPlanRespondAsync: every planner answers Prefer: respond-async with
// 202, the job's id and Location; the job runs the planner and its result
// is the synchronous answer, with a stored plan.
func TestPlanRespondAsync(t *testing.T) {
	jobStores(t, func(t *testing.T, open func() api.Store) {
		ts := startServer(t, api.Config{Store: open()})
		plans := []struct{ kind, body string }{
			{"coverage", `{"demand":[{"location":[106.55,29.56],"weight":10},{"location":[106.60,29.60],"weight":5}],
				"points":[{"id":"p1","location":[106.551,29.561]}],"radius_meters":800}`},
			{"urban", `{"seed":3,"parcels":120,"carriers":2,"iterations":5}`},
		}
		for _, p := range plans {
			r := ts.doHeader("POST", "/v1/plans/"+p.kind, plannerKey, p.body, preferAsync)
			var doc api.JobDoc
			r.decode(t, &doc)
			if r.Status != http.StatusAccepted || r.Header.Get("Location") != "/v1/jobs/"+doc.ID ||
				r.Header.Get("Preference-Applied") != "respond-async" || doc.Kind != p.kind {
				t.Fatalf("POST /v1/plans/%s async = %d, Location %q, Preference-Applied %q, kind %q; want 202 with the job",
					p.kind, r.Status, r.Header.Get("Location"), r.Header.Get("Preference-Applied"), doc.Kind)
			}
			got := waitJob(t, ts, doc.ID, plannerKey)
			var res struct {
				PlanID string          `json:"plan_id"`
				Kind   string          `json:"kind"`
				Result json.RawMessage `json:"result"`
			}
			if err := json.Unmarshal(got.Result, &res); err != nil || got.Status != store.JobSucceeded || res.Kind != p.kind || len(res.Result) == 0 {
				t.Fatalf("%s job = %s %q, result %.200s; want succeeded with the plan", p.kind, got.Status, got.Error, got.Result)
			}
			if r := ts.do("GET", "/v1/plans/"+res.PlanID, plannerKey, nil); r.Status != http.StatusOK {
				t.Errorf("GET the %s job's plan %s = %d, want 200", p.kind, res.PlanID, r.Status)
			}
		}
		// A bad request is refused at submission, as a synchronous one is.
		if r := ts.doHeader("POST", "/v1/plans/coverage", plannerKey, `{"demand":[],"radius_meters":500}`, preferAsync); r.Status != http.StatusBadRequest {
			t.Errorf("bad async coverage = %d %s, want 400", r.Status, r.Body)
		}
	})
}

// TestListJobs: GET /v1/jobs lists the caller's own jobs, newest first, in
// pages.
func TestListJobs(t *testing.T) {
	ts := startServer(t, api.Config{})
	var ids []string
	for range 3 {
		var d api.JobDoc
		ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &d)
		ids = append(ids, d.ID)
		time.Sleep(2 * time.Millisecond)
	}
	ts.do("POST", "/v1/jobs", courier2Key, smallProblem(3))
	var page struct {
		Jobs []api.JobDoc `json:"jobs"`
		Next string       `json:"next"`
	}
	r := ts.do("GET", "/v1/jobs?limit=2", courierKey, nil)
	r.decode(t, &page)
	if r.Status != 200 || len(page.Jobs) != 2 || page.Jobs[0].ID != ids[2] || page.Jobs[1].ID != ids[1] || page.Next == "" {
		t.Fatalf("GET /v1/jobs?limit=2 = %d %+v, want the two newest of c1's jobs and a next link", r.Status, page)
	}
	var rest struct {
		Jobs []api.JobDoc `json:"jobs"`
		Next string       `json:"next"`
	}
	ts.do("GET", page.Next, courierKey, nil).decode(t, &rest)
	if len(rest.Jobs) != 1 || rest.Jobs[0].ID != ids[0] || rest.Next != "" {
		t.Errorf("next page = %+v, want c1's oldest job and no next link", rest)
	}
	if r := ts.do("GET", "/v1/jobs?limit=0", courierKey, nil); r.Status != 400 {
		t.Errorf("limit=0 = %d, want 400", r.Status)
	}
}

// TestCancelThroughAnotherServer: a job running on server A and cancelled
// through server B stays cancelled: A's run stops at its next progress
// save and cannot write its outcome over the cancellation.
func TestCancelThroughAnotherServer(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	open := func() *store.Postgres {
		db, err := store.OpenPostgres(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	a := startServer(t, api.Config{Store: open(), Solver: slowSolver{steps: 200, tick: 5 * time.Millisecond}, Workers: 1})
	b := startServer(t, api.Config{Store: open(), Workers: -1}) // API only
	var doc api.JobDoc
	b.do("POST", "/v1/jobs", courierKey, smallProblem(4)).decode(t, &doc)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var j api.JobDoc
		a.do("GET", "/v1/jobs/"+doc.ID, courierKey, nil).decode(t, &j)
		if j.Status == store.JobRunning && j.Progress.Iteration > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job never ran on A: %+v", j)
		}
	}
	if r := b.do("POST", "/v1/jobs/"+doc.ID+"/cancel", courierKey, nil); r.Status != http.StatusAccepted {
		t.Fatalf("cancel through B = %d %s", r.Status, r.Body)
	}
	time.Sleep(1500 * time.Millisecond) // the slow solver alone would have finished by now
	got := waitJob(t, a, doc.ID, courierKey)
	if got.Status != store.JobCancelled {
		t.Fatalf("after a cancel through B, the job is %s on A, want cancelled", got.Status)
	}
	if got.Progress.Iteration >= 200 {
		t.Errorf("A's run went on to iteration %d after the cancel, want it stopped", got.Progress.Iteration)
	}
	if r := b.do("POST", "/v1/jobs/"+doc.ID+"/cancel", courierKey, nil); r.Status != http.StatusConflict {
		t.Errorf("second cancel = %d, want 409", r.Status)
	}
}

// TestEmbeddedJobSurvivesRestart: with the embedded store a job accepted by
// one server, stopped mid-run, is finished by the next server on the same
// data directory, resuming as its second attempt.
func TestEmbeddedJobSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *store.SQLite {
		db, err := store.OpenSQLite(ctx, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1 := open()
	first := startServer(t, api.Config{Store: db1, Solver: slowSolver{steps: 1_000_000, tick: 5 * time.Millisecond}, Workers: 1})
	var running, waiting api.JobDoc
	first.do("POST", "/v1/jobs", courierKey, smallProblem(4)).decode(t, &running)
	first.do("POST", "/v1/jobs", courierKey, smallProblem(4)).decode(t, &waiting)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		j, err := db1.Job(ctx, running.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == store.JobRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job never ran")
		}
	}
	first.stop(100 * time.Millisecond)
	db1.Close()

	db2 := open()
	t.Cleanup(db2.Close)
	second := startServer(t, api.Config{Store: db2})
	for _, id := range []string{running.ID, waiting.ID} {
		j := waitJob(t, second, id, courierKey)
		if j.Status != store.JobSucceeded || len(j.Result) == 0 {
			t.Errorf("job %s after a restart: %s %q, want succeeded", id, j.Status, j.Error)
		}
	}
	if j := waitJob(t, second, running.ID, courierKey); j.Attempts != 2 {
		t.Errorf("the interrupted job took %d attempts, want 2", j.Attempts)
	}
}

// TestJobResumesFromCheckpoint: a job stopped mid-run after saving a
// checkpoint is resumed by the next server from that checkpoint: its second
// attempt says where it resumed, counts iterations on from there, and ends
// no worse than the checkpoint.
func TestJobResumesFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	open := func() *store.SQLite {
		db, err := store.OpenSQLite(ctx, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	cfg := func(db *store.SQLite) api.Config {
		return api.Config{Store: db, Workers: 1, MaxIterations: 1_000_000, CheckpointInterval: time.Nanosecond}
	}
	prob := smallProblem(60)
	prob["options"] = map[string]any{"iterations": 40_000, "seed": 5}
	db1 := open()
	first := startServer(t, cfg(db1))
	var doc api.JobDoc
	first.do("POST", "/v1/jobs", courierKey, prob).decode(t, &doc)
	var saved *store.Job
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		j, err := db1.Job(ctx, doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.CheckpointIteration > 0 && j.Status == store.JobRunning {
			saved = j
			break
		}
		if j.Status.Final() || time.Now().After(deadline) {
			t.Fatalf("no checkpoint while running: %s, checkpoint at %d (%.100s), progress %+v", j.Status, j.CheckpointIteration, j.Checkpoint, j.Progress)
		}
	}
	first.stop(10 * time.Millisecond)
	db1.Close()
	var cp struct {
		Cost int64 `json:"cost"`
	}
	if err := json.Unmarshal(saved.Checkpoint, &cp); err != nil || cp.Cost <= 0 {
		t.Fatalf("checkpoint %s: %v", saved.Checkpoint, err)
	}

	db2 := open()
	t.Cleanup(db2.Close)
	j, err := db2.Job(ctx, doc.ID)
	if err != nil || j.Status != store.JobQueued || j.CheckpointIteration < saved.CheckpointIteration {
		t.Fatalf("after the stop: %+v, %v; want queued with a checkpoint at ≥ %d", j, err, saved.CheckpointIteration)
	}
	resumeAt := j.CheckpointIteration
	second := startServer(t, cfg(db2))
	got := waitJob(t, second, doc.ID, courierKey)
	if got.Status != store.JobSucceeded || got.Attempts != 2 || got.ResumedAt != resumeAt ||
		got.Note != fmt.Sprintf("resumed at iteration %d", resumeAt) {
		t.Fatalf("resumed job = %s, %d attempts, resumed at %d (%q); want succeeded in attempt 2, resumed at %d",
			got.Status, got.Attempts, got.ResumedAt, got.Note, resumeAt)
	}
	var res struct {
		Cost float64 `json:"cost"`
	}
	if err := json.Unmarshal(got.Result, &res); err != nil || res.Cost*1e6 > float64(cp.Cost)+1 {
		t.Errorf("resumed result cost %v, want no worse than the checkpoint's %d (×10⁻⁶)", res.Cost, cp.Cost)
	}
}

// TestPlanRespondAsyncValidatesFirst: an asynchronous plan is validated at
// submission like a synchronous one: a bad request gets the same 4xx
// naming the field, never 202 and a job that fails later.
func TestPlanRespondAsyncValidatesFirst(t *testing.T) {
	ts := startServer(t, api.Config{})
	for _, tc := range []struct{ kind, body, field string }{
		{"coverage", `{"demand":[{"location":[106.55,29.56],"weight":10}],"points":[{"id":"p1","location":[106.551,29.561]}],"radius_meters":-5}`, "radius_meters"},
		{"sites", `{"demand":[{"location":[106.55,29.56],"weight":10}],"candidates":[{"id":"c","location":[106.5,29.5]}],"radius_meters":500}`, "add"},
		{"location", `{"candidates":[],"demand":[{"location":[106.5,29.5],"volume":5}]}`, "candidates"},
		{"allocation", `{"warehouses":[{"id":"w","kind":"cloud_warehouse","location":[106.5,29.5],"capacity":{"per_day":100,"per_category":{"fresh":5}}}],"demand":[{"location":[106.5,29.5],"category":"frehs","volume":1}]}`, "demand[0].category"},
		{"urban", `{"seed":1,"parcels":-3}`, "parcels"},
		{"rural", `{"seed":1,"counties":["atlantis"]}`, "counties"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			r := ts.doHeader("POST", "/v1/plans/"+tc.kind, plannerKey, tc.body, preferAsync)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("async %s with a bad body = %d %s, want 400", tc.kind, r.Status, r.Body)
			}
			p := r.problem(t)
			if len(p.InvalidParams) == 0 || !strings.HasPrefix(p.InvalidParams[0].Name, tc.field) {
				t.Errorf("invalid_params = %+v, want %s", p.InvalidParams, tc.field)
			}
		})
	}
}

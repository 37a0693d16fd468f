package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

// TestJobSurvivesRestart runs two servers on one PostgreSQL schema: the
// first accepts a job and is shut down mid-solve; the second re-queues it at
// start and finishes it.
func TestJobSurvivesRestart(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	open := func() *store.Postgres {
		s, err := store.OpenPostgres(ctx, dsn, nil)
		if err != nil {
			t.Fatalf("OpenPostgres: %v", err)
		}
		t.Cleanup(s.Close)
		return s
	}

	db1 := open()
	first := startServer(t, api.Config{Store: db1, Solver: slowSolver{steps: 1_000_000, tick: 5 * time.Millisecond}, Workers: 1})
	var running, waiting api.JobDoc
	first.do("POST", "/v1/jobs", courierKey, smallProblem(4)).decode(t, &running)
	first.do("POST", "/v1/jobs", courierKey, smallProblem(4)).decode(t, &waiting)
	for {
		j, err := db1.Job(ctx, running.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == store.JobRunning {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	first.stop(100 * time.Millisecond) // too short to finish: persisted as queued
	for _, id := range []string{running.ID, waiting.ID} {
		if j, _ := db1.Job(ctx, id); j.Status != store.JobQueued {
			t.Fatalf("after shutdown, job %s is %s, want queued", id, j.Status)
		}
	}

	second := startServer(t, api.Config{Store: open()}) // real solver
	for _, id := range []string{running.ID, waiting.ID} {
		j := waitJob(t, second, id, courierKey)
		if j.Status != store.JobSucceeded || len(j.Result) == 0 {
			t.Errorf("job %s on the second server: %s %q, want succeeded with a result", id, j.Status, j.Error)
		}
	}
}

// TestPostgresEndToEnd runs dispatch and a stop event on PostgreSQL.
func TestPostgresEndToEnd(t *testing.T) {
	db, err := store.OpenPostgres(context.Background(), storetest.PostgresDSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	ts := startServer(t, api.Config{Store: db})
	if r := ts.do("POST", "/v1/dispatch", plannerKey, smallProblem(8)); r.Status != 201 {
		t.Fatalf("dispatch = %d %s", r.Status, r.Body)
	}
	var route api.CourierRoute
	ts.do("GET", "/v1/couriers/c1/route", courierKey, nil).decode(t, &route)
	if len(route.Stops) == 0 {
		t.Skip("c1 got no stops")
	}
	r := ts.do("POST", "/v1/couriers/c1/events", courierKey, map[string]any{"type": "delivered", "stop_id": route.Stops[0].ID})
	var out api.StopEventResponse
	r.decode(t, &out)
	if r.Status != 200 || out.Route.Version != 2 || out.Route.Stops[0].Status != api.StopDelivered {
		t.Errorf("event on PostgreSQL: %d %+v", r.Status, out)
	}
	if r := ts.do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Errorf("readyz = %d", r.Status)
	}
}

// enqueueOnly opens a PostgreSQL store whose queue only enqueues (no
// worker) and enqueues a small optimisation job with the given id.
func enqueueOnly(t *testing.T, id string) (string, *store.Postgres, *store.Job) {
	t.Helper()
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	db, err := store.OpenPostgres(ctx, dsn, nil)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(db.Close)
	if err := db.StartQueue(ctx, store.QueueConfig{}); err != nil {
		t.Fatal(err)
	}
	req, err := json.Marshal(smallProblem(4))
	if err != nil {
		t.Fatal(err)
	}
	j := &store.Job{ID: id, Owner: "c1", Request: req}
	if err := db.EnqueueJob(ctx, j, api.OptimizeArgs{JobID: j.ID}); err != nil {
		t.Fatal(err)
	}
	return dsn, db, j
}

// TestCrashedJobRequeued: a worker that dies mid-job leaves it "running",
// with River's entry running too; once its heartbeat is stale another
// server's rescuer re-queues it, and it finishes in a second attempt.
func TestCrashedJobRequeued(t *testing.T) {
	ctx := context.Background()
	dsn, db, j := enqueueOnly(t, "job_crashed0000000000000001")
	// What a dead worker leaves behind: River's entry running, the job
	// running with a heartbeat that stops.
	storetest.Exec(t, dsn, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() WHERE id = $1`, j.QueueID)
	if _, err := db.StartJob(ctx, j.ID, j.QueueID, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.StopQueue(ctx); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, api.Config{Store: db, JobStaleAfter: time.Second})
	got := waitJob(t, ts, j.ID, plannerKey)
	if got.Status != store.JobSucceeded || len(got.Result) == 0 || got.Attempts != 2 {
		t.Errorf("crashed job on the next server: %s %q after %d attempts, want succeeded with a result in attempt 2", got.Status, got.Error, got.Attempts)
	}
}

// TestStrandedQueuedJobRequeued: a job still queued whose River entry is
// stuck — running because River could not write the outcome of a run that
// failed to start it while the database was down (River's completer gives
// up, and its own rescue waits an hour), or set to retry minutes later —
// is re-queued by the rescuer and finishes.
func TestStrandedQueuedJobRequeued(t *testing.T) {
	for _, c := range []struct{ name, entry string }{
		{"running", `state = 'running', attempt = 1, attempted_at = now() - interval '1 minute'`},
		{"retryable", `state = 'retryable', attempt = 3, attempted_at = now() - interval '1 minute', scheduled_at = now() + interval '1 hour'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			dsn, db, j := enqueueOnly(t, "job_stranded_"+c.name)
			storetest.Exec(t, dsn, `UPDATE river_job SET `+c.entry+` WHERE id = $1`, j.QueueID)
			if err := db.StopQueue(ctx); err != nil {
				t.Fatal(err)
			}
			ts := startServer(t, api.Config{Store: db, JobStaleAfter: time.Second})
			got := waitJob(t, ts, j.ID, plannerKey)
			if got.Status != store.JobSucceeded || len(got.Result) == 0 {
				t.Errorf("stranded job: %s %q, want succeeded with a result", got.Status, got.Error)
			}
		})
	}
}

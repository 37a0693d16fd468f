package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/store"
)

// fanoutStores runs fn on the durable stores, whose urban jobs fan out:
// the embedded SQLite and, when a test database is set, PostgreSQL.
func fanoutStores(t *testing.T, fn func(t *testing.T, open func() api.Store)) {
	jobStores(t, func(t *testing.T, open func() api.Store) {
		if _, ok := open().(*store.Memory); ok {
			t.Skip("the in-memory store plans in process")
		}
		fn(t, open)
	})
}

// submitUrbanJob starts a server on db with cfg and submits an urban
// plan job with body; it returns the server and the job.
func submitUrbanJob(t *testing.T, db api.Store, cfg api.Config, body string) (*testServer, api.JobDoc) {
	t.Helper()
	cfg.Store = db
	ts := startServer(t, cfg)
	var doc api.JobDoc
	ts.doHeader("POST", "/v1/plans/urban", plannerKey, body, preferAsync).decode(t, &doc)
	return ts, doc
}

// urbanReport is the in-process report of a scenario plan request, as
// `lastmile plan urban` and the synchronous endpoint make it.
func urbanReport(t *testing.T, seed uint64, parcels, carriers, iterations int) map[string]any {
	t.Helper()
	_, rep, err := scenario.PlanUrban(context.Background(), scenario.UrbanRequest{Seed: seed, Parcels: parcels, Carriers: carriers, Iterations: iterations}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// jobReport is the report in a finished urban job's result.
func jobReport(t *testing.T, j api.JobDoc) map[string]any {
	t.Helper()
	var res struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal(j.Result, &res); err != nil || j.Status != store.JobSucceeded {
		t.Fatalf("urban job = %s %q, result %.200s (%v); want succeeded", j.Status, j.Error, j.Result, err)
	}
	return res.Result
}

func sameReport(t *testing.T, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("report field %q differs between the fanned-out job and the in-process plan:\njob %.200v\nin-process %.200v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("job report has %d fields, in-process %d", len(got), len(want))
	}
}

// childKinds counts the children of an urban plan job: routing tasks of
// the pooled part (job_….t<k>) and parts (job_….p<k>).
func childKinds(kids []*store.Job) (tasks, parts int) {
	for _, k := range kids {
		switch {
		case strings.Contains(k.ID, ".t"):
			tasks++
		case strings.Contains(k.ID, ".p"):
			parts++
		}
	}
	return tasks, parts
}

// TestUrbanFanOut: an urban plan job runs as child jobs (the pooled
// part's routing tasks, the pooled and separate plans and every coalition
// of three carriers), hidden from the listing; the parent's progress
// counts them, and its report is the in-process plan's, field for field.
func TestUrbanFanOut(t *testing.T) {
	fanoutStores(t, func(t *testing.T, open func() api.Store) {
		db := open()
		ts, doc := submitUrbanJob(t, db, api.Config{Workers: 2}, `{"seed":3,"parcels":90,"carriers":3,"iterations":3}`)
		var stages []string
		for _, e := range readSSE(t, ts, "/v1/jobs/"+doc.ID+"/events", plannerKey) {
			var ev struct{ Progress struct{ Stage string } }
			if e.Event == "progress" && json.Unmarshal([]byte(e.Data), &ev) == nil && ev.Progress.Stage != "" {
				stages = append(stages, ev.Progress.Stage)
			}
		}
		// The parent waits at least once, when it has just created its
		// children; how many later stages the stream shows depends on timing.
		if !slices.ContainsFunc(stages, func(s string) bool {
			return strings.HasPrefix(s, "pooled routing tasks ") || strings.HasPrefix(s, "pooled and separate plans ") ||
				strings.HasPrefix(s, "coalition plans ")
		}) {
			t.Errorf("the parent's stream reported stages %q, want its sub-plans done among them", stages)
		}
		got := waitJob(t, ts, doc.ID, plannerKey)
		sameReport(t, jobReport(t, got), urbanReport(t, 3, 90, 3, 3))
		kids, err := db.Jobs(context.Background(), store.JobFilter{Parent: doc.ID})
		if tasks, parts := childKinds(kids); err != nil || parts != 5 || tasks < 2 || tasks+parts != len(kids) {
			t.Fatalf("children of %s: %d routing tasks and %d parts of %d, %v; want 5 parts and several tasks", doc.ID, tasks, parts, len(kids), err)
		}
		if p := got.Progress; p.PartsTotal != len(kids) || p.PartsDone != len(kids) || got.Attempts != 1 {
			t.Errorf("parent progress %+v after %d attempts; want %d/%d sub-plans in 1 attempt", p, got.Attempts, len(kids), len(kids))
		}
		// The pooled part waits for the routing tasks and plans from them.
		pooled, err := db.Job(context.Background(), doc.ID+".p0")
		var preq struct{ Tasks int }
		if tasks, _ := childKinds(kids); err != nil || json.Unmarshal(pooled.Request, &preq) != nil || preq.Tasks != tasks {
			t.Errorf("pooled child's request %.200s, %v: want it to join the %d routing tasks", pooled.Request, err, tasks)
		}
		parent, _ := db.Job(context.Background(), doc.ID)
		for _, k := range kids {
			if k.Status != store.JobSucceeded || k.Owner != parent.Owner {
				t.Errorf("child %s: %s, owner %q; want succeeded", k.ID, k.Status, k.Owner)
			}
		}
		var page struct{ Jobs []api.JobDoc }
		ts.do("GET", "/v1/jobs", plannerKey, nil).decode(t, &page)
		if len(page.Jobs) != 1 || page.Jobs[0].ID != doc.ID {
			t.Errorf("GET /v1/jobs lists %d jobs, want the parent only", len(page.Jobs))
		}
	})
}

// TestUrbanFanOutCancel: cancelling the parent cancels its unfinished
// children, routing tasks and parts.
func TestUrbanFanOutCancel(t *testing.T) {
	fanoutStores(t, func(t *testing.T, open func() api.Store) {
		db := open()
		ts, doc := submitUrbanJob(t, db, api.Config{Workers: 2}, `{"seed":3,"parcels":3000,"carriers":3,"iterations":500}`)
		ctx := context.Background()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			// Once the parts exist (the routing tasks are created first)
			// and the first routing task runs.
			kids, err := db.Jobs(ctx, store.JobFilter{Parent: doc.ID})
			if _, parts := childKinds(kids); err == nil && parts > 0 && kids[len(kids)-1].Status == store.JobRunning {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("no child job ran")
			}
		}
		if r := ts.do("POST", "/v1/jobs/"+doc.ID+"/cancel", plannerKey, nil); r.Status != http.StatusAccepted {
			t.Fatalf("cancel = %d", r.Status)
		}
		if j := waitJob(t, ts, doc.ID, plannerKey); j.Status != store.JobCancelled {
			t.Errorf("parent after cancel: %s", j.Status)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			kids, _ := db.Jobs(ctx, store.JobFilter{Parent: doc.ID})
			var left, cancelled []*store.Job // a child may have succeeded before the cancel
			for _, k := range kids {
				switch k.Status {
				case store.JobCancelled:
					cancelled = append(cancelled, k)
				case store.JobSucceeded:
				default:
					left = append(left, k)
				}
			}
			if tasks, parts := childKinds(cancelled); len(left) == 0 {
				if tasks == 0 || parts == 0 {
					t.Errorf("cancelled children: %d routing tasks, %d parts; want some of each", tasks, parts)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d children not cancelled after the parent was", len(left), len(kids))
			}
		}
	})
}

// TestUrbanFanOutResumes: a parent interrupted after some children
// (routing tasks, parts) finished is retried by the next server, which
// reuses them ("resumed with k/n sub-plans done"), and still gives the
// in-process report.
func TestUrbanFanOutResumes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	openDB := func() *store.SQLite {
		db, err := store.OpenSQLite(ctx, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1 := openDB()
	first := startServer(t, api.Config{Store: db1, Workers: 1})
	var doc api.JobDoc
	first.doHeader("POST", "/v1/plans/urban", plannerKey, `{"seed":4,"parcels":150,"carriers":3,"iterations":4}`, preferAsync).decode(t, &doc)
	done := map[string]bool{}
	for deadline := time.Now().Add(20 * time.Second); len(done) == 0; time.Sleep(10 * time.Millisecond) {
		kids, _ := db1.Jobs(ctx, store.JobFilter{Parent: doc.ID})
		for _, k := range kids {
			if k.Status == store.JobSucceeded {
				done[k.ID] = true
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no child job finished")
		}
	}
	first.stop(10 * time.Millisecond)
	// The server stopped while the parent waited or ran: as after a crash,
	// its next run is a new attempt.
	if j, err := db1.Job(ctx, doc.ID); err == nil && j.Status == store.JobRunning {
		if err := db1.RequeueJob(ctx, doc.ID, j.Attempts); err != nil {
			t.Fatal(err)
		}
	}
	db1.Close()

	db2 := openDB()
	t.Cleanup(db2.Close)
	second := startServer(t, api.Config{Store: db2, Workers: 2})
	got := waitJob(t, second, doc.ID, plannerKey)
	sameReport(t, jobReport(t, got), urbanReport(t, 4, 150, 3, 4))
	kids, err := db2.Jobs(ctx, store.JobFilter{Parent: doc.ID})
	if err != nil {
		t.Fatal(err)
	}
	total := fmt.Sprintf("/%d sub-plans done", len(kids))
	if got.Attempts != 2 || !strings.HasPrefix(got.Note, "resumed with ") || !strings.HasSuffix(got.Note, total) || got.Progress.ResumedParts < len(done) {
		t.Errorf("parent after a retry: %d attempts, note %q, progress %+v; want 2 attempts, resumed with ≥%d%s", got.Attempts, got.Note, got.Progress, len(done), total)
	}
	t.Logf("done before the retry: %v", slices.Sorted(maps.Keys(done)))
	for id := range done {
		if k, err := db2.Job(ctx, id); err != nil || k.Attempts != 1 {
			t.Errorf("child %s, done before the retry, ran again: %+v, %v", id, k, err)
		}
	}
}

// TestUrbanFanOutChildQuota: with a running quota of one job per key, the
// parent (a top-level job) and one child run at a time, never two
// children, and the plan still finishes with the in-process report.
func TestUrbanFanOutChildQuota(t *testing.T) {
	fanoutStores(t, func(t *testing.T, open func() api.Store) {
		db := open()
		ts, doc := submitUrbanJob(t, db, api.Config{Workers: 3, MaxRunningPerKey: 1}, `{"seed":3,"parcels":90,"carriers":3,"iterations":3}`)
		peak := 0
		for {
			kids, err := db.Jobs(context.Background(), store.JobFilter{Parent: doc.ID})
			if err != nil {
				t.Fatal(err)
			}
			running := 0
			for _, k := range kids {
				if k.Status == store.JobRunning {
					running++
				}
			}
			peak = max(peak, running)
			if j, err := db.Job(context.Background(), doc.ID); err != nil || j.Status.Final() {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if peak > 1 {
			t.Errorf("%d children of one key ran at once, want at most 1 (MaxRunningPerKey)", peak)
		}
		got := waitJob(t, ts, doc.ID, plannerKey)
		sameReport(t, jobReport(t, got), urbanReport(t, 3, 90, 3, 3))
	})
}

// TestUrbanFanOutTaskFails: a routing task's child that ends without a
// result (here cancelled on its own, as a failed one would be) fails the
// parent, which names it, and every child ends.
func TestUrbanFanOutTaskFails(t *testing.T) {
	fanoutStores(t, func(t *testing.T, open func() api.Store) {
		db := open()
		ts, doc := submitUrbanJob(t, db, api.Config{Workers: 2}, `{"seed":3,"parcels":400,"carriers":3,"iterations":20}`)
		ctx := context.Background()
		victim := "" // a routing task not started yet
		for deadline := time.Now().Add(20 * time.Second); victim == ""; time.Sleep(10 * time.Millisecond) {
			kids, _ := db.Jobs(ctx, store.JobFilter{Parent: doc.ID})
			for _, k := range kids {
				if !strings.Contains(k.ID, ".t") || k.Status != store.JobQueued {
					continue
				}
				if _, err := db.CancelJob(ctx, k.ID); err == nil {
					victim = k.ID
					break
				}
			}
			if victim == "" && time.Now().After(deadline) {
				t.Fatal("no routing task's child job waiting")
			}
		}
		got := waitJob(t, ts, doc.ID, plannerKey)
		if got.Status != store.JobFailed || !strings.Contains(got.Error, victim) {
			t.Fatalf("parent after its routing task %s was cancelled: %s %q; want failed, naming it", victim, got.Status, got.Error)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			kids, _ := db.Jobs(ctx, store.JobFilter{Parent: doc.ID})
			if !slices.ContainsFunc(kids, func(k *store.Job) bool { return !k.Status.Final() }) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("children still unfinished after the parent failed")
			}
		}
	})
}

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

// TestFaultEverythingAtOnce is the acceptance run in small: an API
// and two worker processes on PostgreSQL behind a TCP proxy take 30 jobs,
// an urban plan (fanned out into child jobs) among them, and two are
// cancelled. One worker is killed with SIGKILL while it runs jobs, and the
// database is then cut off for 10 s. Afterwards every job has exactly one
// outcome: the cancelled ones stay cancelled, the others succeed, and
// nothing, children included, stays queued or running.
func TestFaultEverythingAtOnce(t *testing.T) {
	proxy, dsn := storetest.NewProxy(t, storetest.PostgresDSN(t))
	a := startAPI(t, dsn)
	victim := startWorker(t, dsn, "--workers", "2", "--stale-after", "2s")
	startWorker(t, dsn, "--workers", "2", "--stale-after", "2s")

	urban := a.submitUrban(t, `{"seed":7,"parcels":300,"carriers":3,"iterations":20}`)
	ids := []string{urban}
	for i := range 29 {
		j, code := a.submit(t, faultProblem(20+i%3*10, 700*time.Millisecond))
		if code != http.StatusAccepted {
			t.Fatalf("submit %d = %d", i, code)
		}
		ids = append(ids, j.ID)
	}
	cancelled := map[string]bool{ids[len(ids)-1]: true, ids[len(ids)-2]: true}
	for id := range cancelled {
		if code, b, err := a.call("DELETE", "/v1/jobs/"+id, ""); err != nil || code >= 300 {
			t.Fatalf("cancel %s = %d %s %v", id, code, b, err)
		}
	}
	a.waitRunning(t, 10*time.Second)
	victim.kill()
	proxy.Cut()
	time.Sleep(10 * time.Second)
	proxy.Restore()

	for _, id := range ids {
		j := a.waitFinal(t, id, 120*time.Second)
		want := store.JobSucceeded
		if cancelled[id] {
			want = store.JobCancelled
		}
		if j.Status != want {
			t.Errorf("job %s: %s %q, want %s", id, j.Status, j.Error, want)
		}
	}
	counts, err := a.db.CountJobs(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.JobQueued]+counts[store.JobRunning] != 0 || counts[store.JobFailed] != 0 {
		t.Errorf("jobs by status at the end: %v; want none queued, running or failed", counts)
	}
	kids, err := a.db.Jobs(context.Background(), store.JobFilter{Parent: urban})
	if err != nil || len(kids) == 0 {
		t.Fatalf("the urban plan's children: %d, %v", len(kids), err)
	}
	for _, k := range kids {
		if k.Status != store.JobSucceeded {
			t.Errorf("urban child %s: %s", k.ID, k.Status)
		}
	}
	t.Logf("30 jobs and %d urban children: %v", len(kids), counts)
}

// submitUrban posts an asynchronous urban plan and returns its job id.
func (a *apiServer) submitUrban(t *testing.T, body string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", a.url+"/v1/plans/urban", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+faultKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Prefer", "respond-async")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var j faultJob
	if resp.StatusCode != http.StatusAccepted || json.NewDecoder(resp.Body).Decode(&j) != nil {
		t.Fatalf("POST /v1/plans/urban async = %d", resp.StatusCode)
	}
	return j.ID
}

// waitRunning waits until some job runs, so that a kill finds work.
func (a *apiServer) waitRunning(t *testing.T, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		counts, err := a.db.CountJobs(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.JobRunning] > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no job ran")
		}
	}
}

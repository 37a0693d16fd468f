package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

// TestDatabaseOutage cuts the database off (through a TCP proxy) while jobs
// run and wait: requests that need it answer 503 with Retry-After, /readyz
// says so, and when it returns every job finishes, with no restart: none
// lost, none stranded.
func TestDatabaseOutage(t *testing.T) {
	proxy, dsn := storetest.NewProxy(t, storetest.PostgresDSN(t))
	db, err := store.OpenPostgres(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	ts := startServer(t, api.Config{Store: db, Solver: slowSolver{steps: 150, tick: 10 * time.Millisecond}, Workers: 2})
	var ids []string
	for range 5 {
		var d api.JobDoc
		r := ts.do("POST", "/v1/jobs", courierKey, smallProblem(4))
		r.decode(t, &d)
		if r.Status != http.StatusAccepted {
			t.Fatalf("submit = %d %s", r.Status, r.Body)
		}
		ids = append(ids, d.ID)
	}
	time.Sleep(300 * time.Millisecond) // two running, three waiting
	proxy.Cut()
	for _, tc := range []struct{ method, path string }{
		{"GET", "/v1/jobs/" + ids[0]},
		{"POST", "/v1/jobs"},
		{"GET", "/readyz"},
	} {
		var body any
		if tc.method == "POST" {
			body = smallProblem(4)
		}
		r := ts.do(tc.method, tc.path, courierKey, body)
		if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s during the outage = %d (Retry-After %q) %s, want 503 with Retry-After",
				tc.method, tc.path, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	time.Sleep(2 * time.Second) // the running jobs finish meanwhile
	proxy.Restore()
	for _, id := range ids {
		if j := waitJob(t, ts, id, courierKey); j.Status != store.JobSucceeded {
			t.Errorf("job %s after the outage: %s %q, want succeeded", id, j.Status, j.Error)
		}
	}
	if r := ts.do("GET", "/readyz", "", nil); r.Status != http.StatusOK {
		t.Errorf("readyz after the outage = %d", r.Status)
	}
}

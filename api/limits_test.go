package api_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
)

// TestSolveTimeLimitCapped: a request's time limit is capped by the
// server's MaxSolveTime (synchronous) and MaxJobTime (asynchronous), and a
// request that names none gets DefaultSolveTime.
func TestSolveTimeLimitCapped(t *testing.T) {
	rec := &recordingSolver{}
	ts := startServer(t, api.Config{Solver: rec, DefaultSolveTime: 50 * time.Millisecond,
		MaxSolveTime: 200 * time.Millisecond, MaxJobTime: 300 * time.Millisecond})
	tests := []struct {
		name        string
		path        string
		limitMs     int64 // 0: none given
		wantApplied time.Duration
	}{
		{"sync within cap", "/v1/optimize", 100, 100 * time.Millisecond},
		{"sync above cap", "/v1/optimize", 60_000, 200 * time.Millisecond},
		{"sync default", "/v1/optimize", 0, 50 * time.Millisecond},
		{"job above cap", "/v1/jobs", 3_600_000, 300 * time.Millisecond},
		{"sync at int64 max", "/v1/optimize", math.MaxInt64, 200 * time.Millisecond}, // overflowed time.Duration
		{"job at int64 max", "/v1/jobs", math.MaxInt64, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := smallProblem(4)
			opts := p["options"].(map[string]any)
			delete(opts, "time_limit_ms")
			if tt.limitMs > 0 {
				opts["time_limit_ms"] = tt.limitMs
			}
			n := len(rec.snapshot())
			r := ts.do("POST", tt.path, courierKey, p)
			if r.Status != http.StatusOK && r.Status != http.StatusAccepted {
				t.Fatalf("POST %s = %d %s", tt.path, r.Status, r.Body)
			}
			var calls []time.Duration
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if calls = rec.snapshot(); len(calls) > n {
					break
				}
			}
			if len(calls) <= n {
				t.Fatal("the solver was not called")
			}
			if got := calls[n]; got != tt.wantApplied {
				t.Errorf("solver time limit = %v, want %v", got, tt.wantApplied)
			}
		})
	}
}

func (r *recordingSolver) snapshot() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]time.Duration, len(r.calls))
	for i, c := range r.calls {
		out[i] = c.TimeLimit
	}
	return out
}

// TestReadyzDuringShutdown: once shutdown begins, /readyz answers 503 so a
// load balancer stops sending work, while /healthz stays 200.
func TestReadyzDuringShutdown(t *testing.T) {
	ts := startServer(t, api.Config{})
	if r := ts.do("GET", "/readyz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("readyz before shutdown = %d", r.Status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := ts.Server.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	r := ts.do("GET", "/readyz", "", nil)
	if r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz during shutdown = %d, want 503", r.Status)
	}
	r.problem(t)
	if r := ts.do("GET", "/healthz", "", nil); r.Status != http.StatusOK {
		t.Errorf("healthz during shutdown = %d, want 200", r.Status)
	}
	if r := ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)); r.Status != http.StatusServiceUnavailable {
		t.Errorf("POST /v1/jobs during shutdown = %d, want 503", r.Status)
	}
}

// TestScenarioPlanDeadline: a planner run that asks for more work than the
// server's limit allows is cut short at the limit and marked, not left to
// run past the write timeout.
func TestScenarioPlanDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("plans a scenario")
	}
	const limit = 300 * time.Millisecond
	ts := startServer(t, api.Config{MaxSolveTime: limit})
	for _, tt := range []struct{ path, body string }{
		{"/v1/plans/urban", `{"seed":2,"parcels":1500,"iterations":1000000}`},
		{"/v1/plans/rural", `{"seed":2,"iterations":1000000}`},
	} {
		start := time.Now()
		r := ts.do("POST", tt.path, plannerKey, tt.body)
		took := time.Since(start)
		// Either the planner returns the best plan so far, marked, or it
		// fails at the deadline with a 422 naming the limit.
		switch r.Status {
		case http.StatusCreated:
			if r.Header.Get(api.TimeLimitHeader) != "true" {
				t.Errorf("POST %s: %s header %q, want true", tt.path, api.TimeLimitHeader, r.Header.Get(api.TimeLimitHeader))
			}
		case http.StatusUnprocessableEntity:
			if p := r.problem(t); !strings.Contains(p.Detail, "limit of 300ms") {
				t.Errorf("POST %s: detail %q, want the limit named", tt.path, p.Detail)
			}
		default:
			t.Errorf("POST %s = %d %.300s, want 201 or 422", tt.path, r.Status, r.Body)
		}
		// Generous for a loaded 2-core machine; without the deadline these
		// runs take minutes.
		if took > 20*limit+5*time.Second {
			t.Errorf("POST %s took %v with a %v limit", tt.path, took, limit)
		}
		t.Logf("%s: %v", tt.path, took)
	}
}

package metrics_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMiddlewareLabelsByPattern(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/jobs/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "missing" {
			http.Error(w, "no", http.StatusNotFound)
		}
	})
	h := m.Middleware(mux)
	for _, path := range []string{"/v1/jobs/a", "/v1/jobs/b", "/v1/jobs/missing", "/nowhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	tests := []struct {
		route, code string
		want        float64
	}{
		{"GET /v1/jobs/{id}", "200", 2},
		{"GET /v1/jobs/{id}", "404", 1},
		{"unmatched", "404", 1},
	}
	for _, tt := range tests {
		if got := testutil.ToFloat64(m.HTTPRequests.WithLabelValues(tt.route, "GET", tt.code)); got != tt.want {
			t.Errorf("requests{route=%q,code=%s} = %v, want %v", tt.route, tt.code, got, tt.want)
		}
	}
	if got := testutil.CollectAndCount(m.HTTPDuration); got != 2 {
		t.Errorf("duration series = %d, want 2 (one per route)", got)
	}
}

func TestSolveAndJobs(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	m.ObserveSolve("optimize", 1500*time.Millisecond, 42.5, 3)
	m.JobsQueued.Set(2)
	m.JobsRunning.Inc()
	want := `
# HELP lastmile_solve_objective Objective of the last solve or planner run, by kind, in natural units: yuan for routing solves and allocation, location, sites and urban plans (pooled cost); vehicle-km a week for rural plans.
# TYPE lastmile_solve_objective gauge
lastmile_solve_objective{kind="optimize"} 42.5
# HELP lastmile_jobs_queued Asynchronous jobs waiting for a worker.
# TYPE lastmile_jobs_queued gauge
lastmile_jobs_queued 2
# HELP lastmile_jobs_running Asynchronous jobs being solved.
# TYPE lastmile_jobs_running gauge
lastmile_jobs_running 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "lastmile_solve_objective", "lastmile_jobs_queued", "lastmile_jobs_running"); err != nil {
		t.Error(err)
	}
	if got := testutil.CollectAndCount(m.SolveDuration); got != 1 {
		t.Errorf("solve duration series = %d, want 1", got)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "lastmile_") {
			t.Errorf("lint %s: %s", p.Metric, p.Text)
		}
	}
}

func TestCoverageZonesBounded(t *testing.T) {
	m := metrics.New(prometheus.NewRegistry())
	for i := range metrics.MaxZones + 10 {
		m.SetCoverage(fmt.Sprint("zone", i), 0.5)
	}
	if got := testutil.CollectAndCount(m.CoverageRatio); got != metrics.MaxZones+1 {
		t.Errorf("coverage series = %d, want %d (MaxZones + other)", got, metrics.MaxZones+1)
	}
}

// TestEveryMetricLints populates every lastmile server metric and runs
// promlint (the checks of promtool check metrics) over all of them: base
// units, _total on counters, no reserved suffixes on gauges. The database
// pool's metrics are linted in package store.
func TestEveryMetricLints(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) {})
	m.Middleware(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	m.ObserveSolve("optimize", time.Second, 1, 0)
	m.JobsQueued.Set(1)
	m.JobsRunning.Set(1)
	m.SetCoverage("yuzhong", 0.5)

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		name := f.GetName()
		if !strings.HasPrefix(name, "lastmile_") {
			continue
		}
		names = append(names, name)
		switch typ := f.GetType().String(); {
		case typ == "COUNTER" && !strings.HasSuffix(name, "_total"):
			t.Errorf("counter %s does not end in _total", name)
		case typ != "COUNTER" && strings.HasSuffix(name, "_total"):
			t.Errorf("%s %s ends in _total", strings.ToLower(typ), name)
		}
		for _, unit := range []string{"_milliseconds", "_ms", "_minutes", "_hours", "_bytes_total_bytes", "_kilometers", "_km"} {
			if strings.Contains(name, unit) {
				t.Errorf("%s is not in base units", name)
			}
		}
	}
	// 8 server metrics, all populated.
	if len(names) != 8 {
		t.Errorf("gathered %d lastmile metrics, want 8: %v", len(names), names)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "lastmile_") {
			t.Errorf("promlint %s: %s", p.Metric, p.Text)
		}
	}
}

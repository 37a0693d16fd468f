// Package metrics holds the lastmile server's Prometheus metrics, on a
// registry the caller owns (no promauto globals), so tests and several
// servers in one process never collide.
//
// Names follow the Prometheus conventions: a lastmile_ prefix, base units
// (seconds), _total for counters. Every label has a bounded value set: HTTP
// metrics use the ServeMux route pattern, never the raw path, and coverage
// zones are capped at MaxZones.
//
//	reg := prometheus.NewRegistry()
//	m := metrics.New(reg)
//	handler := m.Middleware(mux) // records lastmile_http_requests_total etc.
//	m.ObserveSolve("optimize", time.Second, 123.456, 0)
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// MaxZones bounds the zone label of lastmile_coverage_ratio; zones beyond it
// are reported under the zone "other".
const MaxZones = 64

// Metrics are the server's collectors.
type Metrics struct {
	HTTPRequests    *prometheus.CounterVec
	HTTPDuration    *prometheus.HistogramVec
	SolveDuration   *prometheus.HistogramVec
	SolveObjective  *prometheus.GaugeVec
	SolveUnassigned *prometheus.HistogramVec
	JobsQueued      prometheus.Gauge
	JobsRunning     prometheus.Gauge
	// JobAttempts counts job runs started here, by kind; JobsResumed those
	// that resumed from a checkpoint.
	JobAttempts   *prometheus.CounterVec
	JobsResumed   *prometheus.CounterVec
	CoverageRatio *prometheus.GaugeVec

	mu    sync.Mutex
	zones map[string]bool
}

// New creates the metrics and registers them, with the Go and process
// collectors, on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lastmile_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lastmile_http_request_duration_seconds",
			Help:    "HTTP request latency in seconds, by route pattern and method.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		SolveDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lastmile_solve_duration_seconds",
			Help:    "Wall time of routing solves in seconds, by kind (optimize, job, replan, vroom, dispatch).",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 300},
		}, []string{"kind"}),
		SolveObjective: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "lastmile_solve_objective",
			Help: "Objective of the last solve or planner run, by kind, in natural units: yuan for routing solves and allocation, location, sites and urban plans (pooled cost); vehicle-km a week for rural plans.",
		}, []string{"kind"}),
		SolveUnassigned: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lastmile_solve_unassigned_tasks",
			Help:    "Tasks left unassigned per solve, by kind.",
			Buckets: []float64{0, 1, 2, 5, 10, 20, 50, 100, 500},
		}, []string{"kind"}),
		JobsQueued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lastmile_jobs_queued",
			Help: "Asynchronous jobs waiting for a worker.",
		}),
		JobsRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lastmile_jobs_running",
			Help: "Asynchronous jobs being solved.",
		}),
		JobAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lastmile_job_attempts_total",
			Help: "Job runs started by this process, by kind; more than jobs when workers die or stop mid-run.",
		}, []string{"kind"}),
		JobsResumed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lastmile_job_resumed_total",
			Help: "Job runs that resumed from a checkpoint, by kind.",
		}, []string{"kind"}),
		CoverageRatio: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "lastmile_coverage_ratio",
			Help: "Share (0–1) of the stored demand covered in a zone by the last scheduled coverage monitoring run.",
		}, []string{"zone"}),
		zones: map[string]bool{},
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPRequests, m.HTTPDuration, m.SolveDuration, m.SolveObjective, m.SolveUnassigned,
		m.JobsQueued, m.JobsRunning, m.JobAttempts, m.JobsResumed, m.CoverageRatio,
	)
	return m
}

// ObserveSolve records one solve of the given kind: its wall time, objective
// in currency units (not the solver's integer micro-units) and number of
// unassigned tasks.
func (m *Metrics) ObserveSolve(kind string, d time.Duration, objective float64, unassigned int) {
	m.SolveDuration.WithLabelValues(kind).Observe(d.Seconds())
	m.SolveObjective.WithLabelValues(kind).Set(objective)
	m.SolveUnassigned.WithLabelValues(kind).Observe(float64(unassigned))
}

// SetCoverage records the last coverage ratio (0–1) of a zone. After
// MaxZones distinct zones, new ones are folded into "other".
func (m *Metrics) SetCoverage(zone string, ratio float64) {
	m.mu.Lock()
	if !m.zones[zone] {
		if len(m.zones) >= MaxZones {
			zone = "other"
		} else {
			m.zones[zone] = true
		}
	}
	m.mu.Unlock()
	m.CoverageRatio.WithLabelValues(zone).Set(ratio)
}

// Middleware records every request handled by mux. It must wrap the ServeMux
// directly (with no handler in between that replaces the *http.Request), as
// it reads the matched pattern from r.Pattern after the mux has run.
// Unmatched requests are labelled route="unmatched".
func (m *Metrics) Middleware(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		defer func() {
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			m.HTTPRequests.WithLabelValues(route, r.Method, strconv.Itoa(sw.code)).Inc()
			m.HTTPDuration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
		}()
		mux.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status code; Unwrap lets http.ResponseController
// reach Flush and SetWriteDeadline of the underlying writer.
type statusWriter struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.code, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush supports streaming (server-sent events) through the middleware.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		w.wroteHeader = true
		f.Flush()
	}
}

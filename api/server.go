package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/metrics"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// Solver solves a routing problem; routing.Solve is the real one, tests use
// fakes.
type Solver interface {
	Solve(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error)
}

// SolverFunc adapts a function, such as routing.Solve, to Solver.
type SolverFunc func(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error)

// Solve calls f.
func (f SolverFunc) Solve(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error) {
	return f(ctx, p, opts)
}

// FacilityStore is what the facility handlers call.
type FacilityStore interface {
	Facility(ctx context.Context, id depots.ID) (*depots.Facility, error)
	Facilities(ctx context.Context, f store.FacilityFilter) ([]*depots.Facility, error)
}

// FacilityWriter changes facilities.
type FacilityWriter interface {
	CreateFacility(ctx context.Context, f *depots.Facility) error
	PutFacility(ctx context.Context, f *depots.Facility) error
	DeleteFacility(ctx context.Context, id depots.ID) error
}

// JobStore keeps asynchronous jobs. Every change of a job's state is
// compare-and-set, so that a finished job never runs again and a cancelled
// one stays cancelled, whichever server or worker sees it: StartJob begins
// an attempt of a queued or running job from its current queue entry;
// SaveProgress, FinishJob and RequeueJob change only the attempt's own
// running job (FinishJob also attaches a result to a job cancelled
// meanwhile); CancelJob changes only an unfinished job. A write that loses
// returns store.ErrConflict. StartJob with maxRunning > 0 also refuses
// (store.ErrQuota) a job whose owner already runs that many others of its
// level: top-level jobs and child jobs are counted apart.
type JobStore interface {
	CreateJob(ctx context.Context, j *store.Job) error
	Job(ctx context.Context, id string) (*store.Job, error)
	Jobs(ctx context.Context, f store.JobFilter) ([]*store.Job, error)
	StartJob(ctx context.Context, id string, queueID int64, maxRunning int) (*store.Job, error)
	SaveProgress(ctx context.Context, id string, attempt int, p store.JobProgress, checkpoint json.RawMessage, iteration int) error
	FinishJob(ctx context.Context, id string, attempt int, o store.Outcome) error
	RequeueJob(ctx context.Context, id string, attempt int) error
	CancelJob(ctx context.Context, id string) (*store.Job, error)
	// CountJobs counts owner's jobs ("" for everyone's) by status.
	CountJobs(ctx context.Context, owner string) (map[store.JobStatus]int, error)
}

// RouteStore keeps courier routes.
type RouteStore interface {
	// SaveRoute stores the route's next version (r.Version one past the
	// stored one) and, when e is not nil, the event that caused it: both
	// or neither.
	SaveRoute(ctx context.Context, r *store.CourierRoute, e *store.StopEvent) error
	Route(ctx context.Context, courierID string) (*store.CourierRoute, error)
}

// EventStore keeps courier stop events.
type EventStore interface {
	Events(ctx context.Context, courierID string) ([]*store.StopEvent, error)
}

// PlanStore keeps planning results.
type PlanStore interface {
	CreatePlan(ctx context.Context, p *store.Plan) error
	Plan(ctx context.Context, id string) (*store.Plan, error)
}

// Store is every capability the server needs; store.Memory and
// store.Postgres implement it. Optional: Ping(ctx) error for /readyz and
// Persistent() bool for the start-up log.
type Store interface {
	FacilityStore
	FacilityWriter
	JobStore
	RouteStore
	EventStore
	PlanStore
	Importer
}

var (
	_ Store = (*store.Memory)(nil)
	_ Store = (*store.Postgres)(nil)
	_ Store = (*store.SQLite)(nil)
)

type pinger interface {
	Ping(ctx context.Context) error
}

// Config configures a Server. Zero durations and sizes take the defaults
// documented on each field.
type Config struct {
	Store  Store
	Solver Solver // nil means routing.Solve
	// ZoneOf names the zone (district) of a point for coverage reports and
	// the per-zone coverage metric; nil puts everything in zone "all".
	ZoneOf func(orb.Point) (string, bool)
	// Region, when set, reports whether a WGS-84 point lies in the service
	// region; problem and facility points outside it get 422, with a hint
	// when swapping longitude and latitude would put them inside.
	// RegionName describes it in those messages.
	Region     func(orb.Point) bool
	RegionName string
	// Matrix builds travel matrices for problems given as coordinates; nil
	// means geo.GreatCircle (suburban defaults).
	Matrix geo.MatrixSource
	Keys   []Key
	Logger *slog.Logger // nil discards logs
	// Registry receives the metrics and is served at /metrics; nil means a
	// fresh registry.
	Registry *prometheus.Registry
	// MetricsPublic serves /metrics without a key; otherwise it needs an
	// operator key.
	MetricsPublic bool
	// MaxBodyBytes limits request bodies; default 8 MiB.
	// MaxBodyBytesInFlight bounds what all requests' bodies may hold at once
	// (each reserves twice its length); default 512 MiB, at least
	// 2×MaxBodyBytes.
	MaxBodyBytes         int64
	MaxBodyBytesInFlight int64
	// DefaultSolveTime is the time limit of a synchronous solve that names
	// none (default 1 s); MaxSolveTime caps what a request may ask (default
	// 10 s); MaxJobTime caps asynchronous jobs (default 10 min).
	DefaultSolveTime time.Duration
	MaxSolveTime     time.Duration
	MaxJobTime       time.Duration
	// MaxSyncTasks is the largest problem (jobs + shipments) the
	// synchronous endpoints take; default 1000. Larger ones go to /v1/jobs.
	MaxSyncTasks int
	// MaxSyncLocations and MaxJobLocations bound the side of the travel
	// matrix (locations, inline points or matrix rows) of a synchronous
	// solve (default 2,000) and of a job (default 10,000). MaxSolveBytes
	// caps the solver's estimated memory for one problem, matrices
	// included (default 512 MiB; instance.Size.Bytes gives the estimate).
	// Both are checked before anything is allocated for the problem.
	MaxSyncLocations int
	MaxJobLocations  int
	MaxSolveBytes    int64
	// MaxJobTasks bounds a job's jobs plus shipments (default 10,000) and
	// MaxVehicles every problem's vehicles (default 2,000). Like the
	// location limits they are counted in the body before it is decoded.
	MaxJobTasks int
	MaxVehicles int
	// ReplanTime limits each re-plan after a stop event; default 1 s.
	ReplanTime time.Duration
	// MaxIterations, when positive, caps the iterations of every solve:
	// tests use it to make runs deterministic and fast.
	MaxIterations int
	// MaxSolves bounds the solves and planner runs that run at once
	// (default the number of CPUs). A synchronous request waits up to
	// SolveWait (default 2 s) for a slot, then gets 503 with Retry-After;
	// job workers wait for theirs.
	MaxSolves int
	SolveWait time.Duration
	// AuthFailRate is how many failed authentications per second one client
	// address may make in the long run (default 2; negative disables), with
	// bursts of AuthFailBurst (default 20); past it the address gets 429.
	AuthFailRate  float64
	AuthFailBurst int
	// Workers is how many jobs this process runs at once (default 2;
	// negative: none, an API-only server with a durable queue). QueueSize
	// bounds the jobs waiting in a store without a durable queue (default
	// 100). JobStaleAfter is how long a running job may miss its heartbeat
	// before another process re-runs it from its checkpoint (default 30 s).
	Workers       int
	QueueSize     int
	JobStaleAfter time.Duration
	// RateLimit is each key's sustained requests per second (default 50;
	// negative disables), RateBurst its bucket size (default 200, so that a
	// burst of concurrent solves meets the solve governor's 503, not 429).
	RateLimit float64
	RateBurst int
	// ProgressInterval is how often job progress is persisted and streamed;
	// default 250 ms.
	ProgressInterval time.Duration
	// Tiles is a raster tile URL template ({z}/{x}/{y}) the web app draws
	// under the embedded boundaries; "" draws the boundaries alone.
	Tiles string
	// Per-key quotas, answered with 429 and Retry-After: unfinished (queued
	// or running) jobs, counted in the store across servers (default 100);
	// jobs running at once, past which workers leave a key's jobs waiting
	// (default 4); progress streams open on this server (default 10).
	MaxQueuedPerKey  int
	MaxRunningPerKey int
	MaxStreamsPerKey int
	// Retention: finished jobs are deleted JobTTL after their last change
	// (default 30 days), lose their results after ResultTTL (7 days); plans
	// are deleted PlanTTL after creation (30 days). Negative keeps forever.
	// Every server and worker purges every RetentionInterval (1 h).
	JobTTL, ResultTTL, PlanTTL time.Duration
	RetentionInterval          time.Duration
	// CoverageEvery, when positive, runs coverage monitoring at that
	// interval: the stored demand against the stored lockers and express
	// stores within CoverageRadiusMeters (default 500), setting
	// lastmile_coverage_ratio per zone. Nothing else sets that gauge.
	CoverageEvery        time.Duration
	CoverageRadiusMeters float64
	// CheckpointInterval is how often a running optimize job saves its best
	// solution, from which a later attempt resumes; default 5 s.
	CheckpointInterval time.Duration
	// JobPollInterval is how often idle workers look for jobs when the
	// database does not notify them (SQLite); default 1 s.
	JobPollInterval time.Duration
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.DefaultSolveTime, time.Second)
	set(&c.MaxSolveTime, 10*time.Second)
	set(&c.MaxJobTime, 10*time.Minute)
	set(&c.ReplanTime, time.Second)
	set(&c.ProgressInterval, 250*time.Millisecond)
	set(&c.CheckpointInterval, 5*time.Second)
	set(&c.RetentionInterval, time.Hour)
	if c.CoverageRadiusMeters <= 0 {
		c.CoverageRadiusMeters = 500
	}
	if c.JobTTL == 0 {
		c.JobTTL = 30 * 24 * time.Hour
	}
	if c.ResultTTL == 0 {
		c.ResultTTL = 7 * 24 * time.Hour
	}
	if c.PlanTTL == 0 {
		c.PlanTTL = 30 * 24 * time.Hour
	}
	set(&c.SolveWait, 2*time.Second)
	if c.MaxSolves <= 0 {
		c.MaxSolves = runtime.NumCPU()
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 8 << 20
	}
	if c.MaxBodyBytesInFlight < 2*c.MaxBodyBytes {
		c.MaxBodyBytesInFlight = max(512<<20, 2*c.MaxBodyBytes)
	}
	if c.MaxSyncTasks <= 0 {
		c.MaxSyncTasks = 1000
	}
	if c.MaxSyncLocations <= 0 {
		c.MaxSyncLocations = 2000
	}
	if c.MaxJobLocations <= 0 {
		c.MaxJobLocations = 10_000
	}
	if c.MaxSolveBytes <= 0 {
		c.MaxSolveBytes = 512 << 20
	}
	if c.MaxJobTasks <= 0 {
		c.MaxJobTasks = 10_000
	}
	if c.MaxVehicles <= 0 {
		c.MaxVehicles = 2000
	}
	switch {
	case c.Workers == 0:
		c.Workers = 2
	case c.Workers < 0:
		c.Workers = 0
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 100
	}
	if c.MaxQueuedPerKey <= 0 {
		c.MaxQueuedPerKey = 100
	}
	if c.MaxRunningPerKey <= 0 {
		c.MaxRunningPerKey = 4
	}
	if c.MaxStreamsPerKey <= 0 {
		c.MaxStreamsPerKey = 10
	}
	if c.AuthFailRate == 0 {
		c.AuthFailRate = 2
	}
	if c.AuthFailBurst <= 0 {
		c.AuthFailBurst = 20
	}
	if c.RateLimit == 0 {
		c.RateLimit = 50
	}
	if c.RateBurst <= 0 {
		c.RateBurst = 200
	}
	if c.Solver == nil {
		c.Solver = SolverFunc(routing.Solve)
	}
	if c.Matrix == nil {
		c.Matrix = geo.GreatCircle{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Registry == nil {
		c.Registry = prometheus.NewRegistry()
	}
}

// Server is the lastmile HTTP API. Create it with New, start its job
// workers with Start, serve Handler, and stop with Shutdown.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   Store
	solver  Solver
	keys    *keyring
	metrics *metrics.Metrics
	mux     *http.ServeMux
	handler http.Handler
	// local runs jobs for a store without a durable queue; runs maps the
	// id of each job running here to the cancel function of its attempt.
	local    *localQueue
	runs     sync.Map
	stopping atomic.Bool
	// planners maps a planner job kind to its handler.
	planners map[string]func(w http.ResponseWriter, r *http.Request) error
	solves   *governor
	quotas   *quotas
	// authFails throttles failed authentication per client address.
	authFails *authThrottle
	// bodies bounds the request bytes held at once.
	bodies *bodyBudget
	// routes lists every registered pattern, for the OpenAPI test.
	routes []string

	courierMu sync.Map // courier id → *sync.Mutex, serialising re-plans
	quit      chan struct{}
	quitOnce  sync.Once
}

// New checks cfg and builds the server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: config: no store", ErrBadRequest)
	}
	cfg.defaults()
	kr, err := newKeyring(cfg.Keys, rate.Limit(cfg.RateLimit), cfg.RateBurst)
	if err != nil {
		return nil, err
	}
	if l, ok := cfg.Store.(KeyLookup); ok {
		kr.stored = l
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger, store: cfg.Store, solver: cfg.Solver, keys: kr,
		metrics: metrics.New(cfg.Registry), mux: http.NewServeMux(), quit: make(chan struct{}),
		solves:    newGovernor(cfg.MaxSolves, cfg.SolveWait),
		authFails: newAuthThrottle(cfg.AuthFailRate, cfg.AuthFailBurst),
		bodies:    newBodyBudget(cfg.MaxBodyBytesInFlight, cfg.SolveWait),
	}
	s.local = newLocalQueue(s)
	s.quotas = newQuotas(s)
	s.planners = map[string]func(w http.ResponseWriter, r *http.Request) error{}
	s.registerRoutes()
	// metrics wrap the mux directly, so they can read r.Pattern; panics are
	// recovered inside, so they are counted as 500s.
	s.handler = s.logRequests(s.limitHeaders(s.metrics.Middleware(s.recoverPanics(s.mux))))
	return s, nil
}

// Metrics returns the server's collectors, for tests.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server for addr with the server's timeouts:
// headers within 10 s, a body within 30 s, a response within the longest
// synchronous solve plus 30 s, and 2 min idle keep-alive. The progress
// stream lifts its own write deadline. Headers up to 1 MiB are read, so that
// the API's own 64 KiB check answers larger ones with a 431 problem.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.cfg.MaxSolveTime + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Start starts the job workers: River's, on the store's database, when the
// store has a durable queue (jobs left by a stopped or dead process are
// picked up there), else the in-process ones.
func (s *Server) Start(ctx context.Context) error {
	if p, ok := s.store.(Purger); ok {
		go s.retain(p)
	}
	if s.cfg.CoverageEvery > 0 {
		go s.monitorCoverage()
	}
	if q, ok := s.store.(Queue); ok {
		return q.StartQueue(ctx, store.QueueConfig{Workers: s.Workers(), MaxWorkers: s.cfg.Workers,
			StaleAfter: s.cfg.JobStaleAfter, PollInterval: s.cfg.JobPollInterval, Logger: s.log})
	}
	s.local.start(s.cfg.Workers)
	return nil
}

// Shutdown stops taking jobs, lets running jobs finish until ctx is done,
// then cancels them and stores them as queued with their checkpoints, so
// that another worker re-runs them. Progress streams are ended. Call it
// after (or while) http.Server.Shutdown drains the connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.quitOnce.Do(func() { close(s.quit) })
	s.stopping.Store(true)
	if q, ok := s.store.(Queue); ok {
		return q.StopQueue(ctx)
	}
	s.local.shutdown(ctx)
	return nil
}

func (s *Server) isStopping() bool { return s.stopping.Load() }

// Purger deletes expired records; the stores implement it.
type Purger interface {
	Purge(ctx context.Context, r store.Retention) (store.Purged, error)
}

// retain purges expired jobs, results and plans at start and every
// RetentionInterval until the server shuts down.
func (s *Server) retain(p Purger) {
	keep := func(d time.Duration) time.Duration { return max(d, 0) } // negative: forever (0 for the store)
	r := store.Retention{Jobs: keep(s.cfg.JobTTL), Results: keep(s.cfg.ResultTTL), Plans: keep(s.cfg.PlanTTL)}
	t := time.NewTicker(s.cfg.RetentionInterval)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		n, err := p.Purge(ctx, r)
		cancel()
		switch {
		case err != nil:
			s.log.Warn("retention: purge", "err", err)
		case n != store.Purged{}:
			s.log.Info("retention: purged expired records", "jobs", n.Jobs, "results", n.Results, "plans", n.Plans)
		}
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
	}
}

// route registers pattern with an access rule. Handlers return errors,
// which are mapped to problems in one place.
func (s *Server) route(pattern string, acc access, h func(w http.ResponseWriter, r *http.Request) error) {
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := s.authorize(w, r, acc); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := checkPathID(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		release, err := s.bodies.reserve(r, s.cfg.MaxBodyBytes)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer release()
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authorize checks the key and rate limit, and stores the principal in the
// request's context. It changes *r in place rather than replacing it, so the
// metrics middleware still sees r.Pattern.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, acc access) error {
	if acc == public {
		return nil
	}
	addr := clientAddr(r)
	if s.authFails.blocked(addr) {
		return errorf(errRateLimited, "too many failed authentications from this address; retry later")
	}
	p, err := s.keys.authenticate(r, r.Pattern == vroomPattern)
	if err != nil {
		if errors.Is(err, errUnauthorized) { // not a store that is down
			s.authFails.fail(addr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="lastmile"`)
		}
		return err
	}
	if !s.keys.allow(p) {
		return errorf(errRateLimited, "key %s exceeded %.0f requests per second", p.Name, s.cfg.RateLimit)
	}
	switch {
	case acc == plannerOnly && p.Role.rank() < RolePlanner.rank():
		return errorf(errForbidden, "this endpoint needs a planner or operator key")
	case acc == operatorOnly && p.Role != RoleOperator:
		return errorf(errForbidden, "this endpoint needs an operator key")
	}
	*r = *r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
	return nil
}

// vroomPattern is the VROOM-compatible route, which also takes its key as
// ?api_key=.
const vroomPattern = "POST /v1/vroom"

func (s *Server) registerRoutes() {
	s.route("GET /healthz", public, s.healthz)
	s.route("GET /readyz", public, s.readyz)
	s.route("GET /openapi.json", public, s.openAPI)
	metricsAccess := operatorOnly
	if s.cfg.MetricsPublic {
		metricsAccess = public
	}
	prom := promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)})
	s.route("GET /metrics", metricsAccess, func(w http.ResponseWriter, r *http.Request) error {
		prom.ServeHTTP(w, r)
		return nil
	})

	s.route("POST /v1/optimize", anyKey, s.optimize)
	s.route("POST /v1/jobs", anyKey, s.submitJob)
	s.route("GET /v1/jobs", anyKey, s.listJobs)
	s.route("GET /v1/jobs/summary", operatorOnly, s.jobsSummary)
	s.route("GET /v1/jobs/{id}", anyKey, s.getJob)
	s.route("DELETE /v1/jobs/{id}", anyKey, s.cancelJob)
	s.route("POST /v1/jobs/{id}/cancel", anyKey, s.cancelJob)
	s.route("GET /v1/jobs/{id}/events", anyKey, s.jobEvents)
	s.route(vroomPattern, anyKey, s.vroom)

	s.route("GET /v1/couriers/{id}/route", anyKey, s.getCourierRoute)
	s.route("POST /v1/couriers/{id}/events", anyKey, s.postStopEvent)
	s.route("GET /v1/couriers/{id}/events", anyKey, s.getStopEvents)

	s.route("POST /v1/dispatch", plannerOnly, s.dispatch)
	s.route("GET /v1/plans/{id}", plannerOnly, s.getPlan)
	s.route("POST /v1/plans/allocation", plannerOnly, s.planRoute("allocation", s.allocate))
	s.route("POST /v1/plans/coverage", plannerOnly, s.planRoute("coverage", s.analyzeCoverage))
	s.route("POST /v1/plans/sites", plannerOnly, s.planRoute("sites", s.selectSites))
	s.route("POST /v1/plans/location", plannerOnly, s.planRoute("location", s.locate))
	s.route("POST /v1/plans/urban", plannerOnly, s.planRoute("urban", s.urbanPlan))
	s.route("POST /v1/plans/rural", plannerOnly, s.planRoute("rural", s.ruralPlan))
	s.route("POST /v1/imports/facilities", plannerOnly, s.importFacilities)
	s.route("POST /v1/imports/demand", plannerOnly, s.importDemand)
	s.route("GET /v1/demand", plannerOnly, s.listDemand)
	s.route("GET /v1/facilities", plannerOnly, s.listFacilities)
	s.route("POST /v1/facilities", plannerOnly, s.createFacility)
	s.route("GET /v1/facilities/{id}", plannerOnly, s.getFacility)
	s.route("PUT /v1/facilities/{id}", plannerOnly, s.putFacility)
	s.route("DELETE /v1/facilities/{id}", plannerOnly, s.deleteFacility)

	s.registerWeb()

	// Anything else: a problem+json 404 or 405 instead of the mux's text.
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		allow := s.allowedMethods(r)
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, r, &problemDetails{Type: problemTypeBase + "method-not-allowed", Title: "Method not allowed",
				Status: http.StatusMethodNotAllowed, Detail: "allowed: " + strings.Join(allow, ", ")})
			return
		}
		s.writeError(w, r, errorf(errNotFound, "no endpoint at %s", r.URL.Path))
	})
}

// allowedMethods lists the methods registered for r's path.
func (s *Server) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pat := s.mux.Handler(probe); pat != "" && pat != "/" {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	select {
	case <-s.quit:
		return errorf(ErrUnavailable, "shutting down")
	default:
	}
	if p, ok := s.store.(pinger); ok {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := p.Ping(ctx); err != nil {
			s.log.WarnContext(r.Context(), "readiness: store unreachable", "err", err)
			return errorf(ErrUnavailable, "database unreachable")
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

// recoverPanics turns a panic into a logged 500 with a plain problem: no
// panic reaches a client. http.ErrAbortHandler is re-raised, as net/http
// expects.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			writeProblem(w, r, problemFor(errors.New("panic")))
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &codeWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "pattern", r.Pattern,
			"status", sw.code, "duration", time.Since(start), "remote", r.RemoteAddr)
	})
}

type codeWriter struct {
	http.ResponseWriter
	code int
	done bool
}

func (w *codeWriter) WriteHeader(code int) {
	if !w.done {
		w.code, w.done = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *codeWriter) Write(b []byte) (int, error) {
	w.done = true
	return w.ResponseWriter.Write(b)
}

func (w *codeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *codeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		w.done = true
		f.Flush()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// readBody reads the request body, enforcing the size limit and the media
// type (application/json or any +json; a missing Content-Type is accepted
// for curl's sake).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errorf(errMediaType, "Content-Type %q: send application/json", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &statusError{err: errTooLarge, detail: fmt.Sprintf("the body exceeds %d bytes", mbe.Limit),
				params: []invalidParam{{Name: "body", Reason: fmt.Sprintf("larger than %d bytes", mbe.Limit)}}}
		}
		return nil, errorf(ErrBadRequest, "reading the body: %v", err)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, badParam("body", "empty body: send a JSON document")
	}
	if trimmed[0] != '{' {
		return nil, badParam("body", "want a JSON object, have %s", jsonKind(trimmed[0]))
	}
	if err := checkText(body); err != nil {
		return nil, err
	}
	return body, nil
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch {
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 'n':
		return "null"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return "something that is not JSON"
}

// decodeStrict decodes one JSON document into v, refusing unknown fields
// and trailing data, and names the bad field on a type error.
func decodeStrict(body []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return badParam("body", "trailing data after the JSON document")
	}
	return nil
}

// jsonTypeName names the fixed-shape JSON types as a client writes them.
func jsonTypeName(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[geo.LonLat]():
		return "[lon, lat]"
	case reflect.TypeFor[instance.Window]():
		return "[start, end] in seconds"
	case nil:
		return "another type"
	}
	return t.String()
}

func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badParam("body", "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		// Fields promoted from the embedded instance.Problem carry its
		// type name; the client knows only the JSON path.
		name := strings.TrimPrefix(typ.Field, "Problem.")
		if name == "" {
			name = "body"
		}
		return badParam(name, "want %s, have %s", jsonTypeName(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return badParam("body", "truncated JSON document")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return badParam(strings.Trim(f, `"`), "unknown field")
	}
	return badParam("body", "%s", strings.TrimPrefix(msg, "json: "))
}

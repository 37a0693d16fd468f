package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/geo/zone"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/osrm"
	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
)

// keyFlags collects repeated --api-key values.
type keyFlags []api.Key

func (k *keyFlags) String() string { return fmt.Sprintf("%d keys", len(*k)) }

func (k *keyFlags) Set(s string) error {
	key, err := api.ParseKey(s)
	if err != nil {
		return err
	}
	*k = append(*k, key)
	return nil
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// runServe is `lastmile serve`: the HTTP API.
func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "",
		"Serve the lastmile JSON API over HTTP. Flags fall back to environment variables\n"+
			"(LASTMILE_ADDR, DATABASE_URL, LASTMILE_API_KEYS as comma-separated ROLE:KEY[:COURIER_ID], ...).\n"+
			"With no database URL the store is embedded: an SQLite file under --data (default\n"+
			"$XDG_DATA_HOME/lastmile, else ./lastmile-data), kept across restarts; --memory keeps\n"+
			"nothing. With no API key the\n"+
			"server runs in demo mode: it makes one key per role, prints them, and seeds the\n"+
			"Chongqing fixture's facilities. Logs go to stderr; --json also prints one JSON\n"+
			"object on stdout once the server listens: its address, version, store and any\n"+
			"demo keys.")
	addr := fs.String("addr", envOr("LASTMILE_ADDR", ":8080"), "listen address HOST:PORT (LASTMILE_ADDR)")
	dbURL := fs.String("database-url", envOr("DATABASE_URL", ""), "PostgreSQL URL; empty uses the embedded store under --data (DATABASE_URL)")
	dataDir := fs.String("data", envOr("LASTMILE_DATA", defaultDataDir()), "`DIR` of the embedded store (SQLite) when there is no database URL (LASTMILE_DATA)")
	inMemory := fs.Bool("memory", envOr("LASTMILE_MEMORY", "") == "true", "keep everything in memory: nothing survives a restart (LASTMILE_MEMORY=true)")
	var keys keyFlags
	fs.Var(&keys, "api-key", "API key ROLE:KEY or courier:KEY:COURIER_ID; repeatable; roles courier, planner, operator (LASTMILE_API_KEYS)")
	metricsPublic := fs.Bool("metrics-public", envOr("LASTMILE_METRICS_PUBLIC", "") == "true", "serve /metrics without a key (default: operator key) (LASTMILE_METRICS_PUBLIC=true)")
	defSolve := fs.Duration("solve-time", envDuration("LASTMILE_SOLVE_TIME", time.Second), "default time limit of a synchronous solve (LASTMILE_SOLVE_TIME)")
	maxSolve := fs.Duration("max-solve-time", envDuration("LASTMILE_MAX_SOLVE_TIME", 10*time.Second), "cap on a synchronous solve's time limit (LASTMILE_MAX_SOLVE_TIME)")
	maxJob := fs.Duration("max-job-time", envDuration("LASTMILE_MAX_JOB_TIME", 10*time.Minute), "cap on an asynchronous job's time limit (LASTMILE_MAX_JOB_TIME)")
	maxBody := fs.Int64("max-body-bytes", int64(envInt("LASTMILE_MAX_BODY_BYTES", 8<<20)), "request body limit in bytes (LASTMILE_MAX_BODY_BYTES)")
	maxTasks := fs.Int("max-sync-tasks", envInt("LASTMILE_MAX_SYNC_TASKS", 1000), "largest problem (jobs + shipments) for synchronous endpoints (LASTMILE_MAX_SYNC_TASKS)")
	workers := fs.Int("workers", envInt("LASTMILE_WORKERS", 2), "jobs this process runs at once; 0 serves the API only, and `lastmile worker` processes run the jobs (LASTMILE_WORKERS)")
	maxQueued := fs.Int("max-queued-per-key", envInt("LASTMILE_MAX_QUEUED_PER_KEY", 100), "unfinished jobs one key may have; more get 429 (LASTMILE_MAX_QUEUED_PER_KEY)")
	maxRunning := fs.Int("max-running-per-key", envInt("LASTMILE_MAX_RUNNING_PER_KEY", 4), "jobs of one key running at once across all workers (LASTMILE_MAX_RUNNING_PER_KEY)")
	maxStreams := fs.Int("max-streams-per-key", envInt("LASTMILE_MAX_STREAMS_PER_KEY", 10), "progress streams one key may hold open on this server (LASTMILE_MAX_STREAMS_PER_KEY)")
	jobTTL := fs.Duration("job-ttl", envDuration("LASTMILE_JOB_TTL", 30*24*time.Hour), "finished jobs are deleted after this; negative keeps them (LASTMILE_JOB_TTL)")
	resultTTL := fs.Duration("result-ttl", envDuration("LASTMILE_RESULT_TTL", 7*24*time.Hour), "finished jobs' results are deleted after this; negative keeps them (LASTMILE_RESULT_TTL)")
	planTTL := fs.Duration("plan-ttl", envDuration("LASTMILE_PLAN_TTL", 30*24*time.Hour), "plans are deleted after this; negative keeps them (LASTMILE_PLAN_TTL)")
	dbWait := fs.Duration("db-wait", envDuration("LASTMILE_DB_WAIT", time.Minute), "how long start-up waits for the database, retrying with backoff (LASTMILE_DB_WAIT)")
	queueSize := fs.Int("queue", envInt("LASTMILE_QUEUE", 100), "jobs that may wait for a worker (LASTMILE_QUEUE)")
	rateLimit := fs.Float64("rate-limit", float64(envInt("LASTMILE_RATE_LIMIT", 50)), "requests per second per key; negative disables (LASTMILE_RATE_LIMIT)")
	rateBurst := fs.Int("rate-burst", envInt("LASTMILE_RATE_BURST", 200), "burst size per key (LASTMILE_RATE_BURST)")
	maxSolves := fs.Int("max-solves", envInt("LASTMILE_MAX_SOLVES", runtime.NumCPU()), "solves and planner runs at once; more wait (LASTMILE_MAX_SOLVES)")
	solveWait := fs.Duration("solve-wait", envDuration("LASTMILE_SOLVE_WAIT", 2*time.Second), "how long a synchronous request waits for a solver slot before 503 (LASTMILE_SOLVE_WAIT)")
	maxSyncLoc := fs.Int("max-sync-locations", envInt("LASTMILE_MAX_SYNC_LOCATIONS", 2000), "largest travel matrix side of a synchronous solve (LASTMILE_MAX_SYNC_LOCATIONS)")
	maxJobLoc := fs.Int("max-job-locations", envInt("LASTMILE_MAX_JOB_LOCATIONS", 10_000), "largest travel matrix side of a job (LASTMILE_MAX_JOB_LOCATIONS)")
	maxJobTasks := fs.Int("max-job-tasks", envInt("LASTMILE_MAX_JOB_TASKS", 10_000), "largest job (jobs + shipments) (LASTMILE_MAX_JOB_TASKS)")
	maxVehicles := fs.Int("max-vehicles", envInt("LASTMILE_MAX_VEHICLES", 2000), "most vehicles in one problem (LASTMILE_MAX_VEHICLES)")
	maxSolveMB := fs.Int64("max-solve-mb", int64(envInt("LASTMILE_MAX_SOLVE_MB", 512)), "cap on one solve's estimated memory in MiB, matrices included (LASTMILE_MAX_SOLVE_MB)")
	region := fs.String("region", envOr("LASTMILE_REGION", ""), "service region: `BOX` minLon,minLat,maxLon,maxLat or a GeoJSON boundary file (WGS-84); points outside get 422 (LASTMILE_REGION)")
	coverageEvery := fs.Duration("coverage-every", envDuration("LASTMILE_COVERAGE_EVERY", 15*time.Minute), "run coverage monitoring (stored demand against stored pickup points, lastmile_coverage_ratio) this often; 0 turns it off (LASTMILE_COVERAGE_EVERY)")
	coverageRadius := fs.Float64("coverage-radius", 500, "walking radius in metres of coverage monitoring")
	grace := fs.Duration("shutdown-timeout", envDuration("LASTMILE_SHUTDOWN_TIMEOUT", 30*time.Second), "how long running jobs may finish at shutdown before they are stored as queued (LASTMILE_SHUTDOWN_TIMEOUT)")
	logFormat := fs.String("log-format", envOr("LASTMILE_LOG_FORMAT", "json"), "log format: json or text (LASTMILE_LOG_FORMAT)")
	osrmURL := fs.String("osrm-url", envOr("LASTMILE_OSRM_URL", ""), "OSRM server `URL` (your own /table/v1 service) for travel between coordinates; empty uses the great-circle model (LASTMILE_OSRM_URL)")
	osrmProfile := fs.String("osrm-profile", envOr("LASTMILE_OSRM_PROFILE", osrm.DefaultProfile), "OSRM routing profile (LASTMILE_OSRM_PROFILE)")
	tiles := fs.String("tiles", envOr("LASTMILE_TILES", ""), "raster tile `URL` template ({z}/{x}/{y}) the web app draws under the embedded boundaries (LASTMILE_TILES)")
	seed := fs.Bool("seed-fixture", envOr("LASTMILE_SEED_FIXTURE", "") == "true", "seed the Chongqing fixture's facilities into an empty store even when keys are given (LASTMILE_SEED_FIXTURE=true)")
	asJSON := jsonFlag(fs)
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if len(keys) == 0 {
		for _, s := range strings.Split(os.Getenv("LASTMILE_API_KEYS"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				if err := keys.Set(s); err != nil {
					return fmt.Errorf("%w: LASTMILE_API_KEYS: %w", errUsage, err)
				}
			}
		}
	}
	var handler slog.Handler
	switch *logFormat {
	case "json":
		handler = slog.NewJSONHandler(env.Stderr, nil)
	case "text":
		handler = slog.NewTextHandler(env.Stderr, nil)
	default:
		return fmt.Errorf("%w: --log-format %q: want json or text", errUsage, *logFormat)
	}
	log := slog.New(handler)
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return fmt.Errorf("%w: --addr %q: want HOST:PORT: %w", errUsage, *addr, err)
	}

	inRegion, err := parseRegion(*region)
	if err != nil {
		return fmt.Errorf("%w: --region: %w", errUsage, err)
	}

	var travel geo.MatrixSource // nil: the server's great-circle default
	if *osrmURL != "" {
		c, err := osrm.New(*osrmURL)
		if err != nil {
			return fmt.Errorf("%w: --osrm-url: %w", errUsage, err)
		}
		c.Profile = *osrmProfile
		travel = osrmTravel{c}
	}

	reg := prometheus.NewRegistry()
	var st api.Store
	kind := "memory"
	switch {
	case *dbURL != "":
		pg, err := openPostgres(ctx, log, *dbURL, *dbWait)
		if err != nil {
			return err
		}
		defer pg.Close()
		reg.MustRegister(pg.PoolCollector(), pg.QueueCollector())
		st, kind = pg, "postgres"
	case *inMemory:
		st = store.NewMemory()
		log.Warn("store: in memory (--memory); data is NOT persisted and is lost when the server stops")
	default:
		sq, err := store.OpenSQLite(ctx, *dataDir, log)
		if err != nil {
			return fmt.Errorf("embedded store in %s: %w", *dataDir, err)
		}
		defer sq.Close()
		reg.MustRegister(sq.QueueCollector())
		st, kind = sq, "sqlite"
		log.Info("store: embedded SQLite; jobs, results, facilities, routes and plans persist", "file", sq.Path())
	}
	persistent := kind != "memory"

	demo := len(keys) == 0
	var demoKeys []api.Key // made at this start, printed once
	if demo {
		ks, ok := st.(keyStore)
		if !ok {
			return fmt.Errorf("store %s keeps no keys", kind)
		}
		stored, err := ks.Keys(ctx)
		if err != nil {
			return fmt.Errorf("demo keys: %w", err)
		}
		active := 0
		for _, k := range stored {
			if k.RevokedAt.IsZero() {
				active++
			}
		}
		if active > 0 {
			fmt.Fprintf(env.Stderr, "lastmile serve: %d API keys are stored (hashed), among them the demo keys printed at the first start;\n"+
				"  `lastmile keys list` shows them and `lastmile keys add --role planner` makes another.\n", active)
		} else {
			for _, k := range []struct {
				role    api.Role
				courier string
			}{{api.RoleOperator, ""}, {api.RolePlanner, ""}, {api.RoleCourier, "c1"}, {api.RoleCourier, "c2"}} {
				_, secret, err := newStoredKey(ctx, ks, "demo-", k.role, k.courier, "demo")
				if err != nil {
					return fmt.Errorf("demo keys: %w", err)
				}
				demoKeys = append(demoKeys, api.Key{Role: k.role, Secret: secret, CourierID: k.courier})
			}
			fmt.Fprintln(env.Stderr, "lastmile serve: demo mode (no --api-key given). Demo keys, stored hashed, valid until revoked (lastmile keys):")
			for _, k := range demoKeys {
				who := string(k.Role)
				if k.CourierID != "" {
					who += " " + k.CourierID
				}
				fmt.Fprintf(env.Stderr, "  %-12s Authorization: Bearer %s\n", who, k.Secret)
			}
		}
	}
	if demo || *seed {
		have, err := st.Facilities(ctx, store.FacilityFilter{})
		if err != nil {
			return fmt.Errorf("seed fixture: %w", err)
		}
		if len(have) == 0 {
			n, err := seedFixture(ctx, st)
			if err != nil {
				return err
			}
			log.Info("seeded the Chongqing fixture's facilities into the empty store", "facilities", n)
		} else {
			log.Info("store already holds facilities; the fixture is not seeded", "facilities", len(have))
		}
	}

	zoneOf, err := chongqingZones()
	if err != nil {
		return err
	}
	srv, err := api.New(api.Config{
		Store: st, Keys: keys, ZoneOf: zoneOf, Matrix: travel, Logger: log, Registry: reg, MetricsPublic: *metricsPublic,
		MaxBodyBytes: *maxBody, DefaultSolveTime: *defSolve, MaxSolveTime: *maxSolve, MaxJobTime: *maxJob,
		MaxSyncTasks: *maxTasks, Workers: workerCount(*workers), QueueSize: *queueSize, RateLimit: *rateLimit, RateBurst: *rateBurst,
		MaxSolves: *maxSolves, SolveWait: *solveWait, MaxSyncLocations: *maxSyncLoc, MaxJobLocations: *maxJobLoc,
		MaxJobTasks: *maxJobTasks, MaxVehicles: *maxVehicles, MaxSolveBytes: *maxSolveMB << 20,
		Region: inRegion, RegionName: *region, Tiles: *tiles,
		MaxQueuedPerKey: *maxQueued, MaxRunningPerKey: *maxRunning, MaxStreamsPerKey: *maxStreams,
		JobTTL: *jobTTL, ResultTTL: *resultTTL, PlanTTL: *planTTL,
		CoverageEvery: *coverageEvery, CoverageRadiusMeters: *coverageRadius,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	hs := srv.HTTPServer(*addr)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *addr, err)
	}
	log.Info("lastmile serve listening", "addr", ln.Addr().String(), "version", version, "persistent", persistent, "keys", len(keys), "osrm", *osrmURL)
	if *asJSON {
		if err := writeServeStart(env, ln.Addr().String(), kind, demoKeys); err != nil {
			ln.Close()
			_ = srv.Shutdown(context.Background())
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		_ = srv.Shutdown(context.Background())
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done(): // SIGINT or SIGTERM
	}
	log.Info("shutting down: no new requests; running jobs get the grace period", "grace", *grace)
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	// Stop the job queue and the HTTP server together: streams end when the
	// queue stops, requests in flight finish.
	qerr := make(chan error, 1)
	go func() { qerr <- srv.Shutdown(sctx) }()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http shutdown", "err", err)
	}
	if err := <-qerr; err != nil {
		log.Warn("job queue shutdown", "err", err)
	}
	log.Info("stopped")
	return nil
}

// defaultDataDir is where the embedded store lives by default:
// $XDG_DATA_HOME/lastmile when XDG_DATA_HOME is set, else ./lastmile-data,
// beside where the server was started, where an operator trying it out
// will see it.
func defaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "lastmile")
	}
	return "lastmile-data"
}

// workerCount maps the --workers flag (0: none) to api.Config.Workers (0:
// the default; negative: none).
func workerCount(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// openPostgres opens the PostgreSQL store, waiting up to wait for the
// database to answer: a server or worker started with (or before) its
// database retries with backoff (0.5 s doubling to 8 s) and logs each
// attempt, instead of exiting at once.
func openPostgres(ctx context.Context, log *slog.Logger, url string, wait time.Duration) (*store.Postgres, error) {
	deadline := time.Now().Add(wait)
	delay := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		pg, err := store.OpenPostgres(actx, url, log)
		cancel()
		if err == nil {
			log.Info("store: PostgreSQL, migrations applied (ours and River's)", "attempts", attempt)
			return pg, nil
		}
		if ctx.Err() != nil || time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("database not reachable after %d attempts over %v: %w", attempt, wait, err)
		}
		log.Warn("database not reachable yet; retrying", "attempt", attempt, "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 8*time.Second)
	}
}

// serveStart is what serve --json prints once it listens.
type serveStart struct {
	Addr    string `json:"addr"`
	Version string `json:"version"`
	// Store is "postgres", "sqlite" (both persistent) or "memory".
	Store    string    `json:"store"`
	DemoKeys []demoKey `json:"demo_keys,omitempty"`
}

type demoKey struct {
	Role      string `json:"role"`
	CourierID string `json:"courier_id,omitempty"`
	Key       string `json:"key"`
}

func writeServeStart(env *Env, addr, kind string, demoKeys []api.Key) error {
	s := serveStart{Addr: addr, Version: version, Store: kind}
	for _, k := range demoKeys {
		s.DemoKeys = append(s.DemoKeys, demoKey{Role: string(k.Role), CourierID: k.CourierID, Key: k.Secret})
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(append(b, '\n'))
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// seedFixture stores the facilities of the Chongqing scenario (seed 1): the
// urban day's warehouses, centres, stations and pickup points and the rural
// week's county hubs and township stations.
func seedFixture(ctx context.Context, st api.Store) (int, error) {
	sc, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Parcels: 2000})
	if err != nil {
		return 0, fmt.Errorf("seed fixture: %w", err)
	}
	var fs []depots.Facility
	if sc.Day != nil {
		fs = append(fs, sc.Day.Facilities...)
	}
	if sc.Week != nil {
		for _, c := range sc.Week.Counties {
			fs = append(fs, c.Hub)
			fs = append(fs, c.Stations...)
		}
	}
	for i := range fs {
		if err := st.PutFacility(ctx, &fs[i]); err != nil {
			return 0, fmt.Errorf("seed fixture: %w", err)
		}
	}
	return len(fs), nil
}

// chongqingZones names the Chongqing fixture's district of a point, for
// coverage reports and the per-zone coverage metric (a bounded label set:
// the fixture's districts). Districts are their embedded real outlines
// (internal/cqgeo), indexed at H3 resolution 8.
func chongqingZones() (func(orb.Point) (string, bool), error) {
	f := scenario.Chongqing()
	real, err := scenario.DistrictBoundaries(f.Districts)
	if err != nil {
		return nil, err
	}
	zones := make([]zone.Zone, 0, len(f.Districts))
	for i := range f.Districts {
		d := &f.Districts[i]
		shape, ok := real[d.ID] // the embedded outline; the fixture's circle otherwise
		if !ok {
			shape = orb.MultiPolygon{d.Boundary()}
		}
		zones = append(zones, zone.Zone{Name: d.ID, Class: geo.ClassUrbanCore, Polygon: shape})
	}
	ix, err := zone.NewIndex(zones, 8)
	if err != nil {
		return nil, fmt.Errorf("district index: %w", err)
	}
	return func(p orb.Point) (string, bool) {
		z, ok := ix.Lookup(p)
		if !ok {
			return "", false
		}
		return ix.Zone(z).Name, true
	}, nil
}

// osrmTravel is the OSRM client as the server's matrix source. An OSRM that
// is down or failing is the server's trouble, not the client's: it becomes
// api.ErrUnavailable (503, detail logged); a pair of points with no route
// is the request's (422, naming the points).
type osrmTravel struct{ c *osrm.Client }

func (t osrmTravel) Matrix(ctx context.Context, points []orb.Point) (*geo.Matrix, error) {
	m, err := t.c.Matrix(ctx, points)
	switch {
	case err == nil:
		return m, nil
	case errors.Is(err, osrm.ErrNoRoute):
		return nil, fmt.Errorf("%w: %w", routing.ErrInfeasible, err)
	case errors.Is(err, geo.ErrInvalidPoint), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return nil, err
	default:
		return nil, fmt.Errorf("%w: travel matrix: %w", api.ErrUnavailable, err)
	}
}

// parseRegion reads --region: "minLon,minLat,maxLon,maxLat", or a GeoJSON
// file of boundary polygons in WGS-84. Empty means no region.
func parseRegion(s string) (func(orb.Point) bool, error) {
	if s == "" {
		return nil, nil
	}
	if parts := strings.Split(s, ","); len(parts) == 4 {
		var v [4]float64
		for i, p := range parts {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return nil, fmt.Errorf("box %q: %w", s, err)
			}
			v[i] = f
		}
		b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
		if err := geo.ValidatePoints([]orb.Point{b.Min, b.Max}); err != nil || b.Min[0] >= b.Max[0] || b.Min[1] >= b.Max[1] {
			return nil, fmt.Errorf("box %q: want minLon,minLat,maxLon,maxLat with min < max, in range", s)
		}
		return b.Contains, nil
	}
	ix, err := readZoneIndex(s, geo.WGS84, 7)
	if err != nil {
		return nil, err
	}
	return func(p orb.Point) bool { _, ok := ix.Lookup(p); return ok }, nil
}

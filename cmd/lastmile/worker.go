package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// runWorker is `lastmile worker`: job workers only, no HTTP API. Any
// number of workers and servers may share one database; each job runs in
// exactly one of them at a time, and a worker that dies has its jobs
// re-run by the others from their checkpoints.
func runWorker(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "worker", "",
		"Run asynchronous jobs (optimize jobs and planner runs) from the shared database, with no\n"+
			"HTTP API: start `lastmile serve --workers 0` for the API and as many workers as the\n"+
			"load needs, on any machines. Logs go to stderr as JSON. SIGINT or SIGTERM stops taking\n"+
			"jobs, lets running ones finish within --shutdown-timeout, then stores them back as\n"+
			"queued with their checkpoints.")
	dbURL := fs.String("database-url", envOr("DATABASE_URL", ""), "PostgreSQL URL of the shared database (DATABASE_URL); required")
	workers := fs.Int("workers", envInt("LASTMILE_WORKERS", 2), "jobs run at once (LASTMILE_WORKERS)")
	maxSolves := fs.Int("max-solves", envInt("LASTMILE_MAX_SOLVES", 0), "solver slots; 0 means the number of CPUs (LASTMILE_MAX_SOLVES)")
	maxJob := fs.Duration("max-job-time", envDuration("LASTMILE_MAX_JOB_TIME", 10*time.Minute), "cap on a job's time limit (LASTMILE_MAX_JOB_TIME)")
	staleAfter := fs.Duration("stale-after", envDuration("LASTMILE_JOB_STALE_AFTER", 30*time.Second), "re-run a job whose worker has not saved progress for this long (LASTMILE_JOB_STALE_AFTER)")
	checkpoint := fs.Duration("checkpoint-interval", envDuration("LASTMILE_CHECKPOINT_INTERVAL", 5*time.Second), "how often a running job saves its best solution, to resume from (LASTMILE_CHECKPOINT_INTERVAL)")
	progress := fs.Duration("progress-interval", envDuration("LASTMILE_PROGRESS_INTERVAL", 250*time.Millisecond), "how often progress and checkpoints are saved (LASTMILE_PROGRESS_INTERVAL)")
	maxRunning := fs.Int("max-running-per-key", envInt("LASTMILE_MAX_RUNNING_PER_KEY", 4), "jobs of one key running at once across all workers (LASTMILE_MAX_RUNNING_PER_KEY)")
	dbWait := fs.Duration("db-wait", envDuration("LASTMILE_DB_WAIT", time.Minute), "how long start-up waits for the database (LASTMILE_DB_WAIT)")
	grace := fs.Duration("shutdown-timeout", envDuration("LASTMILE_SHUTDOWN_TIMEOUT", 30*time.Second), "how long running jobs may finish at shutdown (LASTMILE_SHUTDOWN_TIMEOUT)")
	metricsAddr := fs.String("metrics-addr", envOr("LASTMILE_METRICS_ADDR", ""), "serve /metrics and /healthz on HOST:PORT; empty serves nothing (LASTMILE_METRICS_ADDR)")
	asJSON := jsonFlag(fs)
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if *dbURL == "" {
		return fmt.Errorf("%w: worker needs --database-url (or DATABASE_URL): the queue it shares with the API", errUsage)
	}
	if *workers < 1 {
		return fmt.Errorf("%w: --workers %d: want at least 1", errUsage, *workers)
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	pg, err := openPostgres(ctx, log, *dbURL, *dbWait)
	if err != nil {
		return err
	}
	defer pg.Close()
	zoneOf, err := chongqingZones()
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(pg.PoolCollector(), pg.QueueCollector())
	srv, err := api.New(api.Config{Store: pg, Logger: log, ZoneOf: zoneOf, Registry: reg, Workers: *workers, MaxSolves: *maxSolves,
		MaxJobTime: *maxJob, JobStaleAfter: *staleAfter, ProgressInterval: *progress, CheckpointInterval: *checkpoint, MaxRunningPerKey: *maxRunning})
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	if *metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, `{"status":"ok"}`) })
		hs := &http.Server{Addr: *metricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			_ = srv.Shutdown(context.Background())
			return fmt.Errorf("listen %s: %w", *metricsAddr, err)
		}
		go func() { _ = hs.Serve(ln) }()
		defer hs.Close()
		log.Info("worker metrics", "addr", ln.Addr().String())
	}
	log.Info("lastmile worker running", "version", version, "workers", *workers)
	if *asJSON {
		b, _ := json.Marshal(map[string]any{"version": version, "workers": *workers, "store": "postgres"})
		if _, err := env.Stdout.Write(append(b, '\n')); err != nil {
			_ = srv.Shutdown(context.Background())
			return err
		}
	}
	<-ctx.Done()
	log.Info("shutting down: no new jobs; running jobs get the grace period", "grace", *grace)
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("job queue shutdown", "err", err)
	}
	log.Info("stopped")
	return nil
}

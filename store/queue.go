package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// QueueConfig configures the durable job queue of a store: River, on the
// store's own database, so that a job row and its queue entry are written
// in one transaction.
type QueueConfig struct {
	// Workers holds a worker for every job kind the API enqueues; a process
	// that only enqueues needs them too (River checks kinds on insert).
	Workers *river.Workers
	// MaxWorkers is how many jobs this process runs at once; 0 makes it
	// enqueue only (an API-only server).
	MaxWorkers int
	// StaleAfter is how long a running job may go without a heartbeat (a
	// progress save) before another process re-queues it: its worker died.
	// Default 30 s. It must exceed the longest database outage a worker
	// should ride out without losing its run.
	StaleAfter time.Duration
	// PollInterval is how often workers look for new jobs when they are not
	// notified (SQLite always polls); default 1 s.
	PollInterval time.Duration
	// MaxAttempts bounds the runs of one job (default 25); past it the job
	// fails.
	MaxAttempts int
	Logger      *slog.Logger
}

func (c *QueueConfig) defaults() {
	if c.StaleAfter <= 0 {
		c.StaleAfter = 30 * time.Second
	}
	switch {
	case c.PollInterval <= 0:
		c.PollInterval = time.Second
	case c.PollInterval < river.FetchCooldownDefault:
		c.PollInterval = river.FetchCooldownDefault // River's floor
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 25
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// ErrQueueNotStarted is returned by EnqueueJob before StartQueue.
var ErrQueueNotStarted = errors.New("store: job queue not started")

// staleJob is a job the rescuer re-queues: its old queue entry and River
// arguments.
type staleJob struct {
	id      string
	queueID int64
	kind    string
	args    json.RawMessage
}

// rawArgs re-inserts a River job's arguments as they were stored.
type rawArgs struct {
	kind string
	args json.RawMessage
}

func (a rawArgs) Kind() string                 { return a.kind }
func (a rawArgs) MarshalJSON() ([]byte, error) { return a.args, nil }

// riverQueue is the River client of a store, generic over the driver's
// transaction type (pgx.Tx or *sql.Tx).
type riverQueue[TTx any] struct {
	driver riverdriver.Driver[TTx]
	log    *slog.Logger
	// pollOnly is set for drivers without LISTEN (SQLite).
	pollOnly bool

	mu     sync.Mutex
	cfg    QueueConfig
	client *river.Client[TTx]
	halt   context.CancelFunc
	done   chan struct{}
}

func newRiverQueue[TTx any](d riverdriver.Driver[TTx], log *slog.Logger) *riverQueue[TTx] {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &riverQueue[TTx]{driver: d, log: log}
}

// start builds the River client and, when cfg.MaxWorkers > 0, starts its
// workers and the rescuer, which runs rescue every StaleAfter/3.
func (q *riverQueue[TTx]) start(ctx context.Context, cfg QueueConfig, rescue func(ctx context.Context, staleAfter time.Duration, maxAttempts int, insert func(context.Context, TTx, river.JobArgs) (int64, error)) (int, error)) error {
	cfg.defaults()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.client != nil {
		return fmt.Errorf("store: job queue already started")
	}
	rc := &river.Config{
		Workers:           cfg.Workers,
		Logger:            riverLogger(cfg.Logger),
		FetchPollInterval: cfg.PollInterval,
		PollOnly:          q.pollOnly,
		MaxAttempts:       cfg.MaxAttempts,
		// Runs are bounded by the API's own time limits, and a dead
		// worker's job is found by its stale heartbeat (see rescue), so
		// River's own job timeout and stuck-job rescue stay out of the way.
		JobTimeout:           -1,
		RescueStuckJobsAfter: 24 * time.Hour,
		SkipUnknownJobCheck:  cfg.Workers == nil,
	}
	if cfg.MaxWorkers > 0 {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}}
	}
	client, err := river.NewClient(q.driver, rc)
	if err != nil {
		return fmt.Errorf("store: job queue: %w", err)
	}
	q.client, q.cfg = client, cfg
	if cfg.MaxWorkers == 0 {
		return nil
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := client.Start(runCtx); err != nil {
		cancel()
		q.client = nil
		return fmt.Errorf("store: start job workers: %w", err)
	}
	q.halt, q.done = cancel, make(chan struct{})
	go func() {
		defer close(q.done)
		t := time.NewTicker(cfg.StaleAfter / 3)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
			}
			n, err := rescue(runCtx, cfg.StaleAfter, cfg.MaxAttempts, q.insert)
			switch {
			case err != nil && runCtx.Err() == nil:
				q.log.Warn("job rescuer", "err", err)
			case n > 0:
				q.log.Info("re-queued jobs of workers that stopped answering", "count", n, "stale_after", cfg.StaleAfter)
			}
		}
	}()
	return nil
}

func (q *riverQueue[TTx]) current() *river.Client[TTx] {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.client
}

// insert adds args to the queue inside tx and returns the entry's id.
func (q *riverQueue[TTx]) insert(ctx context.Context, tx TTx, args river.JobArgs) (int64, error) {
	c := q.current()
	if c == nil {
		return 0, ErrQueueNotStarted
	}
	res, err := c.InsertTx(ctx, tx, args, &river.InsertOpts{MaxAttempts: q.cfg.MaxAttempts})
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return res.Job.ID, nil
}

// cancel cancels the queue entry id: River drops it if it waits, and
// signals the process running it. Failures are logged only: the job's own
// status already says cancelled, which its worker checks.
func (q *riverQueue[TTx]) cancel(ctx context.Context, id int64) {
	c := q.current()
	if c == nil || id == 0 {
		return
	}
	if _, err := c.JobCancel(ctx, id); err != nil && !errors.Is(err, rivertype.ErrNotFound) {
		q.log.Warn("job queue: cancel", "queue_id", id, "err", err)
	}
}

// wake makes the waiting queue entry id available now (River's JobRetry,
// which leaves a running entry alone).
func (q *riverQueue[TTx]) wake(ctx context.Context, id int64) error {
	c := q.current()
	if c == nil || id == 0 {
		return nil
	}
	if _, err := c.JobRetry(ctx, id); err != nil && !errors.Is(err, rivertype.ErrNotFound) {
		return fmt.Errorf("store: wake queue entry %d: %w", id, err)
	}
	return nil
}

// stop lets running jobs finish until ctx is done, then cancels them; their
// workers store them back as queued.
func (q *riverQueue[TTx]) stop(ctx context.Context) error {
	q.mu.Lock()
	c, cancel, done := q.client, q.halt, q.done
	q.client, q.halt, q.done = nil, nil, nil
	q.mu.Unlock()
	if c == nil || cancel == nil {
		return nil
	}
	err := c.Stop(ctx)
	if ctx.Err() != nil {
		err = c.StopAndCancel(context.Background())
	}
	cancel()
	<-done
	return err
}

// quietHandler passes River's warnings and errors to the server's log and
// drops its routine info lines.
type quietHandler struct{ slog.Handler }

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(as)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}

// riverLogger is log without River's routine info lines; nil discards.
func riverLogger(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(quietHandler{log.Handler()})
}

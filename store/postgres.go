package store

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Postgres is the PostgreSQL store. It is safe for concurrent use.
type Postgres struct {
	pool  *pgxpool.Pool
	queue *riverQueue[pgx.Tx]
	hub   *hub
	log   *slog.Logger
	// stopListen ends the LISTEN connection of the job watchers.
	stopListen context.CancelFunc
	listenCtx  context.Context
}

// OpenPostgres connects to the database at dsn (a postgres:// URL or
// key=value string; a search_path parameter selects a schema), applies the
// embedded migrations under a session lock, so that several servers may start
// at once, and returns the store.
func OpenPostgres(ctx context.Context, dsn string, log *slog.Logger) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: database url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := migrate(ctx, pool, log); err != nil {
		pool.Close()
		return nil, err
	}
	p := &Postgres{pool: pool, hub: newHub(), log: log}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.queue = newRiverQueue(riverpgxv5.New(pool), log)
	p.listenCtx, p.stopListen = context.WithCancel(context.Background())
	p.hub.onFirst = func() { go p.listen(p.listenCtx) }
	return p, nil
}

// migrationLock is the advisory lock key held while migrating, so that
// servers and workers starting together migrate one at a time.
const migrationLock = 0x6c6173746d696c65 // "lastmile"

// migrate applies our migrations (goose) and then River's (its migrator),
// under one advisory lock.
func migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("store: migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	if err := migrateOurs(ctx, pool, log); err != nil {
		return err
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: riverLogger(log)})
	if err != nil {
		return fmt.Errorf("store: river migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("store: river migrate: %w", err)
	}
	if log != nil && len(res.Versions) > 0 {
		log.Info("applied River migrations", "versions", len(res.Versions))
	}
	return nil
}

func migrateOurs(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if log != nil {
		for _, r := range res {
			log.Info("applied migration", "source", r.Source.Path, "duration", r.Duration)
		}
	}
	return nil
}

// Persistent reports true.
func (p *Postgres) Persistent() bool { return true }

// Ping checks that the database answers; /readyz uses it.
func (p *Postgres) Ping(ctx context.Context) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	if err := p.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// Close stops the queue's workers, if any are running, and closes the pool.
func (p *Postgres) Close() {
	p.queue.stop(context.Background())
	p.stopListen()
	p.pool.Close()
}

// WatchJob returns the changes of job id (state, progress, attempts) as
// they happen in any process sharing the database, until ctx ends or stop
// is called: the jobs table's trigger notifies channel lastmile_jobs, and
// one LISTEN connection per store fans the notifications out.
func (p *Postgres) WatchJob(ctx context.Context, id string) (<-chan JobEvent, func()) {
	return p.hub.watch(ctx, id)
}

// listen holds the LISTEN connection, reconnecting with backoff; after each
// (re)connection watchers are told to resync, since notifications sent
// meanwhile are lost.
func (p *Postgres) listen(ctx context.Context) {
	delay := 250 * time.Millisecond
	for ctx.Err() == nil {
		err := p.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("job notifications: connection lost; reconnecting", "err", err, "retry_in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

func (p *Postgres) listenOnce(ctx context.Context) error {
	actx, cancel := context.WithTimeout(ctx, opTimeout)
	pc, err := p.pool.Acquire(actx)
	cancel()
	if err != nil {
		return err
	}
	conn := pc.Hijack() // a listening connection never goes back to the pool
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN lastmile_jobs`); err != nil {
		return err
	}
	p.hub.publish(JobEvent{Resync: true})
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if e, ok := decodeEvent(n.Payload); ok {
			p.hub.publish(e)
		}
	}
}

// opTimeout bounds one store operation: a database that stops answering
// (a cut network, a hung server) fails the call with ErrUnavailable instead
// of holding the request. pgx closes the connection when the context ends.
const opTimeout = 10 * time.Second

func (p *Postgres) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, opTimeout)
}

// unreachable reports whether err means the database cannot be reached or
// is not serving (connection refused or lost, a timeout, a server shutting
// down or starting up), as opposed to a problem with the statement.
func unreachable(err error) bool {
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P0x: admin or crash shutdown,
		// cannot connect now; 53300: too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300"
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return true
	case pgconn.SafeToRetry(err), pgconn.Timeout(err):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "closed pool") || strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection reset")
}

// translate maps pgx errors to the package's sentinels.
func translate(err error, what string, notFound error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict), errors.Is(err, ErrInvalid), errors.Is(err, ErrUnavailable), errors.Is(err, ErrQuota),
		errors.Is(err, depots.ErrNotFound):
		return err // translated already
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("store: %s: %w", what, err)
	case unreachable(err):
		return fmt.Errorf("store: %s: %w: %w", what, ErrUnavailable, err)
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%s: %w", what, notFound)
	case errors.As(err, &pgErr) && pgErr.Code == "23505": // unique_violation
		return fmt.Errorf("%s: %w", what, ErrConflict)
	case errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05"): // bad text encoding, unsupported \u0000
		return fmt.Errorf("%s: text the database cannot store (NUL or invalid UTF-8): %w", what, ErrInvalid)
	default:
		return fmt.Errorf("store: %s: %w", what, err)
	}
}

// CreateFacility adds f, or returns ErrConflict if its id exists.
func (p *Postgres) CreateFacility(ctx context.Context, f *depots.Facility) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("store: facility %q: %w", f.ID, err)
	}
	_, err = p.pool.Exec(ctx, `INSERT INTO facilities (id, kind, doc) VALUES ($1, $2, $3)`, f.ID, f.Kind, doc)
	return translate(err, fmt.Sprintf("facility %q", f.ID), depots.ErrNotFound)
}

// PutFacility creates or replaces f.
func (p *Postgres) PutFacility(ctx context.Context, f *depots.Facility) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	return putFacilityPG(ctx, p.pool, f)
}

func putFacilityPG(ctx context.Context, db pgExec, f *depots.Facility) error {
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("store: facility %q: %w", f.ID, err)
	}
	_, err = db.Exec(ctx, `INSERT INTO facilities (id, kind, doc) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, doc = excluded.doc, updated_at = now()`, f.ID, f.Kind, doc)
	return translate(err, fmt.Sprintf("facility %q", f.ID), depots.ErrNotFound)
}

// Facility returns the facility id, or depots.ErrNotFound.
func (p *Postgres) Facility(ctx context.Context, id depots.ID) (*depots.Facility, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	var doc []byte
	err := p.pool.QueryRow(ctx, `SELECT doc FROM facilities WHERE id = $1`, id).Scan(&doc)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("facility %q", id), depots.ErrNotFound)
	}
	var f depots.Facility
	if err := json.Unmarshal(doc, &f); err != nil {
		return nil, fmt.Errorf("store: facility %q: %w", id, err)
	}
	fillCell(&f)
	return &f, nil
}

// Facilities returns the facilities matching filter, ordered by id.
func (p *Postgres) Facilities(ctx context.Context, filter FacilityFilter) ([]*depots.Facility, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	rows, err := p.pool.Query(ctx, `SELECT doc FROM facilities WHERE $1 = '' OR kind = $1 ORDER BY id COLLATE "C"`, string(filter.Kind))
	if err != nil {
		return nil, translate(err, "facilities", ErrNotFound)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, translate(err, "facilities", ErrNotFound)
	}
	out := make([]*depots.Facility, len(docs))
	for i, doc := range docs {
		out[i] = new(depots.Facility)
		if err := json.Unmarshal(doc, out[i]); err != nil {
			return nil, fmt.Errorf("store: facilities: %w", err)
		}
		fillCell(out[i])
	}
	return out, nil
}

// DeleteFacility removes the facility id, or returns depots.ErrNotFound.
func (p *Postgres) DeleteFacility(ctx context.Context, id depots.ID) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	tag, err := p.pool.Exec(ctx, `DELETE FROM facilities WHERE id = $1`, id)
	if err != nil {
		return translate(err, fmt.Sprintf("facility %q", id), depots.ErrNotFound)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("facility %q: %w", id, depots.ErrNotFound)
	}
	return nil
}

// fillCell restores Facility.Cell, which the JSON form leaves out because
// it derives from Location.
func fillCell(f *depots.Facility) {
	if f.Cell == 0 {
		f.Cell, _ = h3cell.FromPoint(f.Location, depots.CellResolution) // stored facilities were validated
	}
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// CreateJob adds j, setting its timestamps, or returns ErrConflict. A job
// created this way has no queue entry; EnqueueJob creates both.
func (p *Postgres) CreateJob(ctx context.Context, j *Job) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	return createJobPG(ctx, p.pool, j)
}

type pgExec interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func createJobPG(ctx context.Context, db pgExec, j *Job) error {
	prog, err := json.Marshal(j.Progress)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", j.ID, err)
	}
	if j.Kind == "" {
		j.Kind = "optimize"
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err = db.Exec(ctx, `INSERT INTO jobs (id, kind, status, owner, request, progress, result, error, queue_id, created_at, updated_at, parent_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)`,
		j.ID, j.Kind, j.Status, j.Owner, []byte(j.Request), prog, nullJSON(j.Result), j.Error, j.QueueID, now, j.Parent)
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	}
	j.CreatedAt, j.UpdatedAt = now, now
	return nil
}

const jobColumns = `id, kind, status, owner, request, progress, result, error, attempts, checkpoint, checkpoint_iteration,
	resumed_at, queue_id, created_at, updated_at, heartbeat_at, parent_id`

func scanJob(row pgx.Row) (*Job, error) {
	var (
		j                  Job
		req, prog, res, cp []byte
		hb                 *time.Time
	)
	if err := row.Scan(&j.ID, &j.Kind, &j.Status, &j.Owner, &req, &prog, &res, &j.Error, &j.Attempts, &cp, &j.CheckpointIteration,
		&j.ResumedAt, &j.QueueID, &j.CreatedAt, &j.UpdatedAt, &hb, &j.Parent); err != nil {
		return nil, err
	}
	j.Request, j.Result, j.Checkpoint = req, res, cp
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	if hb != nil {
		j.HeartbeatAt = hb.UTC()
	}
	if len(prog) > 0 {
		if err := json.Unmarshal(prog, &j.Progress); err != nil {
			return nil, fmt.Errorf("job %q progress: %w", j.ID, err)
		}
	}
	return &j, nil
}

// Job returns the job id, or ErrNotFound.
func (p *Postgres) Job(ctx context.Context, id string) (*Job, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	j, err := scanJob(p.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return j, nil
}

// Jobs lists the jobs matching f, newest first, without their requests,
// results and checkpoints.
func (p *Postgres) Jobs(ctx context.Context, f JobFilter) ([]*Job, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	if f.After != "" {
		if _, err := p.Job(ctx, f.After); err != nil {
			return nil, err
		}
	}
	rows, err := p.pool.Query(ctx, `SELECT id, kind, status, owner, NULL, progress, NULL, error, attempts, NULL, checkpoint_iteration,
			resumed_at, queue_id, created_at, updated_at, heartbeat_at, parent_id FROM jobs
		WHERE ($1 = '' OR owner = $1) AND parent_id = $4
		  AND ($2 = '' OR (created_at, id) < (SELECT created_at, id FROM jobs WHERE id = $2))
		  AND ($5 = '' OR status = $5)
		ORDER BY created_at DESC, id DESC LIMIT $3`, f.Owner, f.After, limit, f.Parent, string(f.Status))
	if err != nil {
		return nil, translate(err, "jobs", ErrNotFound)
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, translate(err, "jobs", ErrNotFound)
		}
		out = append(out, j)
	}
	return out, translate(rows.Err(), "jobs", ErrNotFound)
}

// CountJobs counts owner's jobs ("" for everyone's) in each status.
func (p *Postgres) CountJobs(ctx context.Context, owner string) (map[JobStatus]int, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	rows, err := p.pool.Query(ctx, `SELECT status, count(*) FROM jobs WHERE ($1 = '' OR owner = $1) AND parent_id = '' GROUP BY status`, owner)
	if err != nil {
		return nil, translate(err, "job counts", ErrNotFound)
	}
	defer rows.Close()
	out := map[JobStatus]int{}
	for rows.Next() {
		var (
			st JobStatus
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, translate(err, "job counts", ErrNotFound)
		}
		out[st] = n
	}
	return out, translate(rows.Err(), "job counts", ErrNotFound)
}

// StartJob marks a queued or running job as running in a new attempt and
// returns it. A final job, or one whose queue entry is no longer queueID
// (it was re-queued under a new entry), is not started: ErrConflict. With
// maxRunning > 0, a job whose owner already runs that many others is not
// started either (ErrQuota). Top-level jobs and child jobs are counted
// apart: a parent joining its children holds a top-level place, and one
// owner's children, however many its parents made, run at most
// maxRunning at a time, so that one key's fanned-out plans cannot take
// every worker. The count and the start are serialised per
// owner by an advisory lock, so that workers racing for one owner's jobs
// cannot both pass it.
func (p *Postgres) StartJob(ctx context.Context, id string, queueID int64, maxRunning int) (*Job, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	var j *Job
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if maxRunning > 0 {
			var running int
			err := tx.QueryRow(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('lastmile_owner:' || owner, 0)),
					(SELECT count(*) FROM jobs o WHERE o.owner = j.owner AND o.status = 'running' AND o.id <> j.id
						AND (o.parent_id = '') = (j.parent_id = ''))
				FROM jobs j WHERE id = $1`, id).Scan(nil, &running)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("job %q: %w", id, ErrNotFound)
			}
			if err != nil {
				return err
			}
			// Count again under the lock: the first count may predate a
			// start that held it.
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM jobs o, jobs j WHERE j.id = $1 AND o.owner = j.owner
				AND o.status = 'running' AND o.id <> j.id AND (o.parent_id = '') = (j.parent_id = '')`, id).Scan(&running); err != nil {
				return err
			}
			if running >= maxRunning {
				return fmt.Errorf("job %q: owner runs %d jobs: %w", id, running, ErrQuota)
			}
		}
		var err error
		j, err = scanJob(tx.QueryRow(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1,
				resumed_at = checkpoint_iteration, updated_at = now(), heartbeat_at = now()
			WHERE id = $1 AND queue_id = $2 AND status IN ('queued', 'running') RETURNING `+jobColumns, id, queueID))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, p.conflict(ctx, id, "start")
	}
	if err != nil {
		return nil, translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return j, nil
}

// ContinueJob resumes the current attempt of a running job from its own
// queue entry, queueID, after the entry was snoozed (a parent waiting for
// its children): it refreshes the heartbeat and returns the job, without a
// new attempt. A job that is not running from queueID is left alone:
// ErrConflict.
func (p *Postgres) ContinueJob(ctx context.Context, id string, queueID int64) (*Job, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	j, err := scanJob(p.pool.QueryRow(ctx, `UPDATE jobs SET heartbeat_at = now()
		WHERE id = $1 AND queue_id = $2 AND status = 'running' RETURNING `+jobColumns, id, queueID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, p.conflict(ctx, id, "continue")
	}
	if err != nil {
		return nil, translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return j, nil
}

// WakeJob makes the queue entry of job id available now if it waits
// (snoozed or scheduled), so that a worker takes it at once; an entry that
// runs or is gone is left alone.
func (p *Postgres) WakeJob(ctx context.Context, id string) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	var qid int64
	err := p.pool.QueryRow(ctx, `SELECT queue_id FROM jobs WHERE id = $1 AND status IN ('queued', 'running')`, id).Scan(&qid)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return p.queue.wake(ctx, qid)
}

// conflict explains why a compare-and-set write of job id changed nothing:
// ErrNotFound, or ErrConflict naming the status the job has.
func (p *Postgres) conflict(ctx context.Context, id, what string) error {
	var st JobStatus
	var attempts int
	err := p.pool.QueryRow(ctx, `SELECT status, attempts FROM jobs WHERE id = $1`, id).Scan(&st, &attempts)
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return fmt.Errorf("job %q: %s: it is %s at attempt %d: %w", id, what, st, attempts, ErrConflict)
}

// SaveProgress stores the progress of attempt, and the checkpoint found at
// iteration when checkpoint is not nil. The attempt must still be running:
// otherwise the job was cancelled or taken over, and SaveProgress returns
// ErrConflict.
func (p *Postgres) SaveProgress(ctx context.Context, id string, attempt int, pr JobProgress, checkpoint json.RawMessage, iteration int) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	prog, err := json.Marshal(pr)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", id, err)
	}
	tag, err := p.pool.Exec(ctx, `UPDATE jobs SET progress = $3, updated_at = now(), heartbeat_at = now(),
			checkpoint = COALESCE($4, checkpoint),
			checkpoint_iteration = CASE WHEN $4::jsonb IS NULL THEN checkpoint_iteration ELSE $5 END,
			checkpoint_at = CASE WHEN $4::jsonb IS NULL THEN checkpoint_at ELSE now() END
		WHERE id = $1 AND attempts = $2 AND status = 'running'`, id, attempt, prog, nullJSON(checkpoint), iteration)
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	if tag.RowsAffected() == 0 {
		return p.conflict(ctx, id, "save progress")
	}
	return nil
}

// FinishJob stores the outcome of attempt. A job cancelled meanwhile stays
// cancelled and keeps o.Result as its result if it has none; a job that is
// final or taken over by a later attempt is left alone: ErrConflict.
func (p *Postgres) FinishJob(ctx context.Context, id string, attempt int, o Outcome) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	prog, err := json.Marshal(o.Progress)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", id, err)
	}
	tag, err := p.pool.Exec(ctx, `UPDATE jobs SET
			status = CASE WHEN status = 'running' THEN $3 ELSE status END,
			error = CASE WHEN status = 'running' THEN $5 ELSE error END,
			result = $4, progress = $6, checkpoint = NULL, updated_at = now()
		WHERE id = $1 AND attempts = $2
		  AND (status = 'running' OR (status = 'cancelled' AND result IS NULL AND $4::jsonb IS NOT NULL))`,
		id, attempt, o.Status, nullJSON(o.Result), o.Error, prog)
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	if tag.RowsAffected() == 0 {
		return p.conflict(ctx, id, "finish")
	}
	return nil
}

// RequeueJob puts attempt's running job back to queued (a server stopping
// mid-run); its checkpoint stays for the next attempt.
func (p *Postgres) RequeueJob(ctx context.Context, id string, attempt int) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	tag, err := p.pool.Exec(ctx, `UPDATE jobs SET status = 'queued', updated_at = now()
		WHERE id = $1 AND attempts = $2 AND status = 'running'`, id, attempt)
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	if tag.RowsAffected() == 0 {
		return p.conflict(ctx, id, "requeue")
	}
	return nil
}

// CancelJob marks a queued or running job cancelled, and cancels its queue
// entry: a waiting job is never run, and a running one is stopped by its
// worker, which sees the status at its next progress save. A final job is
// left alone: ErrConflict.
func (p *Postgres) CancelJob(ctx context.Context, id string) (*Job, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	j, err := scanJob(p.pool.QueryRow(ctx, `UPDATE jobs SET status = 'cancelled', updated_at = now()
		WHERE id = $1 AND status IN ('queued', 'running') RETURNING `+jobColumns, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, p.conflict(ctx, id, "cancel")
	}
	if err != nil {
		return nil, translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	p.queue.cancel(ctx, j.QueueID)
	return j, nil
}

// SaveRoute stores r as the courier's next route version and, when e is
// not nil, appends e, in one transaction: both or neither. The version check
// is in the write itself (UPDATE … WHERE version = r.Version - 1), so a
// concurrent writer that got there first makes this one fail with
// ErrConflict instead of being overwritten.
func (p *Postgres) SaveRoute(ctx context.Context, r *CourierRoute, e *StopEvent) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	now := time.Now().UTC().Truncate(time.Microsecond)
	what := fmt.Sprintf("route of courier %q", r.CourierID)
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var tag pgconn.CommandTag
		var err error
		if r.Version == 1 {
			tag, err = tx.Exec(ctx, `INSERT INTO courier_routes (courier_id, version, route, updated_at)
				VALUES ($1, 1, $2, $3) ON CONFLICT (courier_id) DO NOTHING`, r.CourierID, []byte(r.Route), now)
		} else {
			tag, err = tx.Exec(ctx, `UPDATE courier_routes SET version = $2, route = $3, updated_at = $4
				WHERE courier_id = $1 AND version = $2 - 1`, r.CourierID, r.Version, []byte(r.Route), now)
		}
		if err != nil {
			return translate(err, what, ErrNotFound)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%s: version %d is stale: %w", what, r.Version, ErrConflict)
		}
		if e == nil {
			return nil
		}
		err = tx.QueryRow(ctx, `INSERT INTO stop_events (courier_id, kind, stop_id, payload, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING seq`, e.CourierID, e.Kind, e.StopID, nullJSON(e.Payload), now).Scan(&e.Seq)
		return translate(err, fmt.Sprintf("event of courier %q", e.CourierID), ErrNotFound)
	})
	if err != nil {
		return translate(err, what, ErrNotFound)
	}
	r.UpdatedAt = now
	if e != nil {
		e.CreatedAt = now
	}
	return nil
}

// Route returns the courier's current route, or ErrNotFound.
func (p *Postgres) Route(ctx context.Context, courierID string) (*CourierRoute, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	var (
		r   CourierRoute
		doc []byte
	)
	err := p.pool.QueryRow(ctx, `SELECT courier_id, version, route, updated_at FROM courier_routes WHERE courier_id = $1`,
		courierID).Scan(&r.CourierID, &r.Version, &doc, &r.UpdatedAt)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("route of courier %q", courierID), ErrNotFound)
	}
	r.Route, r.UpdatedAt = doc, r.UpdatedAt.UTC()
	return &r, nil
}

// Events returns the courier's events in the order they were added.
func (p *Postgres) Events(ctx context.Context, courierID string) ([]*StopEvent, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	rows, err := p.pool.Query(ctx, `SELECT seq, courier_id, kind, stop_id, payload, created_at
		FROM stop_events WHERE courier_id = $1 ORDER BY seq`, courierID)
	if err != nil {
		return nil, translate(err, "events", ErrNotFound)
	}
	defer rows.Close()
	var out []*StopEvent
	for rows.Next() {
		var (
			e   StopEvent
			doc []byte
		)
		if err := rows.Scan(&e.Seq, &e.CourierID, &e.Kind, &e.StopID, &doc, &e.CreatedAt); err != nil {
			return nil, translate(err, "events", ErrNotFound)
		}
		e.Payload, e.CreatedAt = doc, e.CreatedAt.UTC()
		out = append(out, &e)
	}
	return out, translate(rows.Err(), "events", ErrNotFound)
}

// CreatePlan adds p, setting CreatedAt, or returns ErrConflict.
func (p *Postgres) CreatePlan(ctx context.Context, pl *Plan) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err := p.pool.Exec(ctx, `INSERT INTO plans (id, kind, owner, request, result, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		pl.ID, pl.Kind, pl.Owner, nullJSON(pl.Request), nullJSON(pl.Result), now)
	if err != nil {
		return translate(err, fmt.Sprintf("plan %q", pl.ID), ErrNotFound)
	}
	pl.CreatedAt = now
	return nil
}

// Plan returns the plan id, or ErrNotFound.
func (p *Postgres) Plan(ctx context.Context, id string) (*Plan, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	var (
		pl       Plan
		req, res []byte
	)
	err := p.pool.QueryRow(ctx, `SELECT id, kind, owner, request, result, created_at FROM plans WHERE id = $1`, id).
		Scan(&pl.ID, &pl.Kind, &pl.Owner, &req, &res, &pl.CreatedAt)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("plan %q", id), ErrNotFound)
	}
	pl.Request, pl.Result, pl.CreatedAt = req, res, pl.CreatedAt.UTC()
	return &pl, nil
}

// StartQueue starts the job queue: River on this database, with cfg's
// workers, and the rescuer of jobs whose worker died.
func (p *Postgres) StartQueue(ctx context.Context, cfg QueueConfig) error {
	return p.queue.start(ctx, cfg, p.rescue)
}

// StopQueue stops this process's workers: running jobs may finish until
// ctx is done, then are cancelled and stored back as queued.
func (p *Postgres) StopQueue(ctx context.Context) error { return p.queue.stop(ctx) }

// EnqueueJob stores j as queued and adds it to the queue with args, in one
// transaction: a job is never stored without its queue entry, nor queued
// without its row.
func (p *Postgres) EnqueueJob(ctx context.Context, j *Job, args river.JobArgs) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	j.Status = JobQueued
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := createJobPG(ctx, tx, j); err != nil {
			return err
		}
		id, err := p.queue.insert(ctx, tx, args)
		if err != nil {
			return err
		}
		j.QueueID = id
		_, err = tx.Exec(ctx, `UPDATE jobs SET queue_id = $2 WHERE id = $1`, j.ID, id)
		return translate(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	})
	return translate(err, fmt.Sprintf("enqueue job %q", j.ID), ErrNotFound)
}

// rescue re-queues jobs that no worker is running: running ones whose
// heartbeat is older than staleAfter (their worker died), unfinished
// ones whose queue entry is gone or finished (River gave up, or a
// superseded run completed it), and queued ones whose entry has been
// running or waiting to retry for staleAfter without starting them: a run
// that failed to start the job while the database was down, whose
// completion River could not write (its completer gives up after a few
// tries, leaving the entry running until River's own rescue an hour
// later) or which River set to retry after a backoff of minutes. Each gets a new queue entry with the old
// entry's arguments, in the transaction that moves the job to it; the old
// entry is then cancelled. A job past maxAttempts fails instead.
func (p *Postgres) rescue(ctx context.Context, staleAfter time.Duration, maxAttempts int, insert func(context.Context, pgx.Tx, river.JobArgs) (int64, error)) (int, error) {
	secs := staleAfter.Seconds()
	rows, err := p.pool.Query(ctx, `SELECT j.id, j.queue_id, j.kind, COALESCE(r.args, jsonb_build_object('job_id', j.id))
		FROM jobs j LEFT JOIN river_job r ON r.id = j.queue_id
		WHERE (j.status = 'running' AND j.heartbeat_at < now() - make_interval(secs => $1)
		       AND (r.id IS NULL OR r.state NOT IN ('available', 'scheduled')))
		   OR (j.status IN ('queued', 'running') AND j.updated_at < now() - make_interval(secs => $1)
		       AND (r.id IS NULL OR r.state IN ('completed', 'cancelled', 'discarded')))
		   OR (j.status = 'queued' AND j.updated_at < now() - make_interval(secs => $1)
		       AND r.state IN ('running', 'retryable') AND COALESCE(r.attempted_at, r.created_at) < now() - make_interval(secs => $1))
		ORDER BY j.created_at LIMIT 100`, secs)
	if err != nil {
		return 0, translate(err, "stale jobs", ErrNotFound)
	}
	stale, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (staleJob, error) {
		var s staleJob
		var args []byte
		err := r.Scan(&s.id, &s.queueID, &s.kind, &args)
		s.args = args
		return s, err
	})
	if err != nil {
		return 0, translate(err, "stale jobs", ErrNotFound)
	}
	n := 0
	for _, s := range stale {
		err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
			var attempts int
			// Lock the row and re-check, so that of several rescuers one wins.
			err := tx.QueryRow(ctx, `SELECT attempts FROM jobs WHERE id = $1 AND queue_id = $2
				AND status IN ('queued', 'running') FOR UPDATE`, s.id, s.queueID).Scan(&attempts)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			if attempts >= maxAttempts {
				_, err = tx.Exec(ctx, `UPDATE jobs SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`,
					s.id, fmt.Sprintf("gave up after %d attempts: every worker running it stopped", attempts))
				return err
			}
			id, err := insert(ctx, tx, rawArgs{kind: s.kind, args: s.args})
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE jobs SET queue_id = $2, status = 'queued', heartbeat_at = NULL, updated_at = now()
				WHERE id = $1`, s.id, id)
			n++
			return err
		})
		if err != nil {
			return n, translate(err, fmt.Sprintf("rescue job %q", s.id), ErrNotFound)
		}
		p.queue.cancel(ctx, s.queueID)
	}
	return n, nil
}

// Purge removes what r says has expired.
func (p *Postgres) Purge(ctx context.Context, r Retention) (Purged, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	var out Purged
	now := time.Now()
	run := func(d time.Duration, n *int, sql string) error {
		t, ok := cutoff(now, d)
		if !ok {
			return nil
		}
		tag, err := p.pool.Exec(ctx, sql, t)
		if err != nil {
			return translate(err, "purge", ErrNotFound)
		}
		*n = int(tag.RowsAffected())
		return nil
	}
	if err := run(r.Jobs, &out.Jobs, `DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND updated_at < $1`); err != nil {
		return out, err
	}
	if err := run(r.Results, &out.Results, `UPDATE jobs SET result = NULL
		WHERE status IN ('succeeded', 'failed', 'cancelled') AND updated_at < $1 AND result IS NOT NULL`); err != nil {
		return out, err
	}
	err := run(r.Plans, &out.Plans, `DELETE FROM plans WHERE created_at < $1`)
	return out, err
}

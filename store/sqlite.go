package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations_sqlite/*.sql
var sqliteMigrations embed.FS

// SQLite is the durable embedded store: one SQLite file (modernc.org/sqlite,
// a pure-Go translation of SQLite, so the binary stays cgo-free there) that
// holds the same tables as PostgreSQL and River's queue. It is safe for
// concurrent use within one process; all access goes through one
// connection, as River's SQLite driver asks, so writes never meet
// SQLITE_BUSY.
type SQLite struct {
	db    *sql.DB
	path  string
	queue *riverQueue[*sql.Tx]
	hub   *hub
}

// sqliteTime is how times are stored: UTC, fixed width, so that text order
// is time order.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

func sqlNow() string { return time.Now().UTC().Format(sqliteTime) }

func parseSQLTime(s string) time.Time {
	t, _ := time.Parse(sqliteTime, s)
	return t
}

// OpenSQLite opens (creating it if needed) the database lastmile.db in dir,
// applies our migrations and River's, and returns the store.
func OpenSQLite(ctx context.Context, dir string, log *slog.Logger) (*SQLite, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	path := filepath.Join(dir, "lastmile.db")
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := migrateSQLite(ctx, db, log); err != nil {
		db.Close()
		return nil, err
	}
	s := &SQLite{db: db, path: path, hub: newHub()}
	s.queue = newRiverQueue(riversqlite.New(db), log)
	s.queue.pollOnly = true
	return s, nil
}

func migrateSQLite(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	sub, err := fs.Sub(sqliteMigrations, "migrations_sqlite")
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub, goose.WithDisableGlobalRegistry(true))
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
	m, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: riverLogger(log)})
	if err != nil {
		return fmt.Errorf("store: river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: river migrate: %w", err)
	}
	return nil
}

// WatchJob returns the changes of job id as this process makes them (one
// process owns the file), until ctx ends or stop is called.
func (s *SQLite) WatchJob(ctx context.Context, id string) (<-chan JobEvent, func()) {
	return s.hub.watch(ctx, id)
}

// announce tells job id's watchers its new state.
func (s *SQLite) announce(ctx context.Context, id string) {
	if j, err := s.Job(context.WithoutCancel(ctx), id); err == nil {
		s.hub.publishJob(j)
	}
}

// Path is the database file.
func (s *SQLite) Path() string { return s.path }

// Persistent reports true.
func (s *SQLite) Persistent() bool { return true }

// Ping checks that the database answers.
func (s *SQLite) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close stops the queue's workers, if any, and closes the database.
func (s *SQLite) Close() {
	_ = s.queue.stop(context.Background())
	s.db.Close()
}

// translateSQLite maps SQLite errors to the package's sentinels.
func translateSQLite(err error, what string, notFound error) error {
	var se *sqlite.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, notFound)
	case errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY):
		return fmt.Errorf("%s: %w", what, ErrConflict)
	default:
		return fmt.Errorf("store: %s: %w", what, err)
	}
}

func nullText(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

type sqlExec interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// CreateFacility adds f, or returns ErrConflict if its id exists.
func (s *SQLite) CreateFacility(ctx context.Context, f *depots.Facility) error {
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("store: facility %q: %w", f.ID, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO facilities (id, kind, doc, updated_at) VALUES (?, ?, ?, ?)`, string(f.ID), string(f.Kind), string(doc), sqlNow())
	return translateSQLite(err, fmt.Sprintf("facility %q", f.ID), depots.ErrNotFound)
}

// PutFacility creates or replaces f.
func (s *SQLite) PutFacility(ctx context.Context, f *depots.Facility) error {
	return putFacilitySQLite(ctx, s.db, f)
}

func putFacilitySQLite(ctx context.Context, db sqlExec, f *depots.Facility) error {
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("store: facility %q: %w", f.ID, err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO facilities (id, kind, doc, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, doc = excluded.doc, updated_at = excluded.updated_at`,
		string(f.ID), string(f.Kind), string(doc), sqlNow())
	return translateSQLite(err, fmt.Sprintf("facility %q", f.ID), depots.ErrNotFound)
}

// Facility returns the facility id, or depots.ErrNotFound.
func (s *SQLite) Facility(ctx context.Context, id depots.ID) (*depots.Facility, error) {
	var doc string
	if err := s.db.QueryRowContext(ctx, `SELECT doc FROM facilities WHERE id = ?`, string(id)).Scan(&doc); err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("facility %q", id), depots.ErrNotFound)
	}
	var f depots.Facility
	if err := json.Unmarshal([]byte(doc), &f); err != nil {
		return nil, fmt.Errorf("store: facility %q: %w", id, err)
	}
	fillCell(&f)
	return &f, nil
}

// Facilities returns the facilities matching filter, ordered by id.
func (s *SQLite) Facilities(ctx context.Context, filter FacilityFilter) ([]*depots.Facility, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT doc FROM facilities WHERE ? = '' OR kind = ? ORDER BY id`, string(filter.Kind), string(filter.Kind))
	if err != nil {
		return nil, translateSQLite(err, "facilities", ErrNotFound)
	}
	defer rows.Close()
	var out []*depots.Facility
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, translateSQLite(err, "facilities", ErrNotFound)
		}
		f := new(depots.Facility)
		if err := json.Unmarshal([]byte(doc), f); err != nil {
			return nil, fmt.Errorf("store: facilities: %w", err)
		}
		fillCell(f)
		out = append(out, f)
	}
	return out, translateSQLite(rows.Err(), "facilities", ErrNotFound)
}

// DeleteFacility removes the facility id, or returns depots.ErrNotFound.
func (s *SQLite) DeleteFacility(ctx context.Context, id depots.ID) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM facilities WHERE id = ?`, string(id))
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("facility %q", id), depots.ErrNotFound)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("facility %q: %w", id, depots.ErrNotFound)
	}
	return nil
}

// CreateJob adds j, setting its timestamps, or returns ErrConflict.
func (s *SQLite) CreateJob(ctx context.Context, j *Job) error { return createJobSQLite(ctx, s.db, j) }

func createJobSQLite(ctx context.Context, db sqlExec, j *Job) error {
	prog, err := json.Marshal(j.Progress)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", j.ID, err)
	}
	if j.Kind == "" {
		j.Kind = "optimize"
	}
	now := sqlNow()
	_, err = db.ExecContext(ctx, `INSERT INTO jobs (id, kind, status, owner, request, progress, result, error, queue_id, created_at, updated_at, parent_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.Kind, string(j.Status), j.Owner, string(j.Request), string(prog), nullText(j.Result), j.Error, j.QueueID, now, now, j.Parent)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	}
	j.CreatedAt = parseSQLTime(now)
	j.UpdatedAt = j.CreatedAt
	return nil
}

const sqliteJobColumns = `id, kind, status, owner, request, progress, result, error, attempts, checkpoint, checkpoint_iteration,
	resumed_at, queue_id, created_at, updated_at, heartbeat_at, parent_id`

type rowScanner interface{ Scan(dest ...any) error }

func scanSQLiteJob(row rowScanner) (*Job, error) {
	var (
		j                        Job
		req, prog, res, cp, hb   sql.NullString
		status, created, updated string
	)
	if err := row.Scan(&j.ID, &j.Kind, &status, &j.Owner, &req, &prog, &res, &j.Error, &j.Attempts, &cp, &j.CheckpointIteration,
		&j.ResumedAt, &j.QueueID, &created, &updated, &hb, &j.Parent); err != nil {
		return nil, err
	}
	j.Status = JobStatus(status)
	if req.Valid {
		j.Request = json.RawMessage(req.String)
	}
	if res.Valid {
		j.Result = json.RawMessage(res.String)
	}
	if cp.Valid {
		j.Checkpoint = json.RawMessage(cp.String)
	}
	j.CreatedAt, j.UpdatedAt = parseSQLTime(created), parseSQLTime(updated)
	if hb.Valid {
		j.HeartbeatAt = parseSQLTime(hb.String)
	}
	if prog.Valid && prog.String != "" {
		if err := json.Unmarshal([]byte(prog.String), &j.Progress); err != nil {
			return nil, fmt.Errorf("job %q progress: %w", j.ID, err)
		}
	}
	return &j, nil
}

// Job returns the job id, or ErrNotFound.
func (s *SQLite) Job(ctx context.Context, id string) (*Job, error) {
	j, err := scanSQLiteJob(s.db.QueryRowContext(ctx, `SELECT `+sqliteJobColumns+` FROM jobs WHERE id = ?`, id))
	if err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return j, nil
}

// Jobs lists the jobs matching f, newest first, without their requests,
// results and checkpoints.
func (s *SQLite) Jobs(ctx context.Context, f JobFilter) ([]*Job, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	afterCreated := ""
	if f.After != "" {
		j, err := s.Job(ctx, f.After)
		if err != nil {
			return nil, err
		}
		afterCreated = j.CreatedAt.Format(sqliteTime)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, status, owner, NULL, progress, NULL, error, attempts, NULL, checkpoint_iteration,
			resumed_at, queue_id, created_at, updated_at, heartbeat_at, parent_id FROM jobs
		WHERE (? = '' OR owner = ?) AND parent_id = ? AND (? = '' OR status = ?) AND (? = '' OR created_at < ? OR (created_at = ? AND id < ?))
		ORDER BY created_at DESC, id DESC LIMIT ?`, f.Owner, f.Owner, f.Parent, string(f.Status), string(f.Status), f.After, afterCreated, afterCreated, f.After, limit)
	if err != nil {
		return nil, translateSQLite(err, "jobs", ErrNotFound)
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		j, err := scanSQLiteJob(rows)
		if err != nil {
			return nil, translateSQLite(err, "jobs", ErrNotFound)
		}
		out = append(out, j)
	}
	return out, translateSQLite(rows.Err(), "jobs", ErrNotFound)
}

// CountJobs counts owner's jobs ("" for everyone's) in each status.
func (s *SQLite) CountJobs(ctx context.Context, owner string) (map[JobStatus]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM jobs WHERE (? = '' OR owner = ?) AND parent_id = '' GROUP BY status`, owner, owner)
	if err != nil {
		return nil, translateSQLite(err, "job counts", ErrNotFound)
	}
	defer rows.Close()
	out := map[JobStatus]int{}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, translateSQLite(err, "job counts", ErrNotFound)
		}
		out[JobStatus(st)] = n
	}
	return out, translateSQLite(rows.Err(), "job counts", ErrNotFound)
}

// conflict explains why a compare-and-set write of job id changed nothing.
func (s *SQLite) conflict(ctx context.Context, id, what string) error {
	var st string
	var attempts int
	err := s.db.QueryRowContext(ctx, `SELECT status, attempts FROM jobs WHERE id = ?`, id).Scan(&st, &attempts)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return fmt.Errorf("job %q: %s: it is %s at attempt %d: %w", id, what, st, attempts, ErrConflict)
}

// StartJob marks a queued or running job as running in a new attempt and
// returns it; see Postgres.StartJob.
func (s *SQLite) StartJob(ctx context.Context, id string, queueID int64, maxRunning int) (*Job, error) {
	tx, err := s.db.BeginTx(ctx, nil) // the count and the start, with no other start between
	if err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	defer tx.Rollback()
	if maxRunning > 0 {
		var running int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM jobs o, jobs j WHERE j.id = ? AND o.owner = j.owner
			AND o.status = 'running' AND o.id <> j.id AND (o.parent_id = '') = (j.parent_id = '')`, id).Scan(&running)
		if err != nil {
			return nil, translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
		}
		if running >= maxRunning {
			return nil, fmt.Errorf("job %q: owner runs %d jobs: %w", id, running, ErrQuota)
		}
	}
	now := sqlNow()
	j, err := scanSQLiteJob(tx.QueryRowContext(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1,
			resumed_at = checkpoint_iteration, updated_at = ?, heartbeat_at = ?
		WHERE id = ? AND queue_id = ? AND status IN ('queued', 'running') RETURNING `+sqliteJobColumns, now, now, id, queueID))
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		return nil, s.conflict(ctx, id, "start")
	}
	if err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	s.hub.publishJob(j)
	return j, nil
}

// ContinueJob resumes the current attempt of a running job from its own
// snoozed queue entry; see Postgres.ContinueJob.
func (s *SQLite) ContinueJob(ctx context.Context, id string, queueID int64) (*Job, error) {
	j, err := scanSQLiteJob(s.db.QueryRowContext(ctx, `UPDATE jobs SET heartbeat_at = ?
		WHERE id = ? AND queue_id = ? AND status = 'running' RETURNING `+sqliteJobColumns, sqlNow(), id, queueID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.conflict(ctx, id, "continue")
	}
	if err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return j, nil
}

// WakeJob makes the waiting queue entry of job id available now; see
// Postgres.WakeJob.
func (s *SQLite) WakeJob(ctx context.Context, id string) error {
	var qid int64
	err := s.db.QueryRowContext(ctx, `SELECT queue_id FROM jobs WHERE id = ? AND status IN ('queued', 'running')`, id).Scan(&qid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return s.queue.wake(ctx, qid)
}

// SaveProgress stores the progress of attempt (and its checkpoint); see
// Postgres.SaveProgress.
func (s *SQLite) SaveProgress(ctx context.Context, id string, attempt int, p JobProgress, checkpoint json.RawMessage, iteration int) error {
	prog, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", id, err)
	}
	now := sqlNow()
	cp := nullText(checkpoint)
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET progress = ?, updated_at = ?, heartbeat_at = ?,
			checkpoint = COALESCE(?, checkpoint),
			checkpoint_iteration = CASE WHEN ? IS NULL THEN checkpoint_iteration ELSE ? END,
			checkpoint_at = CASE WHEN ? IS NULL THEN checkpoint_at ELSE ? END
		WHERE id = ? AND attempts = ? AND status = 'running'`, string(prog), now, now, cp, cp, iteration, cp, now, id, attempt)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.conflict(ctx, id, "save progress")
	}
	s.hub.publish(JobEvent{ID: id, Status: JobRunning, Progress: p, Attempts: attempt})
	return nil
}

// FinishJob stores the outcome of attempt; see Postgres.FinishJob.
func (s *SQLite) FinishJob(ctx context.Context, id string, attempt int, o Outcome) error {
	prog, err := json.Marshal(o.Progress)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", id, err)
	}
	r := nullText(o.Result)
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET
			error = CASE WHEN status = 'running' THEN ? ELSE error END,
			status = CASE WHEN status = 'running' THEN ? ELSE status END,
			result = ?, progress = ?, checkpoint = NULL, updated_at = ?
		WHERE id = ? AND attempts = ?
		  AND (status = 'running' OR (status = 'cancelled' AND result IS NULL AND ? IS NOT NULL))`,
		o.Error, string(o.Status), r, string(prog), sqlNow(), id, attempt, r)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.conflict(ctx, id, "finish")
	}
	s.announce(ctx, id)
	return nil
}

// RequeueJob puts attempt's running job back to queued.
func (s *SQLite) RequeueJob(ctx context.Context, id string, attempt int) error {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET status = 'queued', updated_at = ?
		WHERE id = ? AND attempts = ? AND status = 'running'`, sqlNow(), id, attempt)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.conflict(ctx, id, "requeue")
	}
	s.announce(ctx, id)
	return nil
}

// CancelJob marks a queued or running job cancelled and cancels its queue
// entry; see Postgres.CancelJob.
func (s *SQLite) CancelJob(ctx context.Context, id string) (*Job, error) {
	j, err := scanSQLiteJob(s.db.QueryRowContext(ctx, `UPDATE jobs SET status = 'cancelled', updated_at = ?
		WHERE id = ? AND status IN ('queued', 'running') RETURNING `+sqliteJobColumns, sqlNow(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.conflict(ctx, id, "cancel")
	}
	if err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	s.queue.cancel(ctx, j.QueueID)
	s.hub.publishJob(j)
	return j, nil
}

// SaveRoute stores r as the courier's next route version and, when e is
// not nil, appends e, in one transaction: both or neither.
func (s *SQLite) SaveRoute(ctx context.Context, r *CourierRoute, e *StopEvent) error {
	now := sqlNow()
	what := fmt.Sprintf("route of courier %q", r.CourierID)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return translateSQLite(err, what, ErrNotFound)
	}
	defer tx.Rollback()
	var res sql.Result
	if r.Version == 1 {
		res, err = tx.ExecContext(ctx, `INSERT INTO courier_routes (courier_id, version, route, updated_at)
			VALUES (?, 1, ?, ?) ON CONFLICT (courier_id) DO NOTHING`, r.CourierID, string(r.Route), now)
	} else {
		res, err = tx.ExecContext(ctx, `UPDATE courier_routes SET version = ?, route = ?, updated_at = ?
			WHERE courier_id = ? AND version = ?`, r.Version, string(r.Route), now, r.CourierID, r.Version-1)
	}
	if err != nil {
		return translateSQLite(err, what, ErrNotFound)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: version %d is stale: %w", what, r.Version, ErrConflict)
	}
	if e != nil {
		err = tx.QueryRowContext(ctx, `INSERT INTO stop_events (courier_id, kind, stop_id, payload, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING seq`, e.CourierID, e.Kind, e.StopID, nullText(e.Payload), now).Scan(&e.Seq)
		if err != nil {
			return translateSQLite(err, fmt.Sprintf("event of courier %q", e.CourierID), ErrNotFound)
		}
	}
	if err := tx.Commit(); err != nil {
		return translateSQLite(err, what, ErrNotFound)
	}
	r.UpdatedAt = parseSQLTime(now)
	if e != nil {
		e.CreatedAt = r.UpdatedAt
	}
	return nil
}

// Route returns the courier's current route, or ErrNotFound.
func (s *SQLite) Route(ctx context.Context, courierID string) (*CourierRoute, error) {
	var (
		r        CourierRoute
		doc, upd string
	)
	err := s.db.QueryRowContext(ctx, `SELECT courier_id, version, route, updated_at FROM courier_routes WHERE courier_id = ?`,
		courierID).Scan(&r.CourierID, &r.Version, &doc, &upd)
	if err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("route of courier %q", courierID), ErrNotFound)
	}
	r.Route, r.UpdatedAt = json.RawMessage(doc), parseSQLTime(upd)
	return &r, nil
}

// Events returns the courier's events in the order they were added.
func (s *SQLite) Events(ctx context.Context, courierID string) ([]*StopEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, courier_id, kind, stop_id, payload, created_at
		FROM stop_events WHERE courier_id = ? ORDER BY seq`, courierID)
	if err != nil {
		return nil, translateSQLite(err, "events", ErrNotFound)
	}
	defer rows.Close()
	var out []*StopEvent
	for rows.Next() {
		var (
			e       StopEvent
			doc     sql.NullString
			created string
		)
		if err := rows.Scan(&e.Seq, &e.CourierID, &e.Kind, &e.StopID, &doc, &created); err != nil {
			return nil, translateSQLite(err, "events", ErrNotFound)
		}
		if doc.Valid {
			e.Payload = json.RawMessage(doc.String)
		}
		e.CreatedAt = parseSQLTime(created)
		out = append(out, &e)
	}
	return out, translateSQLite(rows.Err(), "events", ErrNotFound)
}

// CreatePlan adds p, setting CreatedAt, or returns ErrConflict.
func (s *SQLite) CreatePlan(ctx context.Context, pl *Plan) error {
	now := sqlNow()
	_, err := s.db.ExecContext(ctx, `INSERT INTO plans (id, kind, owner, request, result, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		pl.ID, pl.Kind, pl.Owner, nullText(pl.Request), nullText(pl.Result), now)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("plan %q", pl.ID), ErrNotFound)
	}
	pl.CreatedAt = parseSQLTime(now)
	return nil
}

// Plan returns the plan id, or ErrNotFound.
func (s *SQLite) Plan(ctx context.Context, id string) (*Plan, error) {
	var (
		pl       Plan
		req, res sql.NullString
		created  string
	)
	err := s.db.QueryRowContext(ctx, `SELECT id, kind, owner, request, result, created_at FROM plans WHERE id = ?`, id).
		Scan(&pl.ID, &pl.Kind, &pl.Owner, &req, &res, &created)
	if err != nil {
		return nil, translateSQLite(err, fmt.Sprintf("plan %q", id), ErrNotFound)
	}
	if req.Valid {
		pl.Request = json.RawMessage(req.String)
	}
	if res.Valid {
		pl.Result = json.RawMessage(res.String)
	}
	pl.CreatedAt = parseSQLTime(created)
	return &pl, nil
}

// StartQueue starts the job queue: River on this database (polling, since
// SQLite has no LISTEN), with cfg's workers and the rescuer.
func (s *SQLite) StartQueue(ctx context.Context, cfg QueueConfig) error {
	return s.queue.start(ctx, cfg, s.rescue)
}

// StopQueue stops this process's workers; see Postgres.StopQueue.
func (s *SQLite) StopQueue(ctx context.Context) error { return s.queue.stop(ctx) }

// EnqueueJob stores j as queued and adds it to the queue with args, in one
// transaction.
func (s *SQLite) EnqueueJob(ctx context.Context, j *Job, args river.JobArgs) error {
	j.Status = JobQueued
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	}
	defer tx.Rollback()
	if err := createJobSQLite(ctx, tx, j); err != nil {
		return err
	}
	id, err := s.queue.insert(ctx, tx, args)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET queue_id = ? WHERE id = ?`, id, j.ID); err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return translateSQLite(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	}
	j.QueueID = id
	return nil
}

// rescue re-queues jobs no worker is running; see Postgres.rescue. River
// writes its times as SQLite's datetime text, ours as RFC 3339: julianday
// compares the two.
func (s *SQLite) rescue(ctx context.Context, staleAfter time.Duration, maxAttempts int, insert func(context.Context, *sql.Tx, river.JobArgs) (int64, error)) (int, error) {
	cutoff := time.Now().Add(-staleAfter).UTC().Format(sqliteTime)
	rows, err := s.db.QueryContext(ctx, `SELECT j.id, j.queue_id, j.kind, COALESCE(json(r.args), json_object('job_id', j.id))
		FROM jobs j LEFT JOIN river_job r ON r.id = j.queue_id
		WHERE (j.status = 'running' AND j.heartbeat_at < ? AND (r.id IS NULL OR r.state NOT IN ('available', 'scheduled')))
		   OR (j.status IN ('queued', 'running') AND j.updated_at < ?
		       AND (r.id IS NULL OR r.state IN ('completed', 'cancelled', 'discarded')))
		   OR (j.status = 'queued' AND j.updated_at < ?
		       AND r.state IN ('running', 'retryable') AND julianday(COALESCE(r.attempted_at, r.created_at)) < julianday(?))
		ORDER BY j.created_at LIMIT 100`, cutoff, cutoff, cutoff, cutoff)
	if err != nil {
		return 0, translateSQLite(err, "stale jobs", ErrNotFound)
	}
	var stale []staleJob
	for rows.Next() {
		var sj staleJob
		var args string
		if err := rows.Scan(&sj.id, &sj.queueID, &sj.kind, &args); err != nil {
			rows.Close()
			return 0, translateSQLite(err, "stale jobs", ErrNotFound)
		}
		sj.args = json.RawMessage(args)
		stale = append(stale, sj)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, translateSQLite(err, "stale jobs", ErrNotFound)
	}
	n := 0
	for _, sj := range stale {
		moved, err := s.rescueOne(ctx, sj, maxAttempts, insert)
		if err != nil {
			return n, translateSQLite(err, fmt.Sprintf("rescue job %q", sj.id), ErrNotFound)
		}
		if moved {
			n++
			s.queue.cancel(ctx, sj.queueID)
		}
	}
	return n, nil
}

func (s *SQLite) rescueOne(ctx context.Context, sj staleJob, maxAttempts int, insert func(context.Context, *sql.Tx, river.JobArgs) (int64, error)) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var attempts int
	err = tx.QueryRowContext(ctx, `SELECT attempts FROM jobs WHERE id = ? AND queue_id = ? AND status IN ('queued', 'running')`,
		sj.id, sj.queueID).Scan(&attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if attempts >= maxAttempts {
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET status = 'failed', error = ?, updated_at = ? WHERE id = ?`,
			fmt.Sprintf("gave up after %d attempts: every worker running it stopped", attempts), sqlNow(), sj.id)
		if err != nil {
			return false, err
		}
		return false, tx.Commit()
	}
	id, err := insert(ctx, tx, rawArgs{kind: sj.kind, args: sj.args})
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET queue_id = ?, status = 'queued', heartbeat_at = NULL, updated_at = ? WHERE id = ?`,
		id, sqlNow(), sj.id); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Purge removes what r says has expired.
func (s *SQLite) Purge(ctx context.Context, r Retention) (Purged, error) {
	var out Purged
	now := time.Now()
	run := func(d time.Duration, n *int, q string) error {
		t, ok := cutoff(now, d)
		if !ok {
			return nil
		}
		res, err := s.db.ExecContext(ctx, q, t.UTC().Format(sqliteTime))
		if err != nil {
			return translateSQLite(err, "purge", ErrNotFound)
		}
		m, _ := res.RowsAffected()
		*n = int(m)
		return nil
	}
	if err := run(r.Jobs, &out.Jobs, `DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND updated_at < ?`); err != nil {
		return out, err
	}
	if err := run(r.Results, &out.Results, `UPDATE jobs SET result = NULL
		WHERE status IN ('succeeded', 'failed', 'cancelled') AND updated_at < ? AND result IS NOT NULL`); err != nil {
		return out, err
	}
	err := run(r.Plans, &out.Plans, `DELETE FROM plans WHERE created_at < ?`)
	return out, err
}

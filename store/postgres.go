package store

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Postgres is the PostgreSQL store. It is safe for concurrent use.
type Postgres struct {
	pool *pgxpool.Pool
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
	return &Postgres{pool: pool}, nil
}

func migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
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
	if err := p.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the pool.
func (p *Postgres) Close() { p.pool.Close() }

// translate maps pgx errors to the package's sentinels.
func translate(err error, what string, notFound error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
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
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("store: facility %q: %w", f.ID, err)
	}
	_, err = p.pool.Exec(ctx, `INSERT INTO facilities (id, kind, doc) VALUES ($1, $2, $3)`, f.ID, f.Kind, doc)
	return translate(err, fmt.Sprintf("facility %q", f.ID), depots.ErrNotFound)
}

// PutFacility creates or replaces f.
func (p *Postgres) PutFacility(ctx context.Context, f *depots.Facility) error {
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("store: facility %q: %w", f.ID, err)
	}
	_, err = p.pool.Exec(ctx, `INSERT INTO facilities (id, kind, doc) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, doc = excluded.doc, updated_at = now()`, f.ID, f.Kind, doc)
	return translate(err, fmt.Sprintf("facility %q", f.ID), depots.ErrNotFound)
}

// Facility returns the facility id, or depots.ErrNotFound.
func (p *Postgres) Facility(ctx context.Context, id depots.ID) (*depots.Facility, error) {
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

// CreateJob adds j, setting its timestamps, or returns ErrConflict.
func (p *Postgres) CreateJob(ctx context.Context, j *Job) error {
	prog, err := json.Marshal(j.Progress)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", j.ID, err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err = p.pool.Exec(ctx, `INSERT INTO jobs (id, status, owner, request, progress, result, error, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		j.ID, j.Status, j.Owner, []byte(j.Request), prog, nullJSON(j.Result), j.Error, now)
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	}
	j.CreatedAt, j.UpdatedAt = now, now
	return nil
}

// UpdateJob replaces the stored job's status, progress, result and error,
// or returns ErrNotFound.
func (p *Postgres) UpdateJob(ctx context.Context, j *Job) error {
	prog, err := json.Marshal(j.Progress)
	if err != nil {
		return fmt.Errorf("store: job %q: %w", j.ID, err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	err = p.pool.QueryRow(ctx, `UPDATE jobs SET status = $2, progress = $3, result = $4, error = $5, updated_at = $6
		WHERE id = $1 RETURNING created_at`,
		j.ID, j.Status, prog, nullJSON(j.Result), j.Error, now).Scan(&j.CreatedAt)
	if err != nil {
		return translate(err, fmt.Sprintf("job %q", j.ID), ErrNotFound)
	}
	j.CreatedAt = j.CreatedAt.UTC()
	j.UpdatedAt = now
	return nil
}

const jobColumns = `id, status, owner, request, progress, result, error, created_at, updated_at`

func scanJob(row pgx.Row) (*Job, error) {
	var (
		j              Job
		req, prog, res []byte
	)
	if err := row.Scan(&j.ID, &j.Status, &j.Owner, &req, &prog, &res, &j.Error, &j.CreatedAt, &j.UpdatedAt); err != nil {
		return nil, err
	}
	j.Request, j.Result = req, res
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	if err := json.Unmarshal(prog, &j.Progress); err != nil {
		return nil, fmt.Errorf("job %q progress: %w", j.ID, err)
	}
	return &j, nil
}

// Job returns the job id, or ErrNotFound.
func (p *Postgres) Job(ctx context.Context, id string) (*Job, error) {
	j, err := scanJob(p.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("job %q", id), ErrNotFound)
	}
	return j, nil
}

// PendingJobs returns the jobs queued or running, oldest first.
func (p *Postgres) PendingJobs(ctx context.Context) ([]*Job, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE status IN ('queued', 'running') ORDER BY created_at, id COLLATE "C"`)
	if err != nil {
		return nil, translate(err, "pending jobs", ErrNotFound)
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, translate(err, "pending jobs", ErrNotFound)
		}
		out = append(out, j)
	}
	return out, translate(rows.Err(), "pending jobs", ErrNotFound)
}

// SaveRoute stores r as the courier's next route version and, when e is
// not nil, appends e, in one transaction: both or neither. The version check
// is in the write itself (UPDATE … WHERE version = r.Version - 1), so a
// concurrent writer that got there first makes this one fail with
// ErrConflict instead of being overwritten.
func (p *Postgres) SaveRoute(ctx context.Context, r *CourierRoute, e *StopEvent) error {
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
		return err
	}
	r.UpdatedAt = now
	if e != nil {
		e.CreatedAt = now
	}
	return nil
}

// Route returns the courier's current route, or ErrNotFound.
func (p *Postgres) Route(ctx context.Context, courierID string) (*CourierRoute, error) {
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

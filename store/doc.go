// Package store persists what the lastmile API server owns: network
// facilities, asynchronous solve jobs (with status, progress and result),
// plans, courier routes and the stop events couriers report.
//
// # Implementations
//
// [SQLite] is the durable embedded default: one file under the data
// directory (modernc.org/sqlite, pure Go), with its migrations in
// migrations_sqlite/. [Postgres] keeps everything in PostgreSQL through
// pgx/pgxpool and applies its embedded SQL migrations (goose, see
// migrations/) and then River's, under one advisory lock. [Memory] keeps
// nothing across a restart; it serves unit tests and --memory. All three
// pass the same suite, internal/storetest, written against api.Store, the
// interface the server consumes.
//
// # Jobs and the queue
//
// The durable stores hold the job queue too: River (riverqueue/river) on
// the same database, so that EnqueueJob writes a job and its queue entry in
// one transaction. Every change of a job's state is compare-and-set on the
// jobs table (StartJob, SaveProgress, FinishJob, RequeueJob, CancelJob), so
// that whichever process sees a job, a finished one never runs again and a
// cancelled one stays cancelled. A rescuer in every process with workers
// re-queues jobs whose heartbeat went stale (their worker died).
//
// # Errors
//
// A missing facility is reported as [depots.ErrNotFound]; any other missing
// record as [ErrNotFound]. A write that loses a race (an id that already
// exists, a stale route version, a job changed by another process) is
// reported as [ErrConflict]; a database that cannot be reached as
// [ErrUnavailable]. pgx and SQLite errors never leave the package: callers
// match only these sentinels.
//
// # Payloads
//
// Requests, results and routes are stored as opaque JSON documents
// (json.RawMessage): their schema belongs to package api, which decodes
// them. The store only indexes what it must query: ids, status, owner.
package store

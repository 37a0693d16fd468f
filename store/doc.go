// Package store persists what the lastmile API server owns: network
// facilities, asynchronous solve jobs (with status, progress and result),
// plans, courier routes and the stop events couriers report.
//
// # Implementations
//
// [Memory] is the embedded default: no setup, nothing survives a restart.
// [Postgres] keeps everything in PostgreSQL through pgx/pgxpool and applies
// its embedded SQL migrations (goose, see migrations/) when it opens.
// Both pass the same suite, internal/storetest, written against api.Store,
// the interface the server consumes.
//
// # Errors
//
// A missing facility is reported as [depots.ErrNotFound]; any other missing
// record as [ErrNotFound]. A write that loses a race (an id that already
// exists, a stale route version) is reported as [ErrConflict]. pgx errors
// never leave the package: callers match only these sentinels.
//
// # Payloads
//
// Requests, results and routes are stored as opaque JSON documents
// (json.RawMessage): their schema belongs to package api, which decodes
// them. The store only indexes what it must query: ids, status, owner.
package store

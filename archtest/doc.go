// Package archtest holds no code, only a test of lastmile's architecture:
// imports point inward (cmd → api, store → routing, depots → geo), the core
// packages (geo, routing, depots, scenario and their subpackages) import no
// net/http, pgx or prometheus, and all cgo sits in geo/h3cell.
//
// The one allowed exception is geo/osrm: it is a provider adapter, an HTTP
// client for the user's own OSRM server, and lives under geo because it
// implements geo.MatrixSource. No other core package may import it, so the
// solver and planners never reach the network through it.
//
// The test reads import lists with go/build (no go command, no network) and
// checks production files only; tests may import net/http/httptest.
package archtest

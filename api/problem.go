package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/depots/coverage"
	"github.com/lastmile-dev/lastmile/depots/location"
	"github.com/lastmile-dev/lastmile/internal/field"
	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
	"github.com/lastmile-dev/lastmile/routing/rural"
	"github.com/lastmile-dev/lastmile/routing/urban"
	"github.com/lastmile-dev/lastmile/store"
)

// Errors that New and ParseKey return, and that a Config's Solver or Matrix
// may return (wrapped) to answer 400 or 503 instead of 500. Match them with
// errors.Is.
var (
	ErrBadRequest  = errors.New("api: bad request")
	ErrUnavailable = errors.New("api: temporarily unavailable")
)

// The handlers' own sentinels; statusTable maps each to a status.
var (
	errUnauthorized  = errors.New("api: missing or unknown API key")
	errForbidden     = errors.New("api: forbidden for this key")
	errTooLarge      = errors.New("api: request body too large")
	errMediaType     = errors.New("api: unsupported media type")
	errRateLimited   = errors.New("api: rate limit exceeded")
	errNotFound      = errors.New("api: not found")
	errConflict      = errors.New("api: conflict")
	errTooBig        = errors.New("api: problem too large for this endpoint")
	errSubPlan       = errors.New("api: a sub-plan of the job failed")
	errBusy          = errors.New("api: every solver slot is busy")
	errPrecondition  = errors.New("api: precondition failed")
	errOutsideRegion = errors.New("api: outside the service region")
)

// problemDetails is an RFC 9457 problem details document, with the
// invalid_params extension naming each bad field.
type problemDetails struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail,omitempty"`
	Instance      string         `json:"instance,omitempty"`
	InvalidParams []invalidParam `json:"invalid_params,omitempty"`
	// Code and Error are set on the VROOM-compatible endpoint, whose clients
	// read VROOM's error code (1 internal, 2 input, 3 routing).
	Code  *int   `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

// invalidParam names one bad field, as a JSON path such as
// "jobs[3].time_windows[0]", and why it is bad.
type invalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// problemTypeBase prefixes every problem type URI.
const problemTypeBase = "https://lastmile.dev/problems/"

// statusError carries a status and client-safe detail through handlers.
type statusError struct {
	err    error
	detail string
	params []invalidParam
}

func (e *statusError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *statusError) Unwrap() error { return e.err }

// badParam is a 400 naming one field.
func badParam(name, format string, args ...any) error {
	return field.New(ErrBadRequest, name, format, args...)
}

// errorf wraps sentinel with a client-safe detail.
func errorf(sentinel error, format string, args ...any) error {
	return &statusError{err: sentinel, detail: fmt.Sprintf(format, args...)}
}

// errField stands in statusTable for any field error (*field.Error, which
// routing.FieldError, depots.FieldError and geo.FieldError alias): the
// decoders and validators name the bad field with one, whatever package
// they are in.
var errField = errors.New("api: invalid field")

// What the client may see of an error that matched a row.
const (
	showNothing = iota // the title only; the detail goes to the log
	showFields         // a field error's message and field; else the title only
	showDetail         // the message, which names only what the client sent
	showInput          // the message, and the bad field (or "body") in invalid_params
)

// statusTable maps errors to HTTP statuses: the one place that decides.
// Rows are tried in order; the first match wins, so instance.ErrUnsupported
// comes before errField (a field the reader cannot handle is unsupported,
// not invalid).
//
// Validation errors that name a field are field errors and match errField;
// routing.ErrInvalid and instance.ErrFormat need no row, as every error of
// theirs that reaches the API is one. The ErrInvalid rows that remain are
// for packages that also report input faults with no single field (an
// empty demand list, a scenario with no urban day): depots, coverage,
// location, urban, rural and scenario.
var statusTable = []struct {
	err    error
	status int
	slug   string
	title  string
	show   int
}{
	{ErrBadRequest, http.StatusBadRequest, "invalid-request", "The request is invalid", showFields},
	{instance.ErrUnsupported, http.StatusBadRequest, "unsupported-feature", "The request uses an unsupported feature", showInput},
	{instance.ErrTooLarge, http.StatusUnprocessableEntity, "problem-too-large", "The problem is too large for this endpoint", showInput},
	{errField, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	// Line-level decoder errors (a JSON syntax error with its line and
	// column) name no field.
	{instance.ErrFormat, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	{depots.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	{coverage.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	{coverage.ErrInfeasible, http.StatusUnprocessableEntity, "infeasible", "No feasible solution", showInput},
	{location.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	{urban.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	{rural.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	{scenario.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
	{location.ErrInfeasible, http.StatusUnprocessableEntity, "infeasible", "No feasible solution", showInput},
	{errUnauthorized, http.StatusUnauthorized, "unauthorized", "Missing or unknown API key", showNothing},
	{errForbidden, http.StatusForbidden, "forbidden", "This API key may not do that", showNothing},
	{errNotFound, http.StatusNotFound, "not-found", "Not found", showNothing},
	// Store messages name only the record ("facility \"x\": ..."), which
	// the client sent.
	{depots.ErrNotFound, http.StatusNotFound, "not-found", "Not found", showDetail},
	{store.ErrNotFound, http.StatusNotFound, "not-found", "Not found", showDetail},
	{errConflict, http.StatusConflict, "conflict", "Conflict", showNothing},
	{store.ErrConflict, http.StatusConflict, "conflict", "Conflict", showDetail},
	{errTooLarge, http.StatusRequestEntityTooLarge, "body-too-large", "The request body is too large", showNothing},
	{errMediaType, http.StatusUnsupportedMediaType, "unsupported-media-type", "Send application/json", showNothing},
	{errTooBig, http.StatusUnprocessableEntity, "problem-too-large", "The problem is too large for this endpoint", showNothing},
	{errSubPlan, http.StatusUnprocessableEntity, "sub-plan-failed", "A sub-plan of the job failed", showDetail},
	{routing.ErrInfeasible, http.StatusUnprocessableEntity, "infeasible", "No feasible solution", showNothing},
	{errRateLimited, http.StatusTooManyRequests, "rate-limited", "Too many requests", showNothing},
	{ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "Temporarily unavailable", showNothing},
	{store.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "Temporarily unavailable", showNothing},
	{errBusy, http.StatusServiceUnavailable, "busy", "Every solver slot is busy", showDetail},
	{errOutsideRegion, http.StatusUnprocessableEntity, "outside-region", "A point lies outside the service region", showDetail},
	{errPrecondition, http.StatusPreconditionFailed, "precondition-failed", "The resource changed", showDetail},
	{store.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid", showInput},
}

// matches reports whether err matches a statusTable row's error.
func matches(err, row error) bool {
	if row == errField {
		var fe *field.Error
		return errors.As(err, &fe)
	}
	return errors.Is(err, row)
}

// problemFor turns err into the problem the client sees. Known errors give
// their status and a detail; anything else is a 500 whose detail stays in
// the log. invalid_params comes from the error's *field.Error; an input
// error that names no field is reported against "body".
func problemFor(err error) *problemDetails {
	for _, row := range statusTable {
		if !matches(err, row.err) {
			continue
		}
		p := &problemDetails{Type: problemTypeBase + row.slug, Title: row.title, Status: row.status}
		var se *statusError
		var fe *field.Error
		switch {
		case errors.As(err, &se):
			p.Detail, p.InvalidParams = se.detail, se.params
		case row.show == showNothing:
		case errors.As(err, &fe):
			p.Detail = strings.TrimPrefix(err.Error(), ErrBadRequest.Error()+": ")
			name := fe.Path
			if name == "" {
				name = "body"
			}
			p.InvalidParams = []invalidParam{{Name: name, Reason: fe.Reason}}
		case row.show == showDetail:
			p.Detail = err.Error()
		case row.show == showInput:
			p.Detail = err.Error()
			p.InvalidParams = []invalidParam{{Name: "body", Reason: strings.TrimPrefix(p.Detail, row.err.Error()+": ")}}
		}
		return p
	}
	return &problemDetails{Type: problemTypeBase + "internal", Title: "Internal server error", Status: http.StatusInternalServerError,
		Detail: "The server could not complete the request; the error has been logged."}
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p *problemDetails) {
	if r != nil {
		p.Instance = r.URL.Path
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeError logs 5xx errors with their detail and writes the problem.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	switch {
	case p.Status == http.StatusServiceUnavailable:
		s.log.WarnContext(r.Context(), "request refused: unavailable", "path", r.URL.Path, "err", err)
	case p.Status >= 500:
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case errors.Is(err, context.Canceled):
		s.log.DebugContext(r.Context(), "client went away", "path", r.URL.Path)
	default:
		s.log.Log(r.Context(), slog.LevelDebug, "request rejected", "status", p.Status, "err", err)
	}
	if p.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	switch {
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", "1")
	case p.Status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	}
	writeProblem(w, r, p)
}

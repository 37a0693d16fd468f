package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/depots/coverage"
	"github.com/lastmile-dev/lastmile/depots/location"
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
	errUnauthorized = errors.New("api: missing or unknown API key")
	errForbidden    = errors.New("api: forbidden for this key")
	errTooLarge     = errors.New("api: request body too large")
	errMediaType    = errors.New("api: unsupported media type")
	errRateLimited  = errors.New("api: rate limit exceeded")
	errNotFound     = errors.New("api: not found")
	errConflict     = errors.New("api: conflict")
	errTooBig       = errors.New("api: problem too large for this endpoint")
	errBusy         = errors.New("api: every solver slot is busy")
	errPrecondition = errors.New("api: precondition failed")
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
	reason := fmt.Sprintf(format, args...)
	return &statusError{err: ErrBadRequest, detail: name + ": " + reason, params: []invalidParam{{Name: name, Reason: reason}}}
}

// errorf wraps sentinel with a client-safe detail.
func errorf(sentinel error, format string, args ...any) error {
	return &statusError{err: sentinel, detail: fmt.Sprintf(format, args...)}
}

// statusTable maps sentinels to HTTP statuses: the one place that decides.
// Order matters only where one error could match two rows.
var statusTable = []struct {
	err    error
	status int
	slug   string
	title  string
}{
	{ErrBadRequest, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{instance.ErrFormat, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{instance.ErrUnsupported, http.StatusBadRequest, "unsupported-feature", "The request uses an unsupported feature"},
	{routing.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{depots.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{coverage.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{coverage.ErrInfeasible, http.StatusUnprocessableEntity, "infeasible", "No feasible solution"},
	{location.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{urban.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{rural.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{scenario.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
	{location.ErrInfeasible, http.StatusUnprocessableEntity, "infeasible", "No feasible solution"},
	{errUnauthorized, http.StatusUnauthorized, "unauthorized", "Missing or unknown API key"},
	{errForbidden, http.StatusForbidden, "forbidden", "This API key may not do that"},
	{errNotFound, http.StatusNotFound, "not-found", "Not found"},
	{depots.ErrNotFound, http.StatusNotFound, "not-found", "Not found"},
	{store.ErrNotFound, http.StatusNotFound, "not-found", "Not found"},
	{errConflict, http.StatusConflict, "conflict", "Conflict"},
	{store.ErrConflict, http.StatusConflict, "conflict", "Conflict"},
	{errTooLarge, http.StatusRequestEntityTooLarge, "body-too-large", "The request body is too large"},
	{errMediaType, http.StatusUnsupportedMediaType, "unsupported-media-type", "Send application/json"},
	{errTooBig, http.StatusUnprocessableEntity, "problem-too-large", "The problem is too large for this endpoint"},
	{routing.ErrInfeasible, http.StatusUnprocessableEntity, "infeasible", "No feasible solution"},
	{errRateLimited, http.StatusTooManyRequests, "rate-limited", "Too many requests"},
	{ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "Temporarily unavailable"},
	{errBusy, http.StatusServiceUnavailable, "busy", "Every solver slot is busy"},
	{errPrecondition, http.StatusPreconditionFailed, "precondition-failed", "The resource changed"},
	{store.ErrInvalid, http.StatusBadRequest, "invalid-request", "The request is invalid"},
}

// problemFor turns err into the problem the client sees. Known sentinels
// give their status and a detail; anything else is a 500 whose detail stays
// in the log.
func problemFor(err error) *problemDetails {
	for _, row := range statusTable {
		if !errors.Is(err, row.err) {
			continue
		}
		p := &problemDetails{Type: problemTypeBase + row.slug, Title: row.title, Status: row.status}
		var se *statusError
		switch {
		case errors.As(err, &se):
			p.Detail, p.InvalidParams = se.detail, se.params
		case errors.Is(err, instance.ErrFormat) || errors.Is(err, instance.ErrUnsupported) ||
			errors.Is(err, routing.ErrInvalid) || errors.Is(err, depots.ErrInvalid) ||
			errors.Is(err, coverage.ErrInvalid) || errors.Is(err, coverage.ErrInfeasible) ||
			errors.Is(err, location.ErrInvalid) || errors.Is(err, location.ErrInfeasible) ||
			errors.Is(err, urban.ErrInvalid) || errors.Is(err, rural.ErrInvalid) || errors.Is(err, scenario.ErrInvalid):
			p.Detail = err.Error()
			p.InvalidParams = paramsFromMessage(err.Error())
		case errors.Is(err, depots.ErrNotFound) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict):
			// Store messages name only the record ("facility \"x\": ..."),
			// which the client sent.
			p.Detail = err.Error()
		}
		return p
	}
	return &problemDetails{Type: problemTypeBase + "internal", Title: "Internal server error", Status: http.StatusInternalServerError,
		Detail: "The server could not complete the request; the error has been logged."}
}

// fieldPath matches the JSON paths that package instance and depots put at
// the front of their messages, e.g. "jobs[3].time_windows[0]".
var fieldPath = regexp.MustCompile(`^[a-z_]+(\[\d+\])*(\.[a-z_]+(\[\d+\])*)*$`)

// paramsFromMessage extracts the field from a "prefix: field: reason"
// message, so that decoder errors fill invalid_params.
func paramsFromMessage(msg string) []invalidParam {
	for _, sentinel := range []error{instance.ErrFormat, instance.ErrUnsupported, routing.ErrInvalid, depots.ErrInvalid, coverage.ErrInvalid} {
		msg = strings.ReplaceAll(msg, sentinel.Error()+": ", "")
	}
	parts := strings.Split(msg, ": ")
	for i := 0; i < len(parts)-1; i++ {
		if fieldPath.MatchString(parts[i]) {
			return []invalidParam{{Name: parts[i], Reason: strings.Join(parts[i+1:], ": ")}}
		}
	}
	return []invalidParam{{Name: "body", Reason: msg}}
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

// Package field carries the path of a bad input field from a decoder or
// validator to whoever reports it, as encoding/json's *UnmarshalTypeError
// carries Field. The public packages re-export Error as routing.FieldError,
// depots.FieldError and geo.FieldError, so that a caller can write
//
//	var fe *routing.FieldError
//	if errors.As(err, &fe) { ... fe.Path, fe.Reason ... }
//
// and the API fills problem+json's invalid_params the same way.
package field

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a bad input field: Path names it as a JSON path such as
// "jobs[3].time_windows[0]" (empty when the whole input is at fault) and
// Reason says what is wrong with it.
//
// An Error may also carry a kind, a package's sentinel such as
// routing.ErrInvalid, and a cause, an error given to Errorf or New with %w.
// errors.Is and errors.As see both.
type Error struct {
	Path   string
	Reason string

	kind  error
	cause error
}

// Error returns "kind: path: reason", leaving out an empty part, so that a
// field error reads as the fmt.Errorf("%w: %s: %s", kind, path, reason) it
// replaces.
func (e *Error) Error() string {
	var b strings.Builder
	if e.kind != nil {
		b.WriteString(e.kind.Error())
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the kind and the cause, whichever are set.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// Errorf returns a field error at path. The reason is formatted as
// fmt.Errorf formats it: an error argument given with %w stays reachable by
// errors.Is and errors.As.
func Errorf(path, format string, args ...any) *Error {
	return New(nil, path, format, args...)
}

// New is Errorf with a kind: errors.Is(err, kind) holds and the message
// starts with kind's text. kind may be nil.
func New(kind error, path, format string, args ...any) *Error {
	reason := fmt.Errorf(format, args...)
	e := &Error{Path: path, Reason: reason.Error(), kind: kind}
	if wrapsSomething(reason) {
		e.cause = reason
	}
	return e
}

func wrapsSomething(err error) bool {
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return u.Unwrap() != nil
	case interface{ Unwrap() []error }:
		return len(u.Unwrap()) > 0
	}
	return false
}

// Within places err at prefix, for a decoder that reports the errors of a
// nested one: the path of a field error becomes prefix joined to it
// ("jobs[3]" and "time_windows[0]" give "jobs[3].time_windows[0]";
// "demand" and "[2]" give "demand[2]"). The field error is copied, not
// changed, and text that err added around it is dropped; its reason, kind
// and cause are kept. Any other error becomes a field error at prefix whose
// reason is err's message and whose cause is err. Within(prefix, nil) is
// nil.
func Within(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var fe *Error
	if !errors.As(err, &fe) {
		return &Error{Path: prefix, Reason: err.Error(), cause: err}
	}
	out := *fe
	out.Path = Join(prefix, fe.Path)
	return &out
}

// Join joins two parts of a path: with a dot, unless path is empty or
// starts with an index.
func Join(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	case strings.HasPrefix(path, "["):
		return prefix + path
	}
	return prefix + "." + path
}

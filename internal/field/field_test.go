package field

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

var errKind = errors.New("pkg: invalid input")

func TestError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		msg        string
		path       string
		reason     string
		isKind     bool
		isEOF      bool
		wantNilErr bool
	}{
		{"plain", Errorf("jobs[3].service", "negative service time %d", -5),
			"jobs[3].service: negative service time -5", "jobs[3].service", "negative service time -5", false, false, false},
		{"kind", New(errKind, "vehicles", "at least one vehicle is required"),
			"pkg: invalid input: vehicles: at least one vehicle is required", "vehicles", "at least one vehicle is required", true, false, false},
		{"no path", New(errKind, "", "nil problem"),
			"pkg: invalid input: nil problem", "", "nil problem", true, false, false},
		{"cause", Errorf("datum", "%w", io.EOF),
			"datum: EOF", "datum", "EOF", false, true, false},
		{"within field", Within("jobs[3]", New(errKind, "time_windows[0]", "end before start")),
			"pkg: invalid input: jobs[3].time_windows[0]: end before start", "jobs[3].time_windows[0]", "end before start", true, false, false},
		{"within index", Within("demand", Errorf("[2].volume", "negative")),
			"demand[2].volume: negative", "demand[2].volume", "negative", false, false, false},
		{"within empty path", Within("matrix", Errorf("", "not square")),
			"matrix: not square", "matrix", "not square", false, false, false},
		{"within wrapped field", Within("warehouses[1]", fmt.Errorf("context: %w", New(errKind, "capacity", "negative"))),
			"pkg: invalid input: warehouses[1].capacity: negative", "warehouses[1].capacity", "negative", true, false, false},
		{"within plain error", Within("location", fmt.Errorf("%w: not a point", errKind)),
			"location: pkg: invalid input: not a point", "location", "pkg: invalid input: not a point", true, false, false},
		{"within nil", Within("x", nil), "", "", "", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantNilErr {
				if tt.err != nil {
					t.Fatalf("err = %v, want nil", tt.err)
				}
				return
			}
			if got := tt.err.Error(); got != tt.msg {
				t.Errorf("Error() = %q, want %q", got, tt.msg)
			}
			var fe *Error
			if !errors.As(tt.err, &fe) {
				t.Fatalf("errors.As(%v) = false, want a *Error", tt.err)
			}
			if fe.Path != tt.path || fe.Reason != tt.reason {
				t.Errorf("Path, Reason = %q, %q, want %q, %q", fe.Path, fe.Reason, tt.path, tt.reason)
			}
			if got := errors.Is(tt.err, errKind); got != tt.isKind {
				t.Errorf("errors.Is(kind) = %v, want %v", got, tt.isKind)
			}
			if got := errors.Is(tt.err, io.EOF); got != tt.isEOF {
				t.Errorf("errors.Is(io.EOF) = %v, want %v", got, tt.isEOF)
			}
		})
	}
}

func TestWithinCopies(t *testing.T) {
	inner := Errorf("id", "missing id")
	outer := Within("jobs[0]", inner)
	if inner.Path != "id" {
		t.Errorf("Within changed the inner error's path to %q", inner.Path)
	}
	if outer.(*Error).Path != "jobs[0].id" {
		t.Errorf("Within path = %q, want jobs[0].id", outer.(*Error).Path)
	}
}

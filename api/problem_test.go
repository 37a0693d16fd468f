package api

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/internal/field"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

func TestProblemFor(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		slug   string
		param  string // invalid_params name, "" for none
		reason string
	}{
		{"badParam", badParam("options.seed", "negative seed %d", -1), 400, "invalid-request", "options.seed", "negative seed -1"},
		{"decoder field", field.New(instance.ErrFormat, "jobs[3].time_windows[0]", "end 1 before start 2"), 400, "invalid-request", "jobs[3].time_windows[0]", "end 1 before start 2"},
		{"wrapped field", fmt.Errorf("solve: %w", field.New(routing.ErrInvalid, "vehicles[0].shift", "ends before it starts")), 400, "invalid-request", "vehicles[0].shift", "ends before it starts"},
		{"field without path", field.New(routing.ErrInvalid, "", "nil problem"), 400, "invalid-request", "body", "nil problem"},
		{"unsupported field", field.New(instance.ErrUnsupported, "locations", "no travel matrix source"), 400, "unsupported-feature", "locations", "no travel matrix source"},
		{"sentinel without field", fmt.Errorf("%w: no demand", depots.ErrInvalid), 400, "invalid-request", "body", "no demand"},
		{"infeasible", fmt.Errorf("%w: 3 tasks", routing.ErrInfeasible), 422, "infeasible", "", ""},
		{"not found", fmt.Errorf("%w: facility %q", depots.ErrNotFound, "x"), 404, "not-found", "", ""},
		{"plain bad request", fmt.Errorf("%w: config", ErrBadRequest), 400, "invalid-request", "", ""},
		{"unknown", errors.New("disk on fire"), 500, "internal", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := problemFor(tt.err)
			if p.Status != tt.status || p.Type != problemTypeBase+tt.slug {
				t.Errorf("problemFor(%v) = %d %s, want %d %s", tt.err, p.Status, p.Type, tt.status, problemTypeBase+tt.slug)
			}
			if tt.param == "" {
				if len(p.InvalidParams) != 0 {
					t.Errorf("problemFor(%v) invalid_params = %+v, want none", tt.err, p.InvalidParams)
				}
				return
			}
			want := []invalidParam{{Name: tt.param, Reason: tt.reason}}
			if len(p.InvalidParams) != 1 || p.InvalidParams[0] != want[0] {
				t.Errorf("problemFor(%v) invalid_params = %+v, want %+v", tt.err, p.InvalidParams, want)
			}
			if p.Status >= http.StatusInternalServerError && p.Detail == tt.err.Error() {
				t.Errorf("problemFor(%v) leaks the detail of a 5xx", tt.err)
			}
		})
	}
}

package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/geo/osrm"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/paulmach/orb"
)

// TestOSRMTravelErrors: the server's OSRM adapter makes a failing OSRM a
// 503 (api.ErrUnavailable) and a pair without a route a 422
// (routing.ErrInfeasible), and passes a good table through.
func TestOSRMTravelErrors(t *testing.T) {
	table := func(body string, status int) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
	}
	ok := table(`{"code":"Ok","durations":[[0,60],[70,0]],"distances":[[0,500],[600,0]]}`, 200)
	defer ok.Close()
	noRoute := table(`{"code":"Ok","durations":[[0,null],[null,0]],"distances":[[0,null],[null,0]]}`, 200)
	defer noRoute.Close()
	failing := table(`{"code":"InvalidQuery","message":"boom"}`, 400)
	defer failing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	pts := []orb.Point{{106.5, 29.5}, {106.6, 29.6}}
	tests := []struct {
		name string
		url  string
		want error // nil: success
	}{
		{"table", ok.URL, nil},
		{"no route", noRoute.URL, routing.ErrInfeasible},
		{"service error", failing.URL, api.ErrUnavailable},
		{"unreachable", closedURL, api.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := osrm.New(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			c.Retries = -1
			m, err := osrmTravel{c}.Matrix(context.Background(), pts)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Matrix = %v", err)
			case tt.want == nil && (m.Duration(0, 1) != 60 || m.Distance(1, 0) != 600):
				t.Errorf("matrix = %+v, want the served table", m)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("Matrix error = %v, want %v", err, tt.want)
			}
		})
	}
}

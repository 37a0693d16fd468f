package api

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lastmile-dev/lastmile/store"
)

func fuzzServer(t testing.TB) *Server {
	s, err := New(Config{Store: store.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func seedFiles(f *testing.F, dir string) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// decodeErrorIs4xx asserts that a decoder's error maps to a client error.
func decodeErrorIs4xx(t *testing.T, err error) {
	if p := problemFor(err); p.Status < 400 || p.Status >= 500 {
		t.Fatalf("decode error %v maps to status %d, want 4xx", err, p.Status)
	}
}

func FuzzDecodeSolveRequest(f *testing.F) {
	addScalarSeeds(f)
	seedFiles(f, "solve")
	f.Add([]byte(`{"vehicles":[{"id":"v","start":[106.5,29.5]}],"jobs":[{"id":"a","location":[106.6,29.6],"time_windows":[[0,10]]}]}`))
	f.Add([]byte(`{"matrix":{"durations":[[0,1],[1,0]]},"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}],"options":{"time_limit_ms":5}}`))
	f.Add([]byte(`{"vehicles":[]}`))
	f.Add([]byte(`[`))
	s := fuzzServer(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		in, opts, err := s.decodeSolveRequest(ctx, body, s.syncBudget())
		if err != nil {
			decodeErrorIs4xx(t, err)
			return
		}
		p := in.Problem
		if len(p.Vehicles) == 0 || len(p.Durations) != p.Locations*p.Locations || opts.TimeLimitMs < 0 {
			t.Fatalf("accepted an inconsistent problem: %d vehicles, %d×%d matrix with %d entries", len(p.Vehicles), p.Locations, p.Locations, len(p.Durations))
		}
		for _, j := range p.Jobs {
			if j.Location < 0 || j.Location >= p.Locations {
				t.Fatalf("job %q location %d outside [0, %d)", j.ID, j.Location, p.Locations)
			}
		}
	})
}

func FuzzDecodeVROOM(f *testing.F) {
	addScalarSeeds(f)
	seedFiles(f, "vroom")
	f.Add([]byte(`{"vehicles":[{"id":1,"start_index":0}],"jobs":[{"id":1,"location_index":1}],"matrices":{"car":{"durations":[[0,1],[1,0]]}}}`))
	s := fuzzServer(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		var vin vroomInput
		if err := decodeStrict(body, &vin, false); err != nil {
			decodeErrorIs4xx(t, err)
			return
		}
		vp, err := convertVROOM(&vin)
		if err != nil {
			decodeErrorIs4xx(t, err)
			return
		}
		in, err := s.instanceOf(ctx, &vp.doc, s.syncBudget())
		if err != nil {
			decodeErrorIs4xx(t, err)
			return
		}
		if len(in.Problem.Jobs) != len(vp.jobs) || len(in.Problem.Shipments) != len(vp.shipments) {
			t.Fatalf("conversion lost tasks: %d/%d jobs, %d/%d shipments", len(in.Problem.Jobs), len(vp.jobs), len(in.Problem.Shipments), len(vp.shipments))
		}
	})
}

func FuzzDecodeFacility(f *testing.F) {
	addScalarSeeds(f)
	f.Add([]byte(`{"id":"dc-1","kind":"distribution_centre","location":[106.55,29.56],"capacity":{"per_day":1000},"hours":{"open_seconds":0,"close_seconds":0}}`))
	f.Add([]byte(`{"id":"l","kind":"locker","location":[106.5,29.5],"capacity":{"per_day":10,"compartments":40,"per_category":{"fresh":3}},"hours":{"open_seconds":3600,"close_seconds":7200}}`))
	s := &Server{}
	f.Fuzz(func(t *testing.T, body []byte) {
		fac, err := s.decodeFacility(body, "")
		if err != nil {
			decodeErrorIs4xx(t, err)
			return
		}
		if err := fac.Validate(); err != nil || fac.Cell == 0 {
			t.Fatalf("accepted facility fails validation (%v) or has no cell", err)
		}
	})
}

func FuzzStopEvent(f *testing.F) {
	addScalarSeeds(f)
	f.Add([]byte(`{"type":"delivered","stop_id":"a","at":100}`))
	f.Add([]byte(`{"type":"order_added","job":{"id":"n","location":[106.5,29.5],"delivery":[1]}}`))
	f.Add([]byte(`{"type":"failed","stop_id":"p","location":[106.5,29.5]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var ev stopEventRequest
		if err := decodeStrict(body, &ev, true); err != nil {
			decodeErrorIs4xx(t, err)
			return
		}
		cr := &courierRoute{CourierID: "c", Stops: []courierStop{
			{ID: "a", Type: "job", Status: stopPending},
			{ID: "p", Type: "pickup", Status: stopPending},
			{ID: "d", Type: "delivery", Status: stopPending},
		}}
		n := len(cr.Stops)
		if err := applyEvent(cr, &ev); err != nil {
			if st := problemFor(err).Status; st < 400 || st >= 500 {
				t.Fatalf("applyEvent error %v maps to %d", err, st)
			}
			return
		}
		if len(cr.Stops) != n {
			t.Fatalf("applyEvent changed the number of stops: %d → %d", n, len(cr.Stops))
		}
	})
}

// addScalarSeeds seeds a body fuzzer with every JSON scalar, the empty
// array and text a store cannot keep: the corpus of the hardening issue.
func addScalarSeeds(f *testing.F) {
	for _, b := range []string{"null", "0", `""`, "[]", "true", "{}", "[null]", `{"id":"\u0000"}`, "{\"id\":\"\xff\"}"} {
		f.Add([]byte(b))
	}
}

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/store"
)

// benchBody is a 50-stop optimise request.
func benchBody(b *testing.B) []byte {
	jobs := make([]map[string]any, 50)
	for i := range jobs {
		jobs[i] = map[string]any{"id": "s" + string(rune('A'+i%26)) + string(rune('a'+i/26)),
			"location": []float64{106.48 + 0.012*float64(i%10), 29.50 + 0.01*float64(i/10)}, "delivery": []int{1}, "service": 90}
	}
	body, err := json.Marshal(map[string]any{"jobs": jobs, "vehicles": []map[string]any{
		{"id": "v1", "start": []float64{106.55, 29.56}, "capacity": []int{60}}}})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkDecodeSolveRequest measures decoding and validating a 50-stop
// request, matrix included.
func BenchmarkDecodeSolveRequest(b *testing.B) {
	s, _ := New(Config{Store: store.NewMemory()})
	body := benchBody(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.decodeSolveRequest(context.Background(), body, s.syncBudget()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOptimizeOverhead measures the HTTP layer around a solve: auth,
// rate limit, decoding, metrics, encoding. The solver is a stub that serves
// every job in order, so the figure excludes search time.
func BenchmarkOptimizeOverhead(b *testing.B) {
	stub := SolverFunc(func(ctx context.Context, p *routing.Problem, o routing.Options) (*routing.Solution, error) {
		rt := routing.Route{Stops: []routing.RouteStop{{Kind: routing.KindStart, Task: -1, Location: p.Vehicles[0].Start}}}
		for i, j := range p.Jobs {
			rt.Stops = append(rt.Stops, routing.RouteStop{Kind: routing.KindJob, Task: i, Location: j.Location})
		}
		return &routing.Solution{Routes: []routing.Route{rt}}, nil
	})
	s, err := New(Config{Store: store.NewMemory(), Solver: stub, RateLimit: -1, Keys: []Key{{Role: RoleCourier, Secret: "bench-key-1"}}})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	body := benchBody(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/optimize", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer bench-key-1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

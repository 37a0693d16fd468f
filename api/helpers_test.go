package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Keys used by every test server.
const (
	courierKey  = "courier-key-c1"
	courier2Key = "courier-key-c2"
	plannerKey  = "planner-key-1"
	operatorKey = "operator-key-1"
)

var testKeys = []api.Key{
	{Role: api.RoleCourier, Secret: courierKey, CourierID: "c1"},
	{Role: api.RoleCourier, Secret: courier2Key, CourierID: "c2"},
	{Role: api.RolePlanner, Secret: plannerKey},
	{Role: api.RoleOperator, Secret: operatorKey},
}

// testServer is a Server behind a real listener on loopback.
type testServer struct {
	*api.Server
	URL  string
	Reg  *prometheus.Registry
	http *http.Server
	t    testing.TB
}

// startServer starts a server on 127.0.0.1 with cfg (Store and Keys
// defaulted) and stops it when the test ends.
func startServer(t testing.TB, cfg api.Config) *testServer {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = store.NewMemory()
	}
	if cfg.Keys == nil {
		cfg.Keys = testKeys
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.MaxIterations == 0 {
		cfg.MaxIterations = 300
	}
	if cfg.ProgressInterval == 0 {
		cfg.ProgressInterval = 20 * time.Millisecond
	}
	if cfg.JobPollInterval == 0 {
		cfg.JobPollInterval = 100 * time.Millisecond
	}
	s, err := api.New(cfg)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	hs := s.HTTPServer(ln.Addr().String())
	go func() { _ = hs.Serve(ln) }()
	ts := &testServer{Server: s, URL: "http://" + ln.Addr().String(), Reg: cfg.Registry, http: hs, t: t}
	t.Cleanup(func() { ts.stop(2 * time.Second) })
	return ts
}

func (ts *testServer) stop(grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	_ = ts.http.Shutdown(ctx)
	_ = ts.Server.Shutdown(ctx)
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r *response) problem(t testing.TB) api.ProblemDetails {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p api.ProblemDetails
	r.decode(t, &p)
	return p
}

// do sends a request with key (none if empty) and a body (a string, []byte
// or any value encoded as JSON).
func (ts *testServer) do(method, path, key string, body any) *response {
	ts.t.Helper()
	return ts.doHeader(method, path, key, body, nil)
}

// doHeader is do with extra request headers.
func (ts *testServer) doHeader(method, path, key string, body any, h http.Header) *response {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		ts.t.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// smallProblem is a Chongqing problem with n deliveries and two vans.
func smallProblem(n int) map[string]any {
	jobs := make([]map[string]any, n)
	for i := range jobs {
		jobs[i] = map[string]any{
			"id":       "j" + itoa(i+1),
			"location": []float64{106.50 + 0.01*float64(i%7), 29.52 + 0.008*float64(i/7)},
			"delivery": []int{1}, "service": 120,
		}
	}
	return map[string]any{
		"vehicles": []map[string]any{
			{"id": "c1", "start": []float64{106.55, 29.56}, "end": []float64{106.55, 29.56}, "capacity": []int{n}, "shift": []int{28800, 72000}},
			{"id": "c2", "start": []float64{106.55, 29.56}, "end": []float64{106.55, 29.56}, "capacity": []int{n}, "shift": []int{28800, 72000}},
		},
		"jobs":    jobs,
		"options": map[string]any{"time_limit_ms": 1000, "iterations": 200, "seed": 7},
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// slowSolver reports progress `steps` times, one per tick, then returns a
// one-route solution; it returns the best so far when ctx ends.
type slowSolver struct {
	steps int
	tick  time.Duration
}

func (s slowSolver) Solve(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error) {
	start := time.Now()
	best := &routing.Solution{Cost: 1_000_000}
	for i := range s.steps {
		select {
		case <-ctx.Done():
			return best, nil
		case <-time.After(s.tick):
		}
		best = &routing.Solution{Cost: int64(1_000_000 - 1000*(i+1))}
		if opts.Progress != nil {
			opts.Progress(routing.Progress{Elapsed: time.Since(start), Iteration: i + 1, BestCost: best.Cost, Routes: 1})
		}
	}
	return best, nil
}

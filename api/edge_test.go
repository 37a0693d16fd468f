package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/paulmach/orb"
)

// Text no store can keep is refused at the edge with 400 naming the field,
// on every write endpoint, before any handler or store sees it.
func TestEdgeRefusesUnstorableText(t *testing.T) {
	ts := startServer(t, api.Config{})
	for _, tc := range []struct {
		name, method, path, key, body string
		want                          int
		field                         string
	}{
		{"NUL in event reason", "POST", "/v1/couriers/c1/events", courierKey,
			`{"type":"failed","stop_id":"p1","reason":"x\u0000"}`, 400, "reason"},
		{"NUL in a job id", "POST", "/v1/optimize", courierKey,
			`{"vehicles":[{"id":"v","start":[106.5,29.5]}],"jobs":[{"id":"ok","location":[106.5,29.5]},{"id":"a\u0000","location":[106.5,29.5]}]}`, 400, "jobs[1].id"},
		{"NUL in a key", "POST", "/v1/jobs", courierKey, `{"vehicles":[],"jobs":[],"x\u0000":1}`, 400, "x\x00"},
		{"NUL in a facility", "POST", "/v1/facilities", plannerKey,
			`{"id":"f\u0000","kind":"locker","location":[106.5,29.5]}`, 400, "id"},
		{"invalid UTF-8", "POST", "/v1/facilities", plannerKey, "{\"id\":\"f\xff\",\"kind\":\"locker\",\"location\":[106.5,29.5]}", 400, "body"},
		{"slash in a facility id", "POST", "/v1/facilities", plannerKey,
			`{"id":"a/b","kind":"locker","location":[106.5,29.5]}`, 400, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do(tc.method, tc.path, tc.key, tc.body)
			if r.Status != tc.want {
				t.Fatalf("status = %d, want %d; body %s", r.Status, tc.want, r.Body)
			}
			p := r.problem(t)
			if len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != tc.field {
				t.Errorf("invalid_params = %+v, want the field %q", p.InvalidParams, tc.field)
			}
		})
	}
	// An escaped backslash before "u0000" is ordinary text, not NUL.
	r := ts.do("POST", "/v1/optimize", courierKey, `{"vehicles":[{"id":"v","start":[106.5,29.5]}],"jobs":[{"id":"back\\u0000slash","location":[106.5,29.5]}]}`)
	if r.Status != http.StatusOK {
		t.Errorf(`job id "back\\u0000slash": status = %d, want 200; body %s`, r.Status, r.Body)
	}
}

// Path ids outside the id charset get 400 on every {id} route, on the
// memory store here and on PostgreSQL in the store suite.
func TestPathIDCharset(t *testing.T) {
	ts := startServer(t, api.Config{})
	for _, path := range []string{"/v1/facilities/%00", "/v1/facilities/%ff", "/v1/jobs/a%01b", "/v1/plans/" + strings.Repeat("x", 200), "/v1/couriers/c%00/route"} {
		r := ts.do("GET", path, plannerKey, nil)
		if r.Status != http.StatusBadRequest {
			t.Errorf("GET %s: status = %d, want 400; body %s", path, r.Status, r.Body)
			continue
		}
		if p := r.problem(t); len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != "id" {
			t.Errorf("GET %s: invalid_params = %+v, want id", path, p.InvalidParams)
		}
	}
}

// A 70 KB header gets a 431 problem, not net/http's plain text.
func TestHeadersTooLargeIsProblem(t *testing.T) {
	ts := startServer(t, api.Config{})
	req, _ := http.NewRequest("GET", ts.URL+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", 70<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("status %d, Content-Type %q; want 431 application/problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// With one solver slot, concurrent synchronous solves get 200 or 503 with
// Retry-After, never another status, and /healthz answers meanwhile.
func TestSolveGovernor(t *testing.T) {
	ts := startServer(t, api.Config{Solver: slowSolver{steps: 4, tick: 50 * time.Millisecond}, MaxSolves: 1, SolveWait: 20 * time.Millisecond})
	const n = 6
	statuses := make([]int, n)
	retry := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := ts.do("POST", "/v1/optimize", courierKey, smallProblem(3))
			statuses[i], retry[i] = r.Status, r.Header.Get("Retry-After")
		})
	}
	start := time.Now()
	if r := ts.do("GET", "/healthz", "", nil); r.Status != http.StatusOK {
		t.Errorf("/healthz during solves: %d", r.Status)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("/healthz took %v behind solves", d)
	}
	wg.Wait()
	var ok, busy int
	for i, st := range statuses {
		switch st {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			busy++
			if retry[i] == "" {
				t.Errorf("request %d: 503 without Retry-After", i)
			}
		default:
			t.Errorf("request %d: status %d, want 200 or 503", i, st)
		}
	}
	if ok == 0 || busy == 0 {
		t.Errorf("%d ok and %d busy; want both with one slot and %d requests", ok, busy, n)
	}
}

// Failed authentication is throttled per client address, with a 429
// problem.
func TestAuthFailureThrottle(t *testing.T) {
	ts := startServer(t, api.Config{AuthFailRate: 0.01, AuthFailBurst: 3})
	for i := range 3 {
		if r := ts.do("GET", "/v1/jobs/x", "wrong-key-123", nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, r.Status)
		}
	}
	r := ts.do("GET", "/v1/jobs/x", "wrong-key-123", nil)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after the burst: status %d (Retry-After %q), want 429 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
	r.problem(t)
}

// A malformed --api-key never appears in the error, whole or in part.
func TestParseKeyRedacts(t *testing.T) {
	for _, in := range []string{"Sup3rSecretKey99:planner", "Sup3rSecretKey99", "planner:Sup3r", "planner:Sup3rSecretKey99:c1", ":Sup3rSecretKey99"} {
		_, err := api.ParseKey(in)
		if err == nil {
			t.Errorf("ParseKey(%q) = nil error", in)
			continue
		}
		if strings.Contains(err.Error(), "Sup3r") {
			t.Errorf("ParseKey(%q) error %q repeats the secret", in, err)
		}
	}
}

// With a service region, points outside it get 422 naming the field, with
// a hint when longitude and latitude look swapped.
func TestServiceRegion(t *testing.T) {
	chongqing := orb.Bound{Min: orb.Point{105.2, 28.1}, Max: orb.Point{110.2, 32.2}}
	ts := startServer(t, api.Config{Region: chongqing.Contains, RegionName: "Chongqing"})
	for _, tc := range []struct {
		name, path, key, body, field string
		swapped                      bool
	}{
		{"swapped job", "/v1/optimize", courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = []float64{29.57, 106.57} }), "jobs[0].location", true},
		{"far vehicle", "/v1/optimize", courierKey, problemWith(func(p map[string]any) { veh0(p)["start"] = []float64{2.35, 48.85} }), "vehicles[0].start", false},
		{"swapped location", "/v1/jobs", courierKey, `{"locations":[[106.5,29.5],[29.5,106.5]],"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}]}`, "locations[1]", true},
		{"swapped facility", "/v1/facilities", plannerKey, `{"id":"f","kind":"locker","location":[29.5,106.5]}`, "location", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do("POST", tc.path, tc.key, tc.body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422; body %s", r.Status, r.Body)
			}
			p := r.problem(t)
			if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tc.field {
				t.Fatalf("invalid_params = %+v, want %s", p.InvalidParams, tc.field)
			}
			if got := strings.Contains(p.InvalidParams[0].Reason, "swapped"); got != tc.swapped {
				t.Errorf("reason %q: swapped hint %v, want %v", p.InvalidParams[0].Reason, got, tc.swapped)
			}
		})
	}
	if r := ts.do("POST", "/v1/optimize", courierKey, smallProblem(3)); r.Status != http.StatusOK {
		t.Errorf("a problem inside the region: %d %s", r.Status, r.Body)
	}
}

// A stop event with If-Match naming another version gets 412 and changes
// nothing; with the current ETag it applies and the ETag moves on.
func TestStopEventIfMatch(t *testing.T) {
	ts := startServer(t, api.Config{})
	if r := ts.do("POST", "/v1/dispatch", plannerKey, smallProblem(6)); r.Status != http.StatusCreated {
		t.Fatalf("dispatch = %d %s", r.Status, r.Body)
	}
	r := ts.do("GET", "/v1/couriers/c1/route", courierKey, nil)
	var route struct {
		Version int64 `json:"version"`
		Stops   []struct {
			ID string `json:"id"`
		} `json:"stops"`
	}
	r.decode(t, &route)
	if len(route.Stops) == 0 {
		t.Fatalf("c1 has no stops: %s", r.Body)
	}
	etag := r.Header.Get("ETag")
	if etag != `"1"` {
		t.Fatalf("ETag = %q, want \"1\"", etag)
	}
	event := `{"type":"delivered","stop_id":"` + route.Stops[0].ID + `"}`
	send := func(ifMatch string) *response {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/couriers/c1/events", strings.NewReader(event))
		req.Header.Set("Authorization", "Bearer "+courierKey)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", ifMatch)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return &response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	}
	if r := send(`"7"`); r.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d %s, want 412", r.Status, r.Body)
	}
	if r := send(etag); r.Status != http.StatusOK || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("current If-Match: %d ETag %q, want 200 and \"2\"; %s", r.Status, r.Header.Get("ETag"), r.Body)
	}
	if r := send(etag); r.Status != http.StatusPreconditionFailed {
		t.Errorf("the old ETag again: %d, want 412", r.Status)
	}
}

// Large bodies in flight are bounded: with room for one 40 KB body, a
// second one sent while the first is being solved gets 503, not memory.
func TestBodyBytesInFlight(t *testing.T) {
	gate := &gateSolver{started: make(chan struct{}, 1), release: make(chan struct{})}
	ts := startServer(t, api.Config{Solver: gate, MaxSolves: 4, SolveWait: 30 * time.Millisecond,
		MaxBodyBytes: 64 << 10, MaxBodyBytesInFlight: 128 << 10})
	big := smallProblem(3)
	big["vehicles"].([]map[string]any)[0]["id"] = strings.Repeat("v", 40<<10)
	first := make(chan int, 1)
	go func() { first <- ts.do("POST", "/v1/optimize", courierKey, big).Status }()
	<-gate.started
	r := ts.do("POST", "/v1/optimize", courierKey, big)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("second large body while the first is held: %d (Retry-After %q), want 503", r.Status, r.Header.Get("Retry-After"))
	}
	close(gate.release)
	if st := <-first; st != http.StatusOK {
		t.Errorf("first large body: %d, want 200", st)
	}
	if r := ts.do("POST", "/v1/optimize", courierKey, big); r.Status != http.StatusOK {
		t.Errorf("a large body once the first is done: %d", r.Status)
	}
}

// gateSolver signals when a solve starts and holds it until release is
// closed.
type gateSolver struct {
	started chan struct{}
	release chan struct{}
}

func (g *gateSolver) Solve(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error) {
	select {
	case g.started <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	return &routing.Solution{}, nil
}

// The lost update of the hardening issue: a stop event re-plans route A for
// a while; meanwhile a planner dispatches route B. B must survive: the
// event, written at the version it read, gets 409 instead of overwriting B.
func TestReplanDoesNotOverwriteDispatch(t *testing.T) {
	for _, st := range testStores() {
		t.Run(st.name, func(t *testing.T) {
			gate := &replanGate{started: make(chan struct{}, 1), release: make(chan struct{})}
			ts := startServer(t, api.Config{Store: st.open(t), Solver: gate, MaxSolves: 4})
			if r := ts.do("POST", "/v1/dispatch", plannerKey, smallProblem(6)); r.Status != http.StatusCreated {
				t.Fatalf("dispatch A = %d %s", r.Status, r.Body)
			}
			event := make(chan *response, 1)
			go func() {
				event <- ts.do("POST", "/v1/couriers/c1/events", courierKey,
					`{"type":"order_added","job":{"id":"n1","location":[106.56,29.55]}}`)
			}()
			<-gate.started // the re-plan of A is running
			b := smallProblem(4)
			b["jobs"].([]map[string]any)[0]["id"] = "from-b"
			if r := ts.do("POST", "/v1/dispatch", plannerKey, b); r.Status != http.StatusCreated {
				t.Fatalf("dispatch B = %d %s", r.Status, r.Body)
			}
			close(gate.release)
			if r := <-event; r.Status != http.StatusConflict {
				t.Errorf("the stale re-plan: %d %s, want 409", r.Status, r.Body)
			}
			r := ts.do("GET", "/v1/couriers/c1/route", courierKey, nil)
			if !strings.Contains(string(r.Body), `"plan_id"`) || strings.Contains(string(r.Body), `"n1"`) {
				t.Errorf("route after both writers: %s; want B's route without the re-plan's order n1", r.Body)
			}
			evs := ts.do("GET", "/v1/couriers/c1/events", courierKey, nil)
			if strings.Contains(string(evs.Body), "order_added") {
				t.Errorf("the refused event was stored: %s", evs.Body)
			}
		})
	}
}

// replanGate solves with routing.Solve, holding one-vehicle problems (the
// re-plans) until release is closed.
type replanGate struct {
	started chan struct{}
	release chan struct{}
}

func (g *replanGate) Solve(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error) {
	if len(p.Vehicles) == 1 {
		select {
		case g.started <- struct{}{}:
		default:
		}
		<-g.release
	}
	return routing.Solve(ctx, p, opts)
}

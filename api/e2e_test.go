package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func servedIDs(doc *api.SolutionDoc) []string {
	var ids []string
	for _, r := range doc.Routes {
		for _, st := range r.Stops {
			if st.ID != "" {
				ids = append(ids, st.ID)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func TestOptimize(t *testing.T) {
	ts := startServer(t, api.Config{})
	resp := ts.do("POST", "/v1/optimize", courierKey, smallProblem(12))
	if resp.Status != http.StatusOK {
		t.Fatalf("POST /v1/optimize = %d %s", resp.Status, resp.Body)
	}
	var doc api.SolutionDoc
	resp.decode(t, &doc)
	if got := len(servedIDs(&doc)) + len(doc.Unassigned); got != 12 {
		t.Errorf("served + unassigned = %d, want 12", got)
	}
	if len(doc.Unassigned) != 0 {
		t.Errorf("unassigned = %v, want none", doc.Unassigned)
	}
	if doc.Cost <= 0 || doc.DistanceMeters <= 0 || doc.TimeLimitMs != 1000 {
		t.Errorf("cost %v, distance %d, time limit %d: want positive and 1000 ms", doc.Cost, doc.DistanceMeters, doc.TimeLimitMs)
	}
	for _, r := range doc.Routes {
		if r.Stops[0].Type != "start" || r.Stops[len(r.Stops)-1].Type != "end" || r.Stops[0].Location == nil {
			t.Errorf("route %s stops = %+v, want start … end with coordinates", r.Vehicle, r.Stops)
		}
	}

	gj := ts.do("POST", "/v1/optimize?format=geojson", courierKey, smallProblem(5))
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct{ Type string } `json:"geometry"`
		} `json:"features"`
	}
	gj.decode(t, &fc)
	if gj.Header.Get("Content-Type") != "application/geo+json" || fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Errorf("GeoJSON answer: %s %+v", gj.Header.Get("Content-Type"), fc)
	}

	if got := testutil.ToFloat64(ts.Metrics().HTTPRequests.WithLabelValues("POST /v1/optimize", "POST", "200")); got != 2 {
		t.Errorf("lastmile_http_requests_total{route=POST /v1/optimize,code=200} = %v, want 2", got)
	}
	if got := testutil.CollectAndCount(ts.Metrics().SolveDuration, "lastmile_solve_duration_seconds"); got != 1 {
		t.Errorf("solve duration series = %d, want 1", got)
	}
}

// readSSE collects server-sent events until the stream ends.
func readSSE(t *testing.T, ts *testServer, path, key string) []sseEvent {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q, want text/event-stream", ct)
	}
	var evs []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.Event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.Data = strings.TrimPrefix(line, "data: ")
		case line == "" && cur.Event != "":
			evs = append(evs, cur)
			cur = sseEvent{}
		}
	}
	return evs
}

type sseEvent struct{ Event, Data string }

func TestAsyncJobWithProgress(t *testing.T) {
	ts := startServer(t, api.Config{Solver: slowSolver{steps: 8, tick: 30 * time.Millisecond}})
	resp := ts.do("POST", "/v1/jobs", courierKey, smallProblem(30))
	if resp.Status != http.StatusAccepted {
		t.Fatalf("POST /v1/jobs = %d %s", resp.Status, resp.Body)
	}
	var job api.JobDoc
	resp.decode(t, &job)
	if job.Status != store.JobQueued || resp.Header.Get("Location") != "/v1/jobs/"+job.ID {
		t.Fatalf("job = %+v, Location %q", job, resp.Header.Get("Location"))
	}
	evs := readSSE(t, ts, "/v1/jobs/"+job.ID+"/events", courierKey)
	if len(evs) < 3 || evs[len(evs)-1].Event != "done" {
		t.Fatalf("events = %v, want progress events then done", evs)
	}
	improving := 0
	for _, e := range evs[:len(evs)-1] {
		var p struct {
			Progress store.JobProgress `json:"progress"`
		}
		if err := json.Unmarshal([]byte(e.Data), &p); err != nil || e.Event != "progress" {
			t.Fatalf("event %v: %v", e, err)
		}
		if p.Progress.BestCost > 0 {
			improving++
		}
	}
	if improving == 0 {
		t.Errorf("no progress event carried a best cost: %v", evs)
	}
	var done api.JobDoc
	if err := json.Unmarshal([]byte(evs[len(evs)-1].Data), &done); err != nil {
		t.Fatal(err)
	}
	if done.Status != store.JobSucceeded || len(done.Result) == 0 || done.Progress.BestCost != 0.992 {
		t.Errorf("done = %+v, want succeeded with result and best cost 0.992 (currency units)", done)
	}
	var res api.SolutionDoc
	if err := json.Unmarshal(done.Result, &res); err != nil || res.Cost != done.Progress.BestCost {
		t.Errorf("result cost %v, progress best cost %v (%v): want the same units", res.Cost, done.Progress.BestCost, err)
	}
	got := ts.do("GET", "/v1/jobs/"+job.ID, courierKey, nil)
	var final api.JobDoc
	got.decode(t, &final)
	if final.Status != store.JobSucceeded || final.Progress.ElapsedSeconds <= 0 {
		t.Errorf("GET job = %+v, want succeeded with elapsed time", final)
	}
	// Another courier cannot see it; a planner can.
	if r := ts.do("GET", "/v1/jobs/"+job.ID, courier2Key, nil); r.Status != http.StatusNotFound {
		t.Errorf("other courier GET job = %d, want 404", r.Status)
	}
	if r := ts.do("GET", "/v1/jobs/"+job.ID, plannerKey, nil); r.Status != http.StatusOK {
		t.Errorf("planner GET job = %d, want 200", r.Status)
	}
}

func TestAsyncJobRealSolver(t *testing.T) {
	ts := startServer(t, api.Config{})
	resp := ts.do("POST", "/v1/jobs", courierKey, smallProblem(20))
	var job api.JobDoc
	resp.decode(t, &job)
	final := waitJob(t, ts, job.ID, courierKey)
	if final.Status != store.JobSucceeded {
		t.Fatalf("job = %+v, want succeeded", final)
	}
	var doc api.SolutionDoc
	if err := json.Unmarshal(final.Result, &doc); err != nil || len(servedIDs(&doc)) != 20 {
		t.Errorf("result serves %d jobs (%v), want 20", len(servedIDs(&doc)), err)
	}
}

func waitJob(t *testing.T, ts *testServer, id, key string) api.JobDoc {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var j api.JobDoc
		ts.do("GET", "/v1/jobs/"+id, key, nil).decode(t, &j)
		if j.Status.Final() || time.Now().After(deadline) {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCancelJob(t *testing.T) {
	ts := startServer(t, api.Config{Solver: slowSolver{steps: 1000, tick: 10 * time.Millisecond}, Workers: 1})
	var running, waiting api.JobDoc
	ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &running)
	ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &waiting)
	for { // wait until the first is running
		var j api.JobDoc
		ts.do("GET", "/v1/jobs/"+running.ID, courierKey, nil).decode(t, &j)
		if j.Status == store.JobRunning {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := ts.do("DELETE", "/v1/jobs/"+running.ID, courierKey, nil); r.Status != http.StatusAccepted {
		t.Fatalf("DELETE running job = %d %s", r.Status, r.Body)
	}
	if r := ts.do("POST", "/v1/jobs/"+waiting.ID+"/cancel", courierKey, nil); r.Status != http.StatusAccepted {
		t.Fatalf("cancel waiting job = %d %s", r.Status, r.Body)
	}
	for _, id := range []string{running.ID, waiting.ID} {
		if j := waitJob(t, ts, id, courierKey); j.Status != store.JobCancelled {
			t.Errorf("job %s status = %s, want cancelled", id, j.Status)
		}
	}
	if r := ts.do("DELETE", "/v1/jobs/"+running.ID, courierKey, nil); r.Status != http.StatusConflict {
		t.Errorf("DELETE cancelled job = %d, want 409", r.Status)
	}
}

// recordingSolver wraps the real solver and remembers the options of each
// call.
type recordingSolver struct {
	mu    sync.Mutex
	calls []routing.Options
	probs []*routing.Problem
}

func (r *recordingSolver) Solve(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error) {
	r.mu.Lock()
	r.calls = append(r.calls, opts)
	r.probs = append(r.probs, p)
	r.mu.Unlock()
	return routing.Solve(ctx, p, opts)
}

func TestStopEventReplan(t *testing.T) {
	rec := &recordingSolver{}
	ts := startServer(t, api.Config{Solver: rec})
	resp := ts.do("POST", "/v1/dispatch", plannerKey, smallProblem(10))
	if resp.Status != http.StatusCreated {
		t.Fatalf("POST /v1/dispatch = %d %s", resp.Status, resp.Body)
	}
	var route api.CourierRoute
	r := ts.do("GET", "/v1/couriers/c1/route", courierKey, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET own route = %d %s", r.Status, r.Body)
	}
	r.decode(t, &route)
	if route.Version != 1 || len(route.Stops) < 2 {
		t.Fatalf("route = version %d with %d stops; want version 1 with at least 2 (test needs a busy c1)", route.Version, len(route.Stops))
	}
	first, oldRest := route.Stops[0], route.Stops[1:]

	// Delivered: the stop is frozen, the rest re-planned from the old order.
	at := first.Arrival + 300
	ev := map[string]any{"type": "delivered", "stop_id": first.ID, "at": at}
	r = ts.do("POST", "/v1/couriers/c1/events", courierKey, ev)
	if r.Status != http.StatusOK {
		t.Fatalf("POST delivered = %d %s", r.Status, r.Body)
	}
	var out api.StopEventResponse
	r.decode(t, &out)
	nr := out.Route
	if !out.Replanned || nr.Version != 2 || nr.Stops[0].ID != first.ID || nr.Stops[0].Status != api.StopDelivered {
		t.Fatalf("after delivered: replanned %v version %d first %+v", out.Replanned, nr.Version, nr.Stops[0])
	}
	if len(nr.Stops) != len(route.Stops) {
		t.Errorf("after delivered: %d stops, want %d", len(nr.Stops), len(route.Stops))
	}
	for _, st := range nr.Stops[1:] {
		if st.Status != api.StopPending || st.Arrival < at {
			t.Errorf("re-planned stop %s: status %s arrival %d, want pending after %d", st.ID, st.Status, st.Arrival, at)
		}
	}
	last := rec.calls[len(rec.calls)-1]
	if last.Initial == nil || len(last.Initial.Routes) != 1 {
		t.Fatalf("re-plan Options.Initial = %+v, want the old order", last.Initial)
	}
	lp := rec.probs[len(rec.probs)-1]
	var initIDs, oldIDs []string
	for _, st := range last.Initial.Routes[0].Stops {
		if st.Kind == routing.KindJob {
			initIDs = append(initIDs, lp.Jobs[st.Task].ID)
		}
	}
	for _, st := range oldRest {
		oldIDs = append(oldIDs, st.ID)
	}
	if !slices.Equal(initIDs, oldIDs) {
		t.Errorf("Initial order = %v, want old remaining order %v", initIDs, oldIDs)
	}
	if got := lp.Vehicles[0].Shift.Start; got != at {
		t.Errorf("re-plan shift start = %d, want event time %d", got, at)
	}

	// A new order joins the route.
	ev = map[string]any{"type": "order_added", "at": at + 60,
		"job": map[string]any{"id": "new-1", "location": []float64{106.56, 29.57}, "delivery": []int{0}, "pickup": []int{1}, "service": 60}}
	r = ts.do("POST", "/v1/couriers/c1/events", courierKey, ev)
	if r.Status != http.StatusOK {
		t.Fatalf("POST order_added = %d %s", r.Status, r.Body)
	}
	r.decode(t, &out)
	if !slices.ContainsFunc(out.Route.Stops, func(s api.CourierStop) bool { return s.ID == "new-1" }) || out.Route.Stops[0].ID != first.ID {
		t.Errorf("after order_added: stops %+v, want new-1 added and %s still first", out.Route.Stops, first.ID)
	}
	// Failed: frozen as failed, nothing lost.
	pending := out.Route.Stops[1]
	r = ts.do("POST", "/v1/couriers/c1/events", courierKey, map[string]any{"type": "failed", "stop_id": pending.ID, "reason": "nobody home"})
	r.decode(t, &out)
	if r.Status != http.StatusOK || out.Route.Stops[1].Status != api.StopFailed || out.Route.Version != 4 {
		t.Errorf("after failed: %d stops[1] %+v version %d", r.Status, out.Route.Stops[1], out.Route.Version)
	}
	// Repeating an event on a finished stop is a conflict.
	if r := ts.do("POST", "/v1/couriers/c1/events", courierKey, map[string]any{"type": "delivered", "stop_id": first.ID}); r.Status != http.StatusConflict {
		t.Errorf("second delivered = %d, want 409", r.Status)
	}
	var evs struct {
		Events []map[string]any `json:"events"`
	}
	ts.do("GET", "/v1/couriers/c1/events", courierKey, nil).decode(t, &evs)
	if len(evs.Events) != 3 {
		t.Errorf("events = %d, want 3", len(evs.Events))
	}
}

func TestAuthScoping(t *testing.T) {
	ts := startServer(t, api.Config{RateLimit: 5, RateBurst: 5})
	ts.do("POST", "/v1/dispatch", plannerKey, smallProblem(4))
	tests := []struct {
		name, method, path, key string
		want                    int
	}{
		{"no key", "GET", "/v1/couriers/c1/route", "", 401},
		{"unknown key", "GET", "/v1/couriers/c1/route", "not-a-key-at-all", 401},
		{"own route", "GET", "/v1/couriers/c1/route", courierKey, 200},
		{"other courier's route", "GET", "/v1/couriers/c1/route", courier2Key, 403},
		{"other courier's events", "GET", "/v1/couriers/c1/events", courier2Key, 403},
		{"planner reads any route", "GET", "/v1/couriers/c2/route", plannerKey, 200},
		{"courier lists facilities", "GET", "/v1/facilities", courierKey, 403},
		{"courier dispatches", "POST", "/v1/dispatch", courierKey, 403},
		{"courier reads metrics", "GET", "/metrics", courierKey, 403},
		{"planner reads metrics", "GET", "/metrics", plannerKey, 403},
		{"operator reads metrics", "GET", "/metrics", operatorKey, 200},
		{"operator lists facilities", "GET", "/v1/facilities", operatorKey, 200},
		{"health is public", "GET", "/healthz", "", 200},
		{"openapi is public", "GET", "/openapi.json", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do(tt.method, tt.path, tt.key, nil)
			if r.Status != tt.want {
				t.Errorf("%s %s with %q = %d, want %d: %s", tt.method, tt.path, tt.key, r.Status, tt.want, r.Body)
			}
			if r.Status >= 400 {
				r.problem(t)
			}
		})
	}
	// The bucket holds 5; the 6th quick request is refused.
	statuses := map[int]int{}
	for range 10 {
		statuses[ts.do("GET", "/v1/couriers/c2/route", courier2Key, nil).Status]++
	}
	if statuses[http.StatusTooManyRequests] == 0 {
		t.Errorf("statuses after 10 quick requests = %v, want some 429", statuses)
	}
	if got := ts.do("GET", "/v1/couriers/c1/route", courierKey, nil).Status; got == http.StatusTooManyRequests && statuses[200] == 0 {
		t.Errorf("one key's limit throttled another key")
	}
}

func TestPanicIsHidden(t *testing.T) {
	boom := api.SolverFunc(func(ctx context.Context, p *routing.Problem, opts routing.Options) (*routing.Solution, error) {
		panic("secret internal state 0xdeadbeef")
	})
	ts := startServer(t, api.Config{Solver: boom})
	r := ts.do("POST", "/v1/optimize", courierKey, smallProblem(3))
	p := r.problem(t)
	if r.Status != 500 || strings.Contains(string(r.Body), "deadbeef") || strings.Contains(string(r.Body), "goroutine") {
		t.Errorf("panic answer = %d %s, want a plain 500", r.Status, r.Body)
	}
	_ = p
	var job api.JobDoc
	ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &job)
	if j := waitJob(t, ts, job.ID, courierKey); j.Status != store.JobFailed || strings.Contains(j.Error, "deadbeef") {
		t.Errorf("panicking job = %+v, want failed without internals", j)
	}
	if r := ts.do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Errorf("server unhealthy after panics: %d", r.Status)
	}
}

func TestShutdownPersistsRunningJob(t *testing.T) {
	mem := store.NewMemory()
	ts := startServer(t, api.Config{Store: mem, Solver: slowSolver{steps: 100000, tick: 5 * time.Millisecond}, Workers: 1})
	var job api.JobDoc
	ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &job)
	for {
		j, _ := mem.Job(context.Background(), job.ID)
		if j.Status == store.JobRunning {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	ts.stop(50 * time.Millisecond)
	j, _ := mem.Job(context.Background(), job.ID)
	if j.Status != store.JobQueued {
		t.Errorf("after shutdown, job status = %s, want queued (to resume)", j.Status)
	}
	if r := ts.Server.Handler(); r == nil {
		t.Fatal("no handler")
	}
}

// TestReplanKeepsOrder: when nothing changes but a stop being done as
// planned, the re-plan keeps the remaining order (the old order seeds the
// search and only a strictly better plan replaces it).
func TestReplanKeepsOrder(t *testing.T) {
	ts := startServer(t, api.Config{})
	p := smallProblem(6)
	p["vehicles"] = p["vehicles"].([]map[string]any)[:1]
	if r := ts.do("POST", "/v1/dispatch", plannerKey, p); r.Status != http.StatusCreated {
		t.Fatalf("dispatch = %d %s", r.Status, r.Body)
	}
	var route api.CourierRoute
	ts.do("GET", "/v1/couriers/c1/route", courierKey, nil).decode(t, &route)
	first := route.Stops[0]
	var out api.StopEventResponse
	ts.do("POST", "/v1/couriers/c1/events", courierKey, map[string]any{"type": "delivered", "stop_id": first.ID, "at": first.Departure}).decode(t, &out)
	var before, after []string
	for _, st := range route.Stops {
		before = append(before, st.ID)
	}
	for _, st := range out.Route.Stops {
		after = append(after, st.ID)
	}
	if !slices.Equal(before, after) {
		t.Errorf("order after an on-plan delivery = %v, want unchanged %v", after, before)
	}
	for i, st := range out.Route.Stops[1:] {
		if old := route.Stops[i+1]; st.Arrival != old.Arrival {
			t.Errorf("stop %s arrival %d, want the planned %d", st.ID, st.Arrival, old.Arrival)
		}
	}
}

// TestArrivedOutOfOrder: a courier who reaches a later stop early moves it up
// and starts its planned stay at the reported time, so a following delivered
// event without a time re-plans from then, not from the old plan.
func TestArrivedOutOfOrder(t *testing.T) {
	rec := &recordingSolver{}
	ts := startServer(t, api.Config{Solver: rec})
	if r := ts.do("POST", "/v1/dispatch", plannerKey, smallProblem(10)); r.Status != http.StatusCreated {
		t.Fatalf("POST /v1/dispatch = %d %s", r.Status, r.Body)
	}
	var route api.CourierRoute
	ts.do("GET", "/v1/couriers/c1/route", courierKey, nil).decode(t, &route)
	if len(route.Stops) < 3 {
		t.Fatalf("c1 has %d stops; the test needs 3", len(route.Stops))
	}
	target := route.Stops[2]
	stay := target.Departure - target.Arrival
	at := route.Stops[0].Arrival - 60 // before the planned first stop
	r := ts.do("POST", "/v1/couriers/c1/events", courierKey, map[string]any{"type": "arrived", "stop_id": target.ID, "at": at})
	if r.Status != http.StatusOK {
		t.Fatalf("POST arrived = %d %s", r.Status, r.Body)
	}
	var out api.StopEventResponse
	r.decode(t, &out)
	got := out.Route.Stops[0]
	if got.ID != target.ID || got.Status != api.StopInProgress || got.Arrival != at || got.Departure != at+stay {
		t.Fatalf("after arrived: first stop %+v; want %s in progress, arrival %d, departure %d", got, target.ID, at, at+stay)
	}
	r = ts.do("POST", "/v1/couriers/c1/events", courierKey, map[string]any{"type": "delivered", "stop_id": target.ID})
	if r.Status != http.StatusOK {
		t.Fatalf("POST delivered = %d %s", r.Status, r.Body)
	}
	lp := rec.probs[len(rec.probs)-1]
	if got := lp.Vehicles[0].Shift.Start; got != at+stay {
		t.Errorf("re-plan shift start = %d, want the in-progress stop's departure %d", got, at+stay)
	}
}

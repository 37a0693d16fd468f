// Package storetest is the suite every store implementation passes, and
// helpers that give each test its own PostgreSQL schema.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/paulmach/orb"
)

// EnvDSN names the environment variable holding the test database URL.
const EnvDSN = "LASTMILE_TEST_DATABASE_URL"

// PostgresDSN returns a DSN whose search_path is a fresh schema that is
// dropped when the test ends, so runs are repeatable and parallel-safe. It
// skips the test when EnvDSN is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		t.Skipf("%s not set: skipping PostgreSQL test", EnvDSN)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "lastmile_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect %s: %v", EnvDSN, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		return fmt.Sprintf("%s search_path=%s", base, schema)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs one statement on the database at dsn, for tests that stage
// what a crashed process leaves behind.
func Exec(t testing.TB, dsn, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

// Run runs the suite against stores made by open; each subtest gets a new,
// empty store. The suite checks api.Store, the interface the server
// consumes, so a store that passes it is one the server can use.
func Run(t *testing.T, open func(t *testing.T) api.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s api.Store)
	}{
		{"Facilities", testFacilities},
		{"Jobs", testJobs},
		{"Routes", testRoutes},
		{"Events", testEvents},
		{"RouteWithEvent", testRouteWithEvent},
		{"ConcurrentRouteWriters", testConcurrentRouteWriters},
		{"Plans", testPlans},
		{"Purge", testPurge},
		{"Keys", testKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func facility(id string, kind depots.Kind) *depots.Facility {
	f := &depots.Facility{
		ID: depots.ID(id), Kind: kind, Name: "Facility " + id,
		Location: orb.Point{106.5516, 29.5630}, Zone: "Yuzhong",
		Capacity:  depots.Capacity{PerDay: 1200.5, PerCategory: map[string]float64{"fresh": 100}},
		Hours:     depots.Hours{OpenSeconds: 8 * 3600, CloseSeconds: 20 * 3600},
		FixedCost: 350, Operator: depots.Shared,
	}
	f.Cell, _ = h3cell.FromPoint(f.Location, depots.CellResolution)
	return f
}

func testFacilities(t *testing.T, s api.Store) {
	ctx := context.Background()
	a, b := facility("b-locker", depots.Locker), facility("a-dc", depots.DistributionCentre)
	for _, f := range []*depots.Facility{a, b} {
		if err := s.CreateFacility(ctx, f); err != nil {
			t.Fatalf("CreateFacility(%s) = %v", f.ID, err)
		}
	}
	if err := s.CreateFacility(ctx, a); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateFacility(duplicate) = %v, want ErrConflict", err)
	}
	got, err := s.Facility(ctx, a.ID)
	if err != nil {
		t.Fatalf("Facility(%s) = %v", a.ID, err)
	}
	if !equalJSON(t, got, a) || got.Cell != a.Cell {
		t.Errorf("Facility(%s) = %+v, want %+v", a.ID, got, a)
	}
	all, err := s.Facilities(ctx, store.FacilityFilter{})
	if err != nil || len(all) != 2 || all[0].ID != "a-dc" || all[1].ID != "b-locker" {
		t.Errorf("Facilities() = %v, %v; want [a-dc b-locker]", ids(all), err)
	}
	lockers, err := s.Facilities(ctx, store.FacilityFilter{Kind: depots.Locker})
	if err != nil || len(lockers) != 1 || lockers[0].ID != a.ID {
		t.Errorf("Facilities(locker) = %v, %v; want [b-locker]", ids(lockers), err)
	}
	a.Name, a.Kind = "renamed", depots.ExpressStore
	if err := s.PutFacility(ctx, a); err != nil {
		t.Fatalf("PutFacility = %v", err)
	}
	if got, _ := s.Facility(ctx, a.ID); got == nil || got.Name != "renamed" || got.Kind != depots.ExpressStore {
		t.Errorf("after PutFacility, Facility = %+v, want renamed express_store", got)
	}
	if err := s.DeleteFacility(ctx, a.ID); err != nil {
		t.Fatalf("DeleteFacility = %v", err)
	}
	if _, err := s.Facility(ctx, a.ID); !errors.Is(err, depots.ErrNotFound) {
		t.Errorf("Facility(deleted) = %v, want depots.ErrNotFound", err)
	}
	if err := s.DeleteFacility(ctx, a.ID); !errors.Is(err, depots.ErrNotFound) {
		t.Errorf("DeleteFacility(deleted) = %v, want depots.ErrNotFound", err)
	}
}

func testJobs(t *testing.T, s api.Store) {
	ctx := context.Background()
	if _, err := s.Job(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Job(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.StartJob(ctx, "missing", 0, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StartJob(missing) = %v, want ErrNotFound", err)
	}
	jobs := []*store.Job{
		{ID: "j1", Status: store.JobQueued, Owner: "c1", Request: json.RawMessage(`{"jobs": [1, 2]}`)},
		{ID: "j2", Kind: "urban", Status: store.JobQueued, Owner: "c2", Request: json.RawMessage(`{}`)},
		{ID: "j3", Status: store.JobQueued, Owner: "c2", Request: json.RawMessage(`{}`)},
	}
	for _, j := range jobs {
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatalf("CreateJob(%s) = %v", j.ID, err)
		}
		if j.CreatedAt.IsZero() {
			t.Errorf("CreateJob(%s) left CreatedAt zero", j.ID)
		}
	}
	if err := s.CreateJob(ctx, &store.Job{ID: "j1", Status: store.JobQueued, Request: json.RawMessage(`{}`)}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateJob(duplicate) = %v, want ErrConflict", err)
	}
	j1, err := s.StartJob(ctx, "j1", 0, 0)
	if err != nil || j1.Status != store.JobRunning || j1.Attempts != 1 || j1.Kind != "optimize" {
		t.Fatalf("StartJob(j1) = %+v, %v; want running, attempt 1, kind optimize", j1, err)
	}
	if _, err := s.StartJob(ctx, "j1", 99, 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("StartJob(j1, another queue entry) = %v, want ErrConflict", err)
	}
	prog := store.JobProgress{BestCost: 1234, ElapsedSeconds: 0.5, Iteration: 7, Routes: 2, Unassigned: 1}
	if err := s.SaveProgress(ctx, "j1", 1, prog, json.RawMessage(`{"best": 1}`), 7); err != nil {
		t.Fatalf("SaveProgress(j1) = %v", err)
	}
	got, err := s.Job(ctx, "j1")
	if err != nil {
		t.Fatalf("Job(j1) = %v", err)
	}
	if got.Status != store.JobRunning || got.Progress != prog || got.Owner != "c1" || !sameJSON(got.Request, jobs[0].Request) ||
		!sameJSON(got.Checkpoint, json.RawMessage(`{"best": 1}`)) || got.CheckpointIteration != 7 {
		t.Errorf("Job(j1) = %+v, want running with progress %+v and checkpoint at 7", got, prog)
	}
	if !got.CreatedAt.Equal(jobs[0].CreatedAt) || got.HeartbeatAt.IsZero() {
		t.Errorf("Job(j1).CreatedAt = %v, want %v; heartbeat %v", got.CreatedAt, jobs[0].CreatedAt, got.HeartbeatAt)
	}
	// A second attempt (the first worker was thought dead) resumes from the
	// checkpoint; the first attempt can no longer write.
	again, err := s.StartJob(ctx, "j1", 0, 0)
	if err != nil || again.Attempts != 2 || again.ResumedAt != 7 {
		t.Fatalf("StartJob(j1) again = %+v, %v; want attempt 2 resumed at 7", again, err)
	}
	if err := s.SaveProgress(ctx, "j1", 1, prog, nil, 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("SaveProgress(old attempt) = %v, want ErrConflict", err)
	}
	if err := s.FinishJob(ctx, "j1", 1, store.Outcome{Status: store.JobSucceeded}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("FinishJob(old attempt) = %v, want ErrConflict", err)
	}
	if err := s.FinishJob(ctx, "j1", 2, store.Outcome{Status: store.JobSucceeded, Result: json.RawMessage(`{"cost": 5}`), Progress: prog}); err != nil {
		t.Fatalf("FinishJob(j1) = %v", err)
	}
	if _, err := s.StartJob(ctx, "j1", 0, 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("StartJob(finished) = %v, want ErrConflict: a finished job never runs again", err)
	}
	if _, err := s.CancelJob(ctx, "j1"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CancelJob(finished) = %v, want ErrConflict", err)
	}
	if got, _ := s.Job(ctx, "j1"); got == nil || got.Status != store.JobSucceeded || !sameJSON(got.Result, json.RawMessage(`{"cost": 5}`)) {
		t.Errorf("Job(j1) = %+v, want succeeded with its result", got)
	}

	// A cancel while running stands: the run's progress and outcome cannot
	// undo it, but its best solution is kept as the result.
	if _, err := s.StartJob(ctx, "j2", 0, 0); err != nil {
		t.Fatal(err)
	}
	if c, err := s.CancelJob(ctx, "j2"); err != nil || c.Status != store.JobCancelled {
		t.Fatalf("CancelJob(j2) = %+v, %v", c, err)
	}
	if err := s.SaveProgress(ctx, "j2", 1, prog, nil, 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("SaveProgress(cancelled) = %v, want ErrConflict", err)
	}
	if err := s.RequeueJob(ctx, "j2", 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("RequeueJob(cancelled) = %v, want ErrConflict", err)
	}
	if err := s.FinishJob(ctx, "j2", 1, store.Outcome{Status: store.JobSucceeded, Result: json.RawMessage(`{"best": 2}`)}); err != nil {
		t.Errorf("FinishJob(cancelled, with a result) = %v, want nil (the result is attached)", err)
	}
	if got, _ := s.Job(ctx, "j2"); got == nil || got.Status != store.JobCancelled || !sameJSON(got.Result, json.RawMessage(`{"best": 2}`)) {
		t.Errorf("Job(j2) = %+v, want cancelled with the best result", got)
	}
	if _, err := s.StartJob(ctx, "j2", 0, 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("StartJob(cancelled) = %v, want ErrConflict", err)
	}

	// Requeue at shutdown: queued again, the next attempt starts it.
	if _, err := s.StartJob(ctx, "j3", 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.RequeueJob(ctx, "j3", 1); err != nil {
		t.Fatalf("RequeueJob(j3) = %v", err)
	}
	if got, _ := s.Job(ctx, "j3"); got == nil || got.Status != store.JobQueued || got.Attempts != 1 {
		t.Errorf("Job(j3) after requeue = %+v, want queued after 1 attempt", got)
	}

	// A quota of running jobs per owner: c2 runs j3 (attempt 2), so with a
	// quota of 1 its j4 waits, and c1's does not.
	for _, j := range []*store.Job{{ID: "j4", Status: store.JobQueued, Owner: "c2", Request: json.RawMessage(`{}`)}} {
		if err := s.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StartJob(ctx, "j3", 0, 1); err != nil {
		t.Fatalf("StartJob(j3, quota 1) = %v, want started (c2 runs nothing)", err)
	}
	if _, err := s.StartJob(ctx, "j4", 0, 1); !errors.Is(err, store.ErrQuota) {
		t.Errorf("StartJob(j4, quota 1) while c2 runs j3 = %v, want ErrQuota", err)
	}
	if _, err := s.StartJob(ctx, "j4", 0, 2); err != nil {
		t.Errorf("StartJob(j4, quota 2) = %v, want started", err)
	}
	if counts, err := s.CountJobs(ctx, "c2"); err != nil || counts[store.JobRunning] != 2 || counts[store.JobCancelled] != 1 {
		t.Errorf("CountJobs(c2) = %v, %v; want 2 running, 1 cancelled", counts, err)
	}

	// Listing: newest first, by owner, in pages.
	page, err := s.Jobs(ctx, store.JobFilter{Owner: "c2", Limit: 1})
	if err != nil || len(page) != 1 || page[0].ID != "j4" {
		t.Fatalf("Jobs(c2, limit 1) = %v, %v; want [j4]", jobIDs(page), err)
	}
	page, err = s.Jobs(ctx, store.JobFilter{Owner: "c2", After: "j4", Limit: 5})
	if err != nil || fmt.Sprint(jobIDs(page)) != "[j3 j2]" {
		t.Errorf("Jobs(c2, after j4) = %v, %v; want [j3 j2]", jobIDs(page), err)
	}
	if all, err := s.Jobs(ctx, store.JobFilter{}); err != nil || len(all) != 4 {
		t.Errorf("Jobs(all) = %v, %v; want 4 jobs", jobIDs(all), err)
	}
	for _, c := range []struct {
		f    store.JobFilter
		want string
	}{
		{store.JobFilter{Status: store.JobRunning}, "[j4 j3]"},
		{store.JobFilter{Status: store.JobRunning, After: "j4"}, "[j3]"},
		{store.JobFilter{Status: store.JobCancelled}, "[j2]"},
		{store.JobFilter{Owner: "c1", Status: store.JobRunning}, "[]"},
		{store.JobFilter{Owner: "c1", Status: store.JobSucceeded}, "[j1]"},
	} {
		if got, err := s.Jobs(ctx, c.f); err != nil || fmt.Sprint(jobIDs(got)) != c.want {
			t.Errorf("Jobs(%+v) = %v, %v; want %s", c.f, jobIDs(got), err, c.want)
		}
	}

	// Children of a fanned-out job: listed under their parent only, and
	// counted apart from top-level jobs (a running child does not hold
	// c2's top-level quota).
	for _, id := range []string{"j4.p0", "j4.p1"} {
		if err := s.CreateJob(ctx, &store.Job{ID: id, Kind: "urban_part", Status: store.JobQueued, Owner: "c2", Parent: "j4", Request: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StartJob(ctx, "j4.p0", 0, 0); err != nil {
		t.Fatal(err)
	}
	if page, err := s.Jobs(ctx, store.JobFilter{Owner: "c2"}); err != nil || fmt.Sprint(jobIDs(page)) != "[j4 j3 j2]" {
		t.Errorf("Jobs(c2) with children = %v, %v; want [j4 j3 j2]", jobIDs(page), err)
	}
	if kids, err := s.Jobs(ctx, store.JobFilter{Parent: "j4"}); err != nil || len(kids) != 2 || kids[0].Parent != "j4" {
		t.Errorf("Jobs(parent j4) = %v, %v; want its 2 children", jobIDs(kids), err)
	}
	if counts, err := s.CountJobs(ctx, "c2"); err != nil || counts[store.JobRunning] != 2 || counts[store.JobQueued] != 0 {
		t.Errorf("CountJobs(c2) with children = %v, %v; want 2 running, none queued", counts, err)
	}
	if _, err := s.StartJob(ctx, "j3", 0, 2); err != nil {
		t.Errorf("StartJob(j3, quota 2) while c2 runs j4 and a child = %v, want started", err)
	}
	// Children have a running quota of their own: with j4.p0 running, a
	// quota of 1 holds j4.p1 back, whatever the top-level jobs run.
	if _, err := s.StartJob(ctx, "j4.p1", 0, 1); !errors.Is(err, store.ErrQuota) {
		t.Errorf("StartJob(j4.p1, quota 1) while c2 runs the child j4.p0 = %v, want ErrQuota", err)
	}
	if _, err := s.StartJob(ctx, "j4.p1", 0, 2); err != nil {
		t.Errorf("StartJob(j4.p1, quota 2) = %v, want started (top-level jobs do not count)", err)
	}
}

func jobIDs(js []*store.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

func testRoutes(t *testing.T, s api.Store) {
	ctx := context.Background()
	if _, err := s.Route(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Route(none) = %v, want ErrNotFound", err)
	}
	if err := s.SaveRoute(ctx, &store.CourierRoute{CourierID: "c1", Version: 2, Route: json.RawMessage(`{}`)}, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("SaveRoute(version 2 first) = %v, want ErrConflict", err)
	}
	r := &store.CourierRoute{CourierID: "c1", Version: 1, Route: json.RawMessage(`{"stops": ["a"]}`)}
	if err := s.SaveRoute(ctx, r, nil); err != nil {
		t.Fatalf("SaveRoute(v1) = %v", err)
	}
	if err := s.SaveRoute(ctx, &store.CourierRoute{CourierID: "c1", Version: 1, Route: json.RawMessage(`{}`)}, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("SaveRoute(v1 again) = %v, want ErrConflict", err)
	}
	r2 := &store.CourierRoute{CourierID: "c1", Version: 2, Route: json.RawMessage(`{"stops": ["b"]}`)}
	if err := s.SaveRoute(ctx, r2, nil); err != nil {
		t.Fatalf("SaveRoute(v2) = %v", err)
	}
	got, err := s.Route(ctx, "c1")
	if err != nil || got.Version != 2 || !sameJSON(got.Route, r2.Route) {
		t.Errorf("Route(c1) = %+v, %v; want version 2 %s", got, err, r2.Route)
	}
}

// testRouteWithEvent checks that a route version and its event are stored
// together or not at all: a stale version stores neither.
func testRouteWithEvent(t *testing.T, s api.Store) {
	ctx := context.Background()
	if err := s.SaveRoute(ctx, &store.CourierRoute{CourierID: "c1", Version: 1, Route: json.RawMessage(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	e := &store.StopEvent{CourierID: "c1", Kind: "failed", StopID: "p1", Payload: json.RawMessage(`{"reason": "x"}`)}
	if err := s.SaveRoute(ctx, &store.CourierRoute{CourierID: "c1", Version: 2, Route: json.RawMessage(`{"v": 2}`)}, e); err != nil {
		t.Fatalf("SaveRoute(v2, event) = %v", err)
	}
	if e.Seq == 0 || e.CreatedAt.IsZero() {
		t.Errorf("SaveRoute left the event's Seq or CreatedAt zero: %+v", e)
	}
	stale := &store.StopEvent{CourierID: "c1", Kind: "delivered", StopID: "p2"}
	if err := s.SaveRoute(ctx, &store.CourierRoute{CourierID: "c1", Version: 2, Route: json.RawMessage(`{"v": "stale"}`)}, stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("SaveRoute(stale v2, event) = %v, want ErrConflict", err)
	}
	evs, err := s.Events(ctx, "c1")
	if err != nil || len(evs) != 1 || evs[0].StopID != "p1" {
		t.Errorf("Events(c1) = %d events, %v; want only the p1 event (the stale write stores no event)", len(evs), err)
	}
	if got, err := s.Route(ctx, "c1"); err != nil || !sameJSON(got.Route, json.RawMessage(`{"v": 2}`)) {
		t.Errorf("Route(c1) = %+v, %v; want version 2 unchanged", got, err)
	}
}

// testConcurrentRouteWriters races writers of the same next version: exactly
// one wins, the others get ErrConflict, and no write is lost silently.
func testConcurrentRouteWriters(t *testing.T, s api.Store) {
	ctx := context.Background()
	if err := s.SaveRoute(ctx, &store.CourierRoute{CourierID: "c9", Version: 1, Route: json.RawMessage(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			r := &store.CourierRoute{CourierID: "c9", Version: 2, Route: json.RawMessage(fmt.Sprintf(`{"w": %d}`, i))}
			errs[i] = s.SaveRoute(ctx, r, &store.StopEvent{CourierID: "c9", Kind: "delivered", StopID: fmt.Sprint("s", i)})
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won < 0:
			won = i
		case err == nil:
			t.Errorf("writers %d and %d both stored version 2", won, i)
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("writer %d: %v, want nil or ErrConflict", i, err)
		}
	}
	got, err := s.Route(ctx, "c9")
	if err != nil || won < 0 || !sameJSON(got.Route, json.RawMessage(fmt.Sprintf(`{"w": %d}`, won))) {
		t.Errorf("Route(c9) = %+v, %v; want writer %d's route", got, err, won)
	}
	if evs, err := s.Events(ctx, "c9"); err != nil || len(evs) != 1 || evs[0].StopID != fmt.Sprint("s", won) {
		t.Errorf("Events(c9) = %d, %v; want only the winner's event", len(evs), err)
	}
}

func testEvents(t *testing.T, s api.Store) {
	ctx := context.Background()
	for i, kind := range []string{"delivered", "failed", "order_added"} {
		e := &store.StopEvent{CourierID: "c1", Kind: kind, StopID: fmt.Sprint("s", i), Payload: json.RawMessage(`{"at": 3600}`)}
		r := &store.CourierRoute{CourierID: "c1", Version: int64(i + 1), Route: json.RawMessage(`{}`)}
		if err := s.SaveRoute(ctx, r, e); err != nil {
			t.Fatalf("SaveRoute(%s) = %v", kind, err)
		}
	}
	if err := s.SaveRoute(ctx, &store.CourierRoute{CourierID: "c2", Version: 1, Route: json.RawMessage(`{}`)},
		&store.StopEvent{CourierID: "c2", Kind: "delivered", StopID: "x"}); err != nil {
		t.Fatalf("SaveRoute(c2) = %v", err)
	}
	got, err := s.Events(ctx, "c1")
	if err != nil || len(got) != 3 {
		t.Fatalf("Events(c1) = %d events, %v; want 3", len(got), err)
	}
	for i, e := range got {
		if e.Kind != []string{"delivered", "failed", "order_added"}[i] || (i > 0 && e.Seq <= got[i-1].Seq) {
			t.Errorf("Events(c1)[%d] = %+v, out of order", i, e)
		}
	}
}

func testPlans(t *testing.T, s api.Store) {
	ctx := context.Background()
	p := &store.Plan{ID: "p1", Kind: "dispatch", Owner: "planner", Request: json.RawMessage(`{"a": 1}`), Result: json.RawMessage(`{"b": 2}`)}
	if err := s.CreatePlan(ctx, p); err != nil {
		t.Fatalf("CreatePlan = %v", err)
	}
	if err := s.CreatePlan(ctx, p); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreatePlan(duplicate) = %v, want ErrConflict", err)
	}
	got, err := s.Plan(ctx, "p1")
	if err != nil || got.Kind != "dispatch" || !sameJSON(got.Result, p.Result) || !sameJSON(got.Request, p.Request) {
		t.Errorf("Plan(p1) = %+v, %v", got, err)
	}
	if _, err := s.Plan(ctx, "p2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Plan(missing) = %v, want ErrNotFound", err)
	}
}

func ids(fs []*depots.Facility) []depots.ID {
	out := make([]depots.ID, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

// sameJSON compares two documents by value, since jsonb re-orders keys.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		t.Fatalf("marshal: %v %v", err1, err2)
	}
	return sameJSON(x, y)
}

// Purger is the retention capability the server calls periodically.
type Purger interface {
	Purge(ctx context.Context, r store.Retention) (store.Purged, error)
}

// testPurge: with a retention of one hour nothing recent goes; with one
// nanosecond finished jobs, results and plans go, unfinished jobs stay.
func testPurge(t *testing.T, s api.Store) {
	ctx := context.Background()
	p, ok := s.(Purger)
	if !ok {
		t.Fatalf("%T has no Purge", s)
	}
	for _, id := range []string{"done", "waiting"} {
		if err := s.CreateJob(ctx, &store.Job{ID: id, Status: store.JobQueued, Owner: "c1", Request: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StartJob(ctx, "done", 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishJob(ctx, "done", 1, store.Outcome{Status: store.JobSucceeded, Result: json.RawMessage(`{"x": 1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePlan(ctx, &store.Plan{ID: "p1", Kind: "urban", Owner: "planner"}); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Purge(ctx, store.Retention{Jobs: time.Hour, Results: time.Hour, Plans: time.Hour}); err != nil || n != (store.Purged{}) {
		t.Errorf("Purge(1 h) = %+v, %v; want nothing purged", n, err)
	}
	time.Sleep(2 * time.Millisecond)
	if n, err := p.Purge(ctx, store.Retention{Results: time.Nanosecond, Plans: time.Nanosecond}); err != nil || n.Results != 1 || n.Plans != 1 {
		t.Errorf("Purge(results, plans) = %+v, %v; want 1 result and 1 plan", n, err)
	}
	if j, err := s.Job(ctx, "done"); err != nil || j.Result != nil || j.Status != store.JobSucceeded {
		t.Errorf("after purging results, Job(done) = %+v, %v; want succeeded without a result", j, err)
	}
	if n, err := p.Purge(ctx, store.Retention{Jobs: time.Nanosecond}); err != nil || n.Jobs != 1 {
		t.Errorf("Purge(jobs) = %+v, %v; want 1 job", n, err)
	}
	if _, err := s.Job(ctx, "done"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Job(done) after purge = %v, want ErrNotFound", err)
	}
	if _, err := s.Job(ctx, "waiting"); err != nil {
		t.Errorf("Job(waiting) after purge = %v: an unfinished job must stay", err)
	}
}

// KeyStore is the key capability of the stores.
type KeyStore interface {
	CreateKey(ctx context.Context, k *store.APIKey) error
	Keys(ctx context.Context) ([]*store.APIKey, error)
	KeyByHash(ctx context.Context, hash string) (*store.APIKey, error)
	RevokeKey(ctx context.Context, id string) error
}

func testKeys(t *testing.T, s api.Store) {
	ctx := context.Background()
	ks, ok := s.(KeyStore)
	if !ok {
		t.Fatalf("%T keeps no keys", s)
	}
	a := &store.APIKey{ID: "key_a", Role: "planner", Label: "ops", Hash: store.HashSecret("secret-a")}
	b := &store.APIKey{ID: "key_b", Role: "courier", CourierID: "c1", Hash: store.HashSecret("secret-b")}
	for _, k := range []*store.APIKey{a, b} {
		if err := ks.CreateKey(ctx, k); err != nil {
			t.Fatalf("CreateKey(%s) = %v", k.ID, err)
		}
	}
	if err := ks.CreateKey(ctx, &store.APIKey{ID: "key_c", Role: "planner", Hash: a.Hash}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateKey(same secret) = %v, want ErrConflict", err)
	}
	got, err := ks.KeyByHash(ctx, store.HashSecret("secret-b"))
	if err != nil || got.ID != "key_b" || got.CourierID != "c1" || got.Role != "courier" {
		t.Errorf("KeyByHash(b) = %+v, %v", got, err)
	}
	if err := ks.RevokeKey(ctx, "key_b"); err != nil {
		t.Fatalf("RevokeKey = %v", err)
	}
	if _, err := ks.KeyByHash(ctx, store.HashSecret("secret-b")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyByHash(revoked) = %v, want ErrNotFound", err)
	}
	if err := ks.RevokeKey(ctx, "key_b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeKey(revoked) = %v, want ErrNotFound", err)
	}
	all, err := ks.Keys(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "key_a" || !all[0].RevokedAt.IsZero() || all[1].RevokedAt.IsZero() {
		t.Errorf("Keys() = %v; want key_a active and key_b revoked", err)
	}
	for _, k := range all {
		if strings.Contains(k.Hash, "secret") {
			t.Errorf("key %s stores its secret", k.ID)
		}
	}
}

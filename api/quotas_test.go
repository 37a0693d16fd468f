package api_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/store"
)

// TestQueuedQuota: a key with MaxQueuedPerKey unfinished jobs gets 429 with
// Retry-After for the next; another key is not affected.
func TestQueuedQuota(t *testing.T) {
	ts := startServer(t, api.Config{Solver: slowSolver{steps: 100, tick: 5 * time.Millisecond}, Workers: 1, MaxQueuedPerKey: 2})
	for i := range 2 {
		if r := ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)); r.Status != http.StatusAccepted {
			t.Fatalf("job %d = %d %s", i, r.Status, r.Body)
		}
	}
	r := ts.do("POST", "/v1/jobs", courierKey, smallProblem(3))
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("third job of one key = %d (Retry-After %q), want 429 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
	if r := ts.do("POST", "/v1/jobs", courier2Key, smallProblem(3)); r.Status != http.StatusAccepted {
		t.Errorf("another key's job = %d, want 202", r.Status)
	}
}

// TestRunningQuota: with MaxRunningPerKey 1 a key's second job waits while
// another key's job runs, although a worker is free for it.
func TestRunningQuota(t *testing.T) {
	jobStores(t, func(t *testing.T, open func() api.Store) {
		ts := startServer(t, api.Config{Store: open(), Solver: slowSolver{steps: 40, tick: 10 * time.Millisecond}, Workers: 2, MaxRunningPerKey: 1})
		var a1, a2, b1 api.JobDoc
		ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &a1)
		ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &a2)
		ts.do("POST", "/v1/jobs", courier2Key, smallProblem(3)).decode(t, &b1)
		deadline := time.Now().Add(10 * time.Second)
		for {
			var ja1, ja2, jb1 api.JobDoc
			ts.do("GET", "/v1/jobs/"+a1.ID, courierKey, nil).decode(t, &ja1)
			ts.do("GET", "/v1/jobs/"+a2.ID, courierKey, nil).decode(t, &ja2)
			ts.do("GET", "/v1/jobs/"+b1.ID, courier2Key, nil).decode(t, &jb1)
			if ja1.Status == store.JobRunning && ja2.Status == store.JobRunning {
				t.Fatal("both of one key's jobs run at once, over its quota of 1")
			}
			if jb1.Status == store.JobRunning && (ja1.Status == store.JobRunning || ja2.Status == store.JobRunning) {
				break // one of each key runs
			}
			if time.Now().After(deadline) {
				t.Fatalf("never one job of each key running: %s %s / %s", ja1.Status, ja2.Status, jb1.Status)
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, j := range []struct{ id, key string }{{a1.ID, courierKey}, {a2.ID, courierKey}, {b1.ID, courier2Key}} {
			if got := waitJob(t, ts, j.id, j.key); got.Status != store.JobSucceeded {
				t.Errorf("job %s = %s, want succeeded", j.id, got.Status)
			}
		}
	})
}

// TestStreamQuota: a key may hold MaxStreamsPerKey progress streams; the
// next gets 429 until one closes.
func TestStreamQuota(t *testing.T) {
	ts := startServer(t, api.Config{Solver: slowSolver{steps: 200, tick: 5 * time.Millisecond}, MaxStreamsPerKey: 1})
	var d api.JobDoc
	ts.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &d)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/jobs/"+d.ID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+courierKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first stream: %v %v", resp, err)
	}
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if r := ts.do("GET", "/v1/jobs/"+d.ID+"/events", courierKey, nil); r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("second stream = %d, want 429 with Retry-After", r.Status)
	}
	cancel()
	resp.Body.Close()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/jobs/"+d.ID+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+courierKey)
		resp, err := http.DefaultClient.Do(req)
		code := 0
		if err == nil {
			code = resp.StatusCode
			resp.Body.Close()
		}
		cancel()
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the first stream closed, a new one = %d %v, want 200", code, err)
		}
	}
}

// TestStreamPushedAcrossServers: a job run on server A streams its progress
// through server B, pushed by LISTEN/NOTIFY, and ends with "done".
func TestStreamPushedAcrossServers(t *testing.T) {
	jobStores(t, func(t *testing.T, open func() api.Store) {
		st := open()
		if _, ok := st.(*store.Postgres); !ok {
			t.Skip("one process per embedded store")
		}
		a := startServer(t, api.Config{Store: st, Solver: slowSolver{steps: 60, tick: 10 * time.Millisecond}})
		b := startServer(t, api.Config{Store: open(), Workers: -1, ProgressInterval: time.Hour}) // would poll hourly
		var d api.JobDoc
		a.do("POST", "/v1/jobs", courierKey, smallProblem(3)).decode(t, &d)
		r := b.do("GET", "/v1/jobs/"+d.ID+"/events", courierKey, nil) // reads until the stream ends
		progress := strings.Count(string(r.Body), "event: progress")
		if r.Status != 200 || progress < 3 || !strings.Contains(string(r.Body), "event: done") {
			t.Errorf("stream through B: %d, %d progress events, done: %v; want several pushed progress events and done",
				r.Status, progress, strings.Contains(string(r.Body), "event: done"))
		}
	})
}

package main

// Fault tests on a real PostgreSQL with real worker processes: this test
// binary re-executes itself as `lastmile worker` (see TestMain), so that a
// worker can be killed with SIGKILL or cut off from the database while the
// test process serves the API. They skip without LASTMILE_TEST_DATABASE_URL
// (CI sets it).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

// TestMain runs the command line instead of the tests when the binary is
// re-executed as a lastmile process by a fault test.
func TestMain(m *testing.M) {
	if os.Getenv("LASTMILE_TEST_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// workerProcess is `lastmile worker` in a child process.
type workerProcess struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
}

func startWorker(t *testing.T, dsn string, args ...string) *workerProcess {
	t.Helper()
	base := []string{"worker", "--database-url", dsn, "--json", "--progress-interval", "100ms", "--checkpoint-interval", "100ms",
		"--db-wait", "30s", "--shutdown-timeout", "2s"}
	cmd := exec.Command(os.Args[0], append(base, args...)...)
	cmd.Env = append(os.Environ(), "LASTMILE_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &workerProcess{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(w.done) }()
	started := make(chan bool, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		started <- err == nil && strings.Contains(line, `"workers"`)
	}()
	select {
	case ok := <-started:
		if !ok {
			w.kill()
			t.Fatalf("worker did not start:\n%s", w.stderr.String())
		}
	case <-time.After(60 * time.Second):
		w.kill()
		t.Fatalf("worker did not start in time:\n%s", w.stderr.String())
	}
	t.Cleanup(func() {
		w.stop()
		if t.Failed() {
			t.Logf("worker %d log:\n%s", cmd.Process.Pid, tail(w.stderr.String(), 30))
		}
	})
	return w
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// kill ends the worker with SIGKILL: no shutdown, no last save.
func (w *workerProcess) kill() {
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	<-w.done
}

// stop ends the worker as an operator would, with SIGTERM.
func (w *workerProcess) stop() {
	select {
	case <-w.done:
		return
	default:
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(15 * time.Second):
		w.kill()
	}
}

// apiServer is the API, in this process, on the database at dsn, running
// no jobs.
type apiServer struct {
	url string
	db  *store.Postgres
}

const faultKey = "courier-fault-key"

func startAPI(t *testing.T, dsn string) *apiServer {
	t.Helper()
	db, err := store.OpenPostgres(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Store: db, Workers: -1, Keys: []api.Key{{Role: api.RolePlanner, Secret: faultKey}},
		RateLimit: -1, MaxQueuedPerKey: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := srv.HTTPServer(ln.Addr().String())
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		_ = srv.Shutdown(ctx)
		db.Close()
	})
	return &apiServer{url: "http://" + ln.Addr().String(), db: db}
}

type faultJob struct {
	ID        string          `json:"id"`
	Status    store.JobStatus `json:"status"`
	Attempts  int             `json:"attempts"`
	ResumedAt int             `json:"resumed_at_iteration"`
	Note      string          `json:"note"`
	Error     string          `json:"error"`
	Progress  struct {
		Iteration      int     `json:"iteration"`
		ElapsedSeconds float64 `json:"elapsed_seconds"`
	} `json:"progress"`
	Result json.RawMessage `json:"result"`
}

func (a *apiServer) call(method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+faultKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, err = bufio.NewReader(resp.Body).WriteTo(&b)
	return resp.StatusCode, []byte(b.String()), err
}

func (a *apiServer) submit(t *testing.T, body string) (faultJob, int) {
	t.Helper()
	code, b, err := a.call("POST", "/v1/jobs", body)
	var j faultJob
	if err == nil && code == http.StatusAccepted {
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatalf("submit: %s", b)
		}
	}
	return j, code
}

func (a *apiServer) job(t *testing.T, id string) faultJob {
	t.Helper()
	for range 50 {
		code, b, err := a.call("GET", "/v1/jobs/"+id, "")
		if err == nil && code == 200 {
			var j faultJob
			if err := json.Unmarshal(b, &j); err != nil {
				t.Fatalf("job %s: %s", id, b)
			}
			return j
		}
		time.Sleep(100 * time.Millisecond) // a 503 while the database is away
	}
	t.Fatalf("job %s unreadable", id)
	return faultJob{}
}

// waitFinal waits until job id is final, or fails at the deadline.
func (a *apiServer) waitFinal(t *testing.T, id string, within time.Duration) faultJob {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j := a.job(t, id)
		if j.Status.Final() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after %v", id, j.Status, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// faultProblem is a routing problem of n stops that the solver works on
// for the whole time limit (no iteration limit, effort 5: no early stop).
func faultProblem(n int, limit time.Duration) string {
	var jobs []string
	for i := range n {
		jobs = append(jobs, fmt.Sprintf(`{"id":"s%d","location":[%.4f,%.4f],"delivery":[1],"service":60}`,
			i, 106.45+0.0043*float64(i%23), 29.50+0.011*float64(i/23)))
	}
	return `{"vehicles":[{"id":"v1","start":[106.55,29.56],"end":[106.55,29.56],"capacity":[40]},
		{"id":"v2","start":[106.55,29.56],"end":[106.55,29.56],"capacity":[40]}],
		"jobs":[` + strings.Join(jobs, ",") + fmt.Sprintf(`],"options":{"time_limit_ms":%d,"seed":3,"effort":5}}`, limit.Milliseconds())
}

// TestFaultWorkerKilled: a worker killed with SIGKILL mid-job has its job
// finished by another worker, resumed from its checkpoint.
func TestFaultWorkerKilled(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a := startAPI(t, dsn)
	first := startWorker(t, dsn, "--workers", "1", "--stale-after", "2s")
	j, code := a.submit(t, faultProblem(60, 5*time.Second))
	if code != http.StatusAccepted {
		t.Fatalf("submit = %d", code)
	}
	// Wait for the first worker to run it and checkpoint a solution found
	// after the start.
	deadline := time.Now().Add(20 * time.Second)
	var saved *store.Job
	for saved == nil {
		sj, err := a.db.Job(context.Background(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sj.Status == store.JobRunning && sj.CheckpointIteration > 0 {
			saved = sj
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint while running: %s", sj.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	startWorker(t, dsn, "--workers", "1", "--stale-after", "2s")
	first.kill()
	killedAt := time.Now()

	got := a.waitFinal(t, j.ID, 30*time.Second)
	sj, _ := a.db.Job(context.Background(), j.ID)
	if got.Status != store.JobSucceeded || got.Attempts != 2 || len(got.Result) == 0 {
		t.Fatalf("after SIGKILL: %s in %d attempts (%q), want succeeded in 2", got.Status, got.Attempts, got.Error)
	}
	if got.ResumedAt < saved.CheckpointIteration || got.ResumedAt == 0 || got.Note != fmt.Sprintf("resumed at iteration %d", got.ResumedAt) {
		t.Errorf("resumed at iteration %d (%q), want from the checkpoint at ≥ %d", got.ResumedAt, got.Note, saved.CheckpointIteration)
	}
	if got.Progress.Iteration < got.ResumedAt {
		t.Errorf("final iteration %d is before the resume point %d", got.Progress.Iteration, got.ResumedAt)
	}
	t.Logf("killed at iteration ≥ %d; finished by the second worker %v later, resumed at %d, %d attempts, heartbeat %v",
		saved.CheckpointIteration, time.Since(killedAt).Round(time.Millisecond), got.ResumedAt, got.Attempts, sj.HeartbeatAt)
}

// TestFaultCancelThroughAnotherProcess: a job running in a worker process
// and cancelled through the API (another process) stays cancelled.
func TestFaultCancelThroughAnotherProcess(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a := startAPI(t, dsn)
	startWorker(t, dsn, "--workers", "1")
	j, _ := a.submit(t, faultProblem(60, 4*time.Second))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if a.job(t, j.ID).Status == store.JobRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never ran")
		}
	}
	if code, b, err := a.call("POST", "/v1/jobs/"+j.ID+"/cancel", ""); err != nil || code != http.StatusAccepted {
		t.Fatalf("cancel = %d %s %v", code, b, err)
	}
	time.Sleep(5 * time.Second) // past the job's time limit: a run that went on would have finished
	got := a.job(t, j.ID)
	if got.Status != store.JobCancelled {
		t.Errorf("after a cancel through the API process, the job is %s, want cancelled", got.Status)
	}
	if code, _, _ := a.call("POST", "/v1/jobs/"+j.ID+"/cancel", ""); code != http.StatusConflict {
		t.Errorf("cancelling again = %d, want 409", code)
	}
}

// TestFaultDatabaseCut: the database is cut off for 10 s, through a TCP
// proxy, from the API and two worker processes while jobs are submitted
// and run. Afterwards every accepted job has exactly one outcome, and none
// stays queued or running.
func TestFaultDatabaseCut(t *testing.T) {
	proxy, dsn := storetest.NewProxy(t, storetest.PostgresDSN(t))
	a := startAPI(t, dsn)
	for range 2 {
		startWorker(t, dsn, "--workers", "2")
	}
	var (
		mu       sync.Mutex
		accepted []string
		refused  int
	)
	submit := func(limit time.Duration) {
		j, code := a.submit(t, faultProblem(25, limit))
		mu.Lock()
		defer mu.Unlock()
		switch code {
		case http.StatusAccepted:
			accepted = append(accepted, j.ID)
		case http.StatusServiceUnavailable:
			refused++
		default:
			t.Errorf("submit = %d, want 202 or 503", code)
		}
	}
	for range 8 {
		submit(1500 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // some run, some wait
	proxy.Cut()
	cutAt := time.Now()
	for time.Since(cutAt) < 10*time.Second { // load while it is down: all refused
		submit(time.Second)
		if code, _, err := a.call("GET", "/readyz", ""); err == nil && code != http.StatusServiceUnavailable {
			t.Errorf("readyz during the cut = %d, want 503", code)
		}
		time.Sleep(500 * time.Millisecond)
	}
	proxy.Restore()
	for range 4 {
		submit(time.Second)
	}
	for _, id := range accepted {
		j := a.waitFinal(t, id, 60*time.Second)
		if j.Status != store.JobSucceeded {
			t.Errorf("job %s after the cut: %s %q, want succeeded", id, j.Status, j.Error)
		}
	}
	counts, err := a.db.CountJobs(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	// A submission whose commit reached the database just as the cut fell
	// is stored although its client saw 503; it must run all the same.
	if counts[store.JobQueued]+counts[store.JobRunning] != 0 || counts[store.JobSucceeded] < len(accepted) ||
		counts[store.JobFailed]+counts[store.JobCancelled] != 0 {
		t.Errorf("jobs by status after the cut: %v; want all %d accepted succeeded, none queued, running or failed", counts, len(accepted))
	}
	if refused == 0 {
		t.Error("no submission was refused during the cut: the proxy did not cut")
	}
	t.Logf("%d jobs accepted and finished, %d refused with 503 during the 10 s cut", len(accepted), refused)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/storetest"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeDemo starts `lastmile serve` in demo mode, reads the printed
// planner key, lists the seeded facilities and stops it as SIGTERM would.
func TestServeDemo(t *testing.T) {
	t.Setenv("LASTMILE_API_KEYS", "")
	t.Setenv("DATABASE_URL", "")
	t.Setenv("LASTMILE_DATA", t.TempDir())
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &Env{Stdout: &bytes.Buffer{}, Stderr: &stderr}, []string{"--addr", "127.0.0.1:0"})
	}()
	addrRe := regexp.MustCompile(`"addr":"(127\.0\.0\.1:\d+)"`)
	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("server did not start:\n%s", stderr.String())
	}
	out := stderr.String()
	if !strings.Contains(out, "embedded SQLite") || !strings.Contains(out, "lastmile.db") {
		t.Errorf("log does not name the embedded store's file:\n%s", out)
	}
	key := regexp.MustCompile(`Bearer (demo-planner-[0-9a-f]+)`).FindStringSubmatch(out)
	if key == nil {
		t.Fatalf("no demo planner key printed:\n%s", out)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/facilities?kind=cloud_warehouse", nil)
	req.Header.Set("Authorization", "Bearer "+key[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Facilities []json.RawMessage `json:"facilities"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(body.Facilities) == 0 {
		t.Errorf("GET facilities = %d, %d facilities, %v; want the seeded cloud warehouses", resp.StatusCode, len(body.Facilities), err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--api-key", "admin:secretsecret"},
		{"--api-key", "planner:short"},
		{"--addr", "nonsense"},
		{"--log-format", "xml"},
	} {
		err := runServe(context.Background(), &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}, append([]string{"--data", t.TempDir()}, args...))
		if err == nil {
			t.Errorf("serve %v = nil, want a usage error", args)
		}
	}
}

// serveProcess is `lastmile serve` running in this test until stop.
type serveProcess struct {
	addr, plannerKey string
	stop             func()
}

func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	if os.Getenv("LASTMILE_DATA") == "" { // never the working directory's ./lastmile-data
		args = append([]string{"--data", t.TempDir()}, args...)
	}
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &Env{Stdout: &bytes.Buffer{}, Stderr: &stderr}, append([]string{"--addr", "127.0.0.1:0"}, args...))
	}()
	addrRe := regexp.MustCompile(`"addr":"(127\.0\.0\.1:\d+)"`)
	p := &serveProcess{}
	for deadline := time.Now().Add(20 * time.Second); p.addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(stderr.String()); m != nil {
			p.addr = m[1]
		}
	}
	if p.addr == "" {
		cancel()
		t.Fatalf("server did not start:\n%s", stderr.String())
	}
	if m := regexp.MustCompile(`Bearer (demo-planner-[0-9a-f]+)`).FindStringSubmatch(stderr.String()); m != nil {
		p.plannerKey = m[1]
	}
	stopped := false
	p.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
	}
	t.Cleanup(p.stop)
	return p
}

func (p *serveProcess) call(t *testing.T, method, path, key string, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+p.addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestServeKeepsJobsAcrossRestart: `lastmile serve` with no store flags
// keeps an accepted job across a restart, in its data directory: stopped
// mid-run, the job is finished by the next server.
func TestServeKeepsJobsAcrossRestart(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("LASTMILE_DATA", t.TempDir())
	key := "planner:restart-test-key"
	first := startServe(t, "--api-key", key, "--shutdown-timeout", "50ms")
	var jobs []string
	for i := range 60 {
		jobs = append(jobs, fmt.Sprintf(`{"id":"j%d","location":[%.3f,%.3f],"delivery":[1]}`, i, 106.45+0.004*float64(i%25), 29.50+0.01*float64(i/25)))
	}
	problem := `{"vehicles":[{"id":"v1","start":[106.55,29.56],"capacity":[40]},{"id":"v2","start":[106.55,29.56],"capacity":[40]}],
		"jobs":[` + strings.Join(jobs, ",") + `], "options":{"time_limit_ms":2500,"seed":1}}`
	code, body := first.call(t, "POST", "/v1/jobs", "restart-test-key", problem)
	var job struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
		Result   json.RawMessage
	}
	if err := json.Unmarshal(body, &job); err != nil || code != 202 {
		t.Fatalf("POST /v1/jobs = %d %s", code, body)
	}
	for deadline := time.Now().Add(10 * time.Second); job.Status != "running" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_, body = first.call(t, "GET", "/v1/jobs/"+job.ID, "restart-test-key", "")
		_ = json.Unmarshal(body, &job)
	}
	first.stop()

	second := startServe(t, "--api-key", key)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		code, body = second.call(t, "GET", "/v1/jobs/"+job.ID, "restart-test-key", "")
		if err := json.Unmarshal(body, &job); err != nil || code != 200 {
			t.Fatalf("GET the job after a restart = %d %s; want it kept", code, body)
		}
		if job.Status == "succeeded" || time.Now().After(deadline) {
			break
		}
	}
	if job.Status != "succeeded" || len(job.Result) == 0 || job.Attempts != 2 {
		t.Errorf("job after a restart: %s after %d attempts, want succeeded with a result in the second", job.Status, job.Attempts)
	}
}

// TestServeDemoKeysPersist: demo keys printed at the first start keep
// working after a restart (they are stored hashed), and no new ones are
// made; `lastmile keys` adds, lists and revokes stored keys.
func TestServeDemoKeysPersist(t *testing.T) {
	t.Setenv("LASTMILE_API_KEYS", "")
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	t.Setenv("LASTMILE_DATA", dir)
	first := startServe(t)
	if first.plannerKey == "" {
		t.Fatal("no demo planner key printed at the first start")
	}
	first.stop()
	second := startServe(t)
	if second.plannerKey != "" {
		t.Errorf("new demo keys printed at the second start")
	}
	if code, body := second.call(t, "GET", "/v1/facilities?kind=cloud_warehouse", first.plannerKey, ""); code != 200 {
		t.Errorf("the first start's demo key after a restart = %d %s, want 200", code, body)
	}
	second.stop()

	var out bytes.Buffer
	if code := Run(context.Background(), &Env{Stdout: &out, Stderr: &bytes.Buffer{}}, []string{"keys", "add", "--role", "planner", "--label", "ops", "--json"}); code != 0 {
		t.Fatalf("keys add exit %d", code)
	}
	var added struct{ ID, Key string }
	if err := json.Unmarshal(out.Bytes(), &added); err != nil || added.Key == "" {
		t.Fatalf("keys add --json = %s", out.String())
	}
	raw, err := os.ReadFile(filepath.Join(dir, "lastmile.db"))
	if err != nil || bytes.Contains(raw, []byte(added.Key)) || bytes.Contains(raw, []byte(first.plannerKey)) {
		t.Errorf("the database file holds a secret in clear (read error %v)", err)
	}
	third := startServe(t)
	if code, _ := third.call(t, "GET", "/v1/facilities", added.Key, ""); code != 200 {
		t.Errorf("a key from keys add = %d, want 200", code)
	}
	third.stop()
	if code := Run(context.Background(), &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}, []string{"keys", "revoke", added.ID}); code != 0 {
		t.Fatalf("keys revoke exit %d", code)
	}
	out.Reset()
	Run(context.Background(), &Env{Stdout: &out, Stderr: &bytes.Buffer{}}, []string{"keys", "list"})
	if !strings.Contains(out.String(), added.ID) || !strings.Contains(out.String(), "revoked") || strings.Count(out.String(), "active") != 4 {
		t.Errorf("keys list:\n%s\nwant the revoked key and 4 active demo keys", out.String())
	}
	fourth := startServe(t)
	if code, _ := fourth.call(t, "GET", "/v1/facilities", added.Key, ""); code != 401 {
		t.Errorf("a revoked key = %d, want 401", code)
	}
}

// TestImportCommand: a bad file imports nothing and names the line and
// field; a good one is stored and served.
func TestImportCommand(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	t.Setenv("LASTMILE_DATA", dir)
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("id,kind,lon,lat\nA,locker,106.5,29.5\nB,locker,106.5,929.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	if code := Run(context.Background(), &Env{Stdout: &bytes.Buffer{}, Stderr: &errOut}, []string{"import", "facilities", bad}); code == 0 ||
		!strings.Contains(errOut.String(), "line 3: lat") {
		t.Errorf("import of a bad file: exit %d, stderr %q; want a failure naming line 3: lat", code, errOut.String())
	}
	if code := Run(context.Background(), &Env{Stdout: &bytes.Buffer{}, Stderr: &errOut}, []string{"import", "facilities", filepath.Join("testdata", "import_facilities.csv")}); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut.String())
	}
	p := startServe(t, "--api-key", "planner:import-test-key")
	code, body := p.call(t, "GET", "/v1/facilities?kind=locker", "import-test-key", "")
	if code != 200 || !strings.Contains(string(body), `"L1"`) || strings.Contains(string(body), `"A"`) {
		t.Errorf("lockers after the imports = %d %s; want L1 only (the bad file stored nothing)", code, body)
	}
}

// TestServeSeedsPostgres: --seed-fixture seeds an empty PostgreSQL store.
func TestServeSeedsPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	p := startServe(t, "--database-url", dsn, "--seed-fixture", "--api-key", "planner:seed-test-key")
	code, body := p.call(t, "GET", "/v1/facilities?kind=cloud_warehouse", "seed-test-key", "")
	if code != 200 || !strings.Contains(string(body), "cloud_warehouse") {
		t.Errorf("cloud warehouses after --seed-fixture on PostgreSQL = %d %.200s", code, body)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
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
	if !strings.Contains(out, "NOT persisted") {
		t.Errorf("log does not say data is not persisted:\n%s", out)
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
		err := runServe(context.Background(), &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}, args)
		if err == nil {
			t.Errorf("serve %v = nil, want a usage error", args)
		}
	}
}

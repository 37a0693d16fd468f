package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
)

// Each bomb asks for gigabytes if the server allocated before checking
// sizes. It must be refused with a 4xx naming the budget, while the heap
// grows by less than 64 MB.
func TestSizeBombsRefusedBeforeAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds several megabyte-sized bodies")
	}
	ts := startServer(t, api.Config{MaxBodyBytes: 16 << 20})
	for _, b := range []struct {
		name, path string
		body       []byte
	}{
		{"200,000 empty matrix rows", "/v1/optimize", emptyRowsMatrix(200_000, `"matrix":{"durations":`, `},"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}]`)},
		{"200,000 empty matrix rows, as a job", "/v1/jobs", emptyRowsMatrix(200_000, `"matrix":{"durations":`, `},"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}]`)},
		{"VROOM matrix of 200,000 empty rows", "/v1/vroom", emptyRowsMatrix(200_000, `"matrix":`, `,"vehicles":[{"id":1,"start_index":0}],"jobs":[{"id":1,"location_index":1}]`)},
		{"100,000 inline jobs", "/v1/optimize", inlineJobs(100_000)},
		{"100,000 inline jobs, as a job", "/v1/jobs", inlineJobs(100_000)},
		{"100,000 vehicles with inline starts", "/v1/jobs", inlineVehicles(100_000)},
		{"64 speed profiles on 2,000 locations", "/v1/jobs", speedProfiles(64, 2000)},
		{"40,000 jobs times 40,000 vehicles", "/v1/jobs", tasksTimesVehicles(40_000, 40_000)},
	} {
		t.Run(b.name, func(t *testing.T) {
			grown, status, body := peakHeapDuring(t, func() (int, []byte) {
				r := ts.do("POST", b.path, courierKey, b.body)
				return r.Status, r.Body
			})
			if status < 400 || status >= 500 {
				t.Fatalf("status %d, want a 4xx; body %.300s", status, body)
			}
			if !bytes.Contains(body, []byte("limit")) && !bytes.Contains(body, []byte("columns, want")) {
				t.Errorf("the problem does not name the limit: %.300s", body)
			}
			if grown > 64<<20 {
				t.Errorf("heap grew by %d MB while handling a %d-byte body, want < 64 MB", grown>>20, len(b.body))
			}
			t.Logf("status %d, heap +%d MB, body %d KB", status, grown>>20, len(b.body)>>10)
		})
	}
}

// peakHeapDuring runs fn and returns how far the live heap rose above its
// level before fn, sampled every millisecond.
func peakHeapDuring(t *testing.T, fn func() (int, []byte)) (grown uint64, status int, body []byte) {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	status, body = fn()
	close(done)
	if p := peak.Load(); p > base {
		grown = p - base
	}
	return grown, status, body
}

func emptyRowsMatrix(rows int, before, after string) []byte {
	var b bytes.Buffer
	b.WriteString("{" + before + "[")
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("[]")
	}
	b.WriteString("]" + after + "}")
	return b.Bytes()
}

func inlineJobs(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"vehicles":[{"id":"v","start":[106.5,29.5]}],"jobs":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"j%d","location":[106.%d,29.5]}`, i, i%1000)
	}
	b.WriteString("]}")
	return b.Bytes()
}

func inlineVehicles(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"vehicles":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"v%d","start":[106.%d,29.5]}`, i, i%1000)
	}
	b.WriteString(`],"jobs":[{"id":"a","location":[106.5,29.5]}]}`)
	return b.Bytes()
}

func speedProfiles(profiles, locations int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"locations":[`)
	for i := range locations {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `[106.%03d,29.%03d]`, i%1000, i/1000)
	}
	b.WriteString(`],"vehicles":[`)
	for i := range profiles {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"v%d","start":0,"speed_factor":%g}`, i, 1+float64(i+1)/100)
	}
	b.WriteString(`],"jobs":[{"id":"a","location":1}]}`)
	return b.Bytes()
}

func tasksTimesVehicles(tasks, vehicles int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"matrix":{"durations":[[0,1],[1,0]]},"vehicles":[`)
	b.WriteString(strings.TrimSuffix(strings.Repeat(`{"id":"v","start":0},`, 1), ","))
	for i := 1; i < vehicles; i++ {
		fmt.Fprintf(&b, `,{"id":"v%d","start":0}`, i)
	}
	b.WriteString(`],"jobs":[`)
	for i := range tasks {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"j%d","location":1}`, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

var _ = http.StatusOK

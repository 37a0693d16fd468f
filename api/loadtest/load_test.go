//go:build loadtest

package loadtest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

var (
	duration    = flag.Duration("load.duration", 20*time.Second, "how long to attack")
	concurrency = flag.Int("load.concurrency", 50, "concurrent requests (vegeta workers)")
	stops       = flag.Int("load.stops", 50, "stops in the optimise request")
	target      = flag.String("load.target", "", "base URL of a running server on loopback; empty starts one in-process")
	key         = flag.String("load.key", "", "bearer key for -load.target")
)

// request is a Chongqing problem with n deliveries for three vans and a
// 1 s time limit.
func request(n int) []byte {
	jobs := make([]map[string]any, n)
	for i := range jobs {
		jobs[i] = map[string]any{"id": fmt.Sprintf("s%02d", i+1),
			"location": []float64{106.48 + 0.012*float64(i%10), 29.50 + 0.01*float64(i/10)},
			"delivery": []int{1}, "service": 90, "time_windows": [][]int{{28800, 64800}}}
	}
	vans := make([]map[string]any, 3)
	for i := range vans {
		vans[i] = map[string]any{"id": fmt.Sprintf("van-%d", i+1), "start": []float64{106.55, 29.56}, "end": []float64{106.55, 29.56},
			"capacity": []int{n/3 + 2}, "shift": []int{28800, 72000}, "costs": map[string]any{"fixed": 50, "per_km": 2, "per_hour": 30}}
	}
	b, _ := json.Marshal(map[string]any{"vehicles": vans, "jobs": jobs, "options": map[string]any{"time_limit_ms": 1000, "seed": 1}})
	return b
}

func TestLoadOptimize(t *testing.T) {
	base, bearer := *target, *key
	var srv *api.Server
	if base == "" {
		bearer = "load-test-key-1"
		var err error
		srv, err = api.New(api.Config{Store: store.NewMemory(), RateLimit: -1, MaxSolveTime: 2 * time.Second,
			Keys: []api.Key{{Role: api.RolePlanner, Secret: bearer}}})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		hs := srv.HTTPServer(ln.Addr().String())
		go func() { _ = hs.Serve(ln) }()
		defer hs.Shutdown(context.Background())
		base = "http://" + ln.Addr().String()
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		t.Fatalf("-load.target %q: only loopback addresses may be attacked", base)
	}
	body := request(*stops)
	tg := vegeta.NewStaticTargeter(vegeta.Target{Method: "POST", URL: base + "/v1/optimize", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + bearer}}})
	att := vegeta.NewAttacker(vegeta.Workers(uint64(*concurrency)), vegeta.MaxWorkers(uint64(*concurrency)),
		vegeta.Timeout(30*time.Second), vegeta.KeepAlive(true))
	var m vegeta.Metrics
	for res := range att.Attack(tg, vegeta.Rate{Freq: 0}, *duration, "optimize") { // Freq 0: as fast as the workers go
		m.Add(res)
	}
	m.Close()
	t.Logf("POST /v1/optimize, %d stops, 1 s limit, concurrency %d, %s: %d requests, %.2f req/s (throughput %.2f/s), success %.1f%%",
		*stops, *concurrency, *duration, m.Requests, m.Rate, m.Throughput, 100*m.Success)
	t.Logf("latency p50 %s  p90 %s  p99 %s  max %s  status codes %v",
		m.Latencies.P50.Round(time.Millisecond), m.Latencies.P90.Round(time.Millisecond),
		m.Latencies.P99.Round(time.Millisecond), m.Latencies.Max.Round(time.Millisecond), m.StatusCodes)
	if len(m.Errors) > 0 {
		t.Logf("errors: %v", m.Errors)
	}
	if srv != nil { // where the time goes: solver wall time versus HTTP latency
		var dm dto.Metric
		if h, ok := srv.Metrics().SolveDuration.WithLabelValues("optimize").(prometheus.Metric); ok && h.Write(&dm) == nil {
			hs := dm.GetHistogram()
			t.Logf("server: %d solves, mean solve wall time %.2fs", hs.GetSampleCount(), hs.GetSampleSum()/float64(max(1, hs.GetSampleCount())))
		}
	}
	if m.Success < 0.99 {
		t.Errorf("success ratio %.3f, want at least 0.99", m.Success)
	}
}

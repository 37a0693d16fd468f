package osrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
)

// fakeOSRM answers /table/v1/{profile}/{coords} in OSRM's documented shape
// (http://project-osrm.org/docs/v5.24.0/api/#table-service): duration =
// 0.1 s per metre of great-circle distance, distance = 1.3 × great circle.
// It rejects requests naming more than maxLoc coordinates as OSRM does
// (HTTP 400, code "TooBig"), and returns null for a destination at
// [0, 0] to simulate an unroutable point.
type fakeOSRM struct {
	maxLoc   int
	requests atomic.Int64
}

func (f *fakeOSRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	fail := func(status int, code, msg string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "table" || parts[1] != "v1" || parts[2] != "driving" {
		fail(400, "InvalidUrl", "URL string malformed close to position 1")
		return
	}
	if r.URL.Query().Get("annotations") != "duration,distance" {
		fail(400, "InvalidOptions", "want annotations")
		return
	}
	var pts []orb.Point
	for _, c := range strings.Split(parts[3], ";") {
		lon, lat, ok := strings.Cut(c, ",")
		x, err1 := strconv.ParseFloat(lon, 64)
		y, err2 := strconv.ParseFloat(lat, 64)
		if !ok || err1 != nil || err2 != nil {
			fail(400, "InvalidQuery", "bad coordinate "+c)
			return
		}
		pts = append(pts, orb.Point{x, y})
	}
	if len(pts) > f.maxLoc {
		fail(400, "TooBig", "Too many table coordinates")
		return
	}
	idx := func(key string) []int {
		s := r.URL.Query().Get(key)
		if s == "" {
			out := make([]int, len(pts))
			for i := range out {
				out[i] = i
			}
			return out
		}
		var out []int
		for _, p := range strings.Split(s, ";") {
			i, _ := strconv.Atoi(p)
			out = append(out, i)
		}
		return out
	}
	src, dst := idx("sources"), idx("destinations")
	dur := make([][]*float64, len(src))
	dist := make([][]*float64, len(src))
	for i, s := range src {
		dur[i] = make([]*float64, len(dst))
		dist[i] = make([]*float64, len(dst))
		for j, d := range dst {
			if pts[d] == (orb.Point{0, 0}) {
				continue // null: no route
			}
			gc := geo.HaversineMeters(pts[s], pts[d])
			du, di := gc*0.1, gc*1.3
			dur[i][j], dist[i][j] = &du, &di
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code": "Ok", "durations": dur, "distances": dist,
		"sources": []any{}, "destinations": []any{},
	})
}

func testPoints(n int) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		// A deterministic scatter over central Chongqing.
		pts[i] = orb.Point{106.3 + float64(i*37%101)/200, 29.4 + float64(i*53%97)/200}
	}
	return pts
}

func TestMatrixChunking(t *testing.T) {
	fake := &fakeOSRM{maxLoc: 10}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	for _, tc := range []struct {
		name     string
		n        int
		maxLoc   int
		requests int64
	}{
		{"empty", 0, 10, 0},
		{"one request", 7, 10, 1},
		{"exactly max", 10, 10, 1},
		{"chunked", 23, 10, 25}, // blocks of 5: ⌈23/5⌉² = 25
		{"chunked odd max", 12, 3, 144},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.requests.Store(0)
			c := &Client{BaseURL: srv.URL, MaxLocations: tc.maxLoc, Parallel: 3}
			pts := testPoints(tc.n)
			m, err := c.Matrix(context.Background(), pts)
			if err != nil {
				t.Fatalf("Matrix(%d points) error: %v", tc.n, err)
			}
			if got := fake.requests.Load(); got != tc.requests {
				t.Errorf("requests = %d, want %d", got, tc.requests)
			}
			if m.N != tc.n {
				t.Fatalf("N = %d, want %d", m.N, tc.n)
			}
			for i := range tc.n {
				for j := range tc.n {
					gc := geo.HaversineMeters(pts[i], pts[j])
					if want := int32(math.Round(gc * 0.1)); m.Seconds[i*tc.n+j] != want {
						t.Fatalf("seconds[%d][%d] = %d, want %d", i, j, m.Seconds[i*tc.n+j], want)
					}
					if want := int32(math.Round(gc * 1.3)); m.Meters[i*tc.n+j] != want {
						t.Fatalf("meters[%d][%d] = %d, want %d", i, j, m.Meters[i*tc.n+j], want)
					}
				}
			}
		})
	}
}

func TestMatrixErrors(t *testing.T) {
	fake := &fakeOSRM{maxLoc: 100}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	closed := httptest.NewServer(fake)
	closedURL := closed.URL
	closed.Close() // nothing listens there now

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>502 bad gateway</html>")
	}))
	defer garbage.Close()

	pts := testPoints(4)
	for _, tc := range []struct {
		name   string
		client *Client
		points []orb.Point
		want   error
	}{
		{"unreachable host", &Client{BaseURL: closedURL}, pts, ErrUnreachable},
		{"timeout", &Client{BaseURL: slow.URL, Timeout: 50 * time.Millisecond}, pts, ErrUnreachable},
		{"too big for server", &Client{BaseURL: srv.URL, MaxLocations: 200}, testPoints(150), ErrService},
		{"no route", &Client{BaseURL: srv.URL}, append(testPoints(3), orb.Point{0, 0}), ErrNoRoute},
		{"not json", &Client{BaseURL: garbage.URL}, pts, ErrResponse},
		{"bad base URL", &Client{BaseURL: "localhost:5000"}, pts, ErrConfig},
		{"max locations 1", &Client{BaseURL: srv.URL, MaxLocations: 1}, pts, ErrConfig},
		{"NaN point", &Client{BaseURL: srv.URL}, []orb.Point{{math.NaN(), 29}}, geo.ErrInvalidPoint},
		{"latitude out of range", &Client{BaseURL: srv.URL}, []orb.Point{{106, 95}}, geo.ErrInvalidPoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.client.Matrix(context.Background(), tc.points)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Matrix() = %v, %v; want error %v", m, err, tc.want)
			}
			if m != nil {
				t.Errorf("Matrix() returned a matrix with error %v", err)
			}
			t.Logf("%v", err)
		})
	}
}

func TestMatrixCanceled(t *testing.T) {
	srv := httptest.NewServer(&fakeOSRM{maxLoc: 100})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Client{BaseURL: srv.URL}).Matrix(ctx, testPoints(3))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Matrix(canceled ctx) error = %v, want context.Canceled", err)
	}
}

func TestRequestURL(t *testing.T) {
	c := &Client{BaseURL: "http://osrm.local:5000/api/", Profile: "car"}
	base, err := c.base()
	if err != nil {
		t.Fatal(err)
	}
	pts := []orb.Point{{106.5, 29.5}, {106.25, 29.75}, {107, 30}}
	got := c.requestURL(base, pts, task{0, 1, 1, 3})
	want := "http://osrm.local:5000/api/table/v1/car/106.5,29.5;106.25,29.75;107,30?annotations=duration%2Cdistance&destinations=1%3B2&sources=0"
	if got != want {
		t.Errorf("requestURL = %s\nwant %s", got, want)
	}
}

func FuzzDecodeTable(f *testing.F) {
	f.Add([]byte(`{"code":"Ok","durations":[[0,1.5],[2,0]],"distances":[[0,10],[12.4,0]]}`), 2, 2)
	f.Add([]byte(`{"code":"Ok","durations":[[null]],"distances":[[1]]}`), 1, 1)
	f.Add([]byte(`{"code":"TooBig","message":"Too many table coordinates"}`), 3, 3)
	f.Add([]byte(`{"code":"Ok","durations":[[1e300]],"distances":[[-1]]}`), 1, 1)
	f.Add([]byte(`[]`), 0, 0)
	f.Fuzz(func(t *testing.T, body []byte, ns, nd int) {
		if ns < 0 || nd < 0 || ns > 50 || nd > 50 {
			return
		}
		tab, err := decodeTable(body, task{0, ns, 0, nd})
		if err != nil {
			if !errors.Is(err, ErrResponse) && !errors.Is(err, ErrService) && !errors.Is(err, ErrNoRoute) {
				t.Fatalf("decodeTable error %v wraps no osrm sentinel", err)
			}
			return
		}
		if len(tab.seconds) != ns*nd || len(tab.meters) != ns*nd {
			t.Fatalf("table has %d/%d entries, want %d", len(tab.seconds), len(tab.meters), ns*nd)
		}
		for k := range tab.seconds {
			if tab.seconds[k] < 0 || tab.meters[k] < 0 {
				t.Fatalf("negative entry %d", k)
			}
		}
	})
}

func ExampleClient_Matrix() {
	srv := httptest.NewServer(&fakeOSRM{maxLoc: 100}) // stands in for the user's OSRM
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := c.Matrix(context.Background(), []orb.Point{{106.55, 29.56}, {106.58, 29.53}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Duration(0, 1), "s", m.Distance(0, 1), "m")

	c.BaseURL = "http://127.0.0.1:1" // nothing listens here
	_, err = c.Matrix(context.Background(), []orb.Point{{106.55, 29.56}, {106.58, 29.53}})
	fmt.Println(errors.Is(err, ErrUnreachable))
	// Output:
	// 442 s 5748 m
	// true
}

// flaky answers 503 to its first failures requests, then like fakeOSRM.
type flaky struct {
	fakeOSRM
	failures int64
	calls    atomic.Int64
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.calls.Add(1) <= f.failures {
		http.Error(w, "restarting", http.StatusServiceUnavailable)
		return
	}
	f.fakeOSRM.ServeHTTP(w, r)
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int64
		retries  int
		calls    int64
		want     error
	}{
		{"recovers", 2, 0, 3, nil},
		{"gives up", 5, 1, 2, ErrService},
		{"no retries", 1, -1, 1, ErrService},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &flaky{fakeOSRM: fakeOSRM{maxLoc: 100}, failures: tc.failures}
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := &Client{BaseURL: srv.URL, Retries: tc.retries, backoff: time.Millisecond}
			_, err := c.Matrix(context.Background(), testPoints(3))
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Matrix() error = %v, want %v", err, tc.want)
			}
			if got := f.calls.Load(); got != tc.calls {
				t.Errorf("server saw %d requests, want %d", got, tc.calls)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	srv := httptest.NewServer(&fakeOSRM{maxLoc: 10})
	defer srv.Close()
	var calls, last, total int
	c := &Client{BaseURL: srv.URL, MaxLocations: 10, Parallel: 3, Progress: func(done, n int) {
		calls++
		if done != last+1 {
			t.Errorf("progress %d after %d", done, last)
		}
		last, total = done, n
	}}
	if _, err := c.Matrix(context.Background(), testPoints(23)); err != nil {
		t.Fatal(err)
	}
	if calls != 25 || last != 25 || total != 25 {
		t.Errorf("progress called %d times, last %d of %d; want 25 of 25", calls, last, total)
	}
}

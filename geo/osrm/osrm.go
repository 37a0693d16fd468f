// Package osrm is a geo.MatrixSource backed by an OSRM-compatible routing
// server's table service (Luxen & Vetter, "Real-time routing with
// OpenStreetMap data", ACM SIGSPATIAL 2011; API: http://project-osrm.org/docs/v5.24.0/api/#table-service),
// typically the user's own OSRM instance loaded with an OpenStreetMap
// extract of their region.
//
// It is the one part of the spatial core that speaks HTTP, which is why it is
// a separate package: geo itself never imports net/http.
//
// # Chunking
//
// OSRM refuses tables larger than its --max-table-size (100 locations by
// default). For more points, Client splits them into blocks of
// MaxLocations/2 and asks for every block pair (sources from one block,
// destinations from the other), so no request names more than MaxLocations
// coordinates; n points take ⌈2n/MaxLocations⌉² requests, Parallel at a time.
// (Servers that limit sources × destinations rather than coordinates would
// accept bigger blocks; this split is safe under either rule.)
//
// # Failures
//
// Each request has its own Timeout. A server that cannot be reached or does
// not answer in time gives ErrUnreachable at once, naming the URL; HTTP 429,
// 502, 503 and 504 are retried with backoff first. A pair with no route
// (OSRM's null) is ErrNoRoute naming both points: the matrix is never
// returned with gaps. The first error cancels the requests in flight.
package osrm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
)

// Errors returned (wrapped) by Client.
var (
	// ErrUnreachable: the server could not be reached or did not answer in time.
	ErrUnreachable = errors.New("osrm: service unreachable")
	// ErrService: the server answered with an error (HTTP status or a code other than "Ok").
	ErrService = errors.New("osrm: service error")
	// ErrResponse: the answer is not a table of the expected shape.
	ErrResponse = errors.New("osrm: malformed response")
	// ErrNoRoute: the server found no route between two of the points.
	ErrNoRoute = errors.New("osrm: no route")
	// ErrConfig: the client is misconfigured.
	ErrConfig = errors.New("osrm: bad configuration")
)

// Defaults for the zero fields of Client.
const (
	DefaultProfile      = "driving"
	DefaultTimeout      = 30 * time.Second
	DefaultMaxLocations = 100 // OSRM's default --max-table-size
	DefaultParallel     = 4
	DefaultRetries      = 2
	maxResponseBytes    = 256 << 20
)

// Client asks an OSRM server's /table/v1 service for travel matrices. Set
// BaseURL; the other fields have defaults. A Client is safe for concurrent
// use.
type Client struct {
	// BaseURL is the server's root, e.g. "http://localhost:5000".
	BaseURL string
	// Profile is the routing profile in the URL; "" means "driving".
	Profile string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxLocations is the most coordinates one request may name, the
	// server's --max-table-size; 0 means DefaultMaxLocations. At least 2.
	MaxLocations int
	// Parallel is the number of requests in flight; 0 means DefaultParallel.
	Parallel int
	// Retries is how many times a request answered with HTTP 429, 502,
	// 503 or 504 is repeated, with backoff from 250 ms; 0 means
	// DefaultRetries, negative means none.
	Retries int
	// Progress, if set, is called after each request with the number of
	// requests done and the total; calls are serialised.
	Progress func(done, total int)

	backoff time.Duration // first retry delay; 0 means 250 ms (tests shorten it)
}

var _ geo.MatrixSource = (*Client)(nil)

// New returns a Client for the server at baseURL with default settings.
func New(baseURL string) (*Client, error) {
	c := &Client{BaseURL: baseURL}
	if _, err := c.base(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) base() (*url.URL, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: base URL %q: %w", ErrConfig, c.BaseURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q must be http(s)://host[:port][/path]", ErrConfig, c.BaseURL)
	}
	return u, nil
}

// Matrix returns the durations (seconds) and distances (metres) between
// all points, rounded to integers, requesting annotations=duration,distance.
// The error wraps ErrUnreachable when the server cannot be reached,
// ErrService when it answers with an error, ErrNoRoute when a pair has no
// route (OSRM's null), and ErrResponse for an answer of the wrong shape.
func (c *Client) Matrix(ctx context.Context, points []orb.Point) (*geo.Matrix, error) {
	base, err := c.base()
	if err != nil {
		return nil, err
	}
	maxLoc := c.MaxLocations
	if maxLoc == 0 {
		maxLoc = DefaultMaxLocations
	}
	if maxLoc < 2 {
		return nil, fmt.Errorf("%w: MaxLocations %d < 2", ErrConfig, maxLoc)
	}
	if err := geo.ValidatePoints(points); err != nil {
		return nil, err
	}
	n := len(points)
	m := geo.NewMatrix(n)
	if n == 0 {
		return m, nil
	}
	var tasks []task
	if n <= maxLoc {
		tasks = []task{{0, n, 0, n}}
	} else {
		b := maxLoc / 2
		for s := 0; s < n; s += b {
			for d := 0; d < n; d += b {
				tasks = append(tasks, task{s, min(s+b, n), d, min(d+b, n)})
			}
		}
	}
	parallel := c.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		done     int
		queue    = make(chan task)
	)
	for range min(parallel, len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range queue {
				err := c.fetch(ctx, base, points, t, m)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if err == nil && c.Progress != nil {
					done++
					c.Progress(done, len(tasks))
				}
				mu.Unlock()
			}
		}()
	}
send:
	for _, t := range tasks {
		select {
		case queue <- t:
		case <-ctx.Done():
			break send
		}
	}
	close(queue)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// task is one request: sources [s0, s1) to destinations [d0, d1).
type task struct{ s0, s1, d0, d1 int }

// requestURL builds the table URL for t. When the two blocks are the same
// it names them once; otherwise it names the sources then the destinations.
func (c *Client) requestURL(base *url.URL, points []orb.Point, t task) string {
	var sb strings.Builder
	add := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if sb.Len() > 0 {
				sb.WriteByte(';')
			}
			sb.WriteString(strconv.FormatFloat(points[i][0], 'f', -1, 64))
			sb.WriteByte(',')
			sb.WriteString(strconv.FormatFloat(points[i][1], 'f', -1, 64))
		}
	}
	q := url.Values{"annotations": {"duration,distance"}}
	add(t.s0, t.s1)
	if t.s0 != t.d0 || t.s1 != t.d1 {
		add(t.d0, t.d1)
		ns, nd := t.s1-t.s0, t.d1-t.d0
		q.Set("sources", indexList(0, ns))
		q.Set("destinations", indexList(ns, ns+nd))
	}
	profile := c.Profile
	if profile == "" {
		profile = DefaultProfile
	}
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/table/v1/" + url.PathEscape(profile) + "/" + sb.String()
	u.RawQuery = q.Encode()
	return u.String()
}

func indexList(lo, hi int) string {
	var sb strings.Builder
	for i := lo; i < hi; i++ {
		if i > lo {
			sb.WriteByte(';')
		}
		sb.WriteString(strconv.Itoa(i))
	}
	return sb.String()
}

func (c *Client) fetch(ctx context.Context, base *url.URL, points []orb.Point, t task, m *geo.Matrix) error {
	retries := c.Retries
	if retries == 0 {
		retries = DefaultRetries
	}
	u := c.requestURL(base, points, t)
	var (
		body   []byte
		status int
		err    error
	)
	for attempt := 0; ; attempt++ {
		body, status, err = c.get(ctx, u)
		if err != nil {
			return err
		}
		if !retryable(status) || attempt >= retries {
			break
		}
		// Exponential backoff from 250 ms: the server is overloaded or
		// restarting, which passes.
		delay := c.backoff
		if delay <= 0 {
			delay = 250 * time.Millisecond
		}
		select {
		case <-time.After(delay << attempt):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ns, nd := t.s1-t.s0, t.d1-t.d0
	tab, err := decodeTable(body, t)
	if err != nil {
		if status != http.StatusOK && !errors.Is(err, ErrService) {
			return fmt.Errorf("%w: %s: HTTP %d %s", ErrService, c.BaseURL, status, http.StatusText(status))
		}
		return fmt.Errorf("%s: %w", c.BaseURL, err)
	}
	for i := range ns {
		row := (t.s0 + i) * m.N
		for j := range nd {
			m.Seconds[row+t.d0+j] = tab.seconds[i*nd+j]
			m.Meters[row+t.d0+j] = tab.meters[i*nd+j]
		}
	}
	return nil
}

// retryable reports whether an HTTP status means "try again later".
func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// get sends one request with the client's timeout and returns the body and
// status. Failing to connect, or to get an answer in time, is ErrUnreachable.
func (c *Client) get(ctx context.Context, u string) ([]byte, int, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err() // the caller gave up; not the server's fault
		}
		// url.Error repeats the whole URL, up to MaxLocations coordinates.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, 0, fmt.Errorf("%w: %s (timeout %v): %w", ErrUnreachable, c.BaseURL, timeout, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, fmt.Errorf("%w: %s: reading response: %w", ErrUnreachable, c.BaseURL, err)
	}
	return body, resp.StatusCode, nil
}

// response is the part of OSRM's table response that is read.
type response struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Durations [][]*float64 `json:"durations"`
	Distances [][]*float64 `json:"distances"`
}

type table struct{ seconds, meters []int32 }

// decodeTable parses the response to task t; errors name the points by
// their index in the whole matrix.
func decodeTable(body []byte, t task) (*table, error) {
	ns, nd := t.s1-t.s0, t.d1-t.d0
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrResponse, err)
	}
	if r.Code != "Ok" {
		if r.Code == "" {
			return nil, fmt.Errorf("%w: no \"code\" field", ErrResponse)
		}
		return nil, fmt.Errorf("%w: %s: %s", ErrService, r.Code, r.Message)
	}
	tab := &table{seconds: make([]int32, ns*nd), meters: make([]int32, ns*nd)}
	if err := fill(tab.seconds, r.Durations, t, "durations"); err != nil {
		return nil, err
	}
	if err := fill(tab.meters, r.Distances, t, "distances"); err != nil {
		return nil, err
	}
	return tab, nil
}

func fill(dst []int32, rows [][]*float64, t task, name string) error {
	ns, nd := t.s1-t.s0, t.d1-t.d0
	if rows == nil {
		return fmt.Errorf("%w: no %q (server too old for annotations=duration,distance?)", ErrResponse, name)
	}
	if len(rows) != ns {
		return fmt.Errorf("%w: %s has %d rows, want %d", ErrResponse, name, len(rows), ns)
	}
	for i, row := range rows {
		if len(row) != nd {
			return fmt.Errorf("%w: %s row %d has %d entries, want %d", ErrResponse, name, t.s0+i, len(row), nd)
		}
		for j, v := range row {
			if v == nil {
				return fmt.Errorf("%w: from point %d to point %d (%s is null)", ErrNoRoute, t.s0+i, t.d0+j, name)
			}
			x := math.Round(*v)
			if !(x >= 0) || x > math.MaxInt32 {
				return fmt.Errorf("%w: %s from point %d to point %d = %v, out of range", ErrResponse, name, t.s0+i, t.d0+j, *v)
			}
			dst[i*nd+j] = int32(x)
		}
	}
	return nil
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo"
)

// TestBrowserWorkspace drives the web app in a real headless chromium:
// a planner signs in with the printed demo key, runs an urban plan on a
// small day, checks that the map holds as many zones, routes and stops as
// the report, reaches a zone, a route and a stop with the keyboard, toggles
// a layer and downloads the GeoJSON; then a courier marks a stop and sees
// the route's version go up; an operator sees the planner's jobs in the
// queue, from the API. Any console error fails the test. Screenshots go to
// $LASTMILE_ARTIFACTS (else a temporary folder, logged).
//
// Without chromium the test skips, except in CI (CI set), where it fails:
// .ci/run installs Debian's chromium.
func TestBrowserWorkspace(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	chrome := findChromium()
	if chrome == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found (CI is set): install it with apt-get install -y chromium")
		}
		t.Skip("chromium not found; install it to run the browser tests")
	}
	artifacts := os.Getenv("LASTMILE_ARTIFACTS")
	if artifacts == "" {
		var err error
		if artifacts, err = os.MkdirTemp("", "lastmile-browser-"); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots and downloads in %s", artifacts)

	base, keys := startDemoServer(t)

	ctx := newBrowser(t, chrome, chromedp.DisableGPU)
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()

	// Start the browser on the test's context: the first Run allocates it,
	// and the steps below run on shorter-lived contexts.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	var mu sync.Mutex
	var consoleErrors []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				consoleErrors = append(consoleErrors, "console."+string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, "exception: "+e.ExceptionDetails.Text+" "+exceptionDescription(e.ExceptionDetails))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.LevelError {
				consoleErrors = append(consoleErrors, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.CaptureScreenshot(&buf).Do(ctx); err != nil {
				return err
			}
			path := filepath.Join(artifacts, name+".png")
			t.Logf("screenshot %s", path)
			return os.WriteFile(path, buf, 0o644)
		})
	}
	// Each step gets a minute: a page that broke fails fast, with the
	// console errors that say why.
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := chromedp.Run(sctx, actions...); err != nil {
			_ = chromedp.Run(ctx, shot("failed-"+strings.ReplaceAll(step, " ", "-")))
			t.Fatalf("%s: %v (console errors: %v)", step, err, consoleErrors)
		}
	}
	tid := func(id string) string { return `[data-testid="` + id + `"]` }

	// Planner: sign in with the printed key.
	run("open the app",
		cdplog.Enable(),
		browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(artifacts).WithEventsEnabled(true),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(tid("login-key")),
		chromedp.WaitReady(tid("map")+`[data-loaded="true"]`),
		shot("signin"),
	)
	run("sign in as planner",
		chromedp.SendKeys(tid("login-key"), keys["planner"]),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitReady(`body[data-signed-in="planner"]`),
		chromedp.WaitVisible(tid("run-urban")),
	)

	// A small day: 150 parcels, 5 iterations per parcel.
	run("run an urban plan",
		chromedp.SetValue(`#parcels`, "150"),
		chromedp.SetValue(`#iterations`, "5"),
		chromedp.Click(tid("run-urban")),
		chromedp.WaitReady(tid("progress")+`[data-state="done"], `+tid("progress")+`[data-state="failed"]`),
	)
	var state, status, planID string
	run("read the run's outcome",
		chromedp.AttributeValue(tid("progress"), "data-state", &state, nil),
		chromedp.Text(tid("run-status"), &status),
		chromedp.AttributeValue(tid("map"), "data-plan", &planID, nil),
	)
	if state != "done" || planID == "" {
		t.Fatalf("urban run: progress %s, plan %q, status %q", state, planID, status)
	}
	var report struct {
		Result struct {
			Zoning struct {
				Zones []json.RawMessage `json:"zones"`
			} `json:"zoning"`
			Routes []struct {
				Vehicle string   `json:"vehicle"`
				Parcels []string `json:"parcels"`
			} `json:"routes"`
			Districts []json.RawMessage `json:"districts"`
			Carriers  []json.RawMessage `json:"carriers"`
		} `json:"result"`
	}
	getJSON(t, base+"/v1/plans/"+planID, keys["planner"], &report)
	stops := 0
	for _, r := range report.Result.Routes {
		stops += len(r.Parcels)
	}
	var counts struct{ Zones, Routes, Stops int }
	var renderedRoutes int
	var tableRows, carriers string
	run("read the map",
		chromedp.Evaluate(`window.lastmile.mapCounts()`, &counts, awaitPromise),
		chromedp.Evaluate(`window.lastmile.rendered('route-line')`, &renderedRoutes),
		chromedp.AttributeValue(tid("compare-table"), "data-rows", &tableRows, nil),
		chromedp.AttributeValue(tid("cost-shares"), "data-carriers", &carriers, nil),
		chromedp.ScrollIntoView(`#results`),
		shot("urban"),
	)
	if counts.Zones != len(report.Result.Zoning.Zones) || counts.Routes != len(report.Result.Routes) || counts.Stops != stops {
		t.Errorf("map holds %d zones, %d routes, %d stops; the report has %d, %d, %d",
			counts.Zones, counts.Routes, counts.Stops, len(report.Result.Zoning.Zones), len(report.Result.Routes), stops)
	}
	if counts.Routes == 0 || renderedRoutes == 0 {
		t.Errorf("routes: %d in the map, %d drawn; want some", counts.Routes, renderedRoutes)
	}
	if tableRows != fmt.Sprint(len(report.Result.Districts)) || carriers != fmt.Sprint(len(report.Result.Carriers)) {
		t.Errorf("comparison table has %s districts, cost shares %s carriers; the report has %d, %d",
			tableRows, carriers, len(report.Result.Districts), len(report.Result.Carriers))
	}

	// Keyboard: with the map focused, Z, R and S reach the first zone,
	// route and stop, and N the next stop, each said with the hover's
	// figures.
	mapText := `document.querySelector('[data-testid="map-feature"]').textContent`
	var keyTexts [4]string
	run("reach features by keyboard",
		chromedp.Focus(`.maplibregl-canvas`),
		chromedp.KeyEvent("z"), chromedp.Evaluate(mapText, &keyTexts[0]),
		chromedp.KeyEvent("r"), chromedp.Evaluate(mapText, &keyTexts[1]),
		chromedp.KeyEvent("s"), chromedp.Evaluate(mapText, &keyTexts[2]),
		chromedp.KeyEvent("n"), chromedp.Evaluate(mapText, &keyTexts[3]),
		shot("keyboard"),
		chromedp.KeyEvent(kb.Escape),
	)
	t.Logf("keyboard: %q", keyTexts)
	for i, want := range [][]string{{"Zone", "compactness"}, {"km", " h ", "stops"}, {"arrival"}, {"arrival"}} {
		for _, w := range want {
			if !strings.Contains(keyTexts[i], w) {
				t.Errorf("keyboard step %d says %q, want %q in it", i, keyTexts[i], w)
			}
		}
	}
	if !regexp.MustCompile(`compactness 0\.\d\d`).MatchString(keyTexts[0]) {
		t.Errorf("the first zone says %q, want the report's compactness as a number", keyTexts[0])
	}
	if keyTexts[2] == keyTexts[3] || !strings.HasPrefix(keyTexts[3], fmt.Sprintf("%d of ", counts.Zones+counts.Routes+2)) {
		t.Errorf("N after S says %q (after %q), want the second stop", keyTexts[3], keyTexts[2])
	}

	// Toggle the routes off and on; the URL keeps the layer state.
	var hidden, shown, hash string
	run("toggle the routes layer",
		chromedp.Click(tid("layer-routes")),
		chromedp.Evaluate(`window.lastmile.visibility('route-line')`, &hidden),
		chromedp.Evaluate(`location.hash`, &hash),
		chromedp.Click(tid("layer-routes")),
		chromedp.Evaluate(`window.lastmile.visibility('route-line')`, &shown),
	)
	if hidden != "none" || shown != "visible" {
		t.Errorf("route layer after two clicks: %s then %s, want none then visible", hidden, shown)
	}
	if !strings.Contains(hash, "plan="+planID) || strings.Contains(hash, "routes") {
		t.Errorf("URL state with routes hidden = %q: want the plan and no routes layer", hash)
	}

	// Download the plan's GeoJSON.
	run("export GeoJSON", chromedp.Click(tid("export-geojson")))
	file := filepath.Join(artifacts, "lastmile-urban-"+planID+".geojson")
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	waitFor(t, 10*time.Second, func() bool {
		b, err := os.ReadFile(file)
		return err == nil && json.Unmarshal(b, &fc) == nil
	}, "download "+file)
	routes := 0
	for _, f := range fc.Features {
		if f.Properties["layer"] == "route" {
			routes++
		}
	}
	if routes != len(report.Result.Routes) {
		t.Errorf("downloaded GeoJSON has %d routes, want %d", routes, len(report.Result.Routes))
	}

	// Coverage of the day's parcels by the stored lockers and express
	// stores, then a rural week filtered to one day.
	var cells string
	run("run coverage",
		chromedp.Click(tid("run-coverage")),
		chromedp.WaitReady(tid("progress")+`[data-runs="2"]`),
		chromedp.AttributeValue(tid("map"), "data-cells", &cells, nil),
		chromedp.Text(tid("run-status"), &status),
	)
	if atoi(cells) < 1 {
		t.Errorf("coverage drew %s H3 cells (status %q), want some", cells, status)
	}
	var allRoutes, dayRoutes int
	run("run a rural week",
		chromedp.SetValue(`#counties`, "youyang"),
		chromedp.Click(tid("run-rural")),
		chromedp.WaitReady(tid("progress")+`[data-runs="3"]`),
		chromedp.AttributeValue(tid("progress"), "data-state", &state, nil),
		chromedp.Text(tid("run-status"), &status),
	)
	if state != "done" {
		t.Fatalf("rural run: progress %s, status %q", state, status)
	}
	run("filter the rural week to one day",
		chromedp.Evaluate(`window.lastmile.mapCounts().then(c => c.routes)`, &allRoutes, awaitPromise),
		chromedp.SetValue(tid("rural-day"), "2"),
		chromedp.Evaluate(`document.querySelector('[data-testid="rural-day"]').dispatchEvent(new Event('change')); true`, nil),
		chromedp.Evaluate(`window.lastmile.filteredRoutes()`, &dayRoutes),
		shot("rural"),
	)
	if allRoutes == 0 || dayRoutes == 0 || dayRoutes >= allRoutes {
		t.Errorf("rural routes: %d in the week, %d on day 2; want a non-empty part", allRoutes, dayRoutes)
	}

	// A long run cancelled after a moment.
	run("cancel a run",
		chromedp.SetValue(`#parcels`, "3000"),
		chromedp.SetValue(`#iterations`, "0"),
		chromedp.Click(tid("run-urban")),
		chromedp.WaitEnabled(tid("cancel")),
		chromedp.Sleep(time.Second),
		chromedp.Click(tid("cancel")),
		chromedp.WaitReady(tid("progress")+`[data-runs="4"]`),
		chromedp.Text(tid("run-status"), &status),
		chromedp.SetValue(`#parcels`, "150"),
		chromedp.SetValue(`#iterations`, "5"),
	)
	if !strings.Contains(status, "cancelled") {
		t.Errorf("after Cancel the status says %q, want cancelled", status)
	}

	// Uploaded parcels (GCJ-02, as Amap gives them) drive coverage, site
	// selection and allocation.
	upload := filepath.Join(t.TempDir(), "parcels.csv")
	var csv strings.Builder
	csv.WriteString("lon,lat,weight\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "%.5f,%.5f,%d\n", 106.540+0.002*float64(i%8), 29.550+0.003*float64(i/8), 1+i%3)
	}
	if err := os.WriteFile(upload, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var uploaded string
	run("upload parcels",
		chromedp.Click(`input[name="source"][value="upload"]`),
		chromedp.SetValue(`#datum`, "gcj02"),
		chromedp.SetUploadFiles(`#up-parcels`, []string{upload}),
		chromedp.Poll(`document.querySelector('#upload-status').textContent.startsWith('Read 40 parcels')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`#upload-status`, &uploaded),
	)
	// Baidu's BD-09 converts as the server's geo package does, within a
	// metre (1e-5 degrees).
	var bd []float64
	run("convert BD-09",
		chromedp.SetValue(`#datum`, "bd09"),
		chromedp.Evaluate(`window.lastmile.toWGS84([106.5565, 29.5630])`, &bd),
		chromedp.SetValue(`#datum`, "gcj02"),
	)
	if want, err := geo.ToWGS84(orb.Point{106.5565, 29.5630}, geo.BD09); err != nil || len(bd) != 2 ||
		math.Abs(bd[0]-want[0]) > 1e-5 || math.Abs(bd[1]-want[1]) > 1e-5 {
		t.Errorf("BD-09 (106.5565, 29.5630) in the browser = %v, want %v (%v)", bd, want, err)
	}
	for i, kind := range []string{"coverage", "sites", "allocation"} {
		var sites, cells string
		run("run "+kind+" on the upload",
			chromedp.Click(`[data-run="`+kind+`"]`),
			chromedp.WaitReady(tid("progress")+fmt.Sprintf(`[data-runs="%d"]`, 5+i)),
			chromedp.AttributeValue(tid("progress"), "data-state", &state, nil),
			chromedp.Text(tid("run-status"), &status),
			chromedp.AttributeValue(tid("map"), "data-sites", &sites, nil),
			chromedp.AttributeValue(tid("map"), "data-cells", &cells, nil),
		)
		if state != "done" || atoi(sites)+atoi(cells) < 1 {
			t.Errorf("%s on the uploaded parcels: progress %s, %s points and %s cells drawn, status %q", kind, state, sites, cells, status)
		}
	}
	run("export CSV and PNG",
		shot("allocation"),
		chromedp.Click(tid("export-csv")),
		chromedp.Click(tid("export-png")),
	)
	for _, ext := range []string{"csv", "png"} {
		var name string
		waitFor(t, 10*time.Second, func() bool {
			m, _ := filepath.Glob(filepath.Join(artifacts, "lastmile-allocation-*."+ext))
			if len(m) == 0 {
				return false
			}
			b, err := os.ReadFile(m[0])
			name = m[0]
			return err == nil && len(b) > 8
		}, ext+" export")
		b, _ := os.ReadFile(name)
		if ext == "png" && !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", name)
		}
		if ext == "csv" && !bytes.HasPrefix(b, []byte("lon,lat,")) {
			t.Errorf("%s starts %q, want a lon,lat header", name, b[:min(len(b), 40)])
		}
	}

	// Dispatch demo routes, then a courier marks a stop.
	run("dispatch demo routes",
		chromedp.Click(tid("dispatch-demo")),
		chromedp.WaitReady(`#dispatch-status[data-done="true"]`),
	)
	var v1, v2, first string
	run("sign in as courier",
		chromedp.Evaluate(`sessionStorage.clear(); location.hash = ''; true`, nil),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(tid("login-key")),
		chromedp.SendKeys(tid("login-key"), keys["courier c1"]),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitReady(`body[data-signed-in="courier"]`),
		chromedp.WaitVisible(tid("courier-route")+` li`),
		chromedp.AttributeValue(tid("courier-route"), "data-version", &v1, nil),
		chromedp.Click(tid("mark-delivered-0")),
	)
	run("wait for the re-planned route",
		chromedp.Poll(`document.querySelector('[data-testid="courier-route"]').dataset.version !== `+jsString(v1), nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.AttributeValue(tid("courier-route"), "data-version", &v2, nil),
		chromedp.AttributeValue(tid("courier-route")+` li`, "data-status", &first, nil),
		shot("courier"),
	)
	if n1, n2 := atoi(v1), atoi(v2); n1 < 1 || n2 <= n1 {
		t.Errorf("route version %q after marking a stop, was %q: want it to go up", v2, v1)
	}
	if first != "delivered" {
		t.Errorf("first stop is %q after marking it delivered", first)
	}

	// Operator: the queue and health.
	run("sign in as operator",
		chromedp.Evaluate(`sessionStorage.clear(); location.hash = ''; true`, nil),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(tid("login-key")),
		chromedp.SendKeys(tid("login-key"), keys["operator"]),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitReady(`body[data-signed-in="operator"]`),
		chromedp.Click(tid("tab-operator")),
		chromedp.WaitReady(tid("operator-queue")+`[data-loaded="true"]`),
		shot("operator"),
	)
	// The operator sees the planner's jobs, from the API: the newest one
	// the planner lists is a row of the operator's table.
	var plannerJobs struct {
		Jobs []struct{ ID, Status string } `json:"jobs"`
	}
	getJSON(t, base+"/v1/jobs?limit=1", keys["planner"], &plannerJobs)
	if len(plannerJobs.Jobs) == 0 {
		t.Fatal("the planner has no jobs: the app's runs were not asynchronous")
	}
	var opStatus string
	run("find the planner's job in the operator view",
		chromedp.Evaluate(`document.querySelector('[data-testid="operator-queue"] tr[data-job=`+jsString(plannerJobs.Jobs[0].ID)+`]')?.dataset.status || ''`, &opStatus),
	)
	if opStatus != plannerJobs.Jobs[0].Status {
		t.Errorf("operator view shows the planner's job %s as %q, want %q", plannerJobs.Jobs[0].ID, opStatus, plannerJobs.Jobs[0].Status)
	}

	// The same run answered the asynchronous way (202, then the job's
	// events): the app follows the job and draws the plan it names.
	async := asyncPlans(t, base)
	var asyncPlan, asyncStatus string
	var asyncCounts struct{ Zones, Routes, Stops int }
	run("run an urban plan as a job",
		chromedp.Navigate(async+"/"),
		chromedp.WaitVisible(tid("login-key")),
		chromedp.SendKeys(tid("login-key"), keys["planner"]),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitReady(`body[data-signed-in="planner"]`),
		chromedp.SetValue(`#parcels`, "150"),
		chromedp.SetValue(`#iterations`, "5"),
		chromedp.Click(tid("run-urban")),
		chromedp.WaitReady(tid("progress")+`[data-runs="1"]`),
		chromedp.AttributeValue(tid("progress"), "data-state", &state, nil),
		chromedp.Text(tid("run-status"), &asyncStatus),
		chromedp.AttributeValue(tid("map"), "data-plan", &asyncPlan, nil),
		chromedp.Evaluate(`window.lastmile.mapCounts()`, &asyncCounts, awaitPromise),
	)
	if state != "done" || asyncPlan == "" || asyncCounts.Routes != len(report.Result.Routes) || asyncCounts.Stops != stops {
		t.Errorf("urban run as a job: progress %s, plan %q, %d routes and %d stops drawn, want %d and %d (status %q)",
			state, asyncPlan, asyncCounts.Routes, asyncCounts.Stops, len(report.Result.Routes), stops, asyncStatus)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, e := range consoleErrors {
		t.Errorf("browser console: %s", e)
	}
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func exceptionDescription(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// newBrowser starts headless chromium with a fresh profile and the extra
// options (GPU flags), in a 1400×900 window; it stops when the test ends.
func newBrowser(tb testing.TB, chrome string, extra ...chromedp.ExecAllocatorOption) context.Context {
	tb.Helper()
	// Chromium's helpers may still write to the profile for a moment after
	// the browser exits, so it is removed with retries rather than by
	// TempDir, which fails the test when it cannot.
	profile, err := os.MkdirTemp("", "lastmile-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		tb.Logf("could not remove the chromium profile %s", profile)
	})
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 900),
	}, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancelCtx(); cancelAlloc() })
	return ctx
}

// findChromium returns Debian's chromium (or another Chrome) or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startDemoServer runs `lastmile serve --json` in demo mode on a free port
// and returns its base URL and demo keys ("planner", "operator",
// "courier c1", ...). The server stops when the test ends.
func startDemoServer(t testing.TB) (string, map[string]string) {
	t.Helper()
	t.Setenv("LASTMILE_API_KEYS", "")
	t.Setenv("DATABASE_URL", "")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &Env{Stdout: &stdout, Stderr: &stderr}, []string{"--addr", "127.0.0.1:0", "--json", "--log-format", "text", "--data", t.TempDir()})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	var start serveStart
	waitFor(t, 30*time.Second, func() bool {
		line, _, ok := strings.Cut(stdout.String(), "\n")
		return ok && json.Unmarshal([]byte(line), &start) == nil
	}, "the server's start line")
	keys := map[string]string{}
	for _, k := range start.DemoKeys {
		name := k.Role
		if k.CourierID != "" {
			name += " " + k.CourierID
		}
		keys[name] = k.Key
	}
	return "http://" + start.Addr, keys
}

func getJSON(t *testing.T, url, key string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d: %s", url, resp.StatusCode, buf.String())
	}
	if err := json.Unmarshal(buf.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func waitFor(t testing.TB, d time.Duration, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out after %v waiting for %s", d, what)
}

// asyncPlans serves the API at base through a proxy that answers
// POST /v1/plans/urban with Prefer: respond-async the way the job queue
// will: 202 with the job's Location, progress and a final "done" event on
// /v1/jobs/{id}/events whose result names the stored plan. The plan
// itself is made by the real endpoint.
func asyncPlans(t *testing.T, base string) string {
	t.Helper()
	target, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	type job struct {
		done   chan struct{}
		result json.RawMessage
		err    string
	}
	var mu sync.Mutex
	jobs := map[string]*job{}
	mux := http.NewServeMux()
	mux.Handle("/", proxy)
	mux.HandleFunc("POST /v1/plans/urban", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Prefer") != "respond-async" {
			proxy.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		id := fmt.Sprintf("job_fake%d", len(jobs)+1)
		j := &job{done: make(chan struct{})}
		mu.Lock()
		jobs[id] = j
		mu.Unlock()
		go func() {
			defer close(j.done)
			req, _ := http.NewRequest("POST", base+"/v1/plans/urban", bytes.NewReader(body))
			req.Header.Set("Authorization", r.Header.Get("Authorization"))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				j.err = err.Error()
				return
			}
			defer resp.Body.Close()
			var doc struct {
				PlanID string `json:"plan_id"`
				Kind   string `json:"kind"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 201 {
				j.err = fmt.Sprintf("%d %v", resp.StatusCode, err)
				return
			}
			j.result, _ = json.Marshal(map[string]string{"plan_id": doc.PlanID, "kind": doc.Kind})
		}()
		w.Header().Set("Location", "/v1/jobs/"+id)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"id":%q,"status":"queued","links":{"self":"/v1/jobs/%s","events":"/v1/jobs/%s/events"}}`, id, id, id)
	})
	mux.HandleFunc("GET /v1/jobs/{id}/events", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		j := jobs[r.PathValue("id")]
		mu.Unlock()
		if j == nil {
			proxy.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "event: progress\ndata: {\"id\":%q,\"status\":\"running\",\"progress\":{\"elapsed_seconds\":0.1}}\n\n", r.PathValue("id"))
		w.(http.Flusher).Flush()
		<-j.done
		status := "succeeded"
		if j.err != "" {
			status = "failed"
		}
		doc, _ := json.Marshal(map[string]any{"id": r.PathValue("id"), "status": status, "result": j.result, "error": j.err})
		fmt.Fprintf(w, "event: done\ndata: %s\n\n", doc)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts.URL
}

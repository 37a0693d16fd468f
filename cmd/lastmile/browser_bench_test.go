package main

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// synthDayJS draws a synthetic urban day on the workspace's map: 200 routes
// of 25 stops (5,000 stops) spread over the main urban area from 20
// centres, each route a random walk of short hops, seeded.
const synthDayJS = `(() => {
  let seed = 1;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const features = [];
  const depots = Array.from({ length: 20 }, () => [106.35 + 0.4 * rnd(), 29.35 + 0.4 * rnd()]);
  depots.forEach((p, i) => features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { layer: 'depot', id: 'dc' + i } }));
  for (let r = 0; r < 200; r++) {
    const d = depots[r % depots.length];
    let [x, y] = [d[0] + 0.04 * (rnd() - 0.5), d[1] + 0.04 * (rnd() - 0.5)];
    const path = [d];
    const vehicle = 'v' + r;
    for (let s = 0; s < 25; s++) {
      x += 0.006 * (rnd() - 0.5); y += 0.006 * (rnd() - 0.5);
      path.push([x, y]);
      features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { layer: 'stop', id: vehicle + '-' + s, vehicle, sequence: s + 1 } });
    }
    path.push(d);
    features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: path },
      properties: { layer: 'route', vehicle, km: 20 + 10 * rnd(), hours: 3 + 3 * rnd(), stops: 25, type: 'van' } });
  }
  return window.lastmile.drawPlan({ type: 'FeatureCollection', features }).then(() => features.length);
})()`

// panJS pans the map by 40 px a frame for n frames (turning back every 30),
// from a requestAnimationFrame loop, and returns the interval between
// frames and the map's own render time in each (from the pan to its
// "render" event), in milliseconds.
const panJS = `((n) => new Promise((resolve) => {
  const map = window.lastmile.map, frames = [], render = [];
  let last = 0, t0 = 0, i = 0, dir = 1;
  const onRender = () => { if (t0) { render.push(performance.now() - t0); t0 = 0; } };
  map.on('render', onRender);
  const step = (ts) => {
    if (last) frames.push(ts - last);
    last = ts;
    if (i++ === n) { map.off('render', onRender); resolve({ frames, render }); return; }
    if (i % 30 === 0) dir = -dir;
    requestAnimationFrame(step);
    t0 = performance.now();
    map.panBy([40 * dir, 0], { animate: false });
  };
  requestAnimationFrame(step);
}))`

// drawJS pans by 40 px and draws the map at once n times (map.redraw, then
// a one-pixel readPixels that waits for the GPU, here SwiftShader, to
// finish), and returns each draw's milliseconds: the map's own cost of a
// frame, without the compositor and the display's 60 Hz ticks that round
// frame intervals up to multiples of 16.7 ms.
const drawJS = `((n) => {
  const map = window.lastmile.map, c = map.getCanvas(), gl = c.getContext('webgl2') || c.getContext('webgl');
  const px = new Uint8Array(4), out = [];
  let dir = 1;
  for (let i = 1; i <= n; i++) {
    if (i % 30 === 0) dir = -dir;
    const t0 = performance.now();
    map.panBy([40 * dir, 0], { animate: false });
    map.redraw();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    out.push(performance.now() - t0);
  }
  return out;
})`

// beforeJS puts back the layer settings the workspace had before it was
// tuned for panning, for comparison in the same run.
const beforeJS = `(() => {
  const map = window.lastmile.map;
  map.setLayoutProperty('route-line', 'line-join', 'round');
  map.setLayoutProperty('route-line', 'line-cap', 'round');
  map.setFilter('route-line', ['==', ['get', 'layer'], 'route']);
  map.setPaintProperty('route-line', 'line-dasharray', ['case', ['==', ['get', 'cold_chain'], true], ['literal', [2, 1]], ['literal', [1, 0]]]);
  map.setLayoutProperty('route-cold', 'visibility', 'none');
  map.setPaintProperty('stop', 'circle-stroke-width', 0.5);
  return true;
})()`

// glFlags are the ways to get WebGL in headless chromium without a GPU.
var glFlags = []struct {
	name string
	opts []chromedp.ExecAllocatorOption
}{
	{"swiftshader", []chromedp.ExecAllocatorOption{chromedp.Flag("use-angle", "swiftshader"), chromedp.Flag("enable-unsafe-swiftshader", true)}},
	{"disable-gpu", []chromedp.ExecAllocatorOption{chromedp.DisableGPU}},
}

// BenchmarkMapPan pans the workspace's map over a synthetic day of 5,000
// stops on 200 routes in headless chromium (software WebGL) and reports
// the median and 95th percentile of the frame interval while panning in a
// requestAnimationFrame loop (frame-ms, p95-frame-ms), the median of the
// map's main-thread render in those frames (render-ms), and the median
// and 95th percentile of a whole synchronous draw, GPU work included
// (draw-ms, p95-draw-ms; see drawJS).
// "empty" is the base map alone (the renderer's fixed cost per frame);
// "before" re-applies the layer settings the app had before it was tuned
// for panning; "after" is the app as it is. It skips without chromium.
// Both flag sets give SwiftShader (the benchmark logs the renderer).
//
//	go test ./cmd/lastmile -run '^$' -bench MapPan -benchtime 3x
func BenchmarkMapPan(b *testing.B) {
	chrome := findChromium()
	if chrome == "" {
		b.Skip("chromium not found; install it to run the browser benchmarks")
	}
	base, _ := startDemoServer(b)
	for _, gl := range glFlags {
		for _, layers := range []string{"empty", "before", "after"} {
			b.Run(gl.name+"/"+layers, func(b *testing.B) {
				ctx := newBrowser(b, chrome, gl.opts...)
				ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
				defer cancel()
				var renderer string
				var drawn int
				if err := chromedp.Run(ctx,
					chromedp.Navigate(base+"/#view=planner&map=11/29.56/106.55"),
					chromedp.WaitReady(`[data-testid="map"][data-loaded="true"]`),
					chromedp.Evaluate(`(() => { const c = window.lastmile.map.getCanvas(), gl = c.getContext('webgl2') || c.getContext('webgl');
						const ext = gl.getExtension('WEBGL_debug_renderer_info');
						return ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); })()`, &renderer),
				); err != nil {
					b.Fatal(err)
				}
				if layers != "empty" {
					if err := chromedp.Run(ctx, chromedp.Evaluate(synthDayJS, &drawn, awaitPromise)); err != nil {
						b.Fatal(err)
					}
				}
				if err := chromedp.Run(ctx, chromedp.Evaluate(`window.lastmile.map.jumpTo({ zoom: 11, center: [106.55, 29.56] }); true`, nil)); err != nil {
					b.Fatal(err)
				}
				if layers == "before" {
					if err := chromedp.Run(ctx, chromedp.Evaluate(beforeJS, nil)); err != nil {
						b.Fatal(err)
					}
				}
				b.Logf("%s: WebGL renderer %q, %d features", gl.name, renderer, drawn)
				var (
					res   struct{ Frames, Render []float64 }
					draws []float64
				)
				pan := func(n int) {
					if err := chromedp.Run(ctx, chromedp.Evaluate(panJS+`(`+strconv.Itoa(n)+`)`, &res, awaitPromise)); err != nil {
						b.Fatal(err)
					}
				}
				draw := func(n int) {
					if err := chromedp.Run(ctx, chromedp.Evaluate(drawJS+`(`+strconv.Itoa(n)+`)`, &draws)); err != nil {
						b.Fatal(err)
					}
				}
				pan(10) // tiles, shaders
				draw(10)
				var frames, render, drawMs []float64
				for b.Loop() {
					pan(60)
					frames = append(frames, res.Frames...)
					render = append(render, res.Render...)
					draw(60)
					drawMs = append(drawMs, draws...)
				}
				b.ReportMetric(quantile(frames, 0.5), "frame-ms")
				b.ReportMetric(quantile(frames, 0.95), "p95-frame-ms")
				b.ReportMetric(quantile(render, 0.5), "render-ms")
				b.ReportMetric(quantile(drawMs, 0.5), "draw-ms")
				b.ReportMetric(quantile(drawMs, 0.95), "p95-draw-ms")
			})
		}
	}
}

// quantile returns the q-quantile of xs (nearest rank), or 0 for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// BenchmarkWorkspaceLoad opens the workspace from a blank page in headless
// chromium and reports how long it takes until the map has drawn its base
// layers (the embedded boundaries; data-loaded on the map), median and
// slowest over b.N loads, in milliseconds. The target is under 1 s
// locally. It skips without chromium.
//
//	go test ./cmd/lastmile -run '^$' -bench WorkspaceLoad -benchtime 10x
func BenchmarkWorkspaceLoad(b *testing.B) {
	chrome := findChromium()
	if chrome == "" {
		b.Skip("chromium not found; install it to run the browser benchmarks")
	}
	base, _ := startDemoServer(b)
	browser := newBrowser(b, chrome, glFlags[0].opts...)
	if err := chromedp.Run(browser); err != nil { // start the browser outside the timings
		b.Fatal(err)
	}
	var loads []float64
	for b.Loop() {
		ctx, cancel := context.WithTimeout(browser, 30*time.Second)
		err := chromedp.Run(ctx, chromedp.Navigate("about:blank"))
		start := time.Now()
		if err == nil {
			err = chromedp.Run(ctx,
				chromedp.Navigate(base+"/#view=planner"),
				chromedp.WaitReady(`[data-testid="map"][data-loaded="true"]`),
			)
		}
		loads = append(loads, float64(time.Since(start).Microseconds())/1000)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(quantile(loads, 0.5), "load-ms")
	b.ReportMetric(slices.Max(loads), "max-load-ms")
}

// Package web holds the browser workspace that `lastmile serve` hosts at /:
// a planner view (scenario runs, zones, routes, comparison and cost
// shares), a courier view (today's route, stop events) and an operator
// view (queue, jobs, failures, health), written against the public HTTP
// API.
//
// # Assets
//
// Everything the browser loads is in dist and embedded in the binary, so
// the app works offline and with Go alone: dist/index.html, app.js and
// app.css are the app, written by hand without a build step;
// dist/vendor/maplibre-gl is MapLibre GL JS (BSD-3-Clause, its LICENSE.txt
// beside it) as pinned by package-lock.json. build.sh (go generate) copies
// it from npm; tests never run it.
//
// The map draws with WebGL, so thousands of stops and hundreds of routes
// pan smoothly. With no tile server the base layer is the municipality's
// embedded boundaries (internal/cqgeo), served by the API at
// /v1/geo/boundaries; a raster tile URL, when configured, is drawn beneath.
package web

//go:generate sh ./build.sh

import (
	"embed"
	"html"
	"io/fs"
	"strings"
)

//go:embed dist
var dist embed.FS

// Assets returns the app's files (index.html, app.js, app.css, vendor/…)
// rooted at dist.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded above: cannot happen
	}
	return sub
}

// Index returns index.html with the base path of the assets and the raster
// tile URL template ("" for none) filled in.
func Index(assetBase, tilesURL string) []byte {
	b, err := fs.ReadFile(dist, "dist/index.html")
	if err != nil {
		panic(err) // embedded above
	}
	return []byte(strings.NewReplacer(
		"{{ASSETS}}", html.EscapeString(assetBase),
		"{{TILES}}", html.EscapeString(tilesURL),
	).Replace(string(b)))
}

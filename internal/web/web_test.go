package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAssetsResolve checks that every file index.html and app.js load is
// embedded, so the app never reaches for the network.
func TestAssetsResolve(t *testing.T) {
	assets := Assets()
	index := string(Index("/app/", ""))
	refs := regexp.MustCompile(`(?:href|src)="/app/([^"]+)"`).FindAllStringSubmatch(index, -1)
	if len(refs) < 3 {
		t.Fatalf("index.html links %d assets under /app/, want its script and styles", len(refs))
	}
	for _, m := range refs {
		if _, err := fs.Stat(assets, m[1]); err != nil {
			t.Errorf("index.html links %s: %v", m[1], err)
		}
	}
	app, err := fs.ReadFile(assets, "app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`from '\./([^']+)'`).FindAllStringSubmatch(string(app), -1) {
		if _, err := fs.Stat(assets, m[1]); err != nil {
			t.Errorf("app.js imports %s: %v", m[1], err)
		}
	}
	// MapLibre loads its worker beside itself.
	for _, f := range []string{"vendor/maplibre-gl/maplibre-gl-worker.mjs", "vendor/maplibre-gl/LICENSE.txt"} {
		if _, err := fs.Stat(assets, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, src := range []string{index, string(app)} {
		if m := regexp.MustCompile(`https?://[a-z0-9.-]+\.(?:com|org|net|io)/`).FindString(src); m != "" {
			t.Errorf("the app names a remote URL %s; nothing may load from a CDN", m)
		}
	}
}

// TestVendorMatchesLock checks that the copied MapLibre is the version
// package-lock.json pins: run `go generate ./internal/web` after changing
// package.json.
func TestVendorMatchesLock(t *testing.T) {
	b, err := os.ReadFile("package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
			License string `json:"license"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatal(err)
	}
	pin := lock.Packages["node_modules/maplibre-gl"]
	v, err := fs.ReadFile(Assets(), "vendor/maplibre-gl/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(v)); got != pin.Version || pin.Version == "" {
		t.Errorf("dist/vendor/maplibre-gl is %q, package-lock.json pins %q: run go generate ./internal/web", got, pin.Version)
	}
	if pin.License != "BSD-3-Clause" {
		t.Errorf("maplibre-gl licence %q, want BSD-3-Clause", pin.License)
	}
}

// TestIndexEscapes checks that the tile URL is escaped into index.html.
func TestIndexEscapes(t *testing.T) {
	got := string(Index("/app/", `https://tiles.example/{z}/{x}/{y}.png?a=1&b="2"`))
	want := `content="https://tiles.example/{z}/{x}/{y}.png?a=1&amp;b=&#34;2&#34;"`
	if !strings.Contains(got, want) {
		t.Errorf("Index: tile meta not escaped; want %s in\n%s", want, got[:400])
	}
	if strings.Contains(got, "{{") {
		t.Errorf("Index left a placeholder")
	}
}

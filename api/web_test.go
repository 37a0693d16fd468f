package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/store"
)

// TestWebApp checks the routes the browser app needs: the page and its
// assets without a key, the base map with its attribution, and whoami.
func TestWebApp(t *testing.T) {
	srv, err := api.New(api.Config{Store: store.NewMemory(), Tiles: "http://127.0.0.1:9/{z}/{x}/{y}.png",
		Keys: []api.Key{{Role: api.RoleCourier, Secret: "courier-secret-1", CourierID: "c7"}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	get := func(path, key string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	tests := []struct {
		path, key, wantType, wantBody string
		wantStatus                    int
	}{
		{"/", "", "text/html", `data-testid="map"`, 200},
		{"/", "", "text/html", `content="http://127.0.0.1:9/{z}/{x}/{y}.png"`, 200},
		{"/app/app.js", "", "text/javascript", "maplibre-gl.mjs", 200},
		{"/app/vendor/maplibre-gl/maplibre-gl.mjs", "", "text/javascript", "MapLibre", 200},
		{"/app/vendor/maplibre-gl/LICENSE.txt", "", "text/plain", "BSD", 200},
		{"/app/nothing.js", "", "", "", 404},
		{"/v1/geo/boundaries", "", "application/geo+json", `"attribution":"Boundaries and townships: Vonng/adcode (CC BY 4.0)`, 200},
		{"/v1/whoami", "courier-secret-1", "application/json", `"courier_id":"c7"`, 200},
		{"/v1/whoami", "", "application/problem+json", "", 401},
		{"/nothing", "", "application/problem+json", "", 404},
	}
	for _, tt := range tests {
		resp, body := get(tt.path, tt.key)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.wantStatus)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tt.path, ct, tt.wantType)
		}
		if !strings.Contains(body, tt.wantBody) {
			t.Errorf("GET %s: body lacks %q", tt.path, tt.wantBody)
		}
	}
	_, body := get("/v1/geo/boundaries", "")
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) < 900 {
		t.Errorf("boundaries: %s with %d features (%v); want the counties and townships", fc.Type, len(fc.Features), err)
	}
}

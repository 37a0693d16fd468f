package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/paulmach/orb/geojson"
)

// TestPlannerGeoJSON: every planner run answers a FeatureCollection on
// request (?format=geojson or Accept: application/geo+json), still stores
// the plan, and names it in Location and the plan_id foreign member.
func TestPlannerGeoJSON(t *testing.T) {
	ts := startServer(t, api.Config{})
	for _, f := range []string{
		`{"id":"cw-1","kind":"cloud_warehouse","location":[106.45,29.60],"capacity":{"per_day":300},"hours":{"open_seconds":0,"close_seconds":0},"handling_cost":0.8}`,
		`{"id":"lk-1","kind":"locker","location":[106.55,29.56],"capacity":{"per_day":50,"compartments":60},"hours":{"open_seconds":0,"close_seconds":0}}`,
	} {
		if r := ts.do("POST", "/v1/facilities", plannerKey, f); r.Status != http.StatusCreated {
			t.Fatalf("create facility = %d %s", r.Status, r.Body)
		}
	}
	tests := []struct {
		name, path, body string
		// layer names the property that tells features apart and the
		// values that must all appear.
		layer string
		want  []string
	}{
		{"allocation", "/v1/plans/allocation",
			`{"demand":[{"location":[106.50,29.58],"category":"","volume":120}],"tariff":{"per_parcel_km":0.05}}`, "", nil},
		{"coverage", "/v1/plans/coverage",
			`{"demand":[{"location":[106.551,29.561],"weight":30}],"radius_meters":500}`, "role", []string{"existing"}},
		{"sites", "/v1/plans/sites",
			`{"demand":[{"location":[106.60,29.60],"weight":10}],"radius_meters":500,"add":1,
			  "candidates":[{"id":"s1","location":[106.601,29.601]},{"id":"s2","location":[106.70,29.70]}]}`,
			"role", []string{"demand", "existing", "chosen", "candidate"}},
		{"location", "/v1/plans/location",
			`{"candidates":[{"id":"a","kind":"distribution_centre","location":[106.50,29.55],"capacity":{"per_day":100},"hours":{"open_seconds":0,"close_seconds":0},"fixed_cost":500},
			                {"id":"c","kind":"distribution_centre","location":[106.55,29.60],"capacity":{"per_day":100},"hours":{"open_seconds":0,"close_seconds":0},"fixed_cost":50000}],
			  "demand":[{"location":[106.50,29.56],"volume":60}],"per_parcel_km":0.5}`,
			"role", []string{"open", "closed", "demand", "flow"}},
		{"urban", "/v1/plans/urban", `{"seed":3,"parcels":120,"carriers":2,"iterations":5}`, "layer", []string{"zone", "route", "stop", "depot"}},
		{"rural", "/v1/plans/rural", `{"seed":3,"iterations":20,"counties":["rongchang","youyang"]}`, "layer", []string{"route", "stop", "depot", "site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if testing.Short() && (tt.name == "urban" || tt.name == "rural") {
				t.Skip("plans a whole scenario")
			}
			r := ts.do("POST", tt.path+"?format=geojson", plannerKey, tt.body)
			if r.Status != http.StatusCreated {
				t.Fatalf("POST %s?format=geojson = %d %.300s", tt.path, r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/geo+json" {
				t.Errorf("Content-Type = %q, want application/geo+json", ct)
			}
			fc, err := geojson.UnmarshalFeatureCollection(r.Body)
			if err != nil {
				t.Fatalf("body is not a FeatureCollection: %v: %.200s", err, r.Body)
			}
			if len(fc.Features) == 0 {
				t.Fatal("no features")
			}
			id, _ := fc.ExtraMembers["plan_id"].(string)
			if !strings.HasPrefix(id, "plan_") || r.Header.Get("Location") != "/v1/plans/"+id {
				t.Errorf("plan_id %q, Location %q: want the stored plan named in both", id, r.Header.Get("Location"))
			}
			if g := ts.do("GET", "/v1/plans/"+id, plannerKey, nil); g.Status != http.StatusOK {
				t.Errorf("GET stored plan = %d", g.Status)
			}
			seen := map[string]bool{}
			for _, f := range fc.Features {
				if f.Geometry == nil {
					t.Fatalf("feature without geometry: %v", f.Properties)
				}
				if tt.layer != "" {
					seen[f.Properties.MustString(tt.layer, "")] = true
				}
			}
			for _, w := range tt.want {
				if !seen[w] {
					t.Errorf("no feature with %s=%q (have %v)", tt.layer, w, seen)
				}
			}
		})
	}
}

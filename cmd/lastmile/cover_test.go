package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}
	code = Run(context.Background(), env, args)
	return code, out.String(), errOut.String()
}

var (
	coverDemand     = filepath.Join("testdata", "cover_demand.csv")
	coverPoints     = filepath.Join("testdata", "cover_points.csv")
	coverCandidates = filepath.Join("testdata", "cover_candidates.csv")
)

func TestCoverJSON(t *testing.T) {
	gj := filepath.Join(t.TempDir(), "cells.geojson")
	code, out, errOut := runCLI(t, "cover", "--demand", coverDemand, "--points", coverPoints, "--json", "--quiet", "--geojson", gj)
	if code != 0 {
		t.Fatalf("lastmile cover exit %d: %s", code, errOut)
	}
	var rep struct {
		TotalDemand         *float64 `json:"total_demand"`
		CoveredDemand       *float64 `json:"covered_demand"`
		CoveredWithCapacity *float64 `json:"covered_with_capacity"`
		Points              []struct {
			ID             string   `json:"id"`
			AssignedDemand *float64 `json:"assigned_demand"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("cover --json output: %v\n%s", err, out)
	}
	if rep.TotalDemand == nil || rep.CoveredDemand == nil || rep.CoveredWithCapacity == nil || len(rep.Points) != 8 {
		t.Fatalf("cover --json lacks fields: %s", out)
	}
	if *rep.CoveredWithCapacity > *rep.CoveredDemand || *rep.CoveredDemand > *rep.TotalDemand {
		t.Errorf("covered %v, with capacity %v, total %v out of order", *rep.CoveredDemand, *rep.CoveredWithCapacity, *rep.TotalDemand)
	}
	sum := 0.0
	for _, p := range rep.Points {
		if p.ID == "" || p.AssignedDemand == nil {
			t.Fatalf("point without id or assigned_demand: %s", out)
		}
		sum += *p.AssignedDemand
	}
	if d := sum - *rep.CoveredWithCapacity; d > 1e-6 || d < -1e-6 {
		t.Errorf("assigned demand sums to %v, want %v", sum, *rep.CoveredWithCapacity)
	}
	data, err := os.ReadFile(gj)
	if err != nil || !bytes.Contains(data, []byte(`"FeatureCollection"`)) || !bytes.Contains(data, []byte(`"status"`)) {
		t.Errorf("GeoJSON output missing or malformed (%v)", err)
	}
}

func TestSiteJSON(t *testing.T) {
	for _, args := range [][]string{
		{"--add", "3"},
		{"--add", "2", "--capacitated"},
		{"--target", "0.5"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			argv := append([]string{"site", "--demand", coverDemand, "--points", coverPoints, "--candidates", coverCandidates, "--json", "--quiet"}, args...)
			code, out, errOut := runCLI(t, argv...)
			if code != 0 {
				t.Fatalf("lastmile site exit %d: %s", code, errOut)
			}
			var plan struct {
				Chosen        []string `json:"chosen"`
				CoveredDemand *float64 `json:"covered_demand"`
				UpperBound    *float64 `json:"upper_bound"`
			}
			if err := json.Unmarshal([]byte(out), &plan); err != nil {
				t.Fatalf("site --json output: %v\n%s", err, out)
			}
			if len(plan.Chosen) == 0 || plan.CoveredDemand == nil || plan.UpperBound == nil || *plan.UpperBound < *plan.CoveredDemand {
				t.Errorf("site --json: %s", out)
			}
		})
	}
}

// TestSiteGeoJSON checks that the site map shows the demand cells with the
// chosen sites in place, and the sites with the radius they were planned with.
func TestSiteGeoJSON(t *testing.T) {
	gj := filepath.Join(t.TempDir(), "site.geojson")
	code, _, errOut := runCLI(t, "site", "--demand", coverDemand, "--points", coverPoints, "--candidates", coverCandidates,
		"--add", "3", "--radius", "450", "--quiet", "--geojson", gj)
	if code != 0 {
		t.Fatalf("lastmile site exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(gj)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	servedByChosen := 0
	for _, f := range fc.Features {
		p := f.Properties
		if role, ok := p["role"].(string); ok {
			count[role]++
			if role == "chosen" && p["radius_m"] != 450.0 {
				t.Errorf("chosen site %v radius_m = %v, want the default 450", p["id"], p["radius_m"])
			}
			continue
		}
		count["cell"]++
		if sp, _ := p["serving_point"].(string); strings.HasPrefix(sp, "C") {
			servedByChosen++
		}
	}
	if count["existing"] != 8 || count["chosen"] != 3 || count["cell"] == 0 || servedByChosen == 0 {
		t.Errorf("site GeoJSON has %v and %d cells served by a chosen site; want 8 existing, 3 chosen, cells, some served by C…", count, servedByChosen)
	}
}

func TestCoverSiteBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := write("empty.csv", "")
	nanDemand := write("nan.csv", "lon,lat,weight\n106.5,NaN,3\n")
	negCap := write("negcap.csv", "id,lon,lat,radius_m,capacity\na,106.5,29.5,300,-4\n")
	shortRow := write("short.csv", "lon,lat,weight\n106.5,29.5,3\n106.5,29.5\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"empty demand", []string{"cover", "--demand", empty, "--points", coverPoints}, 1, "empty CSV"},
		{"NaN coordinate", []string{"cover", "--demand", nanDemand, "--points", coverPoints}, 1, "line 2"},
		{"negative capacity", []string{"cover", "--demand", coverDemand, "--points", negCap}, 1, "negative"},
		{"negative radius", []string{"cover", "--demand", coverDemand, "--points", coverPoints, "--radius", "-5"}, 2, "--radius"},
		{"circuity below 1", []string{"cover", "--demand", coverDemand, "--points", coverPoints, "--circuity", "0.5"}, 2, "--circuity"},
		{"missing points", []string{"cover", "--demand", coverDemand}, 2, "required"},
		{"no such file", []string{"cover", "--demand", filepath.Join(dir, "nope.csv"), "--points", coverPoints}, 1, "nope.csv"},
		{"site without model", []string{"site", "--demand", coverDemand, "--candidates", coverCandidates}, 2, "--add"},
		{"site without candidates", []string{"site", "--demand", coverDemand, "--add", "2"}, 2, "--candidates"},
		{"site target 0", []string{"site", "--demand", coverDemand, "--candidates", coverCandidates, "--target", "0"}, 2, "0 < SHARE ≤ 1"},
		{"site target above 1", []string{"site", "--demand", coverDemand, "--candidates", coverCandidates, "--target", "1.5"}, 2, "0 < SHARE ≤ 1"},
		{"site add 0", []string{"site", "--demand", coverDemand, "--candidates", coverCandidates, "--add", "0"}, 2, "at least 1"},
		{"site both models", []string{"site", "--demand", coverDemand, "--candidates", coverCandidates, "--add", "2", "--target", "1"}, 2, "not both"},
		{"short demand row", []string{"cover", "--demand", shortRow, "--points", coverPoints}, 1, "line 3: 2 fields"},
		{"site unreachable target", []string{"site", "--demand", coverDemand, "--candidates", coverCandidates, "--target", "1"}, 1, "cannot be reached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append(tc.args, "--quiet")...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.wantCode, tc.wantErr)
			}
		})
	}
}

func TestCoverRuralSynthetic(t *testing.T) {
	dir := t.TempDir()
	towns := filepath.Join(dir, "towns.csv")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(towns, []byte("code,name,lon_wgs84,lat_wgs84\nT1,town,106.50,29.50\nT2,no point,,\n"), 0o644)
	os.WriteFile(villages, []byte("code,name,lon_wgs84,lat_wgs84\nV1,near,106.51,29.50\nV2,far,106.80,29.50\nV3,far too,106.81,29.51\n"), 0o644)
	code, out, errOut := runCLI(t, "cover", "--rural", "--townships", towns, "--villages", villages, "--km", "5", "--quiet")
	if code != 0 {
		t.Fatalf("lastmile cover --rural exit %d: %s", code, errOut)
	}
	for _, want := range []string{"1 of 3", "equip 1 villages", "skipped rows without coordinates: 1 townships"} {
		if !strings.Contains(out, want) {
			t.Errorf("rural output lacks %q:\n%s", want, out)
		}
	}
}

// TestCoverZonesShared runs the per-zone report with the Chongqing district
// boundaries (GCJ-02) from ../shared/geo (skipped when absent, failed in CI).
func TestCoverZonesShared(t *testing.T) {
	zones := sharedtest.Path(t, "geo", "chongqing_districts_gcj02.geojson")
	code, out, errOut := runCLI(t, "cover", "--demand", coverDemand, "--points", coverPoints, "--zones", zones, "--zones-datum", "gcj02", "--json", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		TotalDemand float64 `json:"total_demand"`
		Zones       []struct {
			Zone        string  `json:"zone"`
			TotalDemand float64 `json:"total_demand"`
		} `json:"zones"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	names := map[string]bool{}
	for _, z := range rep.Zones {
		sum += z.TotalDemand
		names[z.Zone] = true
	}
	if !names["渝中区"] || !names["江北区"] || sum != rep.TotalDemand {
		t.Errorf("zones %v sum to %v of %v; want 渝中区 and 江北区 among them", names, sum, rep.TotalDemand)
	}
}

// TestCoverRuralLeavesOutCommunities: with a gazetteer villages file, the
// urban communities (社区, ur_code 1xx) are not villages.
func TestCoverRuralLeavesOutCommunities(t *testing.T) {
	dir := t.TempDir()
	towns := filepath.Join(dir, "towns.csv")
	villages := filepath.Join(dir, "villages.csv")
	os.WriteFile(towns, []byte("code,name,lon_wgs84,lat_wgs84\nT1,town,106.50,29.50\n"), 0o644)
	os.WriteFile(villages, []byte("code,town_code,county_adcode,county,town,name,ur_code,lon_wgs84,lat_wgs84\n"+
		"V1,T1,500101,c,t,near village,220,106.51,29.50\n"+
		"C1,T1,500101,c,t,town community,111,106.501,29.501\n"+
		"V2,T1,500101,c,t,far village,210,106.80,29.50\n"), 0o644)
	code, out, errOut := runCLI(t, "cover", "--rural", "--townships", towns, "--villages", villages, "--km", "5", "--quiet")
	if code != 0 {
		t.Fatalf("lastmile cover --rural exit %d: %s", code, errOut)
	}
	for _, want := range []string{"2 villages", "1 of 2", "left out: 1 urban communities"} {
		if !strings.Contains(out, want) {
			t.Errorf("rural output lacks %q:\n%s", want, out)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runPlanCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errw bytes.Buffer
	code = Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errw}, append([]string{"plan"}, args...))
	return code, out.String(), errw.String()
}

// checkPlanFiles checks the three files of --out and returns report.json
// decoded.
func checkPlanFiles(t *testing.T, dir string) map[string]any {
	t.Helper()
	var rep map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry   struct{ Type string } `json:"geometry"`
			Properties map[string]any        `json:"properties"`
		} `json:"features"`
	}
	b, err = os.ReadFile(filepath.Join(dir, "routes.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("routes.geojson: %v (type %q)", err, fc.Type)
	}
	lines := 0
	for _, f := range fc.Features {
		if f.Geometry.Type == "LineString" {
			lines++
		}
	}
	if lines == 0 {
		t.Error("routes.geojson has no route LineString")
	}
	svg, err := os.ReadFile(filepath.Join(dir, "map.svg"))
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := d.Token(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("map.svg is not well-formed XML: %v", err)
			}
			break
		}
	}
	if !bytes.Contains(svg, []byte("<polyline")) {
		t.Error("map.svg draws no route")
	}
	return rep
}

func TestPlanUrbanCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runPlanCLI(t, "urban", "--quiet", "--parcels", "150", "--carriers", "2", "--iterations", "3", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"pooled", "separate", "saves", "cost sharing", "zto", "yto"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	rep := checkPlanFiles(t, dir)
	for _, k := range []string{"pooled", "separate", "carriers", "unassigned"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
	pooled, _ := rep["pooled"].(map[string]any)
	for _, k := range []string{"vehicle_km", "vehicles", "driver_hours"} {
		if _, ok := pooled[k]; !ok {
			t.Errorf("report.json pooled lacks %q", k)
		}
	}
	carriers, _ := rep["carriers"].([]any)
	for _, c := range carriers {
		m, _ := c.(map[string]any)
		for _, k := range []string{"id", "allocated_cost", "standalone_cost"} {
			if _, ok := m[k]; !ok {
				t.Errorf("report.json carrier lacks %q", k)
			}
		}
	}
}

func TestPlanRuralCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runPlanCLI(t, "rural", "chongqing", "--quiet", "--iterations", "100", "--counties", "rongchang,youyang", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(out, "villages") || !strings.Contains(out, "farm produce") {
		t.Errorf("report:\n%s", out)
	}
	rep := checkPlanFiles(t, dir)
	for _, k := range []string{"villages_total", "villages_served", "produce_kg_per_week", "days", "trunks", "backhaul", "chain", "cold_storage", "coverage", "municipality", "fleet"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
	if days, _ := rep["days"].([]any); len(days) != 7 {
		t.Errorf("report.json has %d days, want 7", len(days))
	}
	for _, want := range []string{"coverage:", "cold-chain time out of refrigeration: max 0 s", "loaded-km share", "cold rooms:", "lower bound"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	for _, c := range []string{"rongchang", "youyang"} {
		if _, err := os.Stat(filepath.Join(dir, "map-"+c+".svg")); err != nil {
			t.Errorf("no county map: %v", err)
		}
	}
}

func TestPlanUsage(t *testing.T) {
	for _, args := range [][]string{
		{}, {"suburban"}, {"urban", "a", "b"}, {"urban", "--res", "99"}, {"rural", "--time-limit", "-1s"},
	} {
		if code, _, _ := runPlanCLI(t, args...); code != 2 {
			t.Errorf("plan %q exit %d, want 2", args, code)
		}
	}
	if code, _, _ := runPlanCLI(t, "rural", filepath.Join(t.TempDir(), "missing.json")); code != 1 {
		t.Errorf("plan rural missing.json: exit %d, want 1", code)
	}
}

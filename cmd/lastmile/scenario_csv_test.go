package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScenarioCSVFeedsCover writes the generated day as CSV and reads it
// back through 'lastmile cover', as the README does.
func TestScenarioCSVFeedsCover(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runScenarioCLI(t, "--parcels", "400", "--kind", "urban", "--csv", dir); code != 0 {
		t.Fatalf("scenario --csv: exit %d, stderr %q", code, errs)
	}
	for name, header := range map[string]string{
		"demand.csv": "lon,lat,weight", "parcels.csv": "lon,lat,weight", "points.csv": "id,lon,lat,capacity",
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if lines[0] != header || len(lines) < 2 {
			t.Errorf("%s: header %q and %d rows, want header %q and rows", name, lines[0], len(lines)-1, header)
		}
		if name == "parcels.csv" && len(lines)-1 != 400 {
			t.Errorf("parcels.csv has %d rows, want 400", len(lines)-1)
		}
	}
	var out, errw bytes.Buffer
	args := []string{"cover", "--quiet", "--json", "--demand", filepath.Join(dir, "parcels.csv"), "--points", filepath.Join(dir, "points.csv")}
	if code := Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errw}, args); code != 0 {
		t.Fatalf("cover: exit %d, stderr %q", code, errw.String())
	}
	var rep struct {
		TotalDemand   float64 `json:"total_demand"`
		CoveredDemand float64 `json:"covered_demand"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("cover --json: %v", err)
	}
	if rep.TotalDemand != 400 || rep.CoveredDemand <= 0 || rep.CoveredDemand > 400 {
		t.Errorf("cover on the generated day: total %v, covered %v; want total 400 and some covered", rep.TotalDemand, rep.CoveredDemand)
	}
	if code, _, _ := runScenarioCLI(t, "--fixture", "--csv", dir); code != 2 {
		t.Errorf("scenario --fixture --csv: exit %d, want 2 (usage)", code)
	}
}

// TestSolveCourierFixture solves the hand-written courier problem in the
// top-level testdata and checks what the README promises of it.
func TestSolveCourierFixture(t *testing.T) {
	var out, errw bytes.Buffer
	args := []string{"solve", "--json", "--format", "json", "--iterations", "500", "--seed", "1", "--quiet", filepath.Join("..", "..", "testdata", "yuzhong-courier.json")}
	if code := Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errw}, args); code != 0 {
		t.Fatalf("solve: exit %d, stderr %q", code, errw.String())
	}
	var sol struct {
		Feasible bool `json:"feasible"`
		Routes   []struct {
			Vehicle string   `json:"vehicle"`
			Jobs    []string `json:"jobs"`
		} `json:"routes"`
		Unassigned []struct {
			ID     string `json:"id"`
			Reason string `json:"reason"`
		} `json:"unassigned"`
	}
	if err := json.Unmarshal(out.Bytes(), &sol); err != nil {
		t.Fatalf("solution JSON: %v", err)
	}
	seen := map[string]int{}
	for _, r := range sol.Routes {
		for _, j := range r.Jobs {
			seen[j]++
			if (j == "daping-hospital" || j == "huangsha-market-fresh") && r.Vehicle != "cold-van" {
				t.Errorf("cold-chain job %s rides on %s, want cold-van", j, r.Vehicle)
			}
		}
	}
	for _, u := range sol.Unassigned {
		if u.Reason == "" {
			t.Errorf("unassigned %s has no reason", u.ID)
		}
		seen[u.ID]++
	}
	// Every job and both shipment stops are routed once, or reported once.
	want := []string{"jiefangbei-tower", "hongyadong-shops", "qixinggang", "lianglukou-metro", "eling-park",
		"daping-hospital", "zhongshan-4th-rd", "jiefangbei-returns", "xiaoshizi", "fotuguan",
		"huangsha-market-fresh", "nanjimen", "jinlong-road-returns"}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("job %s appears %d times in routes and unassigned, want once", id, seen[id])
		}
	}
	if seen["chaotianmen-wholesale"] != 1 {
		t.Errorf("shipment pickup appears %d times, want once", seen["chaotianmen-wholesale"])
	}
	if !sol.Feasible {
		t.Errorf("solution not feasible by the checker")
	}
}

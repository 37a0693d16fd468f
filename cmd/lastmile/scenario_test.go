package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/scenario"
)

func runScenarioCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errw bytes.Buffer
	code = Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errw}, append([]string{"scenario"}, args...))
	return code, out.String(), errw.String()
}

func TestScenarioCommand(t *testing.T) {
	t.Run("json to stdout", func(t *testing.T) {
		code, out, errs := runScenarioCLI(t, "--json", "--seed", "3", "--parcels", "300", "--carriers", "2", "--kind", "urban")
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		var s scenario.Scenario
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("output is not a scenario: %v", err)
		}
		if s.Seed != 3 || s.Day == nil || len(s.Day.Parcels) != 300 || len(s.Day.Carriers) != 2 || s.Week != nil {
			t.Errorf("scenario seed %d, day %v, week %v: flags not applied", s.Seed, s.Day != nil, s.Week != nil)
		}
		want, _ := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 3, Parcels: 300, Carriers: 2, Kind: scenario.KindUrban})
		var buf bytes.Buffer
		if err := writeScenarioJSON(&buf, want); err != nil || buf.String() != out {
			t.Errorf("CLI output differs from scenario.Generate with the same options (err %v)", err)
		}
	})
	t.Run("summary and out dir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "new")
		path := filepath.Join(dir, "scenario.json")
		code, out, errs := runScenarioCLI(t, "--out", dir, "--kind", "rural")
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
		if !strings.Contains(out, "rural week: 34 counties") || strings.Contains(out, "urban day") {
			t.Errorf("summary = %q", out)
		}
		if errs != "wrote "+path+"\n" {
			t.Errorf("stderr = %q, want the line %q", errs, "wrote "+path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var s scenario.Scenario
		if err := json.Unmarshal(b, &s); err != nil || s.Week == nil {
			t.Errorf("--out file is not a rural scenario: %v", err)
		}
	})
	t.Run("carrier stations", func(t *testing.T) {
		code, out, errs := runScenarioCLI(t, "--kind", "urban", "--parcels", "500", "--carrier-stations", "--json")
		var s scenario.Scenario
		if err := json.Unmarshal([]byte(out), &s); code != 0 || err != nil || len(s.Day.Carriers[0].Stations) == 0 {
			t.Errorf("--carrier-stations: exit %d, stderr %q, %v: no stations", code, errs, err)
		}
	})
	t.Run("fixture", func(t *testing.T) {
		code, out, _ := runScenarioCLI(t, "--fixture", "--json")
		var f scenario.Fixture
		if err := json.Unmarshal([]byte(out), &f); code != 0 || err != nil || f.Validate() != nil || len(f.Districts) != 9 {
			t.Errorf("--fixture --json: exit %d, %v", code, err)
		}
		code, out, _ = runScenarioCLI(t, "--fixture")
		if want := "9 urban districts"; code != 0 || !strings.Contains(out, want) {
			t.Errorf("--fixture: exit %d, output %q; want text with %q", code, out, want)
		}
	})
	for _, args := range [][]string{
		{"--parcels", "-5"},
		{"--carriers", "11"},
		{"--kind", "suburb"},
		{"--bogus"},
		{"extra"},
	} {
		t.Run("usage "+strings.Join(args, " "), func(t *testing.T) {
			if code, _, errs := runScenarioCLI(t, args...); code != 2 || errs == "" {
				t.Errorf("exit %d, stderr %q; want 2 and a message", code, errs)
			}
		})
	}
	t.Run("unwritable out", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "x.json") // a file where --out wants a folder
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runScenarioCLI(t, "--out", file); code != 1 || !strings.Contains(errs, "x.json") {
			t.Errorf("exit %d, stderr %q; want 1 naming the path", code, errs)
		}
	})
}

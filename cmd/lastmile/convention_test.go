package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestParseArgs: flags before, between and after the positional arguments
// all parse; "--" ends the flags; "-" (stdin) is a positional argument.
func TestParseArgs(t *testing.T) {
	tests := []struct {
		args  []string
		pos   []string
		limit string
		quiet bool
	}{
		{[]string{"FILE"}, []string{"FILE"}, "0s", false},
		{[]string{"--time-limit", "1s", "FILE"}, []string{"FILE"}, "1s", false},
		{[]string{"FILE", "--time-limit", "1s"}, []string{"FILE"}, "1s", false},
		{[]string{"urban", "--quiet", "chongqing", "--time-limit=2s"}, []string{"urban", "chongqing"}, "2s", true},
		{[]string{"-", "--quiet"}, []string{"-"}, "0s", true},
		{[]string{"--quiet", "--", "--time-limit", "x"}, []string{"--time-limit", "x"}, "0s", true},
		{[]string{"a", "--", "-b"}, []string{"a", "-b"}, "0s", false},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		limit := fs.Duration("time-limit", 0, "")
		quiet := fs.Bool("quiet", false, "")
		pos, err := parseArgs(fs, tc.args)
		if err != nil || !slices.Equal(pos, tc.pos) || limit.String() != tc.limit || *quiet != tc.quiet {
			t.Errorf("parseArgs(%q) = %q, %v, time-limit %s, quiet %t; want %q, time-limit %s, quiet %t",
				tc.args, pos, err, limit, *quiet, tc.pos, tc.limit, tc.quiet)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(&strings.Builder{})
	if _, err := parseArgs(fs, []string{"FILE", "--nope"}); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("parseArgs(unknown flag after FILE) = %v, want a usage error", err)
	}
}

// benchData writes a two-instance solomon-25 folder: C101 and RC101, both
// the hand-written five-customer file, so that --filter C101 must pick one.
func benchData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	set := filepath.Join(dir, "solomon", "25")
	if err := os.MkdirAll(set, 0o755); err != nil {
		t.Fatal(err)
	}
	tiny, err := os.ReadFile(filepath.Join("testdata", "solve_tiny.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"C101", "RC101"} {
		if err := os.WriteFile(filepath.Join(set, name+".txt"), tiny, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bks := "instance\tbks_objective\tvehicles\toptimal\tsource\nC101\t100.0\t2\tunknown\ttest\nRC101\t100.0\t2\tunknown\ttest\n"
	if err := os.WriteFile(filepath.Join(set, "bks.tsv"), []byte(bks), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestEveryCommandConvention runs every subcommand with its positional
// arguments first and its flags after them, once with --json (stdout must
// be one JSON value) and once without (human text on stdout, with none of
// Go's %v formatting of maps, structs or bools).
func TestEveryCommandConvention(t *testing.T) {
	t.Setenv("LASTMILE_API_KEYS", "")
	t.Setenv("DATABASE_URL", "")
	t.Setenv("LASTMILE_DATA", t.TempDir())
	dir := t.TempDir()
	points := filepath.Join(dir, "points.csv")
	if err := os.WriteFile(points, []byte(matrixPoints), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := map[string][]string{
		"allocate": {"--scenario", filepath.Join("..", "..", "depots", "testdata", "allocation.json"), "--quiet"},
		"bench":    {"--data", benchData(t), "--set", "solomon-25", "--filter", "C101", "--iterations", "20", "--quiet"},
		"cover":    {"--demand", coverDemand, "--points", coverPoints, "--quiet"},
		"import":   {"facilities", filepath.Join("testdata", "import_facilities.csv")},
		"keys":     {"list"},
		"locate":   {filepath.Join("testdata", "locate_tiny_cap.txt"), "--format", "orlib-cap", "--capacity", "100", "--quiet"},
		"matrix":   {points, "--quiet"},
		"plan":     {"urban", "chongqing", "--parcels", "150", "--carriers", "2", "--iterations", "3", "--quiet"},
		"scenario": {"--kind", "urban", "--parcels", "100"},
		"serve":    {"--addr", "127.0.0.1:0", "--log-format", "text"},
		"site":     {"--demand", coverDemand, "--points", coverPoints, "--candidates", coverCandidates, "--add", "1", "--quiet"},
		"solve":    {filepath.Join("testdata", "solve_tiny.txt"), "--iterations", "20", "--seed", "3", "--quiet"},
		"version":  {},
		"worker":   {"--database-url", os.Getenv("LASTMILE_TEST_DATABASE_URL"), "--workers", "1"},
	}
	for name := range commands {
		if _, ok := tests[name]; !ok {
			t.Errorf("command %q has no row here: every command must follow the convention", name)
		}
	}
	for name, args := range tests {
		t.Run(name+" --json", func(t *testing.T) {
			if name == "worker" && os.Getenv("LASTMILE_TEST_DATABASE_URL") == "" {
				t.Skip("LASTMILE_TEST_DATABASE_URL not set")
			}
			out, errOut := runConvention(t, name, append(slices.Clone(args), "--json"))
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Errorf("lastmile %s ... --json: stdout is not one JSON value (%v):\n%s\nstderr: %s", name, err, out, errOut)
			}
			if name == "bench" {
				var r struct {
					Results []struct{ Instance string } `json:"results"`
				}
				_ = json.Unmarshal([]byte(out), &r)
				if len(r.Results) != 1 || r.Results[0].Instance != "C101" {
					t.Errorf("bench --filter C101 ran %+v, want C101 alone (not RC101)", r.Results)
				}
			}
		})
		if name == "serve" || name == "worker" {
			continue // their text is their log on stderr
		}
		t.Run(name+" text", func(t *testing.T) {
			out, errOut := runConvention(t, name, args)
			if strings.TrimSpace(out) == "" || strings.HasPrefix(out, "{") || strings.HasPrefix(out, "[") {
				t.Errorf("lastmile %s: stdout is not text:\n%s\nstderr: %s", name, out, errOut)
			}
			for _, leak := range []string{"map[", "%!", "&{", " true)", " false)", "<nil>"} {
				if strings.Contains(out, leak) {
					t.Errorf("lastmile %s: Go formatting %q in the text output:\n%s", name, leak, out)
				}
			}
		})
	}
}

// runConvention runs one command and fails the test unless it exits 0.
// serve runs until it has printed its start line, then is stopped as by
// SIGTERM.
func runConvention(t *testing.T, name string, args []string) (stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, append([]string{name}, args...)) }()
	if name == "serve" || name == "worker" {
		for deadline := time.Now().Add(20 * time.Second); out.String() == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		}
		cancel()
	}
	if code := <-done; code != 0 {
		t.Fatalf("lastmile %s %q: exit %d\nstderr: %s", name, args, code, errOut.String())
	}
	return out.String(), errOut.String()
}

// TestBenchFilter: names are exact and whole; * and ? are globs; a comma
// separates names.
func TestBenchFilter(t *testing.T) {
	names := []string{"C101", "C105", "C201", "RC101", "R101", "X-n101-k25", "X-n1001-k43"}
	tests := []struct {
		filter string
		want   []string
	}{
		{"C101", []string{"C101"}},
		{"C1*", []string{"C101", "C105"}},
		{"R101,RC101", []string{"RC101", "R101"}},
		{"C10?", []string{"C101", "C105"}},
		{"C10[15]", []string{"C101", "C105"}},
		{"C[!1]01", []string{"C201"}},
		{"X-n1[0-4]?-*", []string{"X-n101-k25"}},
		{"X-n101-*", []string{"X-n101-k25"}},
		{"101", nil},
		{"C1.1", nil}, // a dot is a dot, not any character
	}
	for _, tc := range tests {
		re, err := nameFilter(tc.filter)
		if err != nil {
			t.Fatalf("nameFilter(%q): %v", tc.filter, err)
		}
		var got []string
		for _, n := range names {
			if re.MatchString(n) {
				got = append(got, n)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("--filter %q selects %q, want %q", tc.filter, got, tc.want)
		}
	}
	for _, bad := range []string{"C101,", ",", " ", "C[1", "C[]"} {
		if _, err := nameFilter(bad); err == nil {
			t.Errorf("nameFilter(%q) = nil error, want one", bad)
		}
	}
}

// TestWroteLines: commands that write files say so, one stderr line each.
func TestWroteLines(t *testing.T) {
	dir := t.TempDir()
	csvDir, outDir := filepath.Join(dir, "csv"), filepath.Join(dir, "out")
	_, errOut := runConvention(t, "scenario", []string{"--kind", "urban", "--parcels", "100", "--csv", csvDir, "--out", outDir})
	want := ""
	for _, p := range []string{filepath.Join(outDir, "scenario.json"), filepath.Join(csvDir, "demand.csv"), filepath.Join(csvDir, "parcels.csv"), filepath.Join(csvDir, "points.csv")} {
		want += "wrote " + p + "\n"
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if errOut != want {
		t.Errorf("scenario stderr = %q, want %q", errOut, want)
	}
	gj := filepath.Join(dir, "cells.geojson")
	if _, errOut := runConvention(t, "cover", []string{"--demand", coverDemand, "--points", coverPoints, "--quiet", "--geojson", gj}); errOut != "wrote "+gj+"\n" {
		t.Errorf("cover stderr = %q, want the wrote line", errOut)
	}
}

package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateSolve = flag.Bool("update-solve", false, "rewrite the lastmile solve golden files")

// TestSolveGolden runs `lastmile solve` on a hand-written five-customer
// Solomon file with a seed and an iteration limit and compares the JSON with
// testdata/solve_tiny.golden.json (time_ms blanked).
func TestSolveGolden(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}
	code := Run(context.Background(), env, []string{"solve", "--json", "--seed", "7", "--iterations", "300", "--quiet", filepath.Join("testdata", "solve_tiny.txt")})
	if code != 0 {
		t.Fatalf("lastmile solve exit %d: %s", code, errOut.String())
	}
	got := regexp.MustCompile(`"time_ms": \d+`).ReplaceAll(out.Bytes(), []byte(`"time_ms": 0`))
	golden := filepath.Join("testdata", "solve_tiny.golden.json")
	if *updateSolve {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-solve to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("lastmile solve output differs from %s:\n got: %s\nwant: %s", golden, got, want)
	}
}

func TestSolveErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	tiny, err := os.ReadFile(filepath.Join("testdata", "solve_tiny.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, bytes.Replace(tiny, []byte("20         50"), []byte("20         xx"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no file", []string{"solve"}, 2, "want one FILE"},
		{"bad format", []string{"solve", "--format", "csv", bad}, 2, `--format "csv"`},
		{"bad field", []string{"solve", bad}, 1, "line 12: field READY TIME"},
		{"missing", []string{"solve", filepath.Join(dir, "nope.txt")}, 1, "no such file"},
		{"bad convention", []string{"solve", "--convention", "floor", bad}, 2, "convention"},
		{"bench bad set", []string{"bench", "--set", "nope"}, 2, "unknown set"},
		{"bench no data", []string{"bench", "--data", filepath.Join(dir, "none")}, 1, "not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Run(context.Background(), &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}, tc.args)
			if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("lastmile %v = exit %d, stderr %q; want exit %d, stderr containing %q", tc.args, code, errOut.String(), tc.code, tc.want)
			}
		})
	}
}

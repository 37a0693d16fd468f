package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCost float64
		wantOpen []int
	}{
		// Opening warehouse 3 alone (capacity 14, fixed 80) serves all
		// 14 units: 80 + 30 + 9 + 4 + 2 = 125.
		{"cap", []string{"--format", "orlib-cap", "--capacity", "14", "testdata/locate_tiny_cap.txt"}, 125, []int{3}},
		{"pmed", []string{"--format", "orlib-pmed", "--iterations", "20", "testdata/locate_tiny_pmed.txt"}, -1, nil},
		{"cpmp", []string{"--format", "orlib-cpmp", "--iterations", "20", "testdata/locate_tiny_cpmp.txt"}, -1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &Env{Stdout: &out, Stderr: &errb}
			code := Run(context.Background(), env, append([]string{"locate", "--quiet", "--json"}, tc.args...))
			if code != 0 {
				t.Fatalf("locate exit %d, stderr %s", code, errb.String())
			}
			var got locateOutput
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			if tc.wantCost >= 0 && math.Abs(got.Cost-tc.wantCost) > 1e-9 {
				t.Errorf("cost = %v, want %v", got.Cost, tc.wantCost)
			}
			if tc.wantOpen != nil && !slices.Equal(got.Open, tc.wantOpen) {
				t.Errorf("open = %v, want %v", got.Open, tc.wantOpen)
			}
			if got.LowerBound > got.Cost+1e-6 {
				t.Errorf("lower_bound %v > cost %v", got.LowerBound, got.Cost)
			}
			for _, f := range got.Open {
				if f < 1 {
					t.Errorf("open facility %d is not 1-based", f)
				}
			}
			if tc.name != "cap" && len(got.Assignment) == 0 {
				t.Errorf("no assignment in %s output", tc.name)
			}
			for _, a := range got.Assignment {
				if !slices.Contains(got.Open, a) {
					t.Errorf("assignment %v names %d, not an open facility %v", got.Assignment, a, got.Open)
				}
			}
			if tc.name == "cap" {
				// 1-based customers in file order, all from warehouse 3.
				want := []locateFlow{{1, 3, 5}, {2, 3, 3}, {3, 3, 4}, {4, 3, 2}}
				if !slices.Equal(got.Flows, want) {
					t.Errorf("flows = %v, want %v", got.Flows, want)
				}
			}
		})
	}
}

func TestLocateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"locate"},
		{"locate", "testdata/locate_tiny_cap.txt"},
		{"locate", "--format", "nope", "testdata/locate_tiny_cap.txt"},
		{"locate", "--format", "orlib-cap", "--time-limit", "-1s", "testdata/locate_tiny_cap.txt"},
	} {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb}, args); code != 2 {
			t.Errorf("Run(%q) exit %d, want 2", args, code)
		}
	}
	// The capacity word without --capacity is a data error: exit 1.
	var out, errb bytes.Buffer
	if code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb}, []string{"locate", "--format", "orlib-cap", "testdata/locate_tiny_cap.txt"}); code != 1 {
		t.Errorf("locate without --capacity exit %d, want 1", code)
	}
}

// TestLocateSingleSourceInfeasible: a customer no facility can hold alone is
// named by its 1-based number in the file.
func TestLocateSingleSourceInfeasible(t *testing.T) {
	in := "2 2\n 4 1.\n 4 1.\n 2 1. 1.\n 5 1. 1.\n"
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb}
	code := Run(context.Background(), env, []string{"locate", "--quiet", "--json", "--format", "orlib-cap", "--single-source", "-"})
	if code != 1 || !strings.Contains(errb.String(), "customer number 2") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming customer number 2", code, errb.String())
	}
}

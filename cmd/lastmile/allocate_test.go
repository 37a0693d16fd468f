package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/depots"
)

func TestAllocateCommand(t *testing.T) {
	dir := t.TempDir()
	gj := filepath.Join(dir, "a.geojson")
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"warehouses": [], "demand": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"generated day", []string{"allocate", "--quiet", "--parcels", "400"}, 0, []string{"Allocation (splittable)", "cw-tuanjiecun", "gap 0.000%"}},
		{"single source, short of capacity", []string{"allocate", "--quiet", "--parcels", "400", "--single-source", "--capacity-scale", "0.3", "--geojson", gj}, 0, []string{"Allocation (single-source)", "capacity", "lower bound"}},
		{"problem file", []string{"allocate", "--quiet", "--scenario", filepath.Join("..", "..", "depots", "testdata", "allocation.json")}, 0, []string{"cw-west", "cw-south", "unserved by reason", "cold_chain"}},
		{"missing file", []string{"allocate", "--quiet", "--scenario", filepath.Join(dir, "none.json")}, 1, nil},
		{"no warehouses", []string{"allocate", "--quiet", "--scenario", empty}, 1, nil},
		{"bad flag", []string{"allocate", "--capacity-scale", "-1"}, 2, nil},
		{"bad resolution", []string{"allocate", "--res", "16"}, 2, nil},
		{"bad parcels", []string{"allocate", "--parcels", "-5"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errOut}, tt.args)
			if code != tt.code {
				t.Fatalf("Run(%q) = %d, want %d; stderr: %s", tt.args, code, tt.code, errOut.String())
			}
			for _, s := range tt.contains {
				if !strings.Contains(out.String(), s) {
					t.Errorf("Run(%q) output lacks %q:\n%s", tt.args, s, out.String())
				}
			}
		})
	}
	data, err := os.ReadFile(gj)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Fatalf("--geojson wrote %d features (type %q, err %v)", len(fc.Features), fc.Type, err)
	}
}

func TestAllocateCommandJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"allocate", "--quiet", "--json", "--scenario", filepath.Join("..", "..", "depots", "testdata", "allocation.json")}
	if code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errOut}, args); code != 0 {
		t.Fatalf("Run(%q) = %d; stderr: %s", args, code, errOut.String())
	}
	var a depots.Allocation
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("--json output does not decode: %v", err)
	}
	if len(a.Utilisation) != 2 || a.ServedVolume <= 0 || a.ServedVolume+a.UnservedVolume != 500 {
		t.Errorf("--json allocation: %d warehouses, served %v + unserved %v; want 2 and 500 parcels", len(a.Utilisation), a.ServedVolume, a.UnservedVolume)
	}
}

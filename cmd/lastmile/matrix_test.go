package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
)

func runMatrixCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}
	code := Run(context.Background(), env, append([]string{"matrix", "--json"}, args...))
	return code, out.String(), errOut.String()
}

const matrixPoints = "id,lon,lat\na,106.5516,29.5630\nb,106.5800,29.5300\nc,107.0,29.9\n"

func TestMatrixCommand(t *testing.T) {
	dir := t.TempDir()
	zones := filepath.Join(dir, "zones.geojson")
	if err := os.WriteFile(zones, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature",
		"properties":{"name":"core","class":"urban_core"},
		"geometry":{"type":"Polygon","coordinates":[[[106.4,29.4],[106.7,29.4],[106.7,29.7],[106.4,29.7],[106.4,29.4]]]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMatrixCLI(t, matrixPoints, "--datum", "gcj02", "--zones", zones, "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m, err := geo.ReadMatrixJSON(strings.NewReader(out))
	if err != nil || m.N != 3 {
		t.Fatalf("output is not a 3×3 matrix: %v\n%s", err, out)
	}
	if m.Duration(0, 1) <= 0 || m.Distance(0, 2) <= m.Distance(0, 1) {
		t.Errorf("implausible matrix %+v", m)
	}
	// The printed matrix served back through --source json.
	mf := filepath.Join(dir, "m.json")
	if err := os.WriteFile(mf, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out2, errOut := runMatrixCLI(t, matrixPoints, "--source", "json", "--matrix", mf, "-")
	if code != 0 || out2 != out {
		t.Errorf("--source json: exit %d, %s; output differs: %v", code, errOut, out2 != out)
	}
}

func TestMatrixCommandOSRM(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"code":"Ok","durations":[[0,60.4,90],[61,0,30],[91,31,0]],"distances":[[0,500,800],[510,0,300],[805,301,0]]}`)
	}))
	defer srv.Close()
	code, out, errOut := runMatrixCLI(t, matrixPoints, "--source", "osrm", "--osrm-url", srv.URL, "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m, err := geo.ReadMatrixJSON(strings.NewReader(out))
	if err != nil || m.N != 3 || m.Duration(0, 1) != 60 || m.Distance(2, 0) != 805 {
		t.Errorf("matrix = %+v, %v; want the server's table rounded", m, err)
	}
	if !strings.Contains(errOut, "osrm table requests") {
		t.Errorf("stderr %q shows no progress", errOut)
	}
}

func TestMatrixCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"no file", "", nil, 2, "one POINTS file"},
		{"bad source", matrixPoints, []string{"--source", "teleport", "-"}, 2, "teleport"},
		{"bad datum", matrixPoints, []string{"--datum", "nad27", "-"}, 2, "datum"},
		{"osrm without url", matrixPoints, []string{"--source", "osrm", "-"}, 2, "--osrm-url"},
		{"unreachable osrm", matrixPoints, []string{"--source", "osrm", "--osrm-url", "http://127.0.0.1:1", "-"}, 1, "unreachable"},
		{"latitude out of range", "lon,lat\n106,95\n", []string{"-"}, 1, "latitude"},
		{"no lat column", "x,y\n1,2\n", []string{"-"}, 1, "lon and lat"},
		{"not a number", "lon,lat\n106,abc\n", []string{"-"}, 1, "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runMatrixCLI(t, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

func FuzzReadPointsCSV(f *testing.F) {
	f.Add(matrixPoints)
	f.Add("lon,lat\n106,29\n")
	f.Add("x,lat,LON\n1,29,106\n")
	f.Add("lon,lat\n106\n")
	f.Fuzz(func(t *testing.T, s string) {
		pts, err := readPointsCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		// Any float pair is read; range checks are PointsToWGS84's job.
		if err := geo.ValidatePoints(pts); err == nil {
			if err := geo.PointsToWGS84(pts, geo.GCJ02); err != nil {
				t.Fatalf("PointsToWGS84 of valid points: %v", err)
			}
		}
	})
}

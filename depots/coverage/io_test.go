package coverage

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/paulmach/orb"
)

func TestReadDemandCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int     // rows
		weight  float64 // of the first row
		wantErr string  // substring; "" for success
	}{
		{"basic", "lon,lat,weight\n106.5,29.5,3\n106.6,29.6,4\n", 2, 3, ""},
		{"no weight column", "lat,lon\n29.5,106.5\n", 1, 1, ""},
		{"gazetteer columns", "code,lon_gcj02,lat_gcj02,lon_wgs84,lat_wgs84\n1,106.6,29.6,106.5,29.5\n", 1, 1, ""},
		{"BOM and spaces", "\ufeff lon , lat ,weight\n 106.5 , 29.5 , 2\n", 1, 2, ""},
		{"empty file", "", 0, 0, "empty CSV"},
		{"header only", "lon,lat,weight\n", 0, 0, "no demand rows"},
		{"no lat column", "lon,weight\n106.5,1\n", 0, 0, `lacks a "lat" column`},
		{"NaN lon", "lon,lat,weight\n106.5,29.5,1\nNaN,29.5,1\n", 0, 0, "line 3"},
		{"latitude out of range", "lon,lat,weight\n106.5,95,1\n", 0, 0, "line 2"},
		{"negative weight", "lon,lat,weight\n106.5,29.5,-2\n", 0, 0, "negative"},
		{"bad number", "lon,lat,weight\n106.5,29.5,lots\n", 0, 0, "not a finite number"},
		{"missing lat", "lon,lat,weight\n106.5,,1\n", 0, 0, "missing lon or lat"},
		{"infinite weight", "lon,lat,weight\n106.5,29.5,Inf\n", 0, 0, "not a finite number"},
		{"bad quoting", "lon,lat,weight\n\"106.5,29.5,1\n", 0, 0, "coverage"},
		{"short row", "lon,lat,weight\n106.5,29.5,1\n106.5,29.5\n", 0, 0, "line 3: 2 fields, the header has 3"},
		{"long row", "lon,lat,weight\n106.5,29.5,1,7\n", 0, 0, "line 2: 4 fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadDemandCSV(strings.NewReader(tc.in), nil)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ReadDemandCSV(%s) error = %v, want ErrInvalid mentioning %q", tc.name, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadDemandCSV(%s): %v", tc.name, err)
			}
			if len(got) != tc.want || got[0].Weight != tc.weight {
				t.Errorf("ReadDemandCSV(%s) = %v, want %d rows, first weight %v", tc.name, got, tc.want, tc.weight)
			}
		})
	}
}

func TestReadPointsCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{"basic", "id,lon,lat,radius_m,capacity,cost\na,106.5,29.5,300,40,2\nb,106.6,29.6,,,\n", 2, ""},
		{"code as id", "code,name,lon_wgs84,lat_wgs84\n5001,town,106.5,29.5\n", 1, ""},
		{"duplicate id", "id,lon,lat\na,106.5,29.5\na,106.6,29.6\n", 0, "duplicate id"},
		{"empty id", "id,lon,lat\n,106.5,29.5\n", 0, "empty id"},
		{"no id column", "lon,lat\n106.5,29.5\n", 0, `lacks a "id" column`},
		{"negative radius", "id,lon,lat,radius_m\na,106.5,29.5,-1\n", 0, "negative"},
		{"negative capacity", "id,lon,lat,capacity\na,106.5,29.5,-1\n", 0, "negative"},
		{"zero capacity", "id,lon,lat,capacity\na,106.5,29.5,0\n", 0, "capacity 0"},
		{"NaN lat", "id,lon,lat\na,106.5,nan\n", 0, "line 2"},
		{"empty", "", 0, "empty CSV"},
		{"duplicate column", "id,lon,lat,lat\na,1,2,3\n", 0, "duplicate column"},
		{"short row", "id,lon,lat,radius_m,capacity\na,106.5,29.5\n", 0, "line 2: 3 fields, the header has 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadPointsCSV(strings.NewReader(tc.in), nil)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ReadPointsCSV(%s) error = %v, want ErrInvalid mentioning %q", tc.name, err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != tc.want {
				t.Fatalf("ReadPointsCSV(%s) = %d points, %v; want %d", tc.name, len(got), err, tc.want)
			}
		})
	}
}

func TestReadPointsCSVSkipMissing(t *testing.T) {
	in := "id,lon,lat\na,106.5,29.5\nb,,\nc,106.6,29.6\n"
	o := &ReadOptions{SkipMissing: true}
	pts, err := ReadPointsCSV(strings.NewReader(in), o)
	if err != nil || len(pts) != 2 || len(o.Skipped) != 1 || o.Skipped[0] != 3 {
		t.Fatalf("ReadPointsCSV = %d points, skipped %v, %v; want 2 points, line 3 skipped", len(pts), o.Skipped, err)
	}
}

func TestReadGeoJSON(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "points.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pts, err := ReadPointsGeoJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 || pts[0].ID != "L1" || pts[0].CapacityPerDay != 10 || pts[1].ID != "S2" || pts[1].Name != "store" {
		t.Errorf("ReadPointsGeoJSON = %+v", pts)
	}
	bad := []struct{ name, in string }{
		{"empty", ""},
		{"not JSON", "{"},
		{"no features", `{"type":"FeatureCollection","features":[]}`},
		{"polygon", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"id":"a"}}]}`},
		{"negative radius", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106,29]},"properties":{"id":"a","radius_m":-3}}]}`},
		{"no id", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106,29]},"properties":{}}]}`},
		{"out of range", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[206,29]},"properties":{"id":"a"}}]}`},
	}
	for _, tc := range bad {
		if _, err := ReadPointsGeoJSON(strings.NewReader(tc.in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("ReadPointsGeoJSON(%s) error = %v, want ErrInvalid", tc.name, err)
		}
	}
	d, err := ReadDemandGeoJSON(strings.NewReader(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106,29]},"properties":{"weight":4}},{"type":"Feature","geometry":{"type":"Point","coordinates":[106.1,29]},"properties":null}]}`))
	if err != nil || len(d) != 2 || d[0].Weight != 4 || d[1].Weight != 1 {
		t.Errorf("ReadDemandGeoJSON = %v, %v", d, err)
	}
	if _, err := ReadDemandGeoJSON(strings.NewReader(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[106,29]},"properties":{"weight":"x"}}]}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("ReadDemandGeoJSON(string weight) error = %v, want ErrInvalid", err)
	}
}

// FuzzReadDemandCSV checks that the reader never panics and that whatever
// it accepts is valid input for Analyze.
func FuzzReadDemandCSV(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "demand.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("lon,lat,weight\nNaN,29,1\n"))
	f.Add([]byte("lat,lon\n29.5,106.5\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadDemandCSV(bytes.NewReader(data), nil)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if len(d) == 0 {
			t.Fatal("no error and no demand")
		}
		for _, x := range d {
			if !checkCoord(x.Location) || !finiteNonNeg(x.Weight) {
				t.Fatalf("accepted invalid demand %+v", x)
			}
		}
	})
}

// FuzzReadPointsCSV checks that accepted points have unique ids, valid
// coordinates and non-negative finite radius, capacity and cost.
func FuzzReadPointsCSV(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "points.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, false)
	f.Add([]byte("id,lon,lat\na,,\nb,106,29\n"), true)
	f.Add([]byte("code,lon_wgs84,lat_wgs84,capacity\nx,106,29,0\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		o := &ReadOptions{SkipMissing: skip}
		pts, err := ReadPointsCSV(bytes.NewReader(data), o)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		seen := make(map[string]bool)
		for _, p := range pts {
			if p.ID == "" || seen[p.ID] {
				t.Fatalf("empty or duplicate id %q", p.ID)
			}
			seen[p.ID] = true
			if !checkCoord(p.Location) || !finiteNonNeg(p.RadiusMeters) || !finiteNonNeg(p.CapacityPerDay) || !finiteNonNeg(p.Cost) {
				t.Fatalf("accepted invalid point %+v", p)
			}
		}
		if !skip && len(o.Skipped) > 0 {
			t.Fatal("skipped rows without SkipMissing")
		}
	})
}

// FuzzReadPointsGeoJSON checks the GeoJSON reader the same way.
func FuzzReadPointsGeoJSON(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "points.geojson"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"id":"a"}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pts, err := ReadPointsGeoJSON(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, p := range pts {
			if p.ID == "" || !checkCoord(p.Location) || !finiteNonNeg(p.RadiusMeters) || math.IsNaN(p.CapacityPerDay) || p.CapacityPerDay < 0 {
				t.Fatalf("accepted invalid point %+v", p)
			}
		}
	})
}

func TestPointsFromFacilities(t *testing.T) {
	fs := []depots.Facility{
		{ID: "cw", Kind: depots.CloudWarehouse, Location: orb.Point{106.5, 29.5}, Capacity: depots.Capacity{PerDay: 9000}},
		{ID: "lk", Kind: depots.Locker, Name: "locker", Location: orb.Point{106.51, 29.51}, Capacity: depots.Capacity{PerDay: 120, Compartments: 60}, FixedCost: 3},
		{ID: "es", Kind: depots.ExpressStore, Location: orb.Point{106.52, 29.52}},
	}
	got, err := PointsFromFacilities(fs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Point{
		{ID: "lk", Name: "locker", Location: orb.Point{106.51, 29.51}, CapacityPerDay: 120, Cost: 3},
		{ID: "es", Location: orb.Point{106.52, 29.52}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PointsFromFacilities = %+v, want %+v", got, want)
	}
	fs[1].Capacity.PerDay = -1
	if _, err := PointsFromFacilities(fs); !errors.Is(err, depots.ErrInvalid) {
		t.Errorf("PointsFromFacilities(negative capacity) error = %v, want depots.ErrInvalid", err)
	}
}

package importer

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
)

func TestFacilitiesCSV(t *testing.T) {
	in := "id,kind,lon,lat,name,capacity_per_day\n" +
		"L1,locker,106.55,29.56,Jiefangbei,300\n" +
		"S1,express_store,106.52,29.53,,120\n"
	fs, err := Facilities(strings.NewReader(in), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].ID != "L1" || fs[0].Capacity.PerDay != 300 || fs[1].Kind != "express_store" || fs[0].Cell == 0 {
		t.Errorf("Facilities = %+v", fs)
	}
}

// TestErrorsNameLineAndField: every bad value is reported with its line (or
// feature) and field, and nothing is returned.
func TestErrorsNameLineAndField(t *testing.T) {
	tests := []struct {
		name, in string
		format   Format
		demand   bool
		want     []string
	}{
		{"bad kind and number", "id,kind,lon,lat,capacity_per_day\nA,locker,106.5,29.5,10\nB,castle,106.5,29.5,x\n", CSV, false,
			[]string{"line 3: kind", "line 3: capacity_per_day"}},
		{"latitude out of range", "id,kind,lon,lat\nA,locker,106.5,95\n", CSV, false, []string{"line 2: lat"}},
		{"duplicate id", "id,kind,lon,lat\nA,locker,106.5,29.5\nA,locker,106.6,29.5\n", CSV, false, []string{"line 3: id"}},
		{"unknown column", "id,kind,lon,lat,colour\nA,locker,106.5,29.5,red\n", CSV, false, []string{"line 1: colour"}},
		{"missing column", "id,lon,lat\nA,106.5,29.5\n", CSV, false, []string{"line 1: kind"}},
		{"short row", "id,kind,lon,lat\nA,locker,106.5\n", CSV, false, []string{"line 2: row"}},
		{"demand weight", "id,lon,lat,weight\nd1,106.5,29.5,-3\nd2,106.5,29.5,\n", CSV, true, []string{"line 2: weight", "line 3: weight"}},
		{"geojson property", `{"type":"FeatureCollection","features":[
			{"type":"Feature","geometry":{"type":"Point","coordinates":[106.5,29.5]},"properties":{"id":"A","kind":"locker"}},
			{"type":"Feature","geometry":{"type":"Point","coordinates":[106.5,29.5]},"properties":{"id":"B","kind":"moat"}}]}`,
			GeoJSON, false, []string{"features[1].properties.kind"}},
		{"geojson geometry", `{"type":"FeatureCollection","features":[
			{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{"id":"d1","weight":1}}]}`,
			GeoJSON, true, []string{"features[0].geometry"}},
		{"geojson datum", `{"type":"FeatureCollection","datum":"nad27","features":[]}`, GeoJSON, true, []string{"datum"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.demand {
				var ds []Demand
				ds, err = DemandPoints(strings.NewReader(tc.in), Options{Format: tc.format})
				if ds != nil {
					t.Errorf("DemandPoints returned %d rows with errors", len(ds))
				}
			} else {
				var fs any
				fs, err = Facilities(strings.NewReader(tc.in), Options{Format: tc.format})
				_ = fs
			}
			var ie *Error
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want *Error", err)
			}
			var got []string
			for _, e := range ie.Rows {
				got = append(got, e.Where())
			}
			for _, w := range tc.want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("errors %q do not name %q", got, w)
				}
			}
		})
	}
}

// TestDatum: GCJ-02 coordinates (from the file or the caller) are stored as
// WGS-84, and the two must agree.
func TestDatum(t *testing.T) {
	gcj := geo.GCJ02FromWGS84(orb.Point{106.55, 29.56})
	in := `{"type":"FeatureCollection","datum":"GCJ-02","features":[{"type":"Feature",
		"geometry":{"type":"Point","coordinates":[` + ftoa(gcj[0]) + `,` + ftoa(gcj[1]) + `]},"properties":{"id":"d1","weight":5}}]}`
	ds, err := DemandPoints(strings.NewReader(in), Options{Format: GeoJSON})
	if err != nil {
		t.Fatal(err)
	}
	if d := geo.HaversineMeters(ds[0].Location, orb.Point{106.55, 29.56}); d > 5 {
		t.Errorf("GCJ-02 point stored %v m from its WGS-84 position", d)
	}
	if _, err := DemandPoints(strings.NewReader(in), Options{Format: GeoJSON, Datum: geo.WGS84}); err == nil {
		t.Error("a file in GCJ-02 read as WGS-84: want a datum conflict")
	}
	csvIn := "id,lon,lat,weight\nd1," + ftoa(gcj[0]) + "," + ftoa(gcj[1]) + ",5\n"
	ds, err = DemandPoints(strings.NewReader(csvIn), Options{Format: CSV, Datum: geo.GCJ02})
	if err != nil || geo.HaversineMeters(ds[0].Location, orb.Point{106.55, 29.56}) > 5 {
		t.Errorf("CSV with --datum gcj02: %+v, %v", ds, err)
	}
	ds, err = DemandPoints(strings.NewReader(csvIn), Options{Format: CSV, InRegion: func(orb.Point) bool { return false }})
	if err == nil || !strings.Contains(err.Error(), "line 2: lon") {
		t.Errorf("point outside the region: %v, want an error naming line 2", err)
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', 9, 64) }

// FuzzFacilitiesCSV: any input is either imported whole, with valid
// facilities, or refused with errors; it never panics.
func FuzzFacilitiesCSV(f *testing.F) {
	f.Add("id,kind,lon,lat\nA,locker,106.5,29.5\n")
	f.Add("id,kind,lon,lat,capacity_per_day\nA,locker,106.5,29.5,1e400\n")
	f.Add("\ufeffid,kind,lon,lat\n\"A\",locker,\"106.5\",29.5\n")
	f.Fuzz(func(t *testing.T, in string) {
		fs, err := Facilities(strings.NewReader(in), Options{Format: CSV})
		if err != nil {
			if fs != nil {
				t.Fatal("rows returned with an error")
			}
			return
		}
		for _, fc := range fs {
			if err := fc.Validate(); err != nil {
				t.Fatalf("imported an invalid facility %+v: %v", fc, err)
			}
		}
	})
}

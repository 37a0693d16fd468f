package scenario

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestReadTownships(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "townships_sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadTownships(f)
	if err != nil {
		t.Fatalf("ReadTownships = %v", err)
	}
	want := []TownshipRecord{
		{Code: "500153100000", CountyAdcode: "500153", County: "荣昌区", Name: "荣隆镇", Kind: "镇",
			Location: orb.Point{105.45, 29.44}, HasLocation: true, Villages: 9, UrbanVillages: 3, RuralVillages: 6},
		{Code: "500153999000", CountyAdcode: "500153", County: "荣昌区", Name: "无点街道", Kind: "街道",
			Villages: 10, UrbanVillages: 8, RuralVillages: 2},
		{Code: "500242101000", CountyAdcode: "500242", County: "酉阳土家族苗族自治县", Name: "龙潭镇", Kind: "镇",
			Location: orb.Point{108.97, 28.76}, HasLocation: true, Villages: 22, UrbanVillages: 14, RuralVillages: 8},
	}
	if len(got) != len(want) {
		t.Fatalf("ReadTownships rows = %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadVillages(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "villages_sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadVillages(f)
	if err != nil {
		t.Fatalf("ReadVillages = %v", err)
	}
	if len(got) != 2 || got[0].Name != "示例村村委会" || !got[0].Rural() || got[1].Rural() ||
		got[0].Location != (orb.Point{105.44, 29.43}) || got[1].TownCode != "500153100000" {
		t.Errorf("ReadVillages = %+v", got)
	}
}

func TestReadGazetteerErrors(t *testing.T) {
	const hdr = "code,county_adcode,county,name,kind,lon_wgs84,lat_wgs84\n"
	tests := []struct {
		name, in, wantIn string
	}{
		{"empty", "", "no header"},
		{"missing column", "code,county,name\n", `missing column "county_adcode"`},
		{"duplicate column", "code,code,county_adcode,county,name,kind,lon_wgs84,lat_wgs84\n", "duplicate column"},
		{"bad longitude", hdr + "1,2,c,n,镇,abc,29\n", "not numbers"},
		{"half a point", hdr + "1,2,c,n,镇,105,\n", "not numbers"},
		{"latitude out of range", hdr + "1,2,c,n,镇,105,95\n", "not a valid"},
		{"NaN", hdr + "1,2,c,n,镇,NaN,29\n", "not a valid"},
		{"short row", hdr + "1,2,c\n", "wrong number of fields"},
		{"empty code", hdr + ",2,c,n,镇,105,29\n", "empty code"},
		{"bad count", "code,county_adcode,county,name,kind,lon_wgs84,lat_wgs84,villages_total\n1,2,c,n,镇,105,29,-3\n", "non-negative"},
		{"bad quote", hdr + "1,\"2,c,n,镇,105,29\n", "extraneous or missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ReadTownships(strings.NewReader(tt.in))
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("ReadTownships(%q) = %d rows, %v; want ErrFormat containing %q", tt.in, len(rows), err, tt.wantIn)
			}
		})
	}
	if _, err := ReadVillages(strings.NewReader(hdr)); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadVillages(township header) = %v, want ErrFormat", err)
	}
}

// TestReadSharedGazetteer reads the full files of ../shared/geo.
func TestReadSharedGazetteer(t *testing.T) {
	towns, err := ReadTownships(openShared(t, "chongqing_townships.csv"))
	if err != nil {
		t.Fatalf("ReadTownships = %v", err)
	}
	located := 0
	for _, r := range towns {
		if r.HasLocation {
			located++
			if !inBound(r.Location) {
				t.Errorf("township %s %s at %v outside the Chongqing box", r.Code, r.Name, r.Location)
			}
		}
	}
	// The README of ../shared/geo: 1029 townships, 898 with a point.
	if len(towns) != 1029 || located != 898 {
		t.Errorf("townships = %d (%d located), want 1029 (898)", len(towns), located)
	}
	villages, err := ReadVillages(openShared(t, "chongqing_villages_with_points.csv"))
	if err != nil {
		t.Fatalf("ReadVillages = %v", err)
	}
	rural := 0
	for _, v := range villages {
		if !v.HasLocation || !inBound(v.Location) {
			t.Errorf("village %s %s at %v: no point or outside the box", v.Code, v.Name, v.Location)
		}
		if v.Rural() {
			rural++
		}
	}
	if len(villages) != 1184 || rural == 0 {
		t.Errorf("villages = %d (%d rural), want 1184 (some rural)", len(villages), rural)
	}
}

func fuzzSeeds(f *testing.F, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	lines := strings.SplitAfter(string(b), "\n")
	f.Add(lines[0])
	f.Add(lines[0] + "1,2,3\n")
	f.Add(lines[0] + strings.Replace(lines[1], "29.", "-99.", 1))
}

func validRecordPoint(p orb.Point, has bool) bool {
	if !has {
		return p == orb.Point{}
	}
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

func FuzzReadTownships(f *testing.F) {
	fuzzSeeds(f, "townships_sample.csv")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ReadTownships(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		for _, r := range rows {
			if r.Code == "" || !validRecordPoint(r.Location, r.HasLocation) ||
				r.Villages < 0 || r.UrbanVillages < 0 || r.RuralVillages < 0 {
				t.Fatalf("invalid record accepted: %+v", r)
			}
		}
	})
}

func FuzzReadVillages(f *testing.F) {
	fuzzSeeds(f, "villages_sample.csv")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ReadVillages(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		for _, r := range rows {
			if r.Code == "" || !validRecordPoint(r.Location, r.HasLocation) {
				t.Fatalf("invalid record accepted: %+v", r)
			}
		}
	})
}

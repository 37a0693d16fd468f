package zone

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The GeoJSON written for a polygon zone and a cell-set zone is stable;
// refresh with go test -run Golden -update.
func TestZonesGeoJSONGolden(t *testing.T) {
	c, err := h3cell.FromPoint(orb.Point{106.5516, 29.5630}, 8)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := c.Disk(1)
	if err != nil {
		t.Fatal(err)
	}
	zones := []Zone{
		{Name: "解放碑", Class: geo.ClassUrbanCore, FeatureID: "z1", Properties: map[string]any{"adcode": "500103"},
			Polygon: orb.MultiPolygon{{square(106.57, 29.55, 0.02)}}},
		{Name: "hexes", Class: geo.ClassSuburban, Cells: disk},
	}
	var got bytes.Buffer
	if err := WriteGeoJSON(&got, zones); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "zones.golden.geojson")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update to create it)", err)
	}
	// Cell outlines come from H3's C trigonometry, whose last digits may
	// differ between platforms' libm: compare to 1e-9 degrees (0.1 mm).
	if !bytes.Equal(roundFloats(got.Bytes()), roundFloats(want)) {
		t.Errorf("WriteGeoJSON output differs from %s:\n got %s\nwant %s", golden, got.Bytes(), want)
	}
}

var longFloat = regexp.MustCompile(`-?\d+\.\d{10,}`)

// roundFloats rewrites every number with more than 9 decimals to 9.
func roundFloats(b []byte) []byte {
	return longFloat.ReplaceAllFunc(b, func(m []byte) []byte {
		v, err := strconv.ParseFloat(string(m), 64)
		if err != nil {
			return m
		}
		return strconv.AppendFloat(nil, v, 'f', 9, 64)
	})
}

package cqgeo

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/lastmile-dev/lastmile/geo"
)

// TestMunicipality checks the embedded base map: every county outline is
// valid, the nine main-urban districts are flagged, and every township
// point lies inside its county (the source's own check, which the coarser
// outline may break only at its edges: at most 2% are allowed outside).
func TestMunicipality(t *testing.T) {
	fc, err := geojson.UnmarshalFeatureCollection(MunicipalityGeoJSON())
	if err != nil {
		t.Fatal(err)
	}
	counties := map[string]orb.MultiPolygon{}
	main, towns, outside := 0, 0, 0
	for _, f := range fc.Features {
		switch f.Properties.MustString("layer", "") {
		case "county":
			mp, ok := f.Geometry.(orb.MultiPolygon)
			if !ok {
				if p, isPoly := f.Geometry.(orb.Polygon); isPoly {
					mp = orb.MultiPolygon{p}
				} else {
					t.Fatalf("county %v: geometry %T", f.Properties["adcode"], f.Geometry)
				}
			}
			if err := geo.ValidateMultiPolygon(mp); err != nil {
				t.Errorf("county %v: %v", f.Properties["adcode"], err)
			}
			counties[f.Properties.MustString("adcode", "")] = mp
			if f.Properties.MustBool("main_urban", false) {
				main++
			}
		case "township":
			towns++
			p, ok := f.Geometry.(orb.Point)
			if !ok {
				t.Fatalf("township %v: geometry %T", f.Properties["code"], f.Geometry)
			}
			mp, ok := counties[f.Properties.MustString("county", "")]
			if !ok {
				t.Errorf("township %v: no county %v", f.Properties["code"], f.Properties["county"])
				continue
			}
			if !planar.MultiPolygonContains(mp, p) {
				outside++
			}
		default:
			t.Errorf("feature with layer %v", f.Properties["layer"])
		}
	}
	if len(counties) != 36 || main != 9 {
		t.Errorf("counties = %d (%d main-urban), want 36 (9)", len(counties), main)
	}
	if towns != 898 {
		t.Errorf("townships = %d, want the source's 898 with a point", towns)
	}
	if outside > towns/50 {
		t.Errorf("%d of %d townships outside their county's outline, want at most 2%%", outside, towns)
	}
}

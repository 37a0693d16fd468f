package cqgeo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"

	lgeo "github.com/lastmile-dev/lastmile/geo"
)

func TestMainUrban(t *testing.T) {
	ds, err := MainUrban()
	if err != nil {
		t.Fatal(err)
	}
	// Official land areas in km² (as in internal/scenario's fixture).
	want := map[string]float64{"500103": 23, "500104": 103, "500105": 221, "500106": 396, "500107": 432,
		"500108": 263, "500109": 755, "500112": 1452, "500113": 1825}
	if len(ds) != len(want) {
		t.Fatalf("MainUrban() = %d districts, want %d", len(ds), len(want))
	}
	for _, d := range ds {
		w, ok := want[d.Adcode]
		if !ok {
			t.Errorf("district %s %s not main-urban", d.Adcode, d.Name)
			continue
		}
		if err := lgeo.ValidateMultiPolygon(d.Boundary); err != nil {
			t.Errorf("district %s: %v", d.Adcode, err)
		}
		got := 0.0
		for _, p := range d.Boundary {
			got += geo.Area(p) / 1e6
		}
		if math.Abs(got-w)/w > 0.12 {
			t.Errorf("district %s area = %.0f km², want %.0f ± 12%%", d.Adcode, got, w)
		}
	}
}

// TestKnownPoints checks the datum: WGS-84 points of landmarks fall in
// their district (the GCJ-02 offset here is about 500 m, more than the
// landmarks' distance to some borders would forgive in the wrong datum).
func TestKnownPoints(t *testing.T) {
	by, err := ByAdcode()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		p      orb.Point
		adcode string
	}{
		{"解放碑 Jiefangbei", orb.Point{106.5770, 29.5580}, "500103"},
		{"观音桥 Guanyinqiao", orb.Point{106.5320, 29.5750}, "500105"},
		{"三峡广场 Sanxia Square", orb.Point{106.4570, 29.5560}, "500106"},
		{"北碚城区 Beibei town", orb.Point{106.4000, 29.8150}, "500109"},
		{"鱼洞 Yudong", orb.Point{106.5200, 29.3850}, "500113"},
	} {
		if !planar.MultiPolygonContains(by[c.adcode].Boundary, c.p) {
			t.Errorf("%s %v not in district %s", c.name, c.p, c.adcode)
		}
	}
}

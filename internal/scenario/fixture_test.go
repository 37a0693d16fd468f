package scenario

import (
	"encoding/csv"
	"errors"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestChongqingValid(t *testing.T) {
	f := Chongqing()
	if err := f.Validate(); err != nil {
		t.Fatalf("Chongqing().Validate() = %v, want nil", err)
	}
	if got, want := len(f.Districts), 9; got != want {
		t.Errorf("districts = %d, want %d", got, want)
	}
	pop := 0
	for _, d := range f.Districts {
		pop += d.Population
	}
	// The nine main-urban districts held about 10.3 million people in 2020.
	if pop < 10_000_000 || pop > 11_000_000 {
		t.Errorf("main-urban population = %d, want about 10.3 million", pop)
	}
	// The embedded gazetteer derivative: 34 county-level units with 815
	// townships that have a point and rural villages, 6,533 villages.
	towns, villages := 0, 0
	for _, c := range f.Counties {
		if len(c.Townships) == 0 {
			t.Errorf("county %s has no townships", c.ID)
		}
		towns += len(c.Townships)
		for _, tw := range c.Townships {
			villages += tw.RuralVillages
			if len(tw.Villages) > tw.RuralVillages {
				t.Errorf("%s/%s: %d villages with a point, %d rural villages", c.ID, tw.ID, len(tw.Villages), tw.RuralVillages)
			}
		}
	}
	if len(f.Counties) != 34 || towns != 815 || villages != 6533 {
		t.Errorf("counties, townships, villages = %d, %d, %d; want 34, 815, 6533", len(f.Counties), towns, villages)
	}
	// Chongqing returns a fresh copy each time.
	f.Districts[0].Population = 1
	if Chongqing().Districts[0].Population == 1 {
		t.Error("Chongqing() shares state between calls")
	}
}

func TestFixtureValidateErrors(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(f *Fixture)
	}{
		{"no districts", func(f *Fixture) { f.Districts = nil }},
		{"duplicate district", func(f *Fixture) { f.Districts[1].ID = f.Districts[0].ID }},
		{"centre outside box", func(f *Fixture) { f.Districts[0].Centre = orb.Point{116.4, 39.9} }},
		{"NaN centre", func(f *Fixture) { f.Districts[0].Centres[0].Location[0] = nan() }},
		{"zero population", func(f *Fixture) { f.Districts[2].Population = 0 }},
		{"no centres", func(f *Fixture) { f.Districts[2].Centres = nil }},
		{"park in unknown district", func(f *Fixture) { f.Parks[0].District = "chengdu" }},
		{"negative share", func(f *Fixture) { f.Carriers[0].Share = -1 }},
		{"fresh+bulky over 1", func(f *Fixture) { f.Carriers[0].FreshShare, f.Carriers[0].BulkyShare = 0.7, 0.4 }},
		{"zero vehicle capacity", func(f *Fixture) { f.VehicleTypes[0].CapacityKg = 0 }},
		{"shift reversed", func(f *Fixture) { f.VehicleTypes[0].ShiftEndSeconds = 0 }},
		{"unknown role", func(f *Fixture) { f.Roles.Cold = "airship" }},
		{"county without townships", func(f *Fixture) { f.Counties[0].Townships = nil }},
		{"duplicate township", func(f *Fixture) { f.Counties[0].Townships[1].ID = f.Counties[0].Townships[0].ID }},
		{"produce probability", func(f *Fixture) { f.Counties[1].Produce[0].Probability = 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Chongqing()
			tt.break_(f)
			if err := f.Validate(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate() = %v, want ErrInvalid", err)
			}
			if _, err := Generate(f, Options{}); !errors.Is(err, ErrInvalid) {
				t.Errorf("Generate() error = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestDistrictBoundary(t *testing.T) {
	for _, d := range Chongqing().Districts {
		poly := d.Boundary()
		ring := poly[0]
		if !ring.Closed() || len(ring) != 33 {
			t.Errorf("%s boundary: %d points, closed %v; want a closed 32-gon", d.ID, len(ring), ring.Closed())
		}
		if !planar.PolygonContains(poly, d.Centre) {
			t.Errorf("%s boundary does not contain its centre", d.ID)
		}
		// The circle's area is the district's, within 2% (equirectangular).
		gotKm2 := planar.Area(poly) * metersPerDegreeLat * metersPerDegreeLat * cosDeg(d.Centre[1]) / 1e6
		if gotKm2 < 0.98*d.AreaKm2 || gotKm2 > 1.02*d.AreaKm2 {
			t.Errorf("%s boundary area = %.1f km², want about %.0f", d.ID, gotKm2, d.AreaKm2)
		}
	}
}

// TestChongqingAgainstSharedCSV cross-checks the hand-written centres and
// townships with the WGS-84 points of ../shared/geo.
func TestChongqingAgainstSharedCSV(t *testing.T) {
	rows, err := csv.NewReader(openShared(t, "chongqing_districts.csv")).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	centre := map[string]orb.Point{}
	for _, r := range rows[1:] { // adcode,name,kind,main_urban_9,lon_gcj02,lat_gcj02,lon_wgs84,lat_wgs84,...
		lon, _ := strconv.ParseFloat(r[6], 64)
		lat, _ := strconv.ParseFloat(r[7], 64)
		centre[r[0]] = orb.Point{lon, lat}
	}
	f := Chongqing()
	for _, d := range f.Districts {
		if dist := distanceMeters(d.Centre, centre[d.Adcode]); dist > 2000 {
			t.Errorf("%s centre %v is %.0f m from the gazetteer's %v, want < 2 km", d.ID, d.Centre, dist, centre[d.Adcode])
		}
	}
	towns, err := ReadTownships(openShared(t, "chongqing_townships.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Counties {
		if dist := distanceMeters(c.Seat, centre[c.Adcode]); dist > 2000 {
			t.Errorf("%s seat is %.0f m from the gazetteer's, want < 2 km", c.ID, dist)
		}
		for _, tw := range c.Townships {
			found := false
			for _, r := range towns {
				if r.CountyAdcode == c.Adcode && r.Name == tw.Name && r.HasLocation {
					found = true
					if dist := distanceMeters(tw.Location, r.Location); dist > 2000 {
						t.Errorf("%s/%s is %.0f m from the gazetteer's point, want < 2 km", c.ID, tw.Name, dist)
					}
				}
			}
			if !found {
				t.Errorf("%s/%s: no township of that name in county %s", c.ID, tw.Name, c.Adcode)
			}
		}
	}
}

func nan() float64 { var z float64; return z / z }

func cosDeg(lat float64) float64 {
	return distanceMeters(orb.Point{0, lat}, orb.Point{1, lat}) / metersPerDegreeLat
}

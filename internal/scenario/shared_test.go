package scenario

import (
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// openShared opens a file of ../shared/geo (beside the repository root);
// absent, it skips the test, or fails it in CI.
func openShared(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(sharedtest.Path(t, "geo", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// wgsToGCJ is the widely published WGS-84 → GCJ-02 forward transform, needed
// only to test hand-written WGS-84 points against the GCJ-02 boundaries in
// ../shared/geo. It is accurate to a few metres.
func wgsToGCJ(p orb.Point) orb.Point {
	const a, ee = 6378245.0, 0.00669342162296594323
	x, y := p[0]-105, p[1]-35
	dLat := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLat += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	dLat += (20*math.Sin(y*math.Pi) + 40*math.Sin(y/3*math.Pi)) * 2 / 3
	dLat += (160*math.Sin(y/12*math.Pi) + 320*math.Sin(y*math.Pi/30)) * 2 / 3
	dLon := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	dLon += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	dLon += (20*math.Sin(x*math.Pi) + 40*math.Sin(x/3*math.Pi)) * 2 / 3
	dLon += (150*math.Sin(x/12*math.Pi) + 300*math.Sin(x/30*math.Pi)) * 2 / 3
	rad := p[1] / 180 * math.Pi
	magic := 1 - ee*math.Sin(rad)*math.Sin(rad)
	sq := math.Sqrt(magic)
	dLat = dLat * 180 / ((a * (1 - ee)) / (magic * sq) * math.Pi)
	dLon = dLon * 180 / (a / sq * math.Cos(rad) * math.Pi)
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// districtShapes reads the county boundaries from ../shared/geo, keyed by
// adcode, in GCJ-02.
func districtShapes(t testing.TB) map[string]orb.Geometry {
	t.Helper()
	f := openShared(t, "chongqing_districts_gcj02.geojson")
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, st.Size())
	if _, err := f.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(buf)
	if err != nil {
		t.Fatalf("read district boundaries: %v", err)
	}
	shapes := map[string]orb.Geometry{}
	for _, ft := range fc.Features {
		shapes[ft.Properties.MustString("adcode", "")] = ft.Geometry
	}
	return shapes
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// TestFixtureInsideSharedBoundaries checks the hand-written points against the
// real county boundaries: every district centre, neighbourhood centre and
// logistics park lies in its district, every township in its county.
func TestFixtureInsideSharedBoundaries(t *testing.T) {
	shapes := districtShapes(t)
	f := Chongqing()
	check := func(what, adcode string, p orb.Point) {
		t.Helper()
		g, ok := shapes[adcode]
		if !ok {
			t.Errorf("%s: no boundary for adcode %s", what, adcode)
			return
		}
		if !contains(g, wgsToGCJ(p)) {
			t.Errorf("%s at %v is outside adcode %s", what, p, adcode)
		}
	}
	for _, d := range f.Districts {
		check(d.ID+" centre", d.Adcode, d.Centre)
		for _, c := range d.Centres {
			check(d.ID+"/"+c.Name, d.Adcode, c.Location)
		}
	}
	for _, s := range f.Parks {
		check("park "+s.ID, f.District(s.District).Adcode, s.Location)
	}
	for _, c := range f.Counties {
		check(c.ID+" seat", c.Adcode, c.Seat)
		for _, tw := range c.Townships {
			check(c.ID+"/"+tw.ID, c.Adcode, tw.Location)
		}
	}
}

// TestEmbeddedGazetteer checks that the embedded rural derivative gives
// the same counties as the full gazetteer files of ../shared/geo.
func TestEmbeddedGazetteer(t *testing.T) {
	seats, err := ReadCountySeats(openShared(t, "chongqing_districts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	towns, err := ReadTownships(openShared(t, "chongqing_townships.csv"))
	if err != nil {
		t.Fatal(err)
	}
	villages, err := ReadVillages(openShared(t, "chongqing_villages_with_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	full, err := CountiesFromGazetteer(seats, towns, villages)
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := embeddedCounties()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(full, embedded) {
		t.Errorf("embedded gazetteer gives %d counties, ../shared/geo %d; they differ (regenerate gazetteer/, see its README)", len(embedded), len(full))
	}
	urban := 0
	for _, v := range villages {
		if !v.Rural() {
			urban++
		}
	}
	t.Logf("%d counties; %d of %d village points are urban communities (社区), left out", len(full), urban, len(villages))
}

package geo

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
	"github.com/paulmach/orb"
)

// The datum tolerance: the reference WGS-84 columns are rounded to 6
// decimals (±0.056 m per axis), so agreement within 0.2 m means the
// conversions match to the fixtures' precision.
const datumToleranceMeters = 0.2

// Known pairs, hand-copied from chongqing_townships.csv, whose WGS-84
// columns were computed independently of this code.
var chongqingPairs = []struct {
	name     string
	gcj, wgs orb.Point
}{
	{"万州区 高笋塘街道", orb.Point{108.379923, 30.800754}, orb.Point{108.375349, 30.803033}},
	{"南岸区 迎龙镇", orb.Point{106.711594, 29.520208}, orb.Point{106.707665, 29.522964}},
	{"长寿区 龙河镇", orb.Point{107.188601, 30.008178}, orb.Point{107.184180, 30.010750}},
	{"铜梁区 围龙镇", orb.Point{106.011682, 29.621980}, orb.Point{106.007938, 29.624655}},
	{"垫江县 太平镇", orb.Point{107.297464, 30.262980}, orb.Point{107.293009, 30.265583}},
	{"巫溪县 田坝镇", orb.Point{108.867217, 31.398698}, orb.Point{108.862835, 31.400999}},
}

func TestGCJ02KnownPairs(t *testing.T) {
	for _, tc := range chongqingPairs {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ToWGS84(tc.gcj, GCJ02)
			if err != nil {
				t.Fatal(err)
			}
			if d := HaversineMeters(w, tc.wgs); d > datumToleranceMeters {
				t.Errorf("ToWGS84(%v, gcj02) = %v, want %v (off by %.3f m)", tc.gcj, w, tc.wgs, d)
			}
			g, err := FromWGS84(tc.wgs, GCJ02)
			if err != nil {
				t.Fatal(err)
			}
			if d := HaversineMeters(g, tc.gcj); d > datumToleranceMeters {
				t.Errorf("FromWGS84(%v, gcj02) = %v, want %v (off by %.3f m)", tc.wgs, g, tc.gcj, d)
			}
		})
	}
}

// Pairs published with wandergis/coordTransform (README), the reference
// implementation most Chinese GIS code copies.
func TestPublishedPairs(t *testing.T) {
	in := orb.Point{116.404, 39.915}
	for _, tc := range []struct {
		name string
		got  orb.Point
		want orb.Point
		tol  float64 // degrees
	}{
		{"wgs84→gcj02", GCJ02FromWGS84(in), orb.Point{116.41024449916938, 39.91640428150164}, 1e-9},
		{"gcj02→bd09", BD09FromGCJ02(in), orb.Point{116.41036949371029, 39.92133699351021}, 1e-9},
		// The published inverse is the closed-form approximation; the
		// iterative inverse may differ from it by up to about 1e-5°.
		{"bd09→gcj02", GCJ02FromBD09(in), orb.Point{116.39762729119315, 39.90865673957631}, 2e-5},
	} {
		if dx, dy := math.Abs(tc.got[0]-tc.want[0]), math.Abs(tc.got[1]-tc.want[1]); dx > tc.tol || dy > tc.tol {
			t.Errorf("%s(%v) = %v, want %v ± %g°", tc.name, in, tc.got, tc.want, tc.tol)
		}
	}
}

// The inverse conversions reproduce their input through the forward
// formula to better than 1 cm (asserted at 1 mm).
func TestDatumRoundTrip(t *testing.T) {
	for _, d := range []Datum{WGS84, GCJ02, BD09} {
		for lon := 73.0; lon < 135; lon += 3.7 {
			for lat := 18.0; lat < 54; lat += 2.9 {
				p := orb.Point{lon, lat}
				q, err := FromWGS84(p, d)
				if err != nil {
					t.Fatal(err)
				}
				back, err := ToWGS84(q, d)
				if err != nil {
					t.Fatal(err)
				}
				if m := HaversineMeters(p, back); m > 0.001 {
					t.Fatalf("ToWGS84(FromWGS84(%v, %s)) = %v, %.4f m away", p, d, back, m)
				}
			}
		}
	}
}

func TestOutOfChinaUnchanged(t *testing.T) {
	for _, p := range []orb.Point{{2.35, 48.85}, {-74, 40.7}, {151.2, -33.9}, {139.7, 35.7}} {
		for _, d := range []Datum{GCJ02} {
			w, _ := ToWGS84(p, d)
			g, _ := FromWGS84(p, d)
			if w != p || g != p {
				t.Errorf("%s conversion moved %v outside China to %v / %v", d, p, w, g)
			}
		}
	}
}

func TestParseDatum(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Datum
		err  bool
	}{
		{"", WGS84, false}, {"WGS-84", WGS84, false}, {"wgs84", WGS84, false},
		{"GCJ-02", GCJ02, false}, {"amap", GCJ02, false}, {"Tencent", GCJ02, false},
		{"BD-09", BD09, false}, {"baidu", BD09, false}, {"bd09ll", BD09, false},
		{"utm50n", "", true}, {"cgcs2000", "", true},
	} {
		got, err := ParseDatum(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseDatum(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrDatum) {
			t.Errorf("ParseDatum(%q) error %v does not wrap ErrDatum", tc.in, err)
		}
	}
}

func TestDatumBadInput(t *testing.T) {
	for _, p := range []orb.Point{{math.NaN(), 30}, {106, math.NaN()}, {181, 30}, {106, -91}, {math.Inf(1), 0}} {
		if _, err := ToWGS84(p, GCJ02); !errors.Is(err, ErrInvalidPoint) {
			t.Errorf("ToWGS84(%v) error = %v, want ErrInvalidPoint", p, err)
		}
		if _, err := FromWGS84(p, BD09); !errors.Is(err, ErrInvalidPoint) {
			t.Errorf("FromWGS84(%v) error = %v, want ErrInvalidPoint", p, err)
		}
	}
	if _, err := ToWGS84(orb.Point{106, 29}, Datum("itrf")); !errors.Is(err, ErrDatum) {
		t.Errorf("ToWGS84 with unknown datum error = %v, want ErrDatum", err)
	}
}

// Every township of the shared Chongqing table converts to its WGS-84
// columns within the tolerance.
func TestGCJ02ChongqingTownships(t *testing.T) {
	f, err := os.Open(sharedtest.Path(t, "geo", "chongqing_townships.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var n int
	var worst float64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec[col["lon_gcj02"]] == "" {
			continue
		}
		num := func(name string) float64 {
			v, err := strconv.ParseFloat(rec[col[name]], 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return v
		}
		gcj := orb.Point{num("lon_gcj02"), num("lat_gcj02")}
		want := orb.Point{num("lon_wgs84"), num("lat_wgs84")}
		got, err := ToWGS84(gcj, GCJ02)
		if err != nil {
			t.Fatal(err)
		}
		d := HaversineMeters(got, want)
		worst = max(worst, d)
		if d > datumToleranceMeters {
			t.Errorf("%s %s: ToWGS84(%v) = %v, want %v (%.3f m)", rec[col["county"]], rec[col["name"]], gcj, got, want, d)
		}
		n++
	}
	if n < 800 {
		t.Errorf("read %d township points, want about 898", n)
	}
	t.Logf("%d points, worst difference %.3f m", n, worst)
}

func TestPointsToWGS84(t *testing.T) {
	pts := []orb.Point{chongqingPairs[0].gcj, chongqingPairs[1].gcj}
	if err := PointsToWGS84(pts, GCJ02); err != nil {
		t.Fatal(err)
	}
	for i, p := range pts {
		if d := HaversineMeters(p, chongqingPairs[i].wgs); d > datumToleranceMeters {
			t.Errorf("point %d = %v, want %v", i, p, chongqingPairs[i].wgs)
		}
	}
	bad := []orb.Point{{106, 29}, {106, math.NaN()}}
	if err := PointsToWGS84(bad, BD09); !errors.Is(err, ErrInvalidPoint) || bad[0] != (orb.Point{106, 29}) {
		t.Errorf("PointsToWGS84(NaN) = %v, points %v; want ErrInvalidPoint and no change", err, bad)
	}
	if err := PointsToWGS84(nil, "osgb36"); !errors.Is(err, ErrDatum) {
		t.Errorf("PointsToWGS84(unknown datum) = %v, want ErrDatum", err)
	}
}

func BenchmarkDatum(b *testing.B) {
	p := chongqingPairs[1].gcj
	for _, tc := range []struct {
		name string
		f    func(orb.Point) orb.Point
	}{
		{"GCJ02FromWGS84", GCJ02FromWGS84},
		{"WGS84FromGCJ02", WGS84FromGCJ02},
		{"BD09FromGCJ02", BD09FromGCJ02},
		{"GCJ02FromBD09", GCJ02FromBD09},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var sink orb.Point
			for b.Loop() {
				sink = tc.f(p)
			}
			_ = sink
		})
	}
}

func TestDatumUnmarshal(t *testing.T) {
	var in struct {
		Datum Datum     `json:"datum"`
		Class ZoneClass `json:"class"`
	}
	if err := json.Unmarshal([]byte(`{"datum":"GCJ-02","class":"urban_core"}`), &in); err != nil || in.Datum != GCJ02 || in.Class != ClassUrbanCore {
		t.Errorf("Unmarshal = %+v, %v; want gcj02 urban_core", in, err)
	}
	if err := json.Unmarshal([]byte(`{"datum":"nad83"}`), &in); !errors.Is(err, ErrDatum) {
		t.Errorf("Unmarshal(nad83) error = %v, want ErrDatum", err)
	}
	if err := json.Unmarshal([]byte(`{"class":"downtown"}`), &in); !errors.Is(err, ErrZoneClass) {
		t.Errorf("Unmarshal(class downtown) error = %v, want ErrZoneClass", err)
	}
}

func FuzzParseDatum(f *testing.F) {
	for _, s := range []string{"", "wgs84", "GCJ-02", "bd_09", "Baidu", "epsg:4326", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDatum(s)
		if err != nil {
			if !errors.Is(err, ErrDatum) {
				t.Fatalf("ParseDatum(%q) error %v does not wrap ErrDatum", s, err)
			}
			return
		}
		if again, err := ParseDatum(d.String()); err != nil || again != d {
			t.Fatalf("ParseDatum(%q) = %q, which does not parse back: %q, %v", s, d, again, err)
		}
		if d != WGS84 && d != GCJ02 && d != BD09 {
			t.Fatalf("ParseDatum(%q) = %q, not a known datum", s, d)
		}
	})
}

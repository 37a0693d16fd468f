package zone

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

func square(x0, y0, size float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}
}

func squareZone(name string, class geo.ZoneClass, x0, y0, size float64) Zone {
	return Zone{Name: name, Class: class, Polygon: orb.MultiPolygon{{square(x0, y0, size)}}}
}

func TestZoneIndexLookup(t *testing.T) {
	center, err := h3cell.FromPoint(orb.Point{106.9, 29.9}, 7)
	if err != nil {
		t.Fatal(err)
	}
	zones := []Zone{
		squareZone("west", geo.ClassSuburban, 106.4, 29.5, 0.1),
		squareZone("east", geo.ClassUrbanCore, 106.5, 29.5, 0.1),
		squareZone("overlaps east", geo.ClassRuralMountain, 106.55, 29.5, 0.1),
		{Name: "cells", Class: geo.ClassRuralMountain, Cells: []h3cell.Cell{center}}, // coarser than the index
	}
	ix, err := NewIndex(zones, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    orb.Point
		want string
	}{
		{orb.Point{106.45, 29.55}, "west"},
		{orb.Point{106.52, 29.55}, "east"},
		{orb.Point{106.57, 29.55}, "east"}, // in both: the earlier zone wins
		{orb.Point{106.62, 29.55}, "overlaps east"},
		{orb.Point{106.9, 29.9}, "cells"},
		{orb.Point{107.5, 29.55}, ""},
		{orb.Point{math.NaN(), 29.55}, ""},
		{orb.Point{106.45, 95}, ""},
	} {
		zi, ok := ix.Lookup(tc.p)
		got := ""
		if ok {
			got = ix.Zone(zi).Name
		}
		if got != tc.want {
			t.Errorf("Lookup(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
	if got := ix.Class(orb.Point{106.45, 29.55}); got != geo.ClassSuburban {
		t.Errorf("Class(west) = %q, want suburban", got)
	}
	if got := ix.Class(orb.Point{0, 0}); got != "" {
		t.Errorf("Class(outside) = %q, want \"\"", got)
	}
	// Boundary cells are decided by their centre.
	for c, zi := range ix.cells {
		p, _ := c.Point()
		if got, _ := ix.ZoneOfCell(c); got != int(zi) {
			t.Fatalf("ZoneOfCell(%v) = %d, want %d", c, got, zi)
		}
		if zones[zi].Polygon != nil && !ringContains(zones[zi].Polygon[0][0], p) {
			t.Fatalf("cell %v of zone %q has its centre %v outside the zone", c, zones[zi].Name, p)
		}
	}
}

// ringContains is a plain ray-casting test, for checking.
func ringContains(r orb.Ring, p orb.Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		if (r[i][1] > p[1]) != (r[j][1] > p[1]) &&
			p[0] < (r[j][0]-r[i][0])*(p[1]-r[i][1])/(r[j][1]-r[i][1])+r[i][0] {
			in = !in
		}
	}
	return in
}

func TestNewZoneIndexErrors(t *testing.T) {
	bowTie := orb.Ring{{106, 29}, {106.1, 29.1}, {106.1, 29}, {106, 29.1}, {106, 29}}
	for _, tc := range []struct {
		name string
		zone Zone
		res  int
	}{
		{"empty polygon", Zone{Name: "z"}, 8},
		{"empty ring list", Zone{Name: "z", Polygon: orb.MultiPolygon{{}}}, 8},
		{"self-intersecting", Zone{Name: "z", Polygon: orb.MultiPolygon{{bowTie}}}, 8},
		{"unclosed", Zone{Name: "z", Polygon: orb.MultiPolygon{{square(106, 29, 0.1)[:4]}}}, 8},
		{"NaN vertex", Zone{Name: "z", Polygon: orb.MultiPolygon{{{{106, 29}, {math.NaN(), 29}, {106.1, 29.1}, {106, 29}}}}}, 8},
		{"no name", Zone{Polygon: orb.MultiPolygon{{square(106, 29, 0.1)}}}, 8},
		{"bad class", Zone{Name: "z", Class: "downtown", Polygon: orb.MultiPolygon{{square(106, 29, 0.1)}}}, 8},
		{"invalid cell", Zone{Name: "z", Cells: []h3cell.Cell{12345}}, 8},
		{"bad resolution", squareZone("z", "", 106, 29, 0.1), 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewIndex([]Zone{tc.zone}, tc.res)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("NewIndex(%s) error = %v, want ErrInvalid", tc.name, err)
			}
			t.Log(err)
		})
	}
}

func TestZonesGeoJSONRoundTrip(t *testing.T) {
	c, _ := h3cell.FromPoint(orb.Point{106.55, 29.56}, 8)
	cells, _ := c.Disk(2)
	fine, _ := h3cell.FromPoint(orb.Point{107.0, 29.0}, 10)
	zones := []Zone{
		{Name: "渝中", Class: geo.ClassUrbanCore, Polygon: orb.MultiPolygon{{square(106.5, 29.5, 0.1),
			{{106.52, 29.52}, {106.52, 29.53}, {106.53, 29.53}, {106.53, 29.52}, {106.52, 29.52}}}},
			Properties: map[string]any{"adcode": "500103", "depots": 3.0}, FeatureID: "500103"},
		{Name: "hex zone", Class: geo.ClassSuburban, Cells: append(cells, fine)},
		{Name: "unclassified", Polygon: orb.MultiPolygon{{square(107.1, 29.1, 0.05)}, {square(107.3, 29.1, 0.05)}}},
	}
	var buf bytes.Buffer
	if err := WriteGeoJSON(&buf, zones); err != nil {
		t.Fatal(err)
	}
	got, err := ReadGeoJSON(&buf, geo.WGS84)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(zones) {
		t.Fatalf("read %d zones, want %d", len(got), len(zones))
	}
	for i := range zones {
		w, g := zones[i], got[i]
		if g.FeatureID != w.FeatureID {
			t.Errorf("zone %d feature id = %v, want %v", i, g.FeatureID, w.FeatureID)
		}
		if g.Name != w.Name || g.Class != w.Class {
			t.Errorf("zone %d = %q %q, want %q %q", i, g.Name, g.Class, w.Name, w.Class)
		}
		if !orb.Equal(g.Polygon, w.Polygon) && (len(g.Polygon) > 0 || len(w.Polygon) > 0) {
			t.Errorf("zone %q polygon = %v, want %v", w.Name, g.Polygon, w.Polygon)
		}
		wc := slices.Clone(w.Cells)
		slices.Sort(wc)
		if !slices.Equal(g.Cells, wc) {
			t.Errorf("zone %q cells = %v, want %v", w.Name, g.Cells, wc)
		}
		if len(w.Properties) != len(g.Properties) {
			t.Errorf("zone %q properties = %v, want %v", w.Name, g.Properties, w.Properties)
		}
		for k, v := range w.Properties {
			if g.Properties[k] != v {
				t.Errorf("zone %q property %s = %v, want %v", w.Name, k, g.Properties[k], v)
			}
		}
	}
}

func TestReadZonesGeoJSONErrors(t *testing.T) {
	for _, tc := range []struct{ name, json string }{
		{"not json", `{"type":`},
		{"null", `null`},
		{"not a collection", `{"type":"Feature"}`},
		{"no name", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`},
		{"point geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Point","coordinates":[0,0]}}]}`},
		{"null geometry", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":null}]}`},
		{"empty polygon", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Polygon","coordinates":[]}}]}`},
		{"self-intersecting", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}`},
		{"latitude out of range", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,100],[1,0],[0,0]]]}}]}`},
		{"bad class", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a","class":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`},
		{"bad cell", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a","h3_cells":["zz"]},"geometry":null}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadGeoJSON(strings.NewReader(tc.json), geo.WGS84)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ReadGeoJSON error = %v, want ErrInvalid", err)
			}
			t.Log(err)
		})
	}
	if _, err := ReadGeoJSON(strings.NewReader(`{}`), "nad27"); !errors.Is(err, geo.ErrDatum) {
		t.Errorf("unknown datum error = %v, want geo.ErrDatum", err)
	}
}

// The Chongqing district boundaries read, convert from GCJ-02, validate and
// index, and every township point falls in its own county, as the fixture's
// README states for ray casting in GCJ-02 (exact lookup near borders; the
// datum conversion agrees to 0.07 m).
func TestChongqingDistricts(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2.5 MB and indexes ~16,000 cells")
	}
	f, err := os.Open(sharedtest.Path(t, "geo", "chongqing_districts_gcj02.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zones, err := ReadGeoJSON(f, geo.GCJ02)
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 36 {
		t.Errorf("read %d districts, want 36", len(zones))
	}
	byCode := map[string]int{}
	for i := range zones {
		z := &zones[i]
		code, _ := z.Properties["adcode"].(string)
		byCode[code] = i
		if urban, _ := z.Properties["main_urban_9"].(bool); urban {
			z.Class = geo.ClassUrbanCore
		} else {
			z.Class = geo.ClassRuralMountain
		}
	}
	if len(byCode) != 36 {
		t.Errorf("%d distinct adcodes, want 36", len(byCode))
	}
	ix, err := NewIndex(zones, 7)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := os.Open(sharedtest.Path(t, "geo", "chongqing_townships.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	r := csv.NewReader(tf)
	head, _ := r.Read()
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var total, own int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lon, err1 := strconv.ParseFloat(rec[col["lon_wgs84"]], 64)
		lat, err2 := strconv.ParseFloat(rec[col["lat_wgs84"]], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		total++
		if zi, ok := ix.Lookup(orb.Point{lon, lat}); ok && zi == byCode[rec[col["county_adcode"]]] {
			own++
		}
	}
	if own != total || total != 898 {
		t.Errorf("%d of %d townships in their own county, want 898 of 898", own, total)
	}
	var edgeRefs int
	for _, bc := range ix.border {
		for _, c := range bc.cands {
			edgeRefs += len(c.edges)
		}
	}
	t.Logf("res 7: %d cells, %d border cells with %.0f edges each on average; %d of %d townships in their own county",
		ix.CellCount(), len(ix.border), float64(edgeRefs)/float64(len(ix.border)), own, total)
}

func FuzzReadZonesGeoJSON(f *testing.F) {
	if golden, err := os.ReadFile(filepath.Join("testdata", "zones.golden.geojson")); err == nil {
		f.Add(golden)
	}
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a","class":"suburban"},"geometry":{"type":"Polygon","coordinates":[[[106,29],[106.1,29],[106.1,29.1],[106,29]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"h","h3_cells":["8840e3c58bfffff"]},"geometry":null}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"m"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,1],[1,0],[0,1],[0,0]]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		zones, err := ReadGeoJSON(bytes.NewReader(data), geo.GCJ02)
		if err != nil {
			return
		}
		for i := range zones {
			if err := zones[i].Validate(); err != nil {
				t.Fatalf("ReadGeoJSON returned invalid zone %d: %v", i, err)
			}
		}
		var buf bytes.Buffer
		if err := WriteGeoJSON(&buf, zones); err != nil {
			t.Fatalf("WriteGeoJSON of read zones: %v", err)
		}
		again, err := ReadGeoJSON(&buf, geo.WGS84)
		if err != nil || len(again) != len(zones) {
			t.Fatalf("re-read %d zones, err %v; want %d", len(again), err, len(zones))
		}
	})
}

func TestLookupAllAndAllocs(t *testing.T) {
	zones := []Zone{squareZone("a", geo.ClassSuburban, 106.0, 29.0, 0.5), squareZone("b", geo.ClassUrbanCore, 106.5, 29.0, 0.5)}
	ix, err := NewIndex(zones, 8)
	if err != nil {
		t.Fatal(err)
	}
	pts := scatter(5000)
	all, err := ix.LookupAll([]int{7}, pts)
	if err != nil || len(all) != len(pts)+1 || all[0] != 7 {
		t.Fatalf("LookupAll = %d results, %v", len(all), err)
	}
	for k, p := range pts {
		zi, ok := ix.Lookup(p)
		if !ok {
			zi = -1
		}
		if all[k+1] != zi {
			t.Fatalf("LookupAll[%d] = %d, Lookup = %d", k, all[k+1], zi)
		}
	}
	if _, err := ix.LookupAll(nil, []orb.Point{{106, 29}, {math.NaN(), 0}}); !errors.Is(err, h3cell.ErrInvalid) {
		t.Errorf("LookupAll(NaN) error = %v, want h3cell.ErrInvalid", err)
	}
	p := orb.Point{106.2, 29.2}
	if a := testing.AllocsPerRun(100, func() { _, _ = ix.Lookup(p) }); a != 0 {
		t.Errorf("Lookup allocs = %v, want 0", a)
	}
}

// BenchmarkZoneLookupChongqing looks up township points in the 36 real
// district boundaries (112,437 vertices): the index against ray-casting
// every polygon.
func BenchmarkZoneLookupChongqing(b *testing.B) {
	f, err := os.Open(sharedtest.Path(b, "geo", "chongqing_districts_gcj02.geojson"))
	if err != nil {
		b.Fatal(err)
	}
	zones, err := ReadGeoJSON(f, geo.GCJ02)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := NewIndex(zones, 7)
	if err != nil {
		b.Fatal(err)
	}
	pts := make([]orb.Point, 1024)
	for k, p := range scatter(len(pts)) {
		pts[k] = p
	}
	b.Run("Index/res=7", func(b *testing.B) {
		b.ReportAllocs()
		k := 0
		for b.Loop() {
			ix.Lookup(pts[k&1023])
			k++
		}
	})
	b.Run("LinearScan", func(b *testing.B) {
		b.ReportAllocs()
		k := 0
		for b.Loop() {
			p := pts[k&1023]
		scan:
			for zi := range zones {
				for _, poly := range zones[zi].Polygon {
					if ringContains(poly[0], p) {
						break scan
					}
				}
			}
			k++
		}
	})
}

func BenchmarkZoneLookup(b *testing.B) {
	var zones []Zone
	for i := range 10 {
		for j := range 10 {
			zones = append(zones, squareZone("z", geo.ClassSuburban, 106+0.05*float64(i), 29+0.05*float64(j), 0.05))
		}
	}
	ix, err := NewIndex(zones, 9)
	if err != nil {
		b.Fatal(err)
	}
	pts := make([]orb.Point, 4096)
	for k, p := range scatter(len(pts)) {
		// Fold the scatter into the zones' 0.5° square.
		pts[k] = orb.Point{106 + (p[0]-105.3)/6, 29 + (p[1]-28.2)/6}
	}
	b.Run("Index", func(b *testing.B) {
		b.ReportAllocs()
		k, hits := 0, 0
		for b.Loop() {
			if _, ok := ix.Lookup(pts[k&4095]); ok {
				hits++
			}
			k++
		}
		b.ReportMetric(float64(hits)/float64(b.N), "hit-rate")
	})
	b.Run("IndexBatch", func(b *testing.B) {
		b.ReportAllocs()
		out := make([]int, 0, len(pts))
		for b.Loop() {
			out, _ = ix.LookupAll(out[:0], pts)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pts)), "ns/point")
	})
	// The baseline: ray-casting every zone polygon until one contains the point.
	b.Run("LinearScan", func(b *testing.B) {
		b.ReportAllocs()
		k := 0
		for b.Loop() {
			p := pts[k&4095]
			for zi := range zones {
				if ringContains(zones[zi].Polygon[0][0], p) {
					break
				}
			}
			k++
		}
	})
}

// scatter gives n seeded points spread over Chongqing's box.
func scatter(n int) []orb.Point {
	rng := rand.New(rand.NewPCG(7, 0))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{105.3 + 3*rng.Float64(), 28.2 + 3*rng.Float64()}
	}
	return pts
}

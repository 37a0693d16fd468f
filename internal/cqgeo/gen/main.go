// Command gen writes districts.geojson, the simplified WGS-84 boundaries of
// Chongqing's nine main-urban districts that package cqgeo embeds, from
// ../shared/geo/chongqing_districts_gcj02.geojson (Vonng/adcode, CC BY 4.0).
//
// Each ring is converted from GCJ-02 to WGS-84 (geo.WGS84FromGCJ02), then
// simplified by Douglas–Peucker (Douglas & Peucker, "Algorithms for the
// reduction of the number of points required to represent a digitized line
// or its caricature", Cartographica 10(2), 1973) at -tolerance metres in a
// local equirectangular projection, and rounded to 1e-5° (about 1 m). Rings
// left with fewer than four points are dropped. The output is a GeoJSON
// FeatureCollection with the properties adcode and name, in adcode order,
// so that the same source gives the same bytes.
//
//	go run ./gen -src ../../../shared/geo/chongqing_districts_gcj02.geojson -out districts.geojson
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"

	"github.com/lastmile-dev/lastmile/geo"
)

// lat0 is the latitude at which longitudes are shrunk for simplification:
// the middle of the main urban area.
const lat0 = 29.6

func main() {
	src := flag.String("src", "../../../shared/geo/chongqing_districts_gcj02.geojson", "GCJ-02 district boundaries (GeoJSON)")
	out := flag.String("out", "districts.geojson", "output file")
	tol := flag.Float64("tolerance", 60, "Douglas–Peucker tolerance in metres")
	flag.Parse()
	if err := run(*src, *out, *tol); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string, tolMeters float64) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var feats []*geojson.Feature
	for _, f := range fc.Features {
		if main, _ := f.Properties["main_urban_9"].(bool); !main {
			continue
		}
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return fmt.Errorf("%v: geometry %T", f.Properties["adcode"], f.Geometry)
		}
		s := simplified(mp, tolMeters)
		if err := geo.ValidateMultiPolygon(s); err != nil {
			return fmt.Errorf("%v after simplification: %w", f.Properties["adcode"], err)
		}
		nf := geojson.NewFeature(s)
		nf.Properties = geojson.Properties{"adcode": f.Properties["adcode"], "name": f.Properties["name"]}
		feats = append(feats, nf)
	}
	if len(feats) != 9 {
		return fmt.Errorf("%s: %d main-urban districts, want 9", src, len(feats))
	}
	slices.SortFunc(feats, func(a, b *geojson.Feature) int {
		return cmpString(a.Properties.MustString("adcode"), b.Properties.MustString("adcode"))
	})
	// One feature per line keeps diffs readable.
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i, f := range feats {
		j, err := json.Marshal(f)
		if err != nil {
			return err
		}
		buf.Write(j)
		if i < len(feats)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// simplified converts mp to WGS-84 and simplifies every ring.
func simplified(mp orb.MultiPolygon, tolMeters float64) orb.MultiPolygon {
	k := math.Cos(lat0 * math.Pi / 180)
	tol := tolMeters / 111_195 // degrees of latitude
	var out orb.MultiPolygon
	for _, poly := range mp {
		var np orb.Polygon
		for _, r := range poly {
			ls := make(orb.LineString, len(r))
			for i, p := range r {
				w := geo.WGS84FromGCJ02(p)
				ls[i] = orb.Point{w[0] * k, w[1]}
			}
			ls = simplify.DouglasPeucker(tol).LineString(ls)
			if len(ls) < 4 {
				continue
			}
			nr := make(orb.Ring, len(ls))
			for i, p := range ls {
				nr[i] = orb.Point{round5(p[0] / k), round5(p[1])}
			}
			nr[len(nr)-1] = nr[0]
			np = append(np, nr)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	return out
}

func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

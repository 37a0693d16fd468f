// Command gen writes districts.geojson, the simplified WGS-84 boundaries of
// Chongqing's nine main-urban districts that package cqgeo embeds, from
// ../shared/geo/chongqing_districts_gcj02.geojson (Vonng/adcode, CC BY 4.0).
//
// Each vertex is converted from GCJ-02 to WGS-84 (geo.WGS84FromGCJ02). The
// outlines are then cut into the arcs neighbours share (package topology),
// and each arc is simplified once by Douglas–Peucker (Douglas & Peucker,
// "Algorithms for the reduction of the number of points required to
// represent a digitized line or its caricature", Cartographica 10(2), 1973)
// at -tolerance metres in a local equirectangular projection, so that
// neighbours keep one common border; a district whose simplified outline
// is not valid is simplified again at half the tolerance (with its
// borders). Vertices are rounded to 1e-5° (about 1 m). Rings left with
// fewer than four points are dropped. The output is a GeoJSON
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
	"os"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/cqgeo/topology"
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
	var (
		mps   []orb.MultiPolygon
		props []geojson.Properties
	)
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
		mps = append(mps, plane.FromGCJ02(mp))
		props = append(props, geojson.Properties{"adcode": f.Properties["adcode"], "name": f.Properties["name"]})
	}
	simple, err := topology.Build(mps).SimplifyValid(tolMeters/111_195, 10.0/111_195, topology.DouglasPeucker,
		func(f int, rings [][]orb.Ring) (orb.MultiPolygon, error) {
			mp := plane.Degrees(rings, 1e5)
			if err := geo.ValidateMultiPolygon(mp); err != nil {
				return nil, fmt.Errorf("%v after simplification: %w", props[f]["adcode"], err)
			}
			return mp, nil
		})
	if err != nil {
		return err
	}
	var feats []*geojson.Feature
	for f, mp := range simple {
		nf := geojson.NewFeature(mp)
		nf.Properties = props[f]
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

// plane is the local projection the outlines are simplified in.
var plane = topology.NewPlane(lat0)

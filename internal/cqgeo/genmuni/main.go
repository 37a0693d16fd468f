// Command genmuni writes municipality.geojson, the coarse base map of the
// whole municipality that package cqgeo embeds for the web app: the 36
// county-level units with a boundary (区, 县, 自治县) simplified to about
// 250 m (half that, and so on, where a ring would cross itself), and the
// township points (街道, 镇, 乡) that have one, all in WGS-84, from
// ../shared/geo (Vonng/adcode, CC BY 4.0).
//
// Boundaries are converted from GCJ-02 with geo.WGS84FromGCJ02, cut into
// the arcs neighbouring counties share (package topology), each arc
// simplified once by Douglas–Peucker in a local equirectangular
// projection, so that a border between two counties is one line, and
// rounded to 1e-4° (about 10 m, well under the tolerance). Township points use the
// source's WGS-84 columns. Features carry "layer" ("county" or "township"):
// counties have adcode, name and main_urban; townships code, name, county
// (its adcode), county_name and kind. Counties come first in adcode order,
// then townships in code order, one feature per line, so the same source
// gives the same bytes.
//
//	go run ./genmuni -src ../../../shared/geo -out municipality.geojson
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/cqgeo/topology"
)

// lat0 is the latitude at which longitudes are shrunk for simplification:
// the middle of the municipality.
const lat0 = 30.0

func main() {
	src := flag.String("src", "../../../shared/geo", "folder of chongqing_districts_gcj02.geojson and chongqing_townships.csv")
	out := flag.String("out", "municipality.geojson", "output file")
	tol := flag.Float64("tolerance", 250, "Douglas–Peucker tolerance in metres")
	flag.Parse()
	if err := run(*src, *out, *tol); err != nil {
		fmt.Fprintln(os.Stderr, "genmuni:", err)
		os.Exit(1)
	}
}

func run(src, out string, tolMeters float64) error {
	counties, names, err := countyFeatures(filepath.Join(src, "chongqing_districts_gcj02.geojson"), tolMeters)
	if err != nil {
		return err
	}
	towns, err := townshipFeatures(filepath.Join(src, "chongqing_townships.csv"), names)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	all := append(counties, towns...)
	for i, f := range all {
		j, err := json.Marshal(f)
		if err != nil {
			return err
		}
		buf.Write(j)
		if i < len(all)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// countyFeatures reads and simplifies the county boundaries; names maps
// adcode to name for the townships.
func countyFeatures(path string, tolMeters float64) ([]*geojson.Feature, map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	names := map[string]string{}
	var (
		mps   []orb.MultiPolygon
		props []geojson.Properties
	)
	for _, f := range fc.Features {
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return nil, nil, fmt.Errorf("%v: geometry %T", f.Properties["adcode"], f.Geometry)
		}
		adcode, name := f.Properties.MustString("adcode", ""), f.Properties.MustString("name", "")
		main, _ := f.Properties["main_urban_9"].(bool)
		names[adcode] = name
		mps = append(mps, plane.FromGCJ02(mp))
		props = append(props, geojson.Properties{"layer": "county", "adcode": adcode, "name": name, "main_urban": main})
	}
	// Douglas–Peucker may make a ring cross itself; such a county is
	// simplified again at half the tolerance (with its borders), down to
	// 10 m.
	simple, err := topology.Build(mps).SimplifyValid(tolMeters/111_195, 10.0/111_195, topology.DouglasPeucker,
		func(f int, rings [][]orb.Ring) (orb.MultiPolygon, error) {
			mp := plane.Degrees(rings, 1e4)
			if err := geo.ValidateMultiPolygon(mp); err != nil {
				return nil, fmt.Errorf("%v after simplification: %w", props[f]["adcode"], err)
			}
			return mp, nil
		})
	if err != nil {
		return nil, nil, err
	}
	var feats []*geojson.Feature
	for f, mp := range simple {
		nf := geojson.NewFeature(mp)
		nf.Properties = props[f]
		feats = append(feats, nf)
	}
	if len(feats) < 30 {
		return nil, nil, fmt.Errorf("%s: %d counties, want the municipality's 36", path, len(feats))
	}
	slices.SortFunc(feats, func(a, b *geojson.Feature) int {
		return strings.Compare(a.Properties.MustString("adcode"), b.Properties.MustString("adcode"))
	})
	return feats, names, nil
}

// townshipFeatures reads the township points that have WGS-84 coordinates.
func townshipFeatures(path string, countyNames map[string]string) ([]*geojson.Feature, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"code", "county_adcode", "name", "kind", "lon_wgs84", "lat_wgs84"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%s: no column %q", path, h)
		}
	}
	var feats []*geojson.Feature
	for _, r := range rows[1:] {
		lon, err1 := strconv.ParseFloat(r[col["lon_wgs84"]], 64)
		lat, err2 := strconv.ParseFloat(r[col["lat_wgs84"]], 64)
		if err1 != nil || err2 != nil {
			continue // no point for this township
		}
		county := r[col["county_adcode"]]
		nf := geojson.NewFeature(orb.Point{topology.Round(lon, 1e5), topology.Round(lat, 1e5)})
		nf.Properties = geojson.Properties{"layer": "township", "code": r[col["code"]], "name": r[col["name"]],
			"county": county, "county_name": countyNames[county], "kind": r[col["kind"]]}
		feats = append(feats, nf)
	}
	slices.SortFunc(feats, func(a, b *geojson.Feature) int {
		return strings.Compare(a.Properties.MustString("code"), b.Properties.MustString("code"))
	})
	return feats, nil
}

// plane is the local projection the outlines are simplified in.
var plane = topology.NewPlane(lat0)

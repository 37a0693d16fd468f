// Package cqgeo embeds the boundaries of Chongqing's nine main-urban
// districts (渝中 500103, 大渡口 500104, 江北 500105, 沙坪坝 500106, 九龙坡
// 500107, 南岸 500108, 北碚 500109, 渝北 500112, 巴南 500113), simplified
// and in WGS-84, so that planners, maps and the API use real district
// outlines without reading ../shared.
//
// The data is derived from Vonng/adcode (CC BY 4.0; see NOTICE.md beside
// this file): the GCJ-02 boundaries of ../shared/geo were converted to
// WGS-84 and simplified by Douglas–Peucker at 60 m, each border between
// two districts once (package topology), so that neighbours share their
// border vertex for vertex: no overlaps, no slivers. go generate remakes
// the file from ../shared (see gen).
package cqgeo

//go:generate go run ./gen -src ../../../shared/geo/chongqing_districts_gcj02.geojson -out districts.geojson

import (
	_ "embed"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

//go:embed districts.geojson
var districtsGeoJSON []byte

// Attribution is the credit the embedded boundaries need wherever they are
// shipped or shown (a map footer, a README).
const Attribution = "District boundaries: Vonng/adcode (CC BY 4.0), from 国家统计局, 民政部 and 高德地图 (Amap) data; simplified, WGS-84"

// District is one main-urban district's outline.
type District struct {
	Adcode   string // GB/T 2260 code, for example "500103"
	Name     string // for example "渝中区"
	Boundary orb.MultiPolygon
}

// MainUrban returns the nine main-urban districts in adcode order. Each
// call decodes a fresh copy the caller may modify.
func MainUrban() ([]District, error) {
	fc, err := geojson.UnmarshalFeatureCollection(districtsGeoJSON)
	if err != nil {
		return nil, fmt.Errorf("cqgeo: embedded districts: %w", err)
	}
	out := make([]District, 0, len(fc.Features))
	for _, f := range fc.Features {
		d := District{Adcode: f.Properties.MustString("adcode", ""), Name: f.Properties.MustString("name", "")}
		switch g := f.Geometry.(type) {
		case orb.MultiPolygon:
			d.Boundary = g
		case orb.Polygon:
			d.Boundary = orb.MultiPolygon{g}
		default:
			return nil, fmt.Errorf("cqgeo: district %s: geometry %T", d.Adcode, f.Geometry)
		}
		out = append(out, d)
	}
	return out, nil
}

// ByAdcode returns the main-urban districts keyed by adcode.
func ByAdcode() (map[string]District, error) {
	ds, err := MainUrban()
	if err != nil {
		return nil, err
	}
	m := make(map[string]District, len(ds))
	for _, d := range ds {
		m[d.Adcode] = d
	}
	return m, nil
}

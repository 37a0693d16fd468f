package cqgeo

//go:generate go run ./genmuni -src ../../../shared/geo -out municipality.geojson

import (
	"bytes"
	_ "embed"
)

//go:embed municipality.geojson
var municipalityGeoJSON []byte

// MunicipalityAttribution credits the municipality base map.
const MunicipalityAttribution = "Boundaries and townships: Vonng/adcode (CC BY 4.0), from 国家统计局, 民政部 and 高德地图 (Amap) data; simplified, WGS-84"

// MunicipalityGeoJSON returns the coarse base map of the whole
// municipality as a GeoJSON FeatureCollection in WGS-84: the county-level
// units (property layer "county": adcode, name, main_urban) simplified to
// about 250 m, then the township points (layer "township": code, name,
// county, county_name, kind). 梁平 and 武隆, which the 2016 source has no
// boundary for, are missing. Each call returns a fresh copy.
func MunicipalityGeoJSON() []byte { return bytes.Clone(municipalityGeoJSON) }

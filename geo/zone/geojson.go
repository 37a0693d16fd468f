package zone

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// GeoJSON property names with a meaning for zones; every other property is
// kept in Zone.Properties.
const (
	propName    = "name"
	propClass   = "class"
	propH3Cells = "h3_cells"
)

// MaxGeoJSONBytes bounds the input ReadGeoJSON reads (64 MiB).
const MaxGeoJSONBytes = 64 << 20

// WriteGeoJSON writes zones as an RFC 7946 FeatureCollection, one
// Feature per zone with properties "name", "class" and the zone's other
// Properties. Polygon zones are written as a MultiPolygon. Cell-set zones
// are written as the MultiPolygon outline of their cells (for display) plus
// an "h3_cells" property listing the cells, so that ReadGeoJSON gives
// back the identical cell set. Coordinates are written in WGS-84.
func WriteGeoJSON(w io.Writer, zones []Zone) error {
	fc := geojson.NewFeatureCollection()
	for i := range zones {
		z := &zones[i]
		if err := z.Validate(); err != nil {
			return fmt.Errorf("zone %d: %w", i, err)
		}
		props := geojson.Properties{}
		maps.Copy(props, z.Properties)
		props[propName] = z.Name
		props[propClass] = string(z.Class)
		var geom orb.Geometry
		if len(z.Polygon) > 0 {
			delete(props, propH3Cells)
			geom = z.Polygon
		} else {
			cells := slices.Clone(z.Cells)
			slices.Sort(cells)
			cells = slices.Compact(cells)
			mp, err := outlineCells(cells)
			if err != nil {
				return fmt.Errorf("zone %q: %w", z.Name, err)
			}
			geom = mp
			ids := make([]string, len(cells))
			for k, c := range cells {
				ids[k] = c.String()
			}
			props[propH3Cells] = ids
		}
		f := geojson.NewFeature(geom)
		f.ID = z.FeatureID
		f.Properties = props
		fc.Append(f)
	}
	data, err := json.Marshal(fc)
	if err != nil {
		return fmt.Errorf("geo: encode zones: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// outlineCells outlines cells grouped by resolution (H3 can only outline
// cells of one resolution at a time).
func outlineCells(cells []h3cell.Cell) (orb.MultiPolygon, error) {
	byRes := map[int][]h3cell.Cell{}
	for _, c := range cells {
		byRes[c.Resolution()] = append(byRes[c.Resolution()], c)
	}
	var out orb.MultiPolygon
	for _, res := range slices.Sorted(maps.Keys(byRes)) {
		mp, err := h3cell.CellsToMultiPolygon(byRes[res])
		if err != nil {
			return nil, err
		}
		out = append(out, mp...)
	}
	return out, nil
}

// ReadGeoJSON reads zones from a GeoJSON FeatureCollection whose
// features have Polygon or MultiPolygon geometry, converting coordinates
// from datum to WGS-84 at the boundary (e.g. geo.GCJ02 for Amap boundaries).
//
// A feature's "name" property is required (a string). "class" is optional
// (urban_core, suburban, rural_mountain; absent means unclassified). If an
// "h3_cells" property is present, the zone is that cell set (cells are
// WGS-84 by definition and are not converted) and the geometry is taken to
// be its outline and ignored. All other properties are kept in
// Zone.Properties; JSON numbers come back as float64. Every zone is
// validated: an empty or self-intersecting polygon is an error naming the
// feature.
func ReadGeoJSON(r io.Reader, datum geo.Datum) ([]Zone, error) {
	if _, err := geo.ParseDatum(string(datum)); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxGeoJSONBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read GeoJSON: %w", ErrInvalid, err)
	}
	if len(data) > MaxGeoJSONBytes {
		return nil, fmt.Errorf("%w: GeoJSON larger than %d bytes", ErrInvalid, MaxGeoJSONBytes)
	}
	if string(bytes.TrimSpace(data)) == "null" {
		return nil, fmt.Errorf("%w: null instead of a FeatureCollection", ErrInvalid)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("%w: decode GeoJSON: %w", ErrInvalid, err)
	}
	zones := make([]Zone, 0, len(fc.Features))
	for i, f := range fc.Features {
		z, err := zoneFromFeature(f, datum)
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", i, err)
		}
		zones = append(zones, z)
	}
	return zones, nil
}

func zoneFromFeature(f *geojson.Feature, datum geo.Datum) (Zone, error) {
	var z Zone
	if f == nil {
		return z, fmt.Errorf("%w: null feature", ErrInvalid)
	}
	props := f.Properties.Clone()
	name, ok := props[propName].(string)
	if !ok || name == "" {
		return z, fmt.Errorf("%w: no string %q property", ErrInvalid, propName)
	}
	z.Name = name
	z.FeatureID = f.ID
	delete(props, propName)
	if v, present := props[propClass]; present {
		s, ok := v.(string)
		if !ok {
			return z, fmt.Errorf("%w: zone %q: %q property is not a string", ErrInvalid, name, propClass)
		}
		c, err := geo.ParseZoneClass(s)
		if err != nil {
			return z, fmt.Errorf("%w: zone %q: %w", ErrInvalid, name, err)
		}
		z.Class = c
		delete(props, propClass)
	}
	if v, present := props[propH3Cells]; present {
		list, ok := v.([]any)
		if !ok {
			return z, fmt.Errorf("%w: zone %q: %q is not an array of cell strings", ErrInvalid, name, propH3Cells)
		}
		z.Cells = make([]h3cell.Cell, 0, len(list))
		for k, item := range list {
			s, ok := item.(string)
			if !ok {
				return z, fmt.Errorf("%w: zone %q: %s[%d] is not a string", ErrInvalid, name, propH3Cells, k)
			}
			c, err := h3cell.Parse(s)
			if err != nil {
				return z, fmt.Errorf("%w: zone %q: %s[%d]: %w", ErrInvalid, name, propH3Cells, k, err)
			}
			z.Cells = append(z.Cells, c)
		}
		delete(props, propH3Cells)
	} else {
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		case nil:
			return z, fmt.Errorf("%w: zone %q has no geometry (empty polygon)", ErrInvalid, name)
		default:
			return z, fmt.Errorf("%w: zone %q geometry is %s, want Polygon or MultiPolygon", ErrInvalid, name, g.GeoJSONType())
		}
		converted, err := convertMultiPolygon(mp, datum)
		if err != nil {
			return z, fmt.Errorf("%w: zone %q: %w", ErrInvalid, name, err)
		}
		z.Polygon = converted
	}
	if len(props) > 0 {
		z.Properties = props
	}
	if err := z.Validate(); err != nil {
		return z, err
	}
	return z, nil
}

// convertMultiPolygon returns a WGS-84 copy of mp, given in datum d.
func convertMultiPolygon(mp orb.MultiPolygon, d geo.Datum) (orb.MultiPolygon, error) {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, r := range poly {
			out[i][j] = make(orb.Ring, len(r))
			for k, p := range r {
				q, err := geo.ToWGS84(p, d)
				if err != nil {
					return nil, fmt.Errorf("polygon %d ring %d point %d: %w", i, j, k, err)
				}
				out[i][j][k] = q
			}
		}
	}
	return out, nil
}

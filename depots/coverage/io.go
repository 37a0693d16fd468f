package coverage

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	fielderr "github.com/lastmile-dev/lastmile/internal/field" // this file has a func field
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// MaxInputBytes bounds what the GeoJSON readers load into memory (1 GiB).
const MaxInputBytes = 1 << 30

// ReadOptions relax the readers. A nil *ReadOptions is strict.
type ReadOptions struct {
	// SkipMissing skips CSV rows whose longitude or latitude is empty
	// (gazetteers list places without a point) instead of failing; the
	// skipped line numbers are appended to Skipped, so nothing is dropped
	// silently.
	SkipMissing bool
	Skipped     []int
}

// Column names the CSV readers accept, in order of preference. "lon_wgs84"
// and "lat_wgs84" read the Chongqing gazetteer files directly.
var (
	lonColumns    = []string{"lon", "lon_wgs84", "lng", "longitude"}
	latColumns    = []string{"lat", "lat_wgs84", "latitude"}
	idColumns     = []string{"id", "code"}
	weightColumns = []string{"weight", "parcels", "population"}
)

type csvTable struct {
	r      *csv.Reader
	col    map[string]int
	header []string
}

func newCSVTable(r io.Reader) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: empty CSV: want a header line", ErrInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: CSV header: %w", ErrInvalid, err)
	}
	t := &csvTable{r: cr, col: make(map[string]int), header: header}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := t.col[h]; dup {
			return nil, fmt.Errorf("%w: CSV header: duplicate column %q", ErrInvalid, h)
		}
		t.col[h] = i
	}
	return t, nil
}

// find returns the index of the first present column among names, or -1.
func (t *csvTable) find(names []string) int {
	for _, n := range names {
		if i, ok := t.col[n]; ok {
			return i
		}
	}
	return -1
}

func (t *csvTable) need(names []string) (int, error) {
	if i := t.find(names); i >= 0 {
		return i, nil
	}
	return -1, fmt.Errorf("%w: CSV header %q lacks a %q column", ErrInvalid, strings.Join(t.header, ","), names[0])
}

// row reads the next record and its line number; io.EOF at the end.
func (t *csvTable) row() ([]string, int, error) {
	rec, err := t.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, io.EOF
		}
		return nil, 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	line, _ := t.r.FieldPos(0)
	// A short row would read its missing weight or radius as the default
	// and a long one has probably lost its quoting: both are mistakes.
	if len(rec) != len(t.header) {
		return nil, 0, fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "%d fields, the header has %d (%s)",
			len(rec), len(t.header), strings.Join(t.header, ","))
	}
	return rec, line, nil
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// number parses a field: empty gives def, anything else must be a finite
// number ≥ 0 (or any finite number for coordinates).
func number(rec []string, i int, name string, line int, def float64, nonNeg bool) (float64, error) {
	s := field(rec, i)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "%s %q is not a finite number", name, s)
	}
	if nonNeg && v < 0 {
		return 0, fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "%s %v is negative", name, v)
	}
	return v, nil
}

// location reads lon and lat; ok is false when both are empty and the
// options allow skipping.
func location(rec []string, lonI, latI, line int, o *ReadOptions) (orb.Point, bool, error) {
	if field(rec, lonI) == "" || field(rec, latI) == "" {
		if o != nil && o.SkipMissing {
			o.Skipped = append(o.Skipped, line)
			return orb.Point{}, false, nil
		}
		return orb.Point{}, false, fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "missing lon or lat")
	}
	lon, err := number(rec, lonI, "lon", line, 0, false)
	if err != nil {
		return orb.Point{}, false, err
	}
	lat, err := number(rec, latI, "lat", line, 0, false)
	if err != nil {
		return orb.Point{}, false, err
	}
	p := orb.Point{lon, lat}
	if !checkCoord(p) {
		return orb.Point{}, false, fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "[%v, %v] is not a valid [lon, lat]", lon, lat)
	}
	return p, true, nil
}

// locatedRows reads the rows of t, each located by the lon and lat
// columns, and calls add for each with its line number and location. It is
// the core of the CSV readers. A row is first passed to check (when not
// nil), which sees also the rows skipped for an empty location when o
// allows skipping.
func (t *csvTable) locatedRows(o *ReadOptions, check func(rec []string, line int) error, add func(rec []string, line int, p orb.Point) error) error {
	lonI, err := t.need(lonColumns)
	if err != nil {
		return err
	}
	latI, err := t.need(latColumns)
	if err != nil {
		return err
	}
	for {
		rec, line, err := t.row()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(rec, line); err != nil {
				return err
			}
		}
		p, ok, err := location(rec, lonI, latI, line, o)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := add(rec, line, p); err != nil {
			return err
		}
	}
}

// ReadDemandCSV reads demand points from CSV with a header and the columns
// lon, lat and weight (parcels per day or population; an empty or absent
// weight is 1). Errors name the line. An input with no rows is an error.
func ReadDemandCSV(r io.Reader, o *ReadOptions) ([]Demand, error) {
	t, err := newCSVTable(r)
	if err != nil {
		return nil, err
	}
	wI := t.find(weightColumns)
	var out []Demand
	err = t.locatedRows(o, nil, func(rec []string, line int, p orb.Point) error {
		w, err := number(rec, wI, "weight", line, 1, true)
		if err != nil {
			return err
		}
		out = append(out, Demand{Location: p, Weight: w})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no demand rows", ErrInvalid)
	}
	return out, nil
}

// ReadPointsCSV reads pickup points or candidate sites from CSV with a
// header and the columns id, lon, lat and optionally radius_m (walking
// metres), capacity (per day), cost and name. An empty radius or capacity
// means the default radius or no limit; an explicit capacity of 0 is an
// error (leave it empty for no limit). Ids must be unique.
func ReadPointsCSV(r io.Reader, o *ReadOptions) ([]Point, error) {
	t, err := newCSVTable(r)
	if err != nil {
		return nil, err
	}
	idI, err := t.need(idColumns)
	if err != nil {
		return nil, err
	}
	radI := t.find([]string{"radius_m", "radius"})
	capI := t.find([]string{"capacity", "capacity_per_day"})
	costI := t.find([]string{"cost"})
	nameI := t.find([]string{"name"})
	seen := make(map[string]int)
	uniqueID := func(rec []string, line int) error {
		id := field(rec, idI)
		if id == "" {
			return fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "empty id")
		}
		if prev, dup := seen[id]; dup {
			return fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "duplicate id %q (first on line %d)", id, prev)
		}
		seen[id] = line
		return nil
	}
	var out []Point
	err = t.locatedRows(o, uniqueID, func(rec []string, line int, p orb.Point) error {
		pt := Point{ID: field(rec, idI), Name: field(rec, nameI), Location: p}
		var err error
		if pt.RadiusMeters, err = number(rec, radI, "radius_m", line, 0, true); err != nil {
			return err
		}
		if pt.CapacityPerDay, err = number(rec, capI, "capacity", line, 0, true); err != nil {
			return err
		}
		if field(rec, capI) != "" && pt.CapacityPerDay == 0 {
			return fielderr.New(ErrInvalid, fmt.Sprintf("line %d", line), "capacity 0; leave it empty for no limit")
		}
		if pt.Cost, err = number(rec, costI, "cost", line, 0, true); err != nil {
			return err
		}
		out = append(out, pt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no point rows", ErrInvalid)
	}
	return out, nil
}

func readFeatures(r io.Reader) (*geojson.FeatureCollection, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read GeoJSON: %w", ErrInvalid, err)
	}
	if len(data) > MaxInputBytes {
		return nil, fmt.Errorf("%w: GeoJSON larger than %d bytes", ErrInvalid, MaxInputBytes)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, fmt.Errorf("%w: empty GeoJSON", ErrInvalid)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("%w: decode GeoJSON: %w", ErrInvalid, err)
	}
	return fc, nil
}

// propNumber reads an optional non-negative number property.
func propNumber(f *geojson.Feature, i int, name string, def float64) (float64, error) {
	v, ok := f.Properties[name]
	if !ok || v == nil {
		return def, nil
	}
	x, ok := v.(float64)
	if !ok || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return 0, fielderr.New(ErrInvalid, fmt.Sprintf("features[%d].properties.%s", i, name), "%v must be a number ≥ 0", v)
	}
	return x, nil
}

func featurePoint(f *geojson.Feature, i int) (orb.Point, error) {
	if f == nil || f.Geometry == nil {
		return orb.Point{}, fielderr.New(ErrInvalid, fmt.Sprintf("features[%d].geometry", i), "missing")
	}
	p, ok := f.Geometry.(orb.Point)
	if !ok {
		return orb.Point{}, fielderr.New(ErrInvalid, fmt.Sprintf("features[%d].geometry", i), "a %s, want a Point", f.Geometry.GeoJSONType())
	}
	if !checkCoord(p) {
		return orb.Point{}, fielderr.New(ErrInvalid, fmt.Sprintf("features[%d].geometry", i), "[%v, %v] is not a valid [lon, lat]", p[0], p[1])
	}
	return p, nil
}

// ReadDemandGeoJSON reads demand from a FeatureCollection of Point features
// with an optional "weight" property (default 1).
func ReadDemandGeoJSON(r io.Reader) ([]Demand, error) {
	fc, err := readFeatures(r)
	if err != nil {
		return nil, err
	}
	out := make([]Demand, 0, len(fc.Features))
	for i, f := range fc.Features {
		p, err := featurePoint(f, i)
		if err != nil {
			return nil, err
		}
		w, err := propNumber(f, i, "weight", 1)
		if err != nil {
			return nil, err
		}
		out = append(out, Demand{Location: p, Weight: w})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no demand features", ErrInvalid)
	}
	return out, nil
}

// ReadPointsGeoJSON reads points from a FeatureCollection of Point features
// with the properties "id" (or the feature id), and optionally "radius_m",
// "capacity", "cost" and "name", read as ReadPointsCSV reads its columns.
func ReadPointsGeoJSON(r io.Reader) ([]Point, error) {
	fc, err := readFeatures(r)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]int)
	out := make([]Point, 0, len(fc.Features))
	for i, f := range fc.Features {
		p, err := featurePoint(f, i)
		if err != nil {
			return nil, err
		}
		id := ""
		switch v := f.Properties["id"].(type) {
		case string:
			id = v
		case float64:
			id = strconv.FormatFloat(v, 'f', -1, 64)
		}
		if id == "" && f.ID != nil {
			id = fmt.Sprint(f.ID)
		}
		if id == "" {
			return nil, fielderr.New(ErrInvalid, fmt.Sprintf("features[%d].properties.id", i), "missing id")
		}
		if prev, dup := seen[id]; dup {
			return nil, fielderr.New(ErrInvalid, fmt.Sprintf("features[%d].properties.id", i), "duplicate id %q (first in feature %d)", id, prev)
		}
		seen[id] = i
		pt := Point{ID: id, Location: p}
		pt.Name, _ = f.Properties["name"].(string)
		if pt.RadiusMeters, err = propNumber(f, i, "radius_m", 0); err != nil {
			return nil, err
		}
		if pt.CapacityPerDay, err = propNumber(f, i, "capacity", 0); err != nil {
			return nil, err
		}
		if _, ok := f.Properties["capacity"]; ok && pt.CapacityPerDay == 0 {
			return nil, fielderr.New(ErrInvalid, fmt.Sprintf("features[%d].properties.capacity", i), "capacity 0; leave it out for no limit")
		}
		if pt.Cost, err = propNumber(f, i, "cost", 0); err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no point features", ErrInvalid)
	}
	return out, nil
}

// CellsGeoJSON returns the cells as a FeatureCollection of H3 hexagons with
// the properties cell, demand, covered, served, uncovered, status and
// serving_point, for maps.
func CellsGeoJSON(cells []CellResult) (*geojson.FeatureCollection, error) {
	fc := geojson.NewFeatureCollection()
	for _, c := range cells {
		poly, err := h3cell.Boundary(c.Cell)
		if err != nil {
			return nil, err
		}
		f := geojson.NewFeature(poly)
		f.Properties = geojson.Properties{
			"cell": c.ID, "demand": c.Demand, "covered": c.Covered, "served": c.Served,
			"uncovered": c.Uncovered, "status": c.Status, "serving_point": c.ServingPoint,
		}
		fc.Append(f)
	}
	return fc, nil
}

// PointsGeoJSON returns points as Point features with the properties id,
// name, role (for example "existing" or "chosen"), radius_m, capacity, and
// the extra properties given per point by props (which may be nil).
func PointsGeoJSON(fc *geojson.FeatureCollection, points []Point, role string, props func(i int) geojson.Properties) {
	for i, p := range points {
		f := geojson.NewFeature(p.Location)
		f.Properties = geojson.Properties{"id": p.ID, "role": role, "radius_m": p.RadiusMeters}
		if p.Name != "" {
			f.Properties["name"] = p.Name
		}
		if p.CapacityPerDay > 0 && !math.IsInf(p.CapacityPerDay, 1) {
			f.Properties["capacity"] = p.CapacityPerDay
		}
		if props != nil {
			for k, v := range props(i) {
				f.Properties[k] = v
			}
		}
		fc.Append(f)
	}
}

// CellCandidates returns one candidate site per H3 cell at res that holds
// demand, at the cell centre, with the cell's hexadecimal id: the candidate
// set when no list of sites is given. Cells are in order of first demand.
func CellCandidates(demand []Demand, res int) ([]Point, error) {
	seen := make(map[h3cell.Cell]bool)
	var out []Point
	for i, d := range demand {
		c, err := h3cell.FromPoint(d.Location, res)
		if err != nil {
			return nil, fmt.Errorf("%w: demand point %d: %w", ErrInvalid, i, err)
		}
		if seen[c] {
			continue
		}
		seen[c] = true
		centre, err := c.Point()
		if err != nil {
			return nil, err
		}
		out = append(out, Point{ID: c.String(), Location: centre})
	}
	return out, nil
}

// Package importer reads bulk facilities and demand points from CSV and
// GeoJSON, validating every row and naming, for each bad one, its line (or
// feature) and field. A file is all or nothing: Read returns either every
// row, converted to WGS-84, or the errors.
//
// # Formats
//
// CSV has a header row naming its columns, in any order; unknown columns
// are errors. Facilities: id, kind, lon, lat (required), name, zone,
// capacity_per_day, cold_chain, compartments, open_seconds, close_seconds,
// fixed_cost, handling_cost, operator, parent. Demand: id, lon, lat,
// weight (required), zone, category.
//
// GeoJSON is a FeatureCollection of Point features whose properties are the
// same fields (the geometry gives lon and lat). A top-level "datum" member
// names the coordinates' datum (wgs84, gcj02, bd09); it must agree with the
// datum given by the caller, if any.
package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

// ErrInvalid is wrapped by every *Error.
var ErrInvalid = errors.New("importer: invalid file")

// MaxRows bounds one file; MaxErrors bounds the errors reported.
const (
	MaxRows   = 100_000
	MaxErrors = 100
)

// RowError is one bad value: Line is the CSV line (the header is line 1)
// or, for GeoJSON, the feature's index; Field the column or property.
type RowError struct {
	Line    int    `json:"line,omitempty"`
	Feature *int   `json:"feature,omitempty"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
}

// Where names the line (or feature) and field, as "line 5: lat" or
// "features[3].properties.kind".
func (e RowError) Where() string {
	if e.Feature != nil {
		f := e.Field
		if !strings.HasPrefix(f, "geometry") && !strings.HasPrefix(f, "properties.") {
			f = "properties." + f
		}
		return fmt.Sprintf("features[%d].%s", *e.Feature, f)
	}
	if e.Line == 0 {
		return e.Field
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Field)
}

// Error lists the bad rows of a file; nothing of it was imported.
type Error struct {
	Rows []RowError
	// More counts errors beyond MaxErrors.
	More int
}

func (e *Error) Error() string {
	if len(e.Rows) == 0 {
		return "importer: invalid file"
	}
	msg := fmt.Sprintf("importer: %d bad values, first %s: %s", len(e.Rows)+e.More, e.Rows[0].Where(), e.Rows[0].Reason)
	return msg
}

func (e *Error) Unwrap() error { return ErrInvalid }

// Format is a file format.
type Format string

const (
	CSV     Format = "csv"
	GeoJSON Format = "geojson"
)

// Demand is one demand point: parcels per day (or population) at a place.
type Demand struct {
	ID       string    `json:"id"`
	Location orb.Point `json:"location"` // WGS-84
	Weight   float64   `json:"weight"`
	Zone     string    `json:"zone,omitempty"`
	Category string    `json:"category,omitempty"`
}

// row is one record, as named fields, with where it came from.
type row struct {
	line    int
	feature *int
	fields  map[string]string
	point   *orb.Point // from a GeoJSON geometry
}

type collector struct {
	errs Error
}

func (c *collector) add(r *row, field, format string, args ...any) {
	if len(c.errs.Rows) >= MaxErrors {
		c.errs.More++
		return
	}
	e := RowError{Field: field, Reason: fmt.Sprintf(format, args...)}
	if r != nil {
		e.Line, e.Feature = r.line, r.feature
	}
	c.errs.Rows = append(c.errs.Rows, e)
}

func (c *collector) err() error {
	if len(c.errs.Rows) == 0 {
		return nil
	}
	return &c.errs
}

var (
	facilityColumns = []string{"id", "kind", "lon", "lat", "name", "zone", "capacity_per_day", "cold_chain", "compartments",
		"open_seconds", "close_seconds", "fixed_cost", "handling_cost", "operator", "parent"}
	demandColumns = []string{"id", "lon", "lat", "weight", "zone", "category"}
)

// Options say how to read a file.
type Options struct {
	Format Format
	// Datum of the coordinates: "" for the file's own (a GeoJSON "datum"
	// member), WGS-84 by default.
	Datum geo.Datum
	// InRegion, when set, must hold for every (WGS-84) point; a point
	// outside is an error naming its line.
	InRegion func(orb.Point) bool
}

// Facilities reads facilities from r.
func Facilities(r io.Reader, o Options) ([]depots.Facility, error) {
	rows, datum, err := read(r, o.Format, o.Datum, facilityColumns, []string{"id", "kind", "lon", "lat"})
	if err != nil {
		return nil, err
	}
	var c collector
	out := make([]depots.Facility, 0, len(rows))
	seen := map[string]int{}
	for i := range rows {
		rw := &rows[i]
		before := len(c.errs.Rows) + c.errs.More
		fc := depots.Facility{ID: depots.ID(rw.fields["id"]), Kind: depots.Kind(rw.fields["kind"]), Name: rw.fields["name"],
			Zone: rw.fields["zone"], Operator: rw.fields["operator"], Parent: depots.ID(rw.fields["parent"])}
		if fc.ID == "" {
			c.add(rw, "id", "missing")
		} else if prev, dup := seen[string(fc.ID)]; dup {
			c.add(rw, "id", "%q repeats the id of %s", fc.ID, where(&rows[prev]))
		} else {
			seen[string(fc.ID)] = i
		}
		if !fc.Kind.Valid() {
			c.add(rw, "kind", "unknown kind %q", fc.Kind)
		}
		fc.Location = point(&c, rw, datum, o.InRegion)
		fc.Capacity.PerDay = number(&c, rw, "capacity_per_day", 0, 1e9)
		fc.Capacity.ColdChain = number(&c, rw, "cold_chain", 0, 1e9)
		fc.Capacity.Compartments = int(number(&c, rw, "compartments", 0, 1e9))
		fc.Hours.OpenSeconds = int32(number(&c, rw, "open_seconds", 0, 86400))
		fc.Hours.CloseSeconds = int32(number(&c, rw, "close_seconds", 0, 86400))
		fc.FixedCost = number(&c, rw, "fixed_cost", 0, 1e9)
		fc.HandlingCost = number(&c, rw, "handling_cost", 0, 1e9)
		if fc.Capacity.ColdChain > fc.Capacity.PerDay && rw.fields["capacity_per_day"] != "" {
			c.add(rw, "cold_chain", "exceeds capacity_per_day")
		}
		if fc.Hours.CloseSeconds != 0 && fc.Hours.CloseSeconds <= fc.Hours.OpenSeconds {
			c.add(rw, "close_seconds", "must be after open_seconds (0: open all day)")
		}
		if len(c.errs.Rows)+c.errs.More == before { // the row's own checks passed: the depots rules
			if err := fc.Validate(); err != nil {
				var fe *geo.FieldError
				if errors.As(err, &fe) {
					c.add(rw, fe.Path, "%s", fe.Reason)
				} else {
					c.add(rw, "row", "%v", err)
				}
			}
			if cell, err := h3cell.FromPoint(fc.Location, depots.CellResolution); err == nil {
				fc.Cell = cell
			}
		}
		out = append(out, fc)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// DemandPoints reads demand points from r.
func DemandPoints(r io.Reader, o Options) ([]Demand, error) {
	rows, datum, err := read(r, o.Format, o.Datum, demandColumns, []string{"id", "lon", "lat", "weight"})
	if err != nil {
		return nil, err
	}
	var c collector
	out := make([]Demand, 0, len(rows))
	seen := map[string]int{}
	for i := range rows {
		rw := &rows[i]
		dm := Demand{ID: rw.fields["id"], Zone: rw.fields["zone"], Category: rw.fields["category"]}
		if dm.ID == "" {
			c.add(rw, "id", "missing")
		} else if prev, dup := seen[dm.ID]; dup {
			c.add(rw, "id", "%q repeats the id of %s", dm.ID, where(&rows[prev]))
		} else {
			seen[dm.ID] = i
		}
		dm.Location = point(&c, rw, datum, o.InRegion)
		if rw.fields["weight"] == "" {
			c.add(rw, "weight", "missing")
		}
		dm.Weight = number(&c, rw, "weight", 0, 1e9)
		out = append(out, dm)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return out, nil
}

func where(r *row) string {
	if r.feature != nil {
		return fmt.Sprintf("features[%d]", *r.feature)
	}
	return fmt.Sprintf("line %d", r.line)
}

// number parses the optional field as a finite number in [lo, hi]; empty
// is 0.
func number(c *collector, r *row, field string, lo, hi float64) float64 {
	s := strings.TrimSpace(r.fields[field])
	if s == "" {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		c.add(r, field, "%q is not a number", s)
		return 0
	}
	if v < lo || v > hi {
		c.add(r, field, "%v is outside [%v, %v]", v, lo, hi)
		return 0
	}
	return v
}

// point reads lon and lat (or the geometry) and converts them to WGS-84.
func point(c *collector, r *row, d geo.Datum, inRegion func(orb.Point) bool) orb.Point {
	var p orb.Point
	if r.point != nil {
		p = *r.point
	} else {
		for i, f := range []string{"lon", "lat"} {
			s := strings.TrimSpace(r.fields[f])
			v, err := strconv.ParseFloat(s, 64)
			if s == "" {
				c.add(r, f, "missing")
				return p
			}
			if err != nil {
				c.add(r, f, "%q is not a number", s)
				return p
			}
			p[i] = v
		}
	}
	field := "lon"
	if r.point != nil {
		field = "geometry.coordinates"
	}
	if p[0] < -180 || p[0] > 180 || math.IsNaN(p[0]) {
		c.add(r, field, "longitude %v outside [-180, 180]", p[0])
		return p
	}
	if p[1] < -90 || p[1] > 90 || math.IsNaN(p[1]) {
		if r.point == nil {
			field = "lat"
		}
		c.add(r, field, "latitude %v outside [-90, 90]", p[1])
		return p
	}
	w, err := geo.ToWGS84(p, d)
	if err != nil {
		c.add(r, field, "%v", err)
		return w
	}
	if inRegion != nil && !inRegion(w) {
		c.add(r, field, "[%v, %v] lies outside the service region", w[0], w[1])
	}
	return w
}

// read returns the rows of the file and the datum of its coordinates.
func read(r io.Reader, f Format, d geo.Datum, columns, required []string) ([]row, geo.Datum, error) {
	if d != "" {
		var err error
		if d, err = geo.ParseDatum(string(d)); err != nil {
			return nil, "", &Error{Rows: []RowError{{Field: "datum", Reason: err.Error()}}}
		}
	}
	switch f {
	case CSV:
		rows, err := readCSV(r, columns, required)
		if d == "" {
			d = geo.WGS84
		}
		return rows, d, err
	case GeoJSON:
		return readGeoJSON(r, d, columns)
	}
	return nil, "", &Error{Rows: []RowError{{Field: "format", Reason: fmt.Sprintf("unknown format %q (want csv or geojson)", f)}}}
}

func readCSV(r io.Reader, columns, required []string) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // every record as long as the header
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{Rows: []RowError{{Line: 1, Field: "header", Reason: "empty file: want a header row naming the columns"}}}
	}
	if err != nil {
		return nil, &Error{Rows: []RowError{{Line: 1, Field: "header", Reason: err.Error()}}}
	}
	var c collector
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !contains(columns, h) {
			c.add(&row{line: 1}, h, "unknown column (known: %s)", strings.Join(columns, ", "))
			continue
		}
		if _, dup := index[h]; dup {
			c.add(&row{line: 1}, h, "repeated column")
		}
		index[h] = i
	}
	for _, req := range required {
		if _, ok := index[req]; !ok {
			c.add(&row{line: 1}, req, "required column missing")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	var rows []row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.add(&row{line: pe.Line}, "row", "%v", pe.Err)
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					continue
				}
			} else {
				c.add(nil, "row", "%v", err)
			}
			return nil, c.err()
		}
		line, _ := cr.FieldPos(0)
		if len(rows) >= MaxRows {
			c.add(&row{line: line}, "row", "more than %d rows: split the file", MaxRows)
			return nil, c.err()
		}
		rw := row{line: line, fields: make(map[string]string, len(index))}
		for name, i := range index {
			rw.fields[name] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, rw)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, &Error{Rows: []RowError{{Line: 2, Field: "row", Reason: "no rows after the header"}}}
	}
	return rows, nil
}

func readGeoJSON(r io.Reader, d geo.Datum, columns []string) ([]row, geo.Datum, error) {
	var doc struct {
		Type     string          `json:"type"`
		Datum    *string         `json:"datum"`
		Features json.RawMessage `json:"features"`
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, "", &Error{Rows: []RowError{{Field: "body", Reason: "not JSON: " + err.Error()}}}
	}
	if doc.Type != "FeatureCollection" {
		return nil, "", &Error{Rows: []RowError{{Field: "type", Reason: fmt.Sprintf("%q: want FeatureCollection", doc.Type)}}}
	}
	if doc.Datum != nil {
		fd, err := geo.ParseDatum(*doc.Datum)
		if err != nil {
			return nil, "", &Error{Rows: []RowError{{Field: "datum", Reason: err.Error()}}}
		}
		if d != "" && d != fd {
			return nil, "", &Error{Rows: []RowError{{Field: "datum", Reason: fmt.Sprintf("the file says %s, the request %s", fd, d)}}}
		}
		d = fd
	}
	if d == "" {
		d = geo.WGS84
	}
	var features []struct {
		Type     string `json:"type"`
		Geometry *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(doc.Features, &features); err != nil {
		return nil, "", &Error{Rows: []RowError{{Field: "features", Reason: "want an array of features: " + err.Error()}}}
	}
	if len(features) == 0 {
		return nil, "", &Error{Rows: []RowError{{Field: "features", Reason: "no features"}}}
	}
	if len(features) > MaxRows {
		return nil, "", &Error{Rows: []RowError{{Field: "features", Reason: fmt.Sprintf("more than %d features: split the file", MaxRows)}}}
	}
	var c collector
	rows := make([]row, 0, len(features))
	for i, f := range features {
		idx := i
		rw := row{feature: &idx, fields: map[string]string{}}
		if f.Geometry == nil || f.Geometry.Type != "Point" {
			c.add(&rw, "geometry", "want a Point")
		} else {
			var xy []float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &xy); err != nil || len(xy) < 2 {
				c.add(&rw, "geometry.coordinates", "want [lon, lat]")
			} else {
				p := orb.Point{xy[0], xy[1]}
				rw.point = &p
			}
		}
		for k, v := range f.Properties {
			if !contains(columns, k) || k == "lon" || k == "lat" {
				c.add(&rw, "properties."+k, "unknown property")
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				var n json.Number
				dec := json.NewDecoder(bytes.NewReader(v))
				dec.UseNumber()
				if dec.Decode(&n) != nil {
					c.add(&rw, "properties."+k, "want a string or a number")
					continue
				}
				s = n.String()
			}
			rw.fields[k] = s
		}
		rows = append(rows, rw)
	}
	if err := c.err(); err != nil {
		return nil, "", err
	}
	return rows, d, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

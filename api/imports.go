package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/importer"
	"github.com/lastmile-dev/lastmile/store"
)

// Importer stores bulk imports, each file all or nothing.
type Importer interface {
	ImportFacilities(ctx context.Context, fs []depots.Facility) error
	ImportDemand(ctx context.Context, ds []store.DemandPoint) error
	Demand(ctx context.Context) ([]store.DemandPoint, error)
}

var (
	_ Importer = (*store.Memory)(nil)
	_ Importer = (*store.Postgres)(nil)
	_ Importer = (*store.SQLite)(nil)
)

// importOptions reads the file format from the Content-Type (text/csv, or
// GeoJSON as application/geo+json or application/json) and the datum from
// ?datum=.
func (s *Server) importOptions(r *http.Request) (importer.Options, error) {
	o := importer.Options{InRegion: s.cfg.Region}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil:
		return o, errorf(errMediaType, "Content-Type %q: send text/csv or application/geo+json", r.Header.Get("Content-Type"))
	case mt == "text/csv":
		o.Format = importer.CSV
	case mt == "application/geo+json" || mt == "application/json":
		o.Format = importer.GeoJSON
	default:
		return o, errorf(errMediaType, "Content-Type %q: send text/csv or application/geo+json", mt)
	}
	if v := r.URL.Query().Get("datum"); v != "" {
		d, err := geo.ParseDatum(v)
		if err != nil {
			return o, badParam("datum", "%v", err)
		}
		o.Datum = d
	}
	return o, nil
}

// readImport reads an import body: at most MaxBodyBytes of UTF-8 without
// NUL.
func (s *Server) readImport(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &statusError{err: errTooLarge, detail: fmt.Sprintf("the file exceeds %d bytes; split it", mbe.Limit)}
		}
		return nil, errorf(ErrBadRequest, "reading the body: %v", err)
	}
	b := buf.Bytes()
	if !utf8.Valid(b) {
		return nil, badParam("body", "invalid UTF-8 at byte %d", invalidUTF8Offset(b))
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return nil, badParam("body", "the NUL character at byte %d", i)
	}
	return b, nil
}

// importProblem turns the importer's row errors into a 400 problem whose
// invalid_params name the line (or feature) and field of each.
func importProblem(err error) error {
	var ie *importer.Error
	if !errors.As(err, &ie) {
		return err
	}
	p := &statusError{err: ErrBadRequest, detail: "nothing imported: the file has errors (all rows or none are stored)"}
	for _, e := range ie.Rows {
		p.params = append(p.params, invalidParam{Name: e.Where(), Reason: e.Reason})
	}
	if ie.More > 0 {
		p.detail += fmt.Sprintf("; %d more errors not listed", ie.More)
	}
	return p
}

// importFacilities stores every facility of a CSV or GeoJSON file, or none.
func (s *Server) importFacilities(w http.ResponseWriter, r *http.Request) error {
	return importRows(s, w, r, "facilities", importer.Facilities,
		func(ctx context.Context, im Importer, fs []depots.Facility) error {
			return im.ImportFacilities(ctx, fs)
		})
}

// importDemand stores every demand point of a CSV or GeoJSON file, or none.
func (s *Server) importDemand(w http.ResponseWriter, r *http.Request) error {
	return importRows(s, w, r, "demand", importer.DemandPoints,
		func(ctx context.Context, im Importer, ds []importer.Demand) error {
			return im.ImportDemand(ctx, DemandToStore(ds))
		})
}

// importRows parses an import body into rows and stores them all in one
// step, or nothing: the shared shape of the import endpoints.
func importRows[T any](s *Server, w http.ResponseWriter, r *http.Request, kind string,
	parse func(io.Reader, importer.Options) ([]T, error), save func(context.Context, Importer, []T) error) error {
	im, ok := s.store.(Importer)
	if !ok {
		return errorf(ErrUnavailable, "this store does not take imports")
	}
	o, err := s.importOptions(r)
	if err != nil {
		return err
	}
	body, err := s.readImport(w, r)
	if err != nil {
		return err
	}
	rows, err := parse(bytes.NewReader(body), o)
	if err != nil {
		return importProblem(err)
	}
	if err := save(r.Context(), im, rows); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"imported": len(rows), "kind": kind})
	return nil
}

// DemandToStore converts imported demand points to the store's.
func DemandToStore(ds []importer.Demand) []store.DemandPoint {
	out := make([]store.DemandPoint, len(ds))
	for i, d := range ds {
		out[i] = store.DemandPoint{ID: d.ID, Location: d.Location, Weight: d.Weight, Zone: d.Zone, Category: d.Category}
	}
	return out
}

// listDemand returns the stored demand points.
func (s *Server) listDemand(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.store.(Importer).Demand(r.Context())
	if err != nil {
		return err
	}
	type point struct {
		ID       string     `json:"id"`
		Location geo.LonLat `json:"location"`
		Weight   float64    `json:"weight"`
		Zone     string     `json:"zone,omitempty"`
		Category string     `json:"category,omitempty"`
	}
	out := make([]point, len(ds))
	for i, d := range ds {
		out[i] = point{ID: d.ID, Location: geo.LonLat(d.Location), Weight: d.Weight, Zone: d.Zone, Category: d.Category}
	}
	writeJSON(w, http.StatusOK, map[string]any{"demand": out})
	return nil
}

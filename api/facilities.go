package api

import (
	"encoding/json"
	"math"
	"net/http"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/store"
)

// decodeFacility decodes and validates a facility body. Fields the API can
// name are checked here, so invalid_params points at them; the rest is
// depots.Facility.Validate's.
func (s *Server) decodeFacility(body []byte, pathID string) (*depots.Facility, error) {
	var f depots.Facility
	if err := decodeStrict(body, &f, true); err != nil {
		return nil, err
	}
	if err := s.checkRegionPoint("location", f.Location, geo.WGS84); err != nil {
		return nil, err
	}
	if pathID != "" {
		if f.ID == "" {
			f.ID = depots.ID(pathID)
		}
		if string(f.ID) != pathID {
			return nil, badParam("id", "%q differs from the id %q in the path", f.ID, pathID)
		}
	}
	var params []invalidParam
	add := func(name, reason string) { params = append(params, invalidParam{Name: name, Reason: reason}) }
	if err := checkID(string(f.ID)); err != nil {
		add("id", err.Error())
	}
	if !f.Kind.Valid() {
		add("kind", "unknown kind "+jsonString(string(f.Kind)))
	}
	if lon, lat := f.Location[0], f.Location[1]; math.IsNaN(lon) || lon < -180 || lon > 180 {
		add("location[0]", "longitude must be in [-180, 180]")
	} else if math.IsNaN(lat) || lat < -90 || lat > 90 {
		add("location[1]", "latitude must be in [-90, 90]")
	}
	c := f.Capacity
	if !inQuantity(c.PerDay) {
		add("capacity.per_day", quantityReason)
	}
	if c.ColdChain < 0 || c.ColdChain > c.PerDay {
		add("capacity.cold_chain", "must be in [0, per_day]")
	}
	if c.Compartments < 0 || c.Compartments > maxQuantity {
		add("capacity.compartments", quantityReason)
	}
	for cat, v := range c.PerCategory {
		if !inQuantity(v) {
			add("capacity.per_category."+cat, quantityReason)
		}
	}
	if !inQuantity(f.FixedCost) {
		add("fixed_cost", quantityReason)
	}
	if !inQuantity(f.HandlingCost) {
		add("handling_cost", quantityReason)
	}
	h := f.Hours
	if h.OpenSeconds < 0 || h.OpenSeconds > 24*3600 {
		add("hours.open_seconds", "must be in [0, 86400]")
	}
	if h.CloseSeconds < 0 || h.CloseSeconds > 24*3600 || (h.CloseSeconds != 0 && h.CloseSeconds <= h.OpenSeconds) {
		add("hours.close_seconds", "must be after open_seconds and at most 86400 (0: open all day)")
	}
	if len(params) > 0 {
		return nil, &statusError{err: ErrBadRequest, detail: "invalid facility", params: params}
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	cell, err := h3cell.FromPoint(f.Location, depots.CellResolution)
	if err != nil {
		return nil, badParam("location", "cannot index: %v", err)
	}
	f.Cell = cell
	return &f, nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (s *Server) listFacilities(w http.ResponseWriter, r *http.Request) error {
	var filter store.FacilityFilter
	if k := r.URL.Query().Get("kind"); k != "" {
		filter.Kind = depots.Kind(k)
		if !filter.Kind.Valid() {
			return badParam("kind", "unknown kind %s", jsonString(k))
		}
	}
	fs, err := s.store.Facilities(r.Context(), filter)
	if err != nil {
		return err
	}
	if wantsGeoJSON(r) {
		features := make([]any, 0, len(fs))
		for _, f := range fs {
			features = append(features, facilityFeature(f))
		}
		w.Header().Set("Content-Type", "application/geo+json")
		return json.NewEncoder(w).Encode(map[string]any{"type": "FeatureCollection", "features": features})
	}
	if fs == nil {
		fs = []*depots.Facility{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"facilities": fs})
	return nil
}

func facilityFeature(f *depots.Facility) map[string]any {
	return feature(point(f.Location), map[string]any{"id": f.ID, "kind": f.Kind, "name": f.Name, "zone": f.Zone,
		"capacity_per_day": f.Capacity.PerDay, "operator": f.Operator, "h3": f.Cell.String()})
}

func writeFacility(w http.ResponseWriter, r *http.Request, status int, f *depots.Facility) error {
	if wantsGeoJSON(r) {
		w.Header().Set("Content-Type", "application/geo+json")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(facilityFeature(f))
	}
	writeJSON(w, status, f)
	return nil
}

func (s *Server) createFacility(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	f, err := s.decodeFacility(body, "")
	if err != nil {
		return err
	}
	if err := s.store.CreateFacility(r.Context(), f); err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/facilities/"+string(f.ID))
	return writeFacility(w, r, http.StatusCreated, f)
}

func (s *Server) getFacility(w http.ResponseWriter, r *http.Request) error {
	f, err := s.store.Facility(r.Context(), depots.ID(r.PathValue("id")))
	if err != nil {
		return err
	}
	return writeFacility(w, r, http.StatusOK, f)
}

func (s *Server) putFacility(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	f, err := s.decodeFacility(body, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.store.PutFacility(r.Context(), f); err != nil {
		return err
	}
	return writeFacility(w, r, http.StatusOK, f)
}

func (s *Server) deleteFacility(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteFacility(r.Context(), depots.ID(r.PathValue("id"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

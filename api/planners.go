package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/depots/coverage"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/paulmach/orb/geojson"
)

// Planner endpoints: each runs one of the depots planners on the request,
// stores the result as a plan and returns {plan_id, result}. Facilities the
// request leaves out come from the store: cloud warehouses for allocation,
// lockers and express stores for coverage and site selection.

// savePlan stores a planning result and answers 201 with its id.
func (s *Server) savePlan(w http.ResponseWriter, r *http.Request, kind string, req []byte, result any, mapOf func() (*geojson.FeatureCollection, error)) error {
	res, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("api: encode %s result: %w", kind, err)
	}
	var fc *geojson.FeatureCollection
	if mapOf != nil && wantsGeoJSON(r) {
		if fc, err = mapOf(); err != nil {
			return fmt.Errorf("api: %s map: %w", kind, err)
		}
	}
	pl := &store.Plan{ID: planID(r.Context()), Kind: kind, Owner: principalFrom(r.Context()).Name, Request: req, Result: res}
	if err := s.store.CreatePlan(r.Context(), pl); err != nil && !isRetriedPlan(r.Context(), err) {
		return err
	}
	w.Header().Set("Location", "/v1/plans/"+pl.ID)
	if fc != nil {
		// The map carries the plan's id and kind as foreign members
		// (RFC 7946 §6.1); the full result stays at Location.
		fc.ExtraMembers = geojson.Properties{"plan_id": pl.ID, "kind": kind}
		w.Header().Set("Content-Type", "application/geo+json")
		w.WriteHeader(http.StatusCreated)
		return json.NewEncoder(w).Encode(fc)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"plan_id": pl.ID, "kind": kind, "result": json.RawMessage(res)})
	return nil
}

func (s *Server) storedFacilities(r *http.Request, kinds ...depots.Kind) ([]depots.Facility, error) {
	var out []depots.Facility
	for _, k := range kinds {
		fs, err := s.store.Facilities(r.Context(), store.FacilityFilter{Kind: k})
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			out = append(out, *f)
		}
	}
	return out, nil
}

// allocate runs depots.Allocate. The body is depots' allocation problem
// (see depots.DecodeAllocationProblem); with no "warehouses" the stored
// cloud warehouses are used. ?single_source=true serves each demand from
// one warehouse; ?format=geojson returns the demand coloured by warehouse.
func (s *Server) allocate(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if err := s.checkDeclaredPoints(body, "warehouses", "demand"); err != nil {
		return err
	}
	var probe struct {
		Warehouses json.RawMessage `json:"warehouses"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return jsonProblem(err)
	}
	doc := body
	if len(probe.Warehouses) == 0 || string(probe.Warehouses) == "null" || string(probe.Warehouses) == "[]" {
		whs, err := s.storedFacilities(r, depots.CloudWarehouse)
		if err != nil {
			return err
		}
		if len(whs) == 0 {
			return badParam("warehouses", "none given and no cloud warehouse is stored")
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return jsonProblem(err)
		}
		m["warehouses"], _ = json.Marshal(whs)
		doc, _ = json.Marshal(m)
	}
	p, err := depots.DecodeAllocationProblem(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	if err := checkAllocationBounds(p); err != nil {
		return err
	}
	if err := p.CheckCategories(); err != nil {
		return err
	}
	if err := s.checkMatrixPoints("warehouses + demand", len(p.Warehouses)+len(p.Demand)); err != nil {
		return err
	}
	if err := checked(r); err != nil {
		return err
	}
	if p.Matrix, err = s.cfg.Matrix.Matrix(r.Context(), p.Points()); err != nil {
		return err
	}
	opts := depots.AllocateOptions{SingleSource: r.URL.Query().Get("single_source") == "true"}
	start := time.Now()
	a, err := depots.Allocate(r.Context(), p, opts)
	if err != nil {
		return err
	}
	s.metrics.ObserveSolve("allocation", time.Since(start), a.Cost, len(a.Unserved))
	return s.savePlan(w, r, "allocation", body, a, func() (*geojson.FeatureCollection, error) { return a.GeoJSON(p) })
}

// coverageRequest is the body of POST /v1/plans/coverage and
// /v1/plans/sites.
type coverageRequest struct {
	// Demand omitted means the stored demand (imported in bulk).
	Demand []demandJSON `json:"demand"`
	// Points are the existing pickup points; omitted means the stored
	// lockers and express stores.
	Points []pointJSON `json:"points,omitempty"`
	// Candidates are candidate sites (sites only).
	Candidates   []pointJSON `json:"candidates,omitempty"`
	RadiusMeters float64     `json:"radius_meters"`
	Circuity     float64     `json:"circuity,omitempty"`
	// Add (MCLP) or Target (LSCP, 0 < target ≤ 1) for site selection.
	Add         int     `json:"add,omitempty"`
	Target      float64 `json:"target,omitempty"`
	Capacitated bool    `json:"capacitated,omitempty"`
}

// demandJSON is one demand point: parcels per day (or population).
type demandJSON struct {
	Location geo.LonLat `json:"location"`
	Weight   float64    `json:"weight"`
}

// pointJSON is a pickup point or candidate site.
type pointJSON struct {
	ID             string     `json:"id"`
	Name           string     `json:"name,omitempty"`
	Location       geo.LonLat `json:"location"`
	RadiusMeters   float64    `json:"radius_meters,omitempty"`
	CapacityPerDay float64    `json:"capacity_per_day,omitempty"`
	Cost           float64    `json:"cost,omitempty"`
}

func (s *Server) coverageInput(r *http.Request, body []byte) (*coverageRequest, []coverage.Demand, []coverage.Point, []coverage.Point, error) {
	var req coverageRequest
	if err := decodeStrict(body, &req, true); err != nil {
		return nil, nil, nil, nil, err
	}
	if req.Demand == nil { // omitted: the stored demand (lastmile import)
		stored, err := s.store.Demand(r.Context())
		if err != nil {
			return nil, nil, nil, nil, err
		}
		for _, d := range stored {
			req.Demand = append(req.Demand, demandJSON{Location: geo.LonLat(d.Location), Weight: d.Weight})
		}
	}
	if len(req.Demand) == 0 {
		return nil, nil, nil, nil, badParam("demand", "at least one demand point is required (none given, none stored)")
	}
	if !(req.RadiusMeters > 0 && req.RadiusMeters <= maxRadiusMeters) {
		return nil, nil, nil, nil, badParam("radius_meters", "must be in (0, %d]", maxRadiusMeters)
	}
	dem := make([]coverage.Demand, len(req.Demand))
	for i, d := range req.Demand {
		if err := checkPoint(fmt.Sprintf("demand[%d].location", i), orb.Point(d.Location)); err != nil {
			return nil, nil, nil, nil, err
		}
		if !(d.Weight >= 0 && d.Weight <= maxQuantity) {
			return nil, nil, nil, nil, badParam(fmt.Sprintf("demand[%d].weight", i), "must be in [0, %g]", float64(maxQuantity))
		}
		dem[i] = coverage.Demand{Location: orb.Point(d.Location), Weight: d.Weight}
	}
	convert := func(field string, ps []pointJSON) ([]coverage.Point, error) {
		out := make([]coverage.Point, len(ps))
		for i, p := range ps {
			if p.ID == "" {
				return nil, badParam(fmt.Sprintf("%s[%d].id", field, i), "missing id")
			}
			if err := checkPoint(fmt.Sprintf("%s[%d].location", field, i), orb.Point(p.Location)); err != nil {
				return nil, err
			}
			if !(p.RadiusMeters >= 0 && p.RadiusMeters <= maxRadiusMeters) {
				return nil, badParam(fmt.Sprintf("%s[%d].radius_meters", field, i), "must be in [0, %d]", maxRadiusMeters)
			}
			if !(p.CapacityPerDay >= 0 && p.CapacityPerDay <= maxQuantity) || !(p.Cost >= 0 && p.Cost <= maxQuantity) {
				return nil, badParam(fmt.Sprintf("%s[%d]", field, i), "capacity and cost must be in [0, %g]", float64(maxQuantity))
			}
			out[i] = coverage.Point{ID: p.ID, Name: p.Name, Location: orb.Point(p.Location), RadiusMeters: p.RadiusMeters,
				CapacityPerDay: p.CapacityPerDay, Cost: p.Cost}
		}
		return out, nil
	}
	points, err := convert("points", req.Points)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if req.Points == nil {
		fs, err := s.storedFacilities(r, depots.Locker, depots.ExpressStore)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		for _, f := range fs {
			points = append(points, coverage.Point{ID: string(f.ID), Name: f.Name, Location: f.Location, CapacityPerDay: f.Capacity.PerDay})
		}
	}
	cands, err := convert("candidates", req.Candidates)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return &req, dem, points, cands, nil
}

func (s *Server) coverageOptions(req *coverageRequest) coverage.Options {
	return coverage.Options{RadiusMeters: req.RadiusMeters, Circuity: req.Circuity, ZoneOf: s.cfg.ZoneOf, Workers: 1}
}

// analyzeCoverage runs coverage.Analyze. It leaves lastmile_coverage_ratio
// alone: an ad-hoc what-if query must not overwrite the operator's gauge,
// which only the scheduled monitoring run (monitorCoverage) sets.
func (s *Server) analyzeCoverage(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	req, dem, points, _, err := s.coverageInput(r, body)
	if err != nil {
		return err
	}
	if len(points) == 0 {
		return badParam("points", "none given and no locker or express store is stored")
	}
	if err := checked(r); err != nil {
		return err
	}
	rep, err := coverage.Analyze(r.Context(), dem, points, s.coverageOptions(req))
	if err != nil {
		return err
	}
	return s.savePlan(w, r, "coverage", body, rep, func() (*geojson.FeatureCollection, error) {
		fc, err := coverage.CellsGeoJSON(rep.Cells)
		if err != nil {
			return nil, err
		}
		coverage.PointsGeoJSON(fc, points, "existing", nil)
		return fc, nil
	})
}

// selectSites runs coverage.SelectSites: MCLP with "add", LSCP with
// "target".
func (s *Server) selectSites(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	req, dem, points, cands, err := s.coverageInput(r, body)
	if err != nil {
		return err
	}
	if len(cands) == 0 {
		return badParam("candidates", "at least one candidate site is required")
	}
	if (req.Add > 0) == (req.Target > 0) {
		return badParam("add", "give exactly one of add (sites to add) and target (share of demand to cover)")
	}
	if req.Add < 0 || req.Target < 0 || req.Target > 1 {
		return badParam("target", "add must be ≥ 0 and target in (0, 1]")
	}
	if err := checked(r); err != nil {
		return err
	}
	opts := coverage.SiteOptions{Options: s.coverageOptions(req), Add: req.Add, Target: req.Target, Capacitated: req.Capacitated}
	start := time.Now()
	plan, err := coverage.SelectSites(r.Context(), dem, points, cands, opts)
	if err != nil {
		return err
	}
	s.metrics.ObserveSolve("sites", time.Since(start), plan.Cost, 0)
	return s.savePlan(w, r, "sites", body, plan, func() (*geojson.FeatureCollection, error) {
		return sitesGeoJSON(dem, points, cands, plan), nil
	})
}

// sitesGeoJSON maps a site plan: demand points (role "demand", weight), the
// existing points, the chosen candidates (role "chosen", with their pick
// order) and the others (role "candidate").
func sitesGeoJSON(dem []coverage.Demand, existing, cands []coverage.Point, plan *coverage.Plan) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for i, d := range dem {
		f := geojson.NewFeature(d.Location)
		f.Properties = geojson.Properties{"role": "demand", "index": i, "weight": d.Weight}
		fc.Append(f)
	}
	coverage.PointsGeoJSON(fc, existing, "existing", nil)
	order := make(map[int]int, len(plan.ChosenIndex))
	for k, i := range plan.ChosenIndex {
		order[i] = k + 1
	}
	var chosen, others []coverage.Point
	var rank []int
	for i, c := range cands {
		if k, ok := order[i]; ok {
			chosen, rank = append(chosen, c), append(rank, k)
		} else {
			others = append(others, c)
		}
	}
	coverage.PointsGeoJSON(fc, chosen, "chosen", func(i int) geojson.Properties { return geojson.Properties{"order": rank[i]} })
	coverage.PointsGeoJSON(fc, others, "candidate", nil)
	return fc
}

// Bounds on planner input. Quantities (parcels, weights, capacities, costs)
// beyond maxQuantity would overflow the planners' integer flows or sum to
// +Inf; no real network comes near them. maxRadiusMeters bounds coverage
// radii (walking or driving distance to a pickup point).
const (
	maxQuantity     = 1e9
	maxRadiusMeters = 50_000
)

// quantityReason is the invalid_params reason for a quantity out of bounds.
var quantityReason = fmt.Sprintf("must be a number in [0, %g]", float64(maxQuantity))

// inQuantity reports whether v is a finite quantity in [0, maxQuantity].
func inQuantity(v float64) bool { return v >= 0 && v <= maxQuantity }

// checkAllocationBounds rejects quantities that depots' flow cannot
// represent: it scales volumes and capacities to integers.
func checkAllocationBounds(p *depots.AllocationProblem) error {
	for i, d := range p.Demand {
		if !inQuantity(d.Volume) {
			return badParam(fmt.Sprintf("demand[%d].volume", i), "must be in [0, %g]", float64(maxQuantity))
		}
	}
	for i, w := range p.Warehouses {
		ok := inQuantity(w.Capacity.PerDay) && inQuantity(w.Capacity.ColdChain) && inQuantity(w.HandlingCost) && inQuantity(w.FixedCost)
		for _, c := range w.Capacity.PerCategory {
			ok = ok && inQuantity(c)
		}
		if !ok {
			return badParam(fmt.Sprintf("warehouses[%d].capacity", i), "capacities and costs must be in [0, %g]", float64(maxQuantity))
		}
	}
	t := p.Tariff
	if !inQuantity(t.PerParcelKm) || !inQuantity(t.PerParcelHour) || !inQuantity(t.UnservedPerParcel) {
		return badParam("tariff", "prices must be in [0, %g]", float64(maxQuantity))
	}
	return nil
}

package api

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile/routing/render"
	"github.com/lastmile-dev/lastmile/routing/rural"
	"github.com/lastmile-dev/lastmile/routing/urban"
	"github.com/lastmile-dev/lastmile/scenario"
	"github.com/paulmach/orb/geojson"
)

// ScenarioPlanRequest is the body of POST /v1/plans/urban and
// /v1/plans/rural: which seeded Chongqing scenario to plan, and the budget.
type ScenarioPlanRequest struct {
	Seed uint64 `json:"seed"`
	// Parcels is the urban day's parcel count; 0 means 1000 here (the
	// scenario default of 5000 takes longer than a request should).
	Parcels  int `json:"parcels,omitempty"`
	Carriers int `json:"carriers,omitempty"`
	// TimeLimitMs bounds the whole run, capped by the server's synchronous
	// limit; 0 means that limit.
	TimeLimitMs int64 `json:"time_limit_ms,omitempty"`
	// Iterations bounds each routing search: per parcel for urban, per
	// task for rural. With iterations alone a plan is deterministic.
	Iterations       int  `json:"iterations,omitempty"`
	RespectDistricts bool `json:"respect_districts,omitempty"`
}

// maxScenarioParcels bounds the synchronous urban plan.
const maxScenarioParcels = 20_000

func (s *Server) scenarioRequest(w http.ResponseWriter, r *http.Request, kind scenario.Kind) (*ScenarioPlanRequest, []byte, *scenario.Scenario, time.Duration, error) {
	body, err := s.readBody(w, r)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	var req ScenarioPlanRequest
	if err := decodeStrict(body, &req, true); err != nil {
		return nil, nil, nil, 0, err
	}
	if req.Parcels < 0 || req.Parcels > maxScenarioParcels {
		return nil, nil, nil, 0, badParam("parcels", "must be in [0, %d]", maxScenarioParcels)
	}
	if req.Parcels == 0 {
		req.Parcels = 1000
	}
	if req.Carriers < 0 {
		return nil, nil, nil, 0, badParam("carriers", "negative")
	}
	if req.TimeLimitMs < 0 || req.Iterations < 0 {
		return nil, nil, nil, 0, badParam("time_limit_ms", "time limit and iterations must be ≥ 0")
	}
	sc, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: req.Seed, Kind: kind, Parcels: req.Parcels, Carriers: req.Carriers})
	if err != nil {
		return nil, nil, nil, 0, err
	}
	tl := s.cfg.MaxSolveTime
	if req.TimeLimitMs > 0 {
		tl = min(tl, time.Duration(req.TimeLimitMs)*time.Millisecond)
	}
	return &req, body, sc, tl, nil
}

// urbanPlan plans the urban day of a seeded scenario: joint (pooled)
// delivery against each carrier on its own, with the cost split.
func (s *Server) urbanPlan(w http.ResponseWriter, r *http.Request) error {
	req, body, sc, tl, err := s.scenarioRequest(w, r, scenario.KindUrban)
	if err != nil {
		return err
	}
	in, err := urban.InputFrom(sc)
	if err != nil {
		return err
	}
	// The pooled and separate plans each get a third of the budget, the
	// coalitions of the cost game the rest.
	opts := urban.Options{Seed: int64(req.Seed), TimeLimit: tl / 3, IterationsPerParcel: req.Iterations, RespectDistricts: req.RespectDistricts}
	if req.Iterations > 0 {
		opts.TimeLimit = 0
	}
	start := time.Now()
	rep, err := urban.Plan(r.Context(), in, opts)
	if err != nil {
		return fmt.Errorf("urban plan: %w", err)
	}
	s.metrics.ObserveSolve("urban", time.Since(start), 0, 0)
	return s.savePlan(w, r, "urban", body, rep, func() (*geojson.FeatureCollection, error) {
		m, err := rep.Map("urban joint delivery")
		if err != nil {
			return nil, err
		}
		return renderGeoJSON(m)
	})
}

// ruralPlan plans the rural week of a seeded scenario.
func (s *Server) ruralPlan(w http.ResponseWriter, r *http.Request) error {
	// The rural week is bounded by iterations per routing task, not time:
	// a week of county days at 300 iterations each takes seconds.
	req, body, sc, _, err := s.scenarioRequest(w, r, scenario.KindRural)
	if err != nil {
		return err
	}
	in, err := rural.InputFrom(sc)
	if err != nil {
		return err
	}
	opts := rural.Options{Seed: int64(req.Seed), IterationsPerTask: req.Iterations}
	if req.Iterations == 0 {
		opts.IterationsPerTask = 300
	}
	start := time.Now()
	rep, err := rural.Plan(r.Context(), in, opts)
	if err != nil {
		return fmt.Errorf("rural plan: %w", err)
	}
	s.metrics.ObserveSolve("rural", time.Since(start), 0, 0)
	return s.savePlan(w, r, "rural", body, rep, func() (*geojson.FeatureCollection, error) {
		return renderGeoJSON(rep.Map("rural week", "", -1))
	})
}

// renderGeoJSON converts a planner's map (routes, stops, zones, depots) to a
// FeatureCollection with render's layers.
func renderGeoJSON(m *render.Map) (*geojson.FeatureCollection, error) {
	var buf bytes.Buffer
	if err := render.WriteGeoJSON(&buf, m); err != nil {
		return nil, err
	}
	return geojson.UnmarshalFeatureCollection(buf.Bytes())
}

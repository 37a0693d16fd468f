package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile/internal/render"
	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing/rural"
	"github.com/lastmile-dev/lastmile/routing/urban"
	"github.com/paulmach/orb/geojson"
)

// scenarioPlanRequest is the body of POST /v1/plans/urban and
// /v1/plans/rural: which seeded Chongqing scenario to plan, and the budget.
type scenarioPlanRequest struct {
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
	Iterations int `json:"iterations,omitempty"`
	// RespectDistricts keeps every delivery zone inside one district;
	// omitted means true, as in `lastmile plan urban`. Zoning across
	// districts is much slower and is not bounded by the time budget, only
	// cut off by the server's limit.
	RespectDistricts *bool `json:"respect_districts,omitempty"`
	// Counties limits the rural week to these counties (IDs such as
	// "rongchang"); omitted means every county, a run of about a minute
	// at the default 300 iterations.
	Counties []string `json:"counties,omitempty"`
}

// maxScenarioParcels bounds the synchronous urban plan.
const maxScenarioParcels = 20_000

func (s *Server) scenarioRequest(w http.ResponseWriter, r *http.Request, kind scenario.Kind) (*scenarioPlanRequest, []byte, *scenario.Scenario, time.Duration, error) {
	body, err := s.readBody(w, r)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	var req scenarioPlanRequest
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
	sc, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: req.Seed, Kind: kind, Parcels: req.Parcels, Carriers: req.Carriers, Counties: req.Counties})
	if err != nil {
		return nil, nil, nil, 0, err
	}
	limit := s.cfg.MaxSolveTime
	if jobRunFrom(r.Context()) != nil { // a job: the job's limit
		limit = s.cfg.MaxJobTime
	}
	tl := limitFromMs(req.TimeLimitMs, limit, limit)
	return &req, body, sc, tl, nil
}

// urbanPlan plans the urban day of a seeded scenario: joint (pooled)
// delivery against each carrier on its own, with the cost split.
func (s *Server) urbanPlan(w http.ResponseWriter, r *http.Request) error {
	req, body, sc, tl, err := s.scenarioRequest(w, r, scenario.KindUrban)
	if err != nil {
		return err
	}
	in, err := sc.UrbanInput()
	if err != nil {
		return err
	}
	opts := urban.Options{Seed: int64(req.Seed), TimeLimit: urbanPlanBudget(tl, len(sc.Day.Carriers)), IterationsPerParcel: req.Iterations, RespectDistricts: req.RespectDistricts == nil || *req.RespectDistricts}
	if req.Iterations > 0 {
		opts.TimeLimit = 0
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), tl)
	defer cancel()
	rep, err := urban.Plan(ctx, in, opts)
	if err := s.planDeadline(ctx, w, r, "urban", tl, err); err != nil {
		return err
	}
	s.metrics.ObserveSolve("urban", time.Since(start), rep.Pooled.CostYuan, rep.Pooled.Unassigned)
	return s.savePlan(w, r, "urban", body, rep, func() (*geojson.FeatureCollection, error) {
		m, err := rep.Map("urban joint delivery")
		if err != nil {
			return nil, err
		}
		return renderGeoJSON(m)
	})
}

// urbanPlanBudget turns the time limit of a whole urban run into
// urban.Options.TimeLimit, the budget of one plan. With urban's default
// efforts a run spends about 1.5 plan budgets on the pooled plan (its
// cross-zone pass adds half), 1 on the separate plans and 0.375 on each
// coalition of the cost game (a quarter, plus its cross-zone pass): 2^n −
// n − 2 coalitions for n ≤ 5 carriers (exact Shapley values), at most 24
// sampled orders of n − 2 new coalitions beyond. As much again is left for
// zoning, matrices and a loaded machine (measured: 1,000 parcels, 4
// carriers, 1.2 s a plan took 6.3 s, not 7.5 s, alone, and over 9 s beside
// other work). The handler's deadline remains the hard cap.
func urbanPlanBudget(tl time.Duration, carriers int) time.Duration {
	coalitions := 0.0
	switch {
	case carriers <= 1:
	case carriers <= 5:
		coalitions = float64(int(1)<<carriers - carriers - 2)
	default:
		coalitions = float64(24 * (carriers - 2))
	}
	units := 1.5 + 1 + 0.375*coalitions
	return time.Duration(float64(tl) / (2 * units))
}

// ruralPlan plans the rural week of a seeded scenario.
func (s *Server) ruralPlan(w http.ResponseWriter, r *http.Request) error {
	// The rural week is bounded by iterations per routing task; the
	// server's time limit cuts it short on a slow machine or a large
	// iteration count (see planDeadline).
	req, body, sc, tl, err := s.scenarioRequest(w, r, scenario.KindRural)
	if err != nil {
		return err
	}
	in, err := sc.RuralInput()
	if err != nil {
		return err
	}
	opts := rural.Options{Seed: int64(req.Seed), IterationsPerTask: req.Iterations}
	if req.Iterations == 0 {
		opts.IterationsPerTask = 300
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), tl)
	defer cancel()
	rep, err := rural.Plan(ctx, in, opts)
	if err := s.planDeadline(ctx, w, r, "rural", tl, err); err != nil {
		return err
	}
	s.metrics.ObserveSolve("rural", time.Since(start), rep.WeekKm, len(rep.Unserved))
	return s.savePlan(w, r, "rural", body, rep, func() (*geojson.FeatureCollection, error) {
		return renderGeoJSON(rep.Map(in, "rural week", "", -1))
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

// timeLimitHeader is set to "true" on a planner answer whose run was cut
// short by the server's time limit: every routing search returned its best
// solution so far, so the plan is complete but may be worse than the
// requested iterations would have made it.
const timeLimitHeader = "Lastmile-Time-Limit-Reached"

// planDeadline checks a scenario planner run made under ctx, which carries
// the server's time limit tl. The planners split their budget over many
// routing searches and cannot promise the total, so the handler bounds the
// whole run: a search stopped by the deadline returns its best solution so
// far. A run that ended early is marked with timeLimitHeader; one that
// failed because of the deadline is a 422 naming the limit.
func (s *Server) planDeadline(ctx context.Context, w http.ResponseWriter, r *http.Request, kind string, tl time.Duration, err error) error {
	hit := errors.Is(ctx.Err(), context.DeadlineExceeded) && r.Context().Err() == nil
	switch {
	case err != nil && hit:
		return errorf(errTooBig, "the %s plan did not finish within the server's limit of %v: ask for fewer parcels or iterations", kind, tl)
	case err != nil:
		return fmt.Errorf("%s plan: %w", kind, err)
	case hit:
		s.log.InfoContext(r.Context(), "planner run cut short by the time limit", "kind", kind, "limit", tl)
		w.Header().Set(timeLimitHeader, "true")
	}
	return nil
}

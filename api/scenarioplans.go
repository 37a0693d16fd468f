package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile/internal/cqgeo"
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
	// scenario default of 5000 takes longer than a request should), so
	// give it to compare with `lastmile plan urban`.
	Parcels  int `json:"parcels,omitempty"`
	Carriers int `json:"carriers,omitempty"`
	// TimeLimitMs bounds the whole run, capped by the server's synchronous
	// limit; 0 means that limit. It cuts a run short; it does not set the
	// effort (see Iterations).
	TimeLimitMs int64 `json:"time_limit_ms,omitempty"`
	// Iterations bounds each routing search: per parcel for urban (0:
	// urban's default, as the CLI), per task for rural. A plan is
	// deterministic unless the time limit cuts it.
	Iterations int `json:"iterations,omitempty"`
	// RespectDistricts keeps every delivery zone inside one district;
	// omitted means true, as in `lastmile plan urban`.
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
	req, sc, err := scenarioFromBody(body, kind)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	limit := s.cfg.MaxSolveTime
	if jobRunFrom(r.Context()) != nil { // a job: the job's limit
		limit = s.cfg.MaxJobTime
	}
	tl := limitFromMs(req.TimeLimitMs, limit, limit)
	return req, body, sc, tl, nil
}

// scenarioFromBody decodes and checks a scenario plan request and
// generates its scenario.
func scenarioFromBody(body []byte, kind scenario.Kind) (*scenarioPlanRequest, *scenario.Scenario, error) {
	var req scenarioPlanRequest
	if err := decodeStrict(body, &req, true); err != nil {
		return nil, nil, err
	}
	if req.Parcels < 0 || req.Parcels > maxScenarioParcels {
		return nil, nil, badParam("parcels", "must be in [0, %d]", maxScenarioParcels)
	}
	if req.Parcels == 0 {
		req.Parcels = 1000
	}
	if req.Carriers < 0 {
		return nil, nil, badParam("carriers", "negative")
	}
	if req.TimeLimitMs < 0 || req.Iterations < 0 {
		return nil, nil, badParam("time_limit_ms", "time limit and iterations must be ≥ 0")
	}
	var (
		sc  *scenario.Scenario
		err error
	)
	if kind == scenario.KindUrban {
		sc, err = scenario.UrbanRequest{Seed: req.Seed, Parcels: req.Parcels, Carriers: req.Carriers}.UrbanDay()
	} else {
		sc, err = scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: req.Seed, Kind: kind, Parcels: req.Parcels, Carriers: req.Carriers, Counties: req.Counties})
	}
	if err != nil {
		return nil, nil, err
	}
	return &req, sc, nil
}

// urbanRequest is the urban planner's request for a scenario plan request.
func (req *scenarioPlanRequest) urbanRequest() scenario.UrbanRequest {
	return scenario.UrbanRequest{Seed: req.Seed, Parcels: req.Parcels, Carriers: req.Carriers, Iterations: req.Iterations,
		AcrossDistricts: req.RespectDistricts != nil && !*req.RespectDistricts}
}

// urbanPlan plans the urban day of a seeded scenario: joint (pooled)
// delivery against each carrier on its own, with the cost split. It runs
// scenario.PlanUrban, as `lastmile plan urban` does, so the same request
// gives the same report: iterations per parcel (urban's default when
// omitted) set the effort of both plans alike, and the server's time
// limit only cuts the run short, which the report then names in
// budget_exhausted (and the timeLimitHeader marks).
func (s *Server) urbanPlan(w http.ResponseWriter, r *http.Request) error {
	req, body, sc, tl, err := s.scenarioRequest(w, r, scenario.KindUrban)
	if err != nil {
		return err
	}
	if err := checked(r); err != nil {
		return err
	}
	ureq := req.urbanRequest()
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), tl)
	defer cancel()
	var rep *urban.Report
	if run := jobRunFrom(ctx); run != nil && run.fanout {
		// A job on a durable queue: its parts run as child jobs, which
		// this attempt joins (see fanout.go).
		rep, err = s.joinUrban(ctx, run, ureq, sc)
	} else {
		_, rep, err = scenario.PlanUrban(ctx, ureq, sc)
	}
	if errors.Is(err, errParked) {
		return err
	}
	if err := s.planDeadline(ctx, w, r, "urban", tl, err); err != nil {
		return err
	}
	if run := jobRunFrom(ctx); run != nil && run.fanout {
		start = run.job.CreatedAt // the children's time, not this last run's
	}
	s.metrics.ObserveSolve("urban", time.Since(start), rep.Pooled.CostYuan, rep.Pooled.Unassigned)
	return s.savePlan(w, r, "urban", body, rep, func() (*geojson.FeatureCollection, error) {
		m, err := rep.Map("urban joint delivery")
		if err != nil {
			return nil, err
		}
		m.Footer = cqgeo.Attribution
		return renderGeoJSON(m)
	})
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
	if err := checked(r); err != nil {
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

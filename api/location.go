package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/depots/location"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// locationRequest is the body of POST /v1/plans/location: which candidate
// facilities to open to serve the demand at the least fixed plus transport
// and handling cost, within capacities (capacitated facility location,
// solved by depots/location.SolveCFLP, or SolveSSCFLP when single_source).
type locationRequest struct {
	// Candidates are the facilities that may open; omitted means the
	// stored facilities of Kind.
	Candidates []depots.Facility `json:"candidates,omitempty"`
	Kind       depots.Kind       `json:"kind,omitempty"`
	Demand     []locationDemand  `json:"demand"`
	// PerParcelKm prices transport on the road distance of the travel
	// model, in currency units per parcel and kilometre.
	PerParcelKm  float64 `json:"per_parcel_km"`
	SingleSource bool    `json:"single_source,omitempty"`
	TimeLimitMs  int64   `json:"time_limit_ms,omitempty"`
}

// locationDemand is one demand point in parcels per day.
type locationDemand struct {
	ID       string     `json:"id,omitempty"`
	Location geo.LonLat `json:"location"`
	Volume   int64      `json:"volume"`
}

// locationResult is the plan returned.
type locationResult struct {
	Open       []depots.ID          `json:"open"`
	Cost       float64              `json:"cost"`
	LowerBound float64              `json:"lower_bound"`
	GapPercent float64              `json:"gap_percent"`
	Optimal    bool                 `json:"optimal"`
	Flows      []locationAssignment `json:"flows"`
}

// locationAssignment is volume of one demand point served by a facility.
type locationAssignment struct {
	Facility depots.ID `json:"facility"`
	Demand   int       `json:"demand"` // index into the request's demand
	Volume   int64     `json:"volume"`
}

// maxLocationPairs bounds candidates × demand points.
const maxLocationPairs = 500_000

func (s *Server) locate(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if err := s.checkDeclaredPoints(body, "candidates", "demand"); err != nil {
		return err
	}
	var req locationRequest
	if err := decodeStrict(body, &req, true); err != nil {
		return err
	}
	if len(req.Demand) == 0 {
		return badParam("demand", "at least one demand point is required")
	}
	if !inQuantity(req.PerParcelKm) {
		return badParam("per_parcel_km", "%s", quantityReason)
	}
	if req.TimeLimitMs < 0 {
		return badParam("time_limit_ms", "negative time limit")
	}
	cands := req.Candidates
	if cands == nil {
		if !req.Kind.Valid() {
			return badParam("kind", "give candidates, or the kind of stored facility to consider")
		}
		if cands, err = s.storedFacilities(r, req.Kind); err != nil {
			return err
		}
	}
	if len(cands) == 0 {
		return badParam("candidates", "no candidate facility")
	}
	if len(cands)*len(req.Demand) > maxLocationPairs {
		return errorf(errTooBig, "%d candidates × %d demand points exceed %d pairs", len(cands), len(req.Demand), maxLocationPairs)
	}
	if err := s.checkMatrixPoints("candidates + demand", len(cands)+len(req.Demand)); err != nil {
		return err
	}
	var total int64
	pts := make([]orb.Point, 0, len(cands)+len(req.Demand))
	for i := range cands {
		if err := cands[i].Validate(); err != nil {
			return fmt.Errorf("candidates[%d]: %w", i, err)
		}
		c := &cands[i]
		if !inQuantity(c.Capacity.PerDay) || !inQuantity(c.FixedCost) || !inQuantity(c.HandlingCost) {
			return badParam(fmt.Sprintf("candidates[%d]", i), "capacity.per_day, fixed_cost and handling_cost %s", quantityReason)
		}
		pts = append(pts, cands[i].Location)
	}
	for i, d := range req.Demand {
		if err := checkPoint(fmt.Sprintf("demand[%d].location", i), orb.Point(d.Location)); err != nil {
			return err
		}
		if d.Volume < 0 || d.Volume > 1<<40 {
			return badParam(fmt.Sprintf("demand[%d].volume", i), "must be in [0, 2^40]")
		}
		total += d.Volume
		pts = append(pts, orb.Point(d.Location))
	}
	if err := checked(r); err != nil {
		return err
	}
	mat, err := s.cfg.Matrix.Matrix(r.Context(), pts)
	if err != nil {
		return err
	}
	m, n := len(cands), len(req.Demand)
	p := &location.CFLP{Capacity: make([]int64, m), Fixed: make([]float64, m), Demand: make([]int64, n), Cost: make([]float64, m*n)}
	for j, d := range req.Demand {
		p.Demand[j] = d.Volume
	}
	for i, f := range cands {
		p.Capacity[i] = int64(f.Capacity.PerDay)
		if f.Capacity.PerDay == 0 { // no stated capacity: it can serve everything
			p.Capacity[i] = total
		}
		p.Fixed[i] = f.FixedCost
		for j, d := range req.Demand {
			km := float64(mat.Distance(i, m+j)) / 1000
			p.Cost[i*n+j] = float64(d.Volume) * (req.PerParcelKm*km + f.HandlingCost)
		}
	}
	opts := location.Options{TimeLimit: limitFromMs(req.TimeLimitMs, s.cfg.DefaultSolveTime, s.cfg.MaxSolveTime), Seed: 1}
	start := time.Now()
	var sol *location.CFLPSolution
	if req.SingleSource {
		sol, err = location.SolveSSCFLP(r.Context(), p, opts)
	} else {
		sol, err = location.SolveCFLP(r.Context(), p, opts)
	}
	if err != nil {
		return err
	}
	s.metrics.ObserveSolve("location", time.Since(start), sol.Cost, 0)
	res := locationResult{Cost: sol.Cost, LowerBound: sol.LowerBound, Optimal: sol.Optimal, Open: []depots.ID{}, Flows: []locationAssignment{}}
	if sol.Cost > 0 {
		res.GapPercent = 100 * (sol.Cost - sol.LowerBound) / sol.Cost
	}
	for _, i := range sol.Open {
		res.Open = append(res.Open, cands[i].ID)
	}
	for _, f := range sol.Flows {
		res.Flows = append(res.Flows, locationAssignment{Facility: cands[f.Facility].ID, Demand: f.Customer, Volume: f.Amount})
	}
	return s.savePlan(w, r, "location", body, res, func() (*geojson.FeatureCollection, error) {
		return locationGeoJSON(cands, req.Demand, sol), nil
	})
}

// locationGeoJSON maps a location plan: candidates as Points (role "open"
// or "closed"), demand points (role "demand", volume) and each flow as a
// LineString from its facility to its demand point (role "flow", volume).
func locationGeoJSON(cands []depots.Facility, demand []locationDemand, sol *location.CFLPSolution) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	open := make(map[int]bool, len(sol.Open))
	for _, i := range sol.Open {
		open[i] = true
	}
	for i, c := range cands {
		f := geojson.NewFeature(c.Location)
		role := "closed"
		if open[i] {
			role = "open"
		}
		f.Properties = geojson.Properties{"role": role, "id": string(c.ID), "kind": string(c.Kind)}
		if c.Name != "" {
			f.Properties["name"] = c.Name
		}
		fc.Append(f)
	}
	for j, d := range demand {
		f := geojson.NewFeature(orb.Point(d.Location))
		f.Properties = geojson.Properties{"role": "demand", "index": j, "volume": d.Volume}
		fc.Append(f)
	}
	for _, fl := range sol.Flows {
		f := geojson.NewFeature(orb.LineString{cands[fl.Facility].Location, orb.Point(demand[fl.Customer].Location)})
		f.Properties = geojson.Properties{"role": "flow", "facility": string(cands[fl.Facility].ID), "demand": fl.Customer, "volume": fl.Amount}
		fc.Append(f)
	}
	return fc
}

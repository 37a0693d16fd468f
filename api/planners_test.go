package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestPlanners(t *testing.T) {
	ts := startServer(t, api.Config{})
	for _, f := range []string{
		`{"id":"cw-1","kind":"cloud_warehouse","location":[106.45,29.60],"capacity":{"per_day":300},"hours":{"open_seconds":0,"close_seconds":0},"handling_cost":0.8}`,
		`{"id":"cw-2","kind":"cloud_warehouse","location":[106.65,29.52],"capacity":{"per_day":300},"hours":{"open_seconds":0,"close_seconds":0},"handling_cost":0.9}`,
		`{"id":"lk-1","kind":"locker","location":[106.55,29.56],"capacity":{"per_day":50,"compartments":60},"hours":{"open_seconds":0,"close_seconds":0}}`,
	} {
		if r := ts.do("POST", "/v1/facilities", plannerKey, f); r.Status != http.StatusCreated {
			t.Fatalf("create facility = %d %s", r.Status, r.Body)
		}
	}
	type planAnswer struct {
		PlanID string          `json:"plan_id"`
		Kind   string          `json:"kind"`
		Result json.RawMessage `json:"result"`
	}

	alloc := `{"demand":[{"location":[106.50,29.58],"category":"","volume":120},{"location":[106.60,29.53],"category":"","volume":200}],
	           "tariff":{"per_parcel_km":0.05}}`
	r := ts.do("POST", "/v1/plans/allocation", plannerKey, alloc)
	if r.Status != http.StatusCreated {
		t.Fatalf("allocation = %d %s", r.Status, r.Body)
	}
	var pa planAnswer
	r.decode(t, &pa)
	var a struct {
		ServedVolume float64 `json:"served_volume"`
		Cost         float64 `json:"cost"`
	}
	if err := json.Unmarshal(pa.Result, &a); err != nil || a.ServedVolume != 320 || a.Cost <= 0 {
		t.Errorf("allocation result = %+v (%v), want 320 parcels served at a positive cost", a, err)
	}
	if r := ts.do("GET", "/v1/plans/"+pa.PlanID, plannerKey, nil); r.Status != http.StatusOK {
		t.Errorf("GET plan = %d", r.Status)
	}

	cov := `{"demand":[{"location":[106.551,29.561],"weight":30},{"location":[106.60,29.60],"weight":10}],"radius_meters":500}`
	r = ts.do("POST", "/v1/plans/coverage", plannerKey, cov)
	if r.Status != http.StatusCreated {
		t.Fatalf("coverage = %d %s", r.Status, r.Body)
	}
	r.decode(t, &pa)
	var rep struct {
		TotalDemand   float64 `json:"total_demand"`
		CoveredDemand float64 `json:"covered_demand"`
	}
	if err := json.Unmarshal(pa.Result, &rep); err != nil || rep.TotalDemand != 40 || rep.CoveredDemand != 30 {
		t.Errorf("coverage = %+v (%v), want 30 of 40 covered by the stored locker", rep, err)
	}
	if n := testutil.CollectAndCount(ts.Metrics().CoverageRatio); n != 0 {
		t.Errorf("an ad-hoc coverage query set %d lastmile_coverage_ratio series, want none (only monitoring runs set it)", n)
	}

	sites := `{"demand":[{"location":[106.551,29.561],"weight":30},{"location":[106.60,29.60],"weight":10}],"radius_meters":500,
	           "candidates":[{"id":"s1","location":[106.601,29.601]},{"id":"s2","location":[106.70,29.70]}],"add":1}`
	r = ts.do("POST", "/v1/plans/sites", plannerKey, sites)
	if r.Status != http.StatusCreated {
		t.Fatalf("sites = %d %s", r.Status, r.Body)
	}
	r.decode(t, &pa)
	var plan struct {
		Chosen        []string `json:"chosen"`
		CoveredDemand float64  `json:"covered_demand"`
	}
	if err := json.Unmarshal(pa.Result, &plan); err != nil || len(plan.Chosen) != 1 || plan.Chosen[0] != "s1" || plan.CoveredDemand != 40 {
		t.Errorf("sites plan = %+v (%v), want s1 chosen and all 40 covered", plan, err)
	}

	for _, tt := range []struct{ path, body, param string }{
		{"/v1/plans/coverage", `{"demand":[],"radius_meters":500}`, "demand"},
		{"/v1/plans/coverage", `{"demand":[{"location":[106.5,99],"weight":1}],"radius_meters":500}`, "demand[0].location"},
		{"/v1/plans/coverage", `{"demand":[{"location":[106.5,29.5],"weight":1}],"radius_meters":0}`, "radius_meters"},
		{"/v1/plans/sites", `{"demand":[{"location":[106.5,29.5],"weight":1}],"radius_meters":100,"candidates":[{"id":"a","location":[106.5,29.5]}]}`, "add"},
		{"/v1/plans/sites", `{"demand":[{"location":[106.5,29.5],"weight":1}],"radius_meters":100,"add":1}`, "candidates"},
		{"/v1/plans/allocation", `{"demand":[{"location":[106.5,29.5],"category":"","volume":-1}]}`, ""},
	} {
		r := ts.do("POST", tt.path, plannerKey, tt.body)
		p := r.problem(t)
		if r.Status != 400 {
			t.Errorf("POST %s %s = %d, want 400: %+v", tt.path, tt.body, r.Status, p)
		}
		if tt.param != "" && (len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != tt.param) {
			t.Errorf("POST %s: invalid_params = %+v, want %s", tt.path, p.InvalidParams, tt.param)
		}
	}
	if r := ts.do("POST", "/v1/plans/coverage", courierKey, cov); r.Status != http.StatusForbidden {
		t.Errorf("courier coverage = %d, want 403", r.Status)
	}
}

func TestLocationPlan(t *testing.T) {
	ts := startServer(t, api.Config{})
	req := `{"candidates":[
	   {"id":"a","kind":"distribution_centre","location":[106.50,29.55],"capacity":{"per_day":100},"hours":{"open_seconds":0,"close_seconds":0},"fixed_cost":500},
	   {"id":"b","kind":"distribution_centre","location":[106.60,29.55],"capacity":{"per_day":100},"hours":{"open_seconds":0,"close_seconds":0},"fixed_cost":500},
	   {"id":"c","kind":"distribution_centre","location":[106.55,29.60],"capacity":{"per_day":30},"hours":{"open_seconds":0,"close_seconds":0},"fixed_cost":5000}],
	 "demand":[{"location":[106.50,29.56],"volume":60},{"location":[106.60,29.56],"volume":60}],
	 "per_parcel_km":0.5}`
	r := ts.do("POST", "/v1/plans/location", plannerKey, req)
	if r.Status != http.StatusCreated {
		t.Fatalf("location = %d %s", r.Status, r.Body)
	}
	var out struct {
		Result api.LocationResult `json:"result"`
	}
	r.decode(t, &out)
	if got := out.Result.Open; len(got) != 2 || got[0] != "a" || got[1] != "b" || out.Result.Cost < 1000 {
		t.Errorf("open = %v cost %v, want [a b] (c is dear) and cost ≥ 1000", got, out.Result.Cost)
	}
	if r := ts.do("POST", "/v1/plans/location", plannerKey, `{"demand":[{"location":[106.5,29.5],"volume":1}]}`); r.Status != 400 {
		t.Errorf("location without candidates or kind = %d, want 400", r.Status)
	}
	inf := `{"candidates":[{"id":"a","kind":"locker","location":[106.5,29.5],"capacity":{"per_day":1},"hours":{"open_seconds":0,"close_seconds":0}}],
	         "demand":[{"location":[106.5,29.5],"volume":5}]}`
	if r := ts.do("POST", "/v1/plans/location", plannerKey, inf); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("location over capacity = %d %s, want 422", r.Status, r.Body)
	}
}

func TestScenarioPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("plans a whole scenario")
	}
	ts := startServer(t, api.Config{})
	for _, tt := range []struct{ path, body string }{
		{"/v1/plans/urban", `{"seed":3,"parcels":120,"carriers":2,"iterations":5}`},
		{"/v1/plans/rural", `{"seed":3,"iterations":20,"counties":["rongchang","youyang"]}`},
	} {
		r := ts.do("POST", tt.path, plannerKey, tt.body)
		if r.Status != http.StatusCreated {
			t.Errorf("POST %s = %d %.300s", tt.path, r.Status, r.Body)
			continue
		}
		var out struct {
			PlanID string          `json:"plan_id"`
			Result json.RawMessage `json:"result"`
		}
		r.decode(t, &out)
		if out.PlanID == "" || len(out.Result) < 10 {
			t.Errorf("POST %s: plan %q result %.100s", tt.path, out.PlanID, out.Result)
		}
	}
	if r := ts.do("POST", "/v1/plans/urban", plannerKey, `{"parcels":-1}`); r.Status != 400 {
		t.Errorf("negative parcels = %d, want 400", r.Status)
	}
}

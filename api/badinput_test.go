package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

// problemWith returns smallProblem(3) as JSON after edit changes it.
func problemWith(edit func(p map[string]any)) string {
	var p map[string]any
	b, _ := json.Marshal(smallProblem(3))
	_ = json.Unmarshal(b, &p)
	edit(p)
	out, _ := json.Marshal(p)
	return string(out)
}

func job0(p map[string]any) map[string]any { return p["jobs"].([]any)[0].(map[string]any) }
func veh0(p map[string]any) map[string]any { return p["vehicles"].([]any)[0].(map[string]any) }

// TestHostileInput sends malformed, invalid and hostile requests through
// the real handler on both stores: each must get a 4xx
// application/problem+json of the expected type, never a 5xx, and a 400
// must name the bad field in invalid_params.
func TestHostileInput(t *testing.T) {
	for _, st := range testStores() {
		t.Run(st.name, func(t *testing.T) { hostileInput(t, st.open(t)) })
	}
}

func hostileInput(t *testing.T, st api.Store) {
	ts := startServer(t, api.Config{Store: st, MaxBodyBytes: 64 << 10, MaxSyncTasks: 50,
		MaxVehicles: 20, MaxSyncLocations: 100, MaxJobLocations: 200, AuthFailRate: -1})
	if r := ts.do("POST", "/v1/dispatch", plannerKey, smallProblem(6)); r.Status != http.StatusCreated {
		t.Fatalf("dispatch = %d %s", r.Status, r.Body)
	}
	fac := `{"id":"dc-1","kind":"distribution_centre","location":[106.55,29.56],"capacity":{"per_day":1000},"hours":{"open_seconds":0,"close_seconds":0}}`
	if r := ts.do("POST", "/v1/facilities", plannerKey, fac); r.Status != http.StatusCreated {
		t.Fatalf("create facility = %d %s", r.Status, r.Body)
	}
	bigJobs := make([]map[string]any, 60)
	for i := range bigJobs {
		bigJobs[i] = map[string]any{"id": "b" + itoa(i), "location": []float64{106.5, 29.5}}
	}
	tooMany := problemWith(func(p map[string]any) { p["jobs"] = bigJobs })
	huge := `{"vehicles":[],"jobs":[` + strings.Repeat(`{"id":"x","location":[106.5,29.5]},`, 3000) + `{}]}`

	const opt, fcs, cov, alloc = "/v1/optimize", "/v1/facilities", "/v1/plans/coverage", "/v1/plans/allocation"
	const wh = `{"id":"w","kind":"cloud_warehouse","location":[106.5,29.5],"capacity":{"per_day":100},"hours":{"open_seconds":0,"close_seconds":0}}`
	tests := []struct {
		name, method, path, key string
		body                    string
		ctype                   string // default application/json
		want                    int
		param                   string // expected invalid_params name, if any
	}{
		{"empty body", "POST", opt, courierKey, "", "", 400, "body"},
		{"blank body", "POST", opt, courierKey, "  \n ", "", 400, "body"},
		{"not json", "POST", opt, courierKey, "hello", "", 400, "body"},
		{"truncated json", "POST", opt, courierKey, `{"vehicles": [`, "", 400, "body"},
		{"json array", "POST", opt, courierKey, `[]`, "", 400, "body"},
		{"NaN coordinate", "POST", opt, courierKey, strings.Replace(problemWith(func(p map[string]any) {}), "106.5,", "NaN,", 1), "", 400, "body"},
		{"longitude out of range", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = []float64{200, 29.5} }), "", 400, "jobs[0].location"},
		{"latitude out of range", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["start"] = []float64{106.5, -91} }), "", 400, "vehicles[0].start"},
		{"location as string", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = "somewhere" }), "", 400, ""},
		{"empty vehicles", "POST", opt, courierKey, problemWith(func(p map[string]any) { p["vehicles"] = []any{} }), "", 400, "vehicles"},
		{"missing vehicles", "POST", opt, courierKey, problemWith(func(p map[string]any) { delete(p, "vehicles") }), "", 400, "vehicles"},
		{"vehicle without id", "POST", opt, courierKey, problemWith(func(p map[string]any) { delete(veh0(p), "id") }), "", 400, "vehicles[0].id"},
		{"duplicate vehicle id", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["id"] = "c2" }), "", 400, "vehicles[1].id"},
		{"job without id", "POST", opt, courierKey, problemWith(func(p map[string]any) { delete(job0(p), "id") }), "", 400, "jobs[0].id"},
		{"duplicate job id", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["id"] = "j2" }), "", 400, "jobs[1].id"},
		{"time window end before start", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["time_windows"] = [][]int{{5000, 100}} }), "", 400, "jobs[0].time_windows[0]"},
		{"overlapping time windows", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["time_windows"] = [][]int{{0, 500}, {400, 900}} }), "", 400, "jobs[0].time_windows[1]"},
		{"negative service", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["service"] = -5 }), "", 400, "jobs[0].service"},
		{"negative delivery", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["delivery"] = []int{-1} }), "", 400, "jobs[0].delivery[0]"},
		{"delivery dimensions", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["delivery"] = []int{1, 2} }), "", 400, "jobs[0].delivery"},
		{"negative capacity", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["capacity"] = []int{-3} }), "", 400, "vehicles[0].capacity[0]"},
		{"shift end before start", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["shift"] = []int{5000, 10} }), "", 400, "vehicles[0].shift"},
		{"location index out of range", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = 99 }), "", 400, "jobs[0].location"},
		{"job without location", "POST", opt, courierKey, problemWith(func(p map[string]any) { p["locations"] = [][]float64{{106.55, 29.56}}; delete(job0(p), "location") }), "", 400, "jobs[0].location"},
		{"job with null location", "POST", opt, courierKey, problemWith(func(p map[string]any) { p["locations"] = [][]float64{{106.55, 29.56}}; job0(p)["location"] = nil }), "", 400, "jobs[0].location"},
		{"negative location index", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = -2 }), "", 400, "jobs[0].location"},
		{"unknown top-level field", "POST", opt, courierKey, problemWith(func(p map[string]any) { p["vehicels"] = 1 }), "", 400, "vehicels"},
		{"unknown job field", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["servce"] = 1 }), "", 400, "servce"},
		{"negative time limit", "POST", opt, courierKey, problemWith(func(p map[string]any) { p["options"] = map[string]any{"time_limit_ms": -1} }), "", 400, "options.time_limit_ms"},
		{"negative iterations", "POST", opt, courierKey, problemWith(func(p map[string]any) { p["options"] = map[string]any{"iterations": -1} }), "", 400, "options.iterations"},
		{"unknown datum", "POST", opt, courierKey, problemWith(func(p map[string]any) { p["datum"] = "pluto" }), "", 400, "datum"},
		{"matrix rows", "POST", opt, courierKey, `{"matrix":{"durations":[[0,1],[1]]},"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}]}`, "", 400, "matrix.durations[1]"},
		{"matrix negative", "POST", opt, courierKey, `{"matrix":{"durations":[[0,-1],[1,0]]},"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}]}`, "", 400, "matrix.durations[0][1]"},
		{"matrix with inline point", "POST", opt, courierKey, `{"matrix":{"durations":[[0,1],[1,0]]},"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":[106.5,29.5]}]}`, "", 400, "jobs[0].location"},
		{"trailing data", "POST", opt, courierKey, problemWith(func(p map[string]any) {}) + " {}", "", 400, "body"},
		{"vehicles wrong type", "POST", opt, courierKey, `{"vehicles":"many","jobs":[]}`, "", 400, "vehicles"},
		{"capacity wrong type", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["capacity"] = []string{"a"} }), "", 400, "vehicles.capacity"},
		{"negative penalty", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["penalty"] = -1 }), "", 400, "jobs[0].penalty"},
		{"negative speed factor", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["speed_factor"] = -2 }), "", 400, "vehicles[0].speed_factor"},
		{"text/plain", "POST", opt, courierKey, problemWith(func(p map[string]any) {}), "text/plain", 415, ""},
		{"oversized body", "POST", opt, courierKey, huge, "", 413, "body"},
		{"too many tasks for sync", "POST", opt, courierKey, tooMany, "", 422, "jobs"},
		{"invalid async job", "POST", "/v1/jobs", courierKey, problemWith(func(p map[string]any) { p["vehicles"] = []any{} }), "", 400, "vehicles"},
		{"facility unknown kind", "POST", fcs, plannerKey, strings.Replace(fac, "distribution_centre", "castle", 1), "", 400, "kind"},
		{"facility longitude", "POST", fcs, plannerKey, strings.Replace(fac, "106.55", "181", 1), "", 400, "location[0]"},
		{"facility negative capacity", "POST", fcs, plannerKey, strings.Replace(fac, `"per_day":1000`, `"per_day":-1`, 1), "", 400, "capacity.per_day"},
		{"facility hours inverted", "POST", fcs, plannerKey, strings.Replace(fac, `"open_seconds":0,"close_seconds":0`, `"open_seconds":7200,"close_seconds":3600`, 1), "", 400, "hours.close_seconds"},
		{"facility without id", "POST", fcs, plannerKey, strings.Replace(fac, `"id":"dc-1",`, "", 1), "", 400, "id"},
		{"facility id mismatch", "PUT", fcs + "/dc-9", plannerKey, fac, "", 400, "id"},
		{"facility unknown id", "GET", fcs + "/nope", plannerKey, "", "", 404, ""},
		{"facility duplicate", "POST", fcs, plannerKey, fac, "", 409, ""},
		{"facility delete unknown", "DELETE", fcs + "/nope", plannerKey, "", "", 404, ""},
		{"facility list bad kind", "GET", fcs + "?kind=castle", plannerKey, "", "", 400, "kind"},
		{"event unknown type", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"teleported","stop_id":"j1"}`, "", 400, "type"},
		{"event missing type", "POST", "/v1/couriers/c1/events", courierKey, `{"stop_id":"j1"}`, "", 400, "type"},
		{"event unknown stop", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"delivered","stop_id":"no-such-stop"}`, "", 404, "stop_id"},
		{"event missing stop id", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"delivered"}`, "", 400, "stop_id"},
		{"order without job", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"order_added"}`, "", 400, "job"},
		{"order with index location", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"order_added","job":{"id":"n","location":3}}`, "", 400, "job.location"},
		{"order latitude out of range", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"order_added","job":{"id":"n","location":[106.5,95]}}`, "", 400, "job.location"},
		{"order duplicate id", "POST", "/v1/couriers/c1/events", plannerKey, `{"type":"order_added","job":{"id":"j1","location":[106.5,29.5]}}`, "", 400, "job.id"},
		{"event negative time", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"order_added","at":-5,"job":{"id":"n","location":[106.5,29.5]}}`, "", 400, "at"},
		{"event location NaN", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"delivered","stop_id":"j1","location":[NaN,1]}`, "", 400, "body"},
		{"event unknown field", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"delivered","stop":"j1"}`, "", 400, "stop"},
		{"route of unknown courier", "GET", "/v1/couriers/ghost/route", plannerKey, "", "", 404, ""},
		{"unknown job", "GET", "/v1/jobs/job_nope", courierKey, "", "", 404, ""},
		{"cancel unknown job", "DELETE", "/v1/jobs/job_nope", courierKey, "", "", 404, ""},
		{"unknown plan", "GET", "/v1/plans/plan_nope", plannerKey, "", "", 404, ""},
		{"unknown path", "GET", "/v2/everything", courierKey, "", "", 404, ""},
		{"wrong method", "PUT", opt, courierKey, "{}", "", 405, ""},
		{"vroom malformed", "POST", "/v1/vroom", courierKey, `{"vehicles":[{"id":1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3`, "", 400, "body"},
		{"vroom no tasks", "POST", "/v1/vroom", courierKey, `{"vehicles":[{"id":1,"start":[2.3,48.8]}]}`, "", 400, "jobs"},
		{"vroom priority", "POST", "/v1/vroom", courierKey, `{"vehicles":[{"id":1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3,48.8],"priority":101}]}`, "", 400, "jobs[0].priority"},
		{"coverage radius huge", "POST", cov, plannerKey, `{"radius_meters":1e300,"demand":[{"location":[106.5,29.5],"weight":1}]}`, "", 400, "radius_meters"},
		{"coverage weight huge", "POST", cov, plannerKey, `{"radius_meters":500,"demand":[{"location":[106.5,29.5],"weight":1e308},{"location":[106.5,29.5],"weight":1e308}]}`, "", 400, "demand[0].weight"},
		{"coverage point radius huge", "POST", cov, plannerKey, `{"radius_meters":500,"demand":[{"location":[106.5,29.5],"weight":1}],"points":[{"id":"p","location":[106.5,29.5],"radius_meters":1e300}]}`, "", 400, "points[0].radius_meters"},
		{"allocation volume huge", "POST", alloc, plannerKey, `{"warehouses":[` + wh + `],"demand":[{"location":[106.5,29.5],"category":"general","volume":1e308}]}`, "", 400, "demand[0].volume"},
		{"allocation capacity huge", "POST", alloc, plannerKey, `{"warehouses":[` + strings.Replace(wh, `"per_day":100`, `"per_day":1e300`, 1) + `],"demand":[{"location":[106.5,29.5],"category":"general","volume":1}]}`, "", 400, "warehouses[0].capacity"},
		{"allocation tariff huge", "POST", alloc, plannerKey, `{"warehouses":[` + wh + `],"demand":[{"location":[106.5,29.5],"category":"general","volume":1}],"tariff":{"per_parcel_km":1e300}}`, "", 400, "tariff"},
		{"facility capacity huge", "POST", fcs, plannerKey, strings.Replace(fac, `"per_day":1000`, `"per_day":1e300`, 1), "", 400, "capacity.per_day"},
		{"facility fixed cost huge", "POST", fcs, plannerKey, strings.Replace(fac, `"id":"dc-1",`, `"id":"dc-2","fixed_cost":1e300,`, 1), "", 400, "fixed_cost"},
		{"location handling cost huge", "POST", "/v1/plans/location", plannerKey, `{"candidates":[` + strings.Replace(fac, `"id":"dc-1",`, `"id":"dc-9","handling_cost":1e300,`, 1) + `],"demand":[{"location":[106.5,29.5],"volume":5}]}`, "", 400, "candidates[0]"},
		{"location tariff huge", "POST", "/v1/plans/location", plannerKey, `{"candidates":[` + fac + `],"demand":[{"location":[106.5,29.5],"volume":5}],"per_parcel_km":1e300}`, "", 400, "per_parcel_km"},
		{"event time huge", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"delivered","stop_id":"x","at":9223372036854775807}`, "", 400, "at"},
		{"bad auth scheme", "GET", "/v1/jobs/x", "", "", "", 401, ""},
		// Text no store can keep.
		{"NUL in a job id", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["id"] = "a\x00" }), "", 400, "jobs[0].id"},
		{"NUL in a vehicle id", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["id"] = "\x00" }), "", 400, "vehicles[0].id"},
		{"NUL in an event reason", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"failed","stop_id":"j1","reason":"x\u0000"}`, "", 400, "reason"},
		{"NUL in an event payload key", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"failed","stop_id":"j1","\u0000":1}`, "", 400, "\x00"},
		{"NUL in an order id", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"order_added","job":{"id":"n\u0000","location":[106.5,29.5]}}`, "", 400, "job.id"},
		{"NUL in a facility name", "POST", fcs, plannerKey, strings.Replace(fac, `"id":"dc-1",`, `"id":"dc-3","name":"\u0000",`, 1), "", 400, "name"},
		{"NUL in a facility id", "POST", fcs, plannerKey, strings.Replace(fac, `"dc-1"`, `"dc\u0000"`, 1), "", 400, "id"},
		{"NUL in a VROOM description", "POST", "/v1/vroom", courierKey, `{"vehicles":[{"id":1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3,48.8],"description":"\u0000"}]}`, "", 400, "jobs[0].description"},
		{"NUL in a job as a job", "POST", "/v1/jobs", courierKey, problemWith(func(p map[string]any) { job0(p)["id"] = "\x00" }), "", 400, "jobs[0].id"},
		{"invalid UTF-8 in a problem", "POST", opt, courierKey, "{\"vehicles\":[{\"id\":\"\xff\"}]}", "", 400, "body"},
		{"invalid UTF-8 in a facility", "POST", fcs, plannerKey, strings.Replace(fac, "dc-1", "dc-\xc3", 1), "", 400, "body"},
		{"invalid UTF-8 in an event", "POST", "/v1/couriers/c1/events", courierKey, "{\"type\":\"failed\",\"stop_id\":\"j1\",\"reason\":\"\xed\xa0\x80\"}", "", 400, "body"},
		// Path ids outside the charset.
		{"path id NUL", "GET", fcs + "/%00", plannerKey, "", "", 400, "id"},
		{"path id 0xff", "GET", fcs + "/%ff", plannerKey, "", "", 400, "id"},
		{"path id control", "PUT", fcs + "/a%01b", plannerKey, fac, "", 400, "id"},
		{"path id NUL delete", "DELETE", fcs + "/%00", plannerKey, "", "", 400, "id"},
		{"job id NUL", "GET", "/v1/jobs/%00", courierKey, "", "", 400, "id"},
		{"job events id 0xff", "GET", "/v1/jobs/%ff/events", courierKey, "", "", 400, "id"},
		{"cancel id control", "POST", "/v1/jobs/%7f/cancel", courierKey, "", "", 400, "id"},
		{"courier id NUL", "GET", "/v1/couriers/c%00/route", plannerKey, "", "", 400, "id"},
		{"courier events id 0xff", "POST", "/v1/couriers/%ff/events", plannerKey, `{"type":"delivered","stop_id":"j1"}`, "", 400, "id"},
		{"plan id NUL", "GET", "/v1/plans/%00", plannerKey, "", "", 400, "id"},
		{"facility id too long", "POST", fcs, plannerKey, strings.Replace(fac, `"dc-1"`, `"`+strings.Repeat("x", 300)+`"`, 1), "", 400, "id"},
		{"facility id with a slash", "POST", fcs, plannerKey, strings.Replace(fac, `"dc-1"`, `"a/b"`, 1), "", 400, "id"},
		// Arrays of the wrong length.
		{"location []", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = []float64{} }), "", 400, "jobs.location"},
		{"location [lon]", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = []float64{106.5} }), "", 400, "jobs.location"},
		{"location with three numbers", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["location"] = []float64{106.5, 29.5, 1} }), "", 400, "jobs.location"},
		{"vehicle start []", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["start"] = []float64{} }), "", 400, "vehicles.start"},
		{"time window []", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["time_windows"] = [][]int{{}} }), "", 400, "jobs.time_windows"},
		{"time window of three", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["time_windows"] = [][]int{{1, 2, 3}} }), "", 400, "jobs.time_windows"},
		{"shift of one", "POST", opt, courierKey, problemWith(func(p map[string]any) { veh0(p)["shift"] = []int{1} }), "", 400, "vehicles.shift"},
		{"locations entry of one", "POST", opt, courierKey, `{"locations":[[106.5]],"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":0}]}`, "", 400, "locations"},
		{"facility location of one", "POST", fcs, plannerKey, strings.Replace(fac, "[106.55,29.56]", "[106.55]", 1), "", 400, "location"},
		{"event location of one", "POST", "/v1/couriers/c1/events", courierKey, `{"type":"delivered","stop_id":"j1","location":[106.5]}`, "", 400, "location"},
		{"VROOM location of one", "POST", "/v1/vroom", courierKey, `{"vehicles":[{"id":1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3]}]}`, "", 400, "jobs.location"},
		{"VROOM time window of one", "POST", "/v1/vroom", courierKey, `{"vehicles":[{"id":1,"start":[2.3,48.8],"time_window":[1]}],"jobs":[{"id":1,"location":[2.3,48.8]}]}`, "", 400, "vehicles.time_window"},
		{"coverage location of three", "POST", cov, plannerKey, `{"radius_meters":500,"demand":[{"location":[106.5,29.5,0],"weight":1}]}`, "", 400, "demand.location"},
		// JSON scalars as bodies.
		{"null problem", "POST", opt, courierKey, "null", "", 400, "body"},
		{"number job", "POST", "/v1/jobs", courierKey, "0", "", 400, "body"},
		{"string facility", "POST", fcs, plannerKey, `""`, "", 400, "body"},
		{"array event", "POST", "/v1/couriers/c1/events", courierKey, "[]", "", 400, "body"},
		{"boolean VROOM", "POST", "/v1/vroom", courierKey, "true", "", 400, "body"},
		{"null allocation", "POST", alloc, plannerKey, "null", "", 400, "body"},
		// One validator: what /v1/optimize refuses, /v1/jobs refuses too.
		{"job capacity 2^40+1", "POST", "/v1/jobs", courierKey, problemWith(func(p map[string]any) { veh0(p)["capacity"] = []int64{1<<40 + 1} }), "", 400, "vehicles[0].capacity[0]"},
		{"job time window past 2^44", "POST", "/v1/jobs", courierKey, problemWith(func(p map[string]any) { job0(p)["time_windows"] = [][]int64{{0, 1<<44 + 1}} }), "", 400, "jobs[0].time_windows[0]"},
		{"job speed factor 1e-300", "POST", "/v1/jobs", courierKey, problemWith(func(p map[string]any) { veh0(p)["speed_factor"] = 1e-300 }), "", 400, "vehicles[0].speed_factor"},
		{"job max trips 1001", "POST", "/v1/jobs", courierKey, problemWith(func(p map[string]any) { veh0(p)["max_trips"] = 1001 }), "", 400, "vehicles[0].max_trips"},
		{"negative priority", "POST", opt, courierKey, problemWith(func(p map[string]any) { job0(p)["priority"] = -1 }), "", 400, "jobs[0].priority"},
		{"int64-max priority", "POST", "/v1/jobs", courierKey, problemWith(func(p map[string]any) { job0(p)["priority"] = int64(1<<63 - 1) }), "", 400, "jobs[0].priority"},
		{"circuity 1e300", "POST", cov, plannerKey, `{"radius_meters":500,"circuity":1e300,"demand":[{"location":[106.5,29.5],"weight":1}],"points":[{"id":"p","location":[106.5,29.5]}]}`, "", 400, "circuity"},
		{"unknown allocation category", "POST", alloc, plannerKey, `{"warehouses":[` + strings.Replace(wh, `"per_day":100`, `"per_day":100,"per_category":{"fresh":50}`, 1) + `],"demand":[{"location":[106.5,29.5],"category":"frehs","volume":1}]}`, "", 400, "demand[0].category"},
		// Budgets, counted before decoding.
		{"too many vehicles", "POST", opt, courierKey, `{"vehicles":[` + strings.Repeat(`{"id":"v","start":[106.5,29.5]},`, 25) + `{"id":"w","start":[106.5,29.5]}],"jobs":[{"id":"a","location":[106.5,29.5]}]}`, "", 422, "vehicles"},
		{"too many locations", "POST", opt, courierKey, `{"locations":[` + strings.Repeat(`[106.5,29.5],`, 150) + `[106.5,29.5]],"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}]}`, "", 422, "locations"},
		{"too many matrix rows", "POST", opt, courierKey, `{"matrix":{"durations":[` + strings.Repeat(`[],`, 150) + `[]]},"vehicles":[{"id":"v","start":0}],"jobs":[{"id":"a","location":1}]}`, "", 422, "locations"},
		{"too many inline points for a job", "POST", "/v1/jobs", courierKey, `{"vehicles":[{"id":"v","start":[106.5,29.5]}],"jobs":[` + strings.Repeat(`{"id":"x","location":[106.5,29.5]},`, 210) + `{"id":"y","location":[106.5,29.5]}]}`, "", 422, "locations"},
		{"too many VROOM matrix rows", "POST", "/v1/vroom", courierKey, `{"matrix":[` + strings.Repeat(`[],`, 150) + `[]],"vehicles":[{"id":1,"start_index":0}],"jobs":[{"id":1,"location_index":1}]}`, "", 422, "locations"},
		{"allocation matrix too large", "POST", alloc, plannerKey, `{"warehouses":[` + wh + `],"demand":[` + strings.Repeat(`{"location":[106.5,29.5],"category":"general","volume":1},`, 250) + `{"location":[106.5,29.5],"category":"general","volume":1}]}`, "", 422, "warehouses + demand"},
		{"location matrix too large", "POST", "/v1/plans/location", plannerKey, `{"candidates":[` + fac + `],"demand":[` + strings.Repeat(`{"location":[106.5,29.5],"volume":5},`, 250) + `{"location":[106.5,29.5],"volume":5}]}`, "", 422, "candidates + demand"},
		// Keys and roles.
		{"unknown key", "GET", "/v1/jobs/x", "not-a-key-at-all", "", "", 401, ""},
		{"courier on a planner endpoint", "POST", alloc, courierKey, `{}`, "", 403, ""},
		{"courier reads another courier", "GET", "/v1/couriers/c2/route", courierKey, "", "", 403, ""},
		{"courier reports for another courier", "POST", "/v1/couriers/c2/events", courierKey, `{"type":"delivered","stop_id":"j1"}`, "", 403, ""},
	}
	if len(tests) < 100 {
		t.Fatalf("only %d cases; the issue asks for at least 100", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
			ct := tt.ctype
			if ct == "" {
				ct = "application/json"
			}
			if tt.body != "" || tt.method == "POST" {
				req.Header.Set("Content-Type", ct)
			}
			if tt.key != "" {
				req.Header.Set("Authorization", "Bearer "+tt.key)
			} else {
				req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p api.ProblemDetails
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("status %d Content-Type %q, want application/problem+json", resp.StatusCode, ct)
			}
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatalf("decode problem: %v", err)
			}
			if resp.StatusCode != tt.want || p.Status != tt.want {
				t.Errorf("status %d (problem says %d), want %d: %+v", resp.StatusCode, p.Status, tt.want, p)
			}
			if resp.StatusCode >= 500 {
				t.Errorf("5xx for bad input: %+v", p)
			}
			if want := problemType(tt.want); p.Type != want || p.Title == "" {
				t.Errorf("problem type %q (title %q), want %q", p.Type, p.Title, want)
			}
			if tt.param != "" {
				found := false
				for _, ip := range p.InvalidParams {
					if ip.Name == tt.param && ip.Reason != "" {
						found = true
					}
				}
				if !found {
					t.Errorf("invalid_params = %+v, want one named %s", p.InvalidParams, tt.param)
				}
			}
		})
	}
}

// problemType is the problem type a status has in these tests.
func problemType(status int) string {
	slug := map[int]string{400: "invalid-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
		405: "method-not-allowed", 409: "conflict", 413: "body-too-large", 415: "unsupported-media-type",
		422: "problem-too-large"}[status]
	return "https://lastmile.dev/problems/" + slug
}

// testStore opens one kind of store for a test.
type testStore struct {
	name string
	open func(t *testing.T) api.Store
}

// testStores are the in-memory store and, when LASTMILE_TEST_DATABASE_URL
// is set (CI sets it), PostgreSQL in a fresh schema.
func testStores() []testStore {
	return []testStore{
		{"memory", func(t *testing.T) api.Store { return store.NewMemory() }},
		{"postgres", func(t *testing.T) api.Store {
			db, err := store.OpenPostgres(context.Background(), storetest.PostgresDSN(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			return db
		}},
	}
}

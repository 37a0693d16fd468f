package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
)

type vroomAnswer struct {
	Code    int `json:"code"`
	Summary struct {
		Cost       int64   `json:"cost"`
		Routes     int     `json:"routes"`
		Unassigned int     `json:"unassigned"`
		Delivery   []int64 `json:"delivery"`
		Service    int64   `json:"service"`
		Duration   int64   `json:"duration"`
		Distance   int64   `json:"distance"`
	} `json:"summary"`
	Unassigned []struct {
		ID     uint64 `json:"id"`
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"unassigned"`
	Routes []struct {
		Vehicle  uint64 `json:"vehicle"`
		Cost     int64  `json:"cost"`
		Duration int64  `json:"duration"`
		Steps    []struct {
			Type          string    `json:"type"`
			ID            *uint64   `json:"id"`
			Location      []float64 `json:"location"`
			LocationIndex *int      `json:"location_index"`
			Arrival       int64     `json:"arrival"`
			Duration      int64     `json:"duration"`
			Load          []int64   `json:"load"`
		} `json:"steps"`
	} `json:"routes"`
	Warnings []string `json:"warnings"`
}

// TestVROOMExamples runs VROOM's documented examples (docs/API.md and
// docs/example_*.json of VROOM-Project/vroom) through the endpoint and
// checks the answer's shape and consistency.
func TestVROOMExamples(t *testing.T) {
	ts := startServer(t, api.Config{})
	tests := []struct {
		file       string
		tasks      []string // "type:id" expected among steps and unassigned
		indexMode  bool
		warnings   int
		wantCost   int64 // 0: not checked
		wantRoutes int
	}{
		{"example_1.json", []string{"job:1", "job:2", "job:5", "job:6", "pickup:4", "delivery:3", "break:1", "break:2"}, false, 0, 0, 2},
		{"example_2.json", []string{"job:1414", "job:1515"}, true, 0, 2104 + 2255 + 1102, 1},
		{"readme_example.json", []string{"job:0", "job:1"}, false, 0, 0, 1},
		{"matrices.json", []string{"job:10", "job:11", "job:12"}, true, 0, 100 + 100 + 150 + 120 + 300, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "vroom", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r := ts.do("POST", "/v1/vroom", courierKey, body)
			if r.Status != http.StatusOK {
				t.Fatalf("POST /v1/vroom = %d %s", r.Status, r.Body)
			}
			var out vroomAnswer
			r.decode(t, &out)
			if out.Code != 0 || out.Summary.Routes != len(out.Routes) || out.Summary.Unassigned != len(out.Unassigned) {
				t.Errorf("code %d, summary %+v with %d routes and %d unassigned", out.Code, out.Summary, len(out.Routes), len(out.Unassigned))
			}
			if len(out.Routes) != tt.wantRoutes {
				t.Errorf("routes = %d, want %d", len(out.Routes), tt.wantRoutes)
			}
			var seen []string
			var routeCost int64
			for _, rt := range out.Routes {
				routeCost += rt.Cost
				if rt.Steps[0].Type != "start" || rt.Steps[len(rt.Steps)-1].Type != "end" {
					t.Errorf("vehicle %d steps do not run start … end", rt.Vehicle)
				}
				prevArrival, prevDur := int64(-1), int64(-1)
				for _, st := range rt.Steps {
					if st.Arrival < prevArrival || st.Duration < prevDur {
						t.Errorf("vehicle %d: arrival or cumulative duration goes backwards at %s", rt.Vehicle, st.Type)
					}
					prevArrival, prevDur = st.Arrival, st.Duration
					if tt.indexMode != (st.LocationIndex != nil) || (!tt.indexMode && len(st.Location) != 2) {
						t.Errorf("step %s: location %v, index %v", st.Type, st.Location, st.LocationIndex)
					}
					if st.ID != nil {
						seen = append(seen, st.Type+":"+itoa(int(*st.ID)))
					}
				}
				if last := rt.Steps[len(rt.Steps)-1]; last.Duration != rt.Duration {
					t.Errorf("vehicle %d: route duration %d, end step %d", rt.Vehicle, rt.Duration, last.Duration)
				}
			}
			for _, u := range out.Unassigned {
				seen = append(seen, u.Type+":"+itoa(int(u.ID)))
			}
			slices.Sort(seen)
			want := slices.Clone(tt.tasks)
			slices.Sort(want)
			if !slices.Equal(seen, want) {
				t.Errorf("tasks in answer = %v, want %v", seen, want)
			}
			if routeCost != out.Summary.Cost {
				t.Errorf("sum of route costs %d != summary cost %d", routeCost, out.Summary.Cost)
			}
			if tt.wantCost != 0 && out.Summary.Cost != tt.wantCost {
				t.Errorf("cost = %d, want %d", out.Summary.Cost, tt.wantCost)
			}
			if len(out.Warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", out.Warnings, tt.warnings)
			}
		})
	}
}

// In example_1, skills make job 1 and 2 vehicle 1's, the shipment vehicle
// 2's; check the assignment respects them.
func TestVROOMSkills(t *testing.T) {
	ts := startServer(t, api.Config{})
	body, _ := os.ReadFile(filepath.Join("testdata", "vroom", "example_1.json"))
	var out vroomAnswer
	ts.do("POST", "/v1/vroom", courierKey, body).decode(t, &out)
	allowed := map[uint64][]string{1: {"job:1", "job:2", "job:5", "job:6", "break:1"}, 2: {"job:5", "job:6", "pickup:4", "delivery:3", "break:2"}}
	for _, rt := range out.Routes {
		for _, st := range rt.Steps {
			if st.ID == nil {
				continue
			}
			task := st.Type + ":" + itoa(int(*st.ID))
			if !slices.Contains(allowed[rt.Vehicle], task) {
				t.Errorf("vehicle %d serves %s, which its skills do not allow", rt.Vehicle, task)
			}
		}
	}
}

func TestVROOMErrors(t *testing.T) {
	ts := startServer(t, api.Config{})
	tests := []struct {
		name, body, param string
	}{
		{"no vehicles", `{"jobs":[{"id":1,"location":[2.3,48.8]}]}`, "vehicles"},
		{"index without matrix", `{"vehicles":[{"id":1,"start_index":0}],"jobs":[{"id":1,"location_index":1}]}`, "vehicles[0].start_index"},
		{"bad time window", `{"vehicles":[{"id":1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3,48.8],"time_windows":[[500,100]]}]}`, "jobs[0].time_windows[0]"},
		{"duplicate job", `{"vehicles":[{"id":1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3,48.8]},{"id":1,"location":[2.3,48.9]}]}`, "jobs[1].id"},
		{"latitude out of range", `{"vehicles":[{"id":1,"start":[2.3,148.8]}],"jobs":[{"id":1,"location":[2.3,48.8]}]}`, "vehicles[0].start"},
		{"cost matrix", `{"vehicles":[{"id":1,"start_index":0}],"jobs":[{"id":1,"location_index":1}],"matrices":{"car":{"durations":[[0,1],[1,0]],"costs":[[0,1],[1,0]]}}}`, "matrices.car.costs"},
		{"negative id", `{"vehicles":[{"id":-1,"start":[2.3,48.8]}],"jobs":[{"id":1,"location":[2.3,48.8]}]}`, "vehicles.id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.do("POST", "/v1/vroom", courierKey, tt.body)
			p := r.problem(t)
			if r.Status != 400 || p.Code == nil || *p.Code != 2 || p.Error == "" {
				t.Fatalf("status %d, problem %+v; want 400 with code 2", r.Status, p)
			}
			if len(p.InvalidParams) == 0 || !strings.HasPrefix(p.InvalidParams[0].Name, tt.param) {
				t.Errorf("invalid_params = %+v, want %s", p.InvalidParams, tt.param)
			}
		})
	}
}

// A VROOM client that cannot set headers passes the key in the URL.
func TestVROOMQueryKey(t *testing.T) {
	ts := startServer(t, api.Config{})
	body, _ := os.ReadFile(filepath.Join("testdata", "vroom", "example_2.json"))
	if r := ts.do("POST", "/v1/vroom?api_key="+courierKey, "", body); r.Status != http.StatusOK {
		t.Errorf("POST /v1/vroom?api_key= = %d %s", r.Status, r.Body)
	}
	if r := ts.do("POST", "/v1/optimize?api_key="+courierKey, "", body); r.Status != http.StatusUnauthorized {
		t.Errorf("POST /v1/optimize?api_key= = %d, want 401 (query keys only for VROOM)", r.Status)
	}
}

// VROOM's accounting: with speed factor 2 and 500 s each way, arrivals,
// step durations, route duration and cost are halved; max_travel_time
// counts driving only (1000 s of service do not count); per_hour is paid on
// driving, so the fixed-cost-free vehicle is not passed over for service.
func TestVROOMSpeedFactorAndTravelTime(t *testing.T) {
	ts := startServer(t, api.Config{})
	body := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"speed_factor":2,"max_travel_time":600}],
		"jobs":[{"id":7,"location_index":1,"service":1000}],
		"matrices":{"car":{"durations":[[0,500],[500,0]]}}}`
	var out vroomAnswer
	ts.do("POST", "/v1/vroom?x=2", courierKey, body).decode(t, &out)
	if out.Summary.Unassigned != 0 || len(out.Routes) != 1 {
		t.Fatalf("unassigned %d, routes %d: max_travel_time must count driving only", out.Summary.Unassigned, len(out.Routes))
	}
	rt := out.Routes[0]
	if rt.Duration != 500 || rt.Cost != 500 || rt.Steps[1].Arrival != 250 || rt.Steps[1].Duration != 250 || rt.Steps[2].Duration != 500 {
		t.Fatalf("duration %d, cost %d, steps %+v: want 500, 500, job at 250", rt.Duration, rt.Cost, rt.Steps)
	}
	if r := ts.do("POST", "/v1/vroom?x=9", courierKey, body); r.Status != http.StatusBadRequest {
		t.Fatalf("x=9: status %d, want 400", r.Status)
	}
}

// max_tasks counts each shipment step, as VROOM does: a vehicle with
// max_tasks 2 serves the shipment (two steps) or the job, not both, and
// it serves the shipment: VROOM assigns the most tasks (steps).
func TestVROOMMaxTasksCountsSteps(t *testing.T) {
	ts := startServer(t, api.Config{})
	body := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"max_tasks":2}],
		"jobs":[{"id":1,"location_index":1}],
		"shipments":[{"pickup":{"id":2,"location_index":1},"delivery":{"id":3,"location_index":2}}],
		"matrices":{"car":{"durations":[[0,10,10],[10,0,10],[10,10,0]]}}}`
	var out vroomAnswer
	ts.do("POST", "/v1/vroom", courierKey, body).decode(t, &out)
	if len(out.Routes) != 1 || len(out.Routes[0].Steps) != 4 || out.Routes[0].Steps[1].Type != "pickup" || out.Summary.Unassigned != 1 {
		t.Fatalf("routes %+v, unassigned %d: want two task steps and the rest unassigned", out.Routes, out.Summary.Unassigned)
	}
}

// A break is scheduled within its window, as a "break" step, and delays
// the steps after it.
func TestVROOMBreak(t *testing.T) {
	ts := startServer(t, api.Config{})
	body := `{"vehicles":[{"id":1,"start_index":0,"end_index":0,"time_window":[0,10000],
			"breaks":[{"id":9,"service":600,"time_windows":[[100,200]]}]}],
		"jobs":[{"id":1,"location_index":1},{"id":2,"location_index":2}],
		"matrices":{"car":{"durations":[[0,150,300],[150,0,150],[300,150,0]]}}}`
	var out vroomAnswer
	ts.do("POST", "/v1/vroom", courierKey, body).decode(t, &out)
	if len(out.Routes) != 1 || len(out.Warnings) != 0 {
		t.Fatalf("routes %+v, warnings %v", out.Routes, out.Warnings)
	}
	var brk int64 = -1
	for _, st := range out.Routes[0].Steps {
		if st.Type == "break" {
			brk = st.Arrival
		}
	}
	if brk < 0 || brk > 200 || out.Routes[0].Steps[len(out.Routes[0].Steps)-1].Arrival < 600+600 {
		t.Fatalf("steps %v: the break must start by 200 and delay the end", out.Routes[0].Steps)
	}
}

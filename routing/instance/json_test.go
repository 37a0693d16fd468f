package instance

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/routing"
)

const jsonSmall = `{
  "name": "tiny",
  "locations": [[106.55, 29.56], [106.58, 29.57], [106.52, 29.54]],
  "vehicles": [{"id": "van-1", "start": 0, "end": 0, "capacity": [10],
                "shift": [0, 36000], "costs": {"fixed": 50, "per_km": 2, "per_hour": 36}}],
  "jobs": [
    {"id": "a", "location": 1, "delivery": [3], "service": 120},
    {"id": "b", "location": [106.53, 29.55], "pickup": [2], "time_windows": [[3600, 7200]]}
  ],
  "shipments": [
    {"pickup": {"id": "p1", "location": 2}, "delivery": {"id": "d1", "location": 1}, "amount": [1]}
  ]
}`

func TestDecodeJSON(t *testing.T) {
	in, err := DecodeJSON(strings.NewReader(jsonSmall))
	if err != nil {
		t.Fatal(err)
	}
	p := in.Problem
	if p.Locations != 4 || len(in.Coords) != 4 {
		t.Errorf("locations = %d (coords %d), want 4 (one inline)", p.Locations, len(in.Coords))
	}
	if p.Jobs[1].Location != 3 {
		t.Errorf("inline job location = %d, want 3", p.Jobs[1].Location)
	}
	v := p.Vehicles[0]
	if v.Costs.Fixed != 50e6 || v.Costs.PerMeter != 2000 || v.Costs.PerSecond != 10000 {
		t.Errorf("costs = %+v, want fixed 50e6, per metre 2000, per second 10000 micro-units", v.Costs)
	}
	if d := p.Distances[0*4+1]; d < 2000 || d > 6000 {
		t.Errorf("distance 0→1 = %d m, want a few km", d)
	}
	if p.Jobs[1].TimeWindows[0].End != 7200 {
		t.Errorf("job b window = %+v", p.Jobs[1].TimeWindows)
	}
}

func TestDecodeJSONMatrix(t *testing.T) {
	doc := `{"matrix": {"durations": [[0, 60], [70, 0]], "distances": [[0, 500], [600, 0]]},
	  "vehicles": [{"id": "v", "start": 0}],
	  "jobs": [{"id": "x", "location": 1}]}`
	in, err := DecodeJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if in.Problem.Durations[2] != 70 || in.Problem.Distances[1] != 500 || in.Coords != nil {
		t.Errorf("matrix = %v / %v, coords %v", in.Problem.Durations, in.Problem.Distances, in.Coords)
	}
	if in.Problem.Vehicles[0].End != -1 {
		t.Errorf("end = %d, want -1 (open route)", in.Problem.Vehicles[0].End)
	}
}

func TestDecodeJSONDatum(t *testing.T) {
	wgs, err := DecodeJSON(strings.NewReader(jsonSmall))
	if err != nil {
		t.Fatal(err)
	}
	gcj, err := DecodeJSON(strings.NewReader(strings.Replace(jsonSmall, `"name": "tiny",`, `"name": "tiny", "datum": "gcj02",`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// GCJ-02 is offset by a few hundred metres in Chongqing.
	if d := haversine(wgs.Coords[0], gcj.Coords[0]); d < 100 || d > 1000 {
		t.Errorf("GCJ-02 conversion moved the depot %.0f m, want a few hundred", d)
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	base := `{"locations": [[106.5, 29.5], [106.6, 29.6]], "vehicles": [{"id": "v", "start": 0, "end": 0, "capacity": [5]}], "jobs": [%s]}`
	tests := []struct {
		name, jobs, want, path string
	}{
		{"window", `{"id": "a", "location": 1, "time_windows": [[200, 100]]}`, "jobs[0].time_windows[0]: end 100 before start 200", "jobs[0].time_windows[0]"},
		{"overlap", `{"id": "a", "location": 1, "time_windows": [[0, 100], [50, 300]]}`, "jobs[0].time_windows[1]", "jobs[0].time_windows[1]"},
		{"location", `{"id": "a", "location": 7}`, "jobs[0].location: location 7 out of range", "jobs[0].location"},
		{"dims", `{"id": "a", "location": 1, "delivery": [1, 2]}`, "jobs[0].delivery: 2 amounts for 1 capacity dimensions", "jobs[0].delivery"},
		{"negative", `{"id": "a", "location": 1, "pickup": [-1]}`, "jobs[0].pickup[0]: negative amount", "jobs[0].pickup[0]"},
		{"duplicate", `{"id": "a", "location": 1}, {"id": "a", "location": 0}`, `jobs[1].id: id "a" already used by jobs[0].id`, "jobs[1].id"},
		{"unknown field", `{"id": "a", "location": 1, "servce": 3}`, `unknown field "servce"`, ""},
		{"type", `{"id": "a", "location": 1, "service": "long"}`, "want int64", "jobs.service"},
		{"point", `{"id": "a", "location": [500, 29]}`, "jobs[0].location", "jobs[0].location"},
		{"syntax", `{"id": "a",, }`, "line 1 column", ""},
		{"no location", `{"id": "a", "delivery": [1]}`, "jobs[0].location: missing", "jobs[0].location"},
		{"null location", `{"id": "a"}, {"id": "b", "location": null}`, "jobs[0].location: missing", "jobs[0].location"},
		{"penalty", `{"id": "a", "location": 1, "penalty": -1}`, "jobs[0].penalty: -1 out of range", "jobs[0].penalty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeJSON(strings.NewReader(fmt.Sprintf(base, tc.jobs)))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrFormat) {
				t.Errorf("DecodeJSON error = %v, want one containing %q", err, tc.want)
			}
			var fe *routing.FieldError
			if got := errors.As(err, &fe); got != (tc.path != "") {
				t.Fatalf("DecodeJSON error %v: FieldError %v, want %v", err, got, tc.path != "")
			}
			if fe != nil && fe.Path != tc.path {
				t.Errorf("DecodeJSON error path = %q, want %q", fe.Path, tc.path)
			}
		})
	}
}

func haversine(a, b [2]float64) float64 {
	const r = 6371008.8
	la1, la2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	dla, dlo := la2-la1, (b[0]-a[0])*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

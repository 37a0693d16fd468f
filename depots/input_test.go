package depots

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
)

func TestDecodeAllocationProblem(t *testing.T) {
	f, err := os.Open("testdata/allocation.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := DecodeAllocationProblem(f)
	if err != nil {
		t.Fatalf("DecodeAllocationProblem(testdata) = %v", err)
	}
	if len(p.Warehouses) != 2 || len(p.Demand) != 5 || p.Tariff.PerParcelKm != 0.03 {
		t.Fatalf("decoded %d warehouses, %d demand, tariff %+v; want 2, 5, 0.03/km", len(p.Warehouses), len(p.Demand), p.Tariff)
	}
	d := p.Demand[0]
	centre, _ := d.Cell.Point()
	if d.Cell.String() != "8840197191fffff" || d.Location != centre || !p.Demand[1].ColdChain || p.Demand[2].Zone != "yuzhong" {
		t.Errorf("demand decoded as %+v / %+v", d, p.Demand[2])
	}
	if w := p.Warehouses[0]; w.Capacity.PerCategory["fresh"] != 60 || w.Capacity.ColdChain != 60 || w.HandlingCost != 1.1 {
		t.Errorf("warehouse decoded as %+v", w)
	}

	tests := []struct{ name, json, want string }{
		{"not JSON", `{`, "unexpected EOF"},
		{"unknown field", `{"warehouses": [], "demand": [], "colour": 1}`, "unknown field"},
		{"trailing data", `{"warehouses": [], "demand": []} {}`, "after the JSON object"},
		{"no location or cell", `{"demand": [{"category": "general", "volume": 1}]}`, "neither a location nor a cell"},
		{"bad cell", `{"demand": [{"cell": "zz", "volume": 1}]}`, "not an H3 cell"},
		{"negative volume", `{"demand": [{"location": [106.5, 29.5], "volume": -1}]}`, "volume"},
		{"bad location", `{"demand": [{"location": [106.5, 129.5], "volume": 1}]}`, "latitude"},
		{"negative promise", `{"demand": [{"location": [106.5, 29.5], "volume": 1, "promise_seconds": -5}]}`, "promise"},
		{"bad warehouse", `{"warehouses": [{"id": "a", "kind": "cloud_warehouse", "location": [106, 29], "capacity": {"per_day": -1}}]}`, "negative"},
		{"duplicate warehouse", `{"warehouses": [{"id": "a", "kind": "cloud_warehouse", "location": [106, 29], "capacity": {"per_day": 1}}, {"id": "a", "kind": "cloud_warehouse", "location": [106, 29], "capacity": {"per_day": 1}}]}`, "duplicate"},
		{"negative tariff", `{"tariff": {"per_parcel_km": -1}}`, "tariff"},
		{"empty input", ``, "empty input"},
		{"unknown demand field", `{"demand": [{"location": [106.5, 29.5], "volume": 1, "promise_second": 600}]}`, `unknown field "promise_second"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeAllocationProblem(strings.NewReader(tt.json))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DecodeAllocationProblem(%s) = %v, want ErrInvalid mentioning %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestDemandJSONRoundTrip(t *testing.T) {
	p := syntheticDay(t, 5, 20, 2, 1)
	p.Demand[1].Cell = 0
	p.Demand[1].Zone = "yuzhong"
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeAllocationProblem(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Demand, p.Demand) || !reflect.DeepEqual(back.Warehouses, p.Warehouses) || back.Tariff != p.Tariff {
		t.Errorf("round trip changed the problem:\n got %+v\nwant %+v", back.Demand[:2], p.Demand[:2])
	}
}

// FuzzDecodeAllocationProblem feeds arbitrary bytes to the decoder. Whatever
// it accepts must allocate without error under a zero matrix, verify, and
// survive an encode–decode round trip.
func FuzzDecodeAllocationProblem(f *testing.F) {
	seed, err := os.ReadFile("testdata/allocation.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"warehouses": [], "demand": []}`))
	f.Add([]byte(`{"demand": [{"location": [106.5, 29.5], "category": "fresh", "volume": 1e300, "cold_chain": true}]}`))
	f.Add([]byte(`{"warehouses": [{"id": "a", "kind": "locker", "location": [0, 0], "capacity": {"per_day": 0.0004}}], "demand": [{"cell": "8840197191fffff", "volume": 0.0004}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeAllocationProblem(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if len(p.Warehouses)+len(p.Demand) > 200 {
			return
		}
		total := 0.0
		for _, d := range p.Demand {
			total += d.Volume
		}
		if total > 1e12 { // beyond the flow's integer units
			return
		}
		p.Matrix = geo.NewMatrix(len(p.Warehouses) + len(p.Demand))
		a, err := Allocate(context.Background(), p, AllocateOptions{SingleSource: len(data)%2 == 0, Iterations: 20})
		if err != nil {
			t.Fatalf("Allocate on decoded problem: %v", err)
		}
		if err := a.Verify(p); err != nil && !math.IsInf(a.Objective, 0) {
			t.Fatalf("Verify: %v", err)
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := DecodeAllocationProblem(bytes.NewReader(again)); err != nil {
			t.Fatalf("decode of re-encoded problem: %v\n%s", err, again)
		}
	})
}

func TestFieldErrorPaths(t *testing.T) {
	const wh = `{"id": "a", "kind": "cloud_warehouse", "location": [106, 29], "capacity": {"per_day": 1}}`
	tests := []struct{ name, json, path string }{
		{"warehouse capacity", `{"warehouses": [` + wh + `, {"id": "b", "kind": "cloud_warehouse", "location": [106, 29], "capacity": {"per_day": -1}}]}`, "warehouses[1].capacity.per_day"},
		{"warehouse kind", `{"warehouses": [{"id": "a", "kind": "castle", "location": [106, 29]}]}`, "warehouses[0].kind"},
		{"warehouse cost", `{"warehouses": [{"id": "a", "kind": "cloud_warehouse", "location": [106, 29], "handling_cost": -2}]}`, "warehouses[0].handling_cost"},
		{"duplicate warehouse", `{"warehouses": [` + wh + `, ` + wh + `]}`, "warehouses[1].id"},
		{"demand volume", `{"demand": [{"location": [106.5, 29.5], "volume": 1}, {"location": [106.5, 29.5], "volume": -1}]}`, "demand[1].volume"},
		{"demand location", `{"demand": [{"location": [106.5, 129.5], "volume": 1}]}`, "demand[0].location"},
		{"demand promise", `{"demand": [{"location": [106.5, 29.5], "volume": 1, "promise_seconds": -5}]}`, "demand[0].promise_seconds"},
		{"tariff", `{"tariff": {"per_parcel_km": -1}}`, "tariff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeAllocationProblem(strings.NewReader(tt.json))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Path != tt.path || !errors.Is(err, ErrInvalid) {
				t.Errorf("DecodeAllocationProblem(%s) = %v, want a FieldError at %s wrapping ErrInvalid", tt.name, err, tt.path)
			}
		})
	}
	n := testNetwork()
	n.Facilities[2].Parent = "hub-9"
	var fe *FieldError
	if err := n.Validate(ValidateOptions{}); !errors.As(err, &fe) || fe.Path != "facilities[2].parent" {
		t.Errorf("Network.Validate(missing parent) = %v, want a FieldError at facilities[2].parent", err)
	}
}

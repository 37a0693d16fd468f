package depots

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/geo/zone"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

func testNetwork() *Network {
	return &Network{Facilities: []Facility{
		{ID: "cw-1", Kind: CloudWarehouse, Location: orb.Point{106.36, 29.61}, Operator: Shared,
			Capacity: Capacity{PerDay: 5000, PerCategory: map[string]float64{"general": 4000, "fresh": 800}, ColdChain: 800}, HandlingCost: 1.1},
		{ID: "hub-1", Kind: CountyHub, Location: orb.Point{106.55, 29.56}, Operator: Shared, Capacity: Capacity{PerDay: 800}},
		{ID: "st-1", Kind: TownshipStation, Location: orb.Point{106.57, 29.55}, Operator: "zto", Parent: "hub-1", Capacity: Capacity{PerDay: 200}},
		{ID: "lk-1", Kind: Locker, Location: orb.Point{106.58, 29.56}, Operator: Shared, Capacity: Capacity{PerDay: 120, Compartments: 80},
			Hours: Hours{OpenSeconds: 0, CloseSeconds: 24 * 3600}},
	}}
}

// squareZones is one zone, a square around central Chongqing.
func squareZones(t *testing.T) *zone.Index {
	t.Helper()
	sq := orb.Polygon{{{106.3, 29.4}, {106.7, 29.4}, {106.7, 29.7}, {106.3, 29.7}, {106.3, 29.4}}}
	ix, err := zone.NewIndex([]zone.Zone{{Name: "core", Polygon: orb.MultiPolygon{sq}}}, 7)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestNetworkValidate(t *testing.T) {
	zones := squareZones(t)
	tests := []struct {
		name    string
		mutate  func(n *Network)
		opts    ValidateOptions
		wantErr string // "" for valid
	}{
		{"valid", func(n *Network) {}, ValidateOptions{}, ""},
		{"valid with zones", func(n *Network) {}, ValidateOptions{Zones: zones, RequireZones: true}, ""},
		{"duplicate id", func(n *Network) { n.Facilities[2].ID = "hub-1"; n.Facilities[2].Parent = "" }, ValidateOptions{}, `duplicate facility id "hub-1"`},
		{"negative capacity", func(n *Network) { n.Facilities[1].Capacity.PerDay = -1 }, ValidateOptions{}, `facilities[1].capacity.per_day: negative`},
		{"negative category capacity", func(n *Network) { n.Facilities[0].Capacity.PerCategory["fresh"] = -5 }, ValidateOptions{}, `category "fresh"`},
		{"NaN capacity", func(n *Network) { n.Facilities[0].Capacity.ColdChain = math.NaN() }, ValidateOptions{}, `facilities[0].capacity.cold_chain: negative or non-finite`},
		{"cold above daily", func(n *Network) { n.Facilities[0].Capacity.ColdChain = 6000 }, ValidateOptions{}, "exceeds daily capacity"},
		{"negative cost", func(n *Network) { n.Facilities[0].HandlingCost = -1 }, ValidateOptions{}, "cost"},
		{"unknown kind", func(n *Network) { n.Facilities[0].Kind = "depot" }, ValidateOptions{}, `unknown kind "depot"`},
		{"empty id", func(n *Network) { n.Facilities[3].ID = "" }, ValidateOptions{}, "empty id"},
		{"bad location", func(n *Network) { n.Facilities[1].Location = orb.Point{29.56, 106.55} }, ValidateOptions{}, "not a valid [lon, lat]"},
		{"bad hours", func(n *Network) { n.Facilities[3].Hours = Hours{OpenSeconds: 3600, CloseSeconds: 1800} }, ValidateOptions{}, "opening hours"},
		{"missing parent", func(n *Network) { n.Facilities[2].Parent = "hub-9" }, ValidateOptions{}, `parent "hub-9" is not in the network`},
		{"own parent", func(n *Network) { n.Facilities[2].Parent = "st-1" }, ValidateOptions{}, "its own parent"},
		{"parent cycle", func(n *Network) { n.Facilities[1].Parent = "st-1" }, ValidateOptions{}, "parents form a cycle"},
		{"parent chain", func(n *Network) { n.Facilities[1].Parent = "cw-1"; n.Facilities[3].Parent = "st-1" }, ValidateOptions{}, ""},
		{"outside every zone", func(n *Network) { n.Facilities[3].Location = orb.Point{108.0, 30.8} }, ValidateOptions{Zones: zones, RequireZones: true}, `facility "lk-1" at [108, 30.8] lies outside every zone`},
		{"outside zones, not required", func(n *Network) { n.Facilities[3].Location = orb.Point{108.0, 30.8} }, ValidateOptions{Zones: zones}, ""},
		{"zone disagrees", func(n *Network) { n.Facilities[1].Zone = "rural" }, ValidateOptions{Zones: zones}, `zone "rural" given`},
		{"zones required without index", func(n *Network) {}, ValidateOptions{RequireZones: true}, "no zone lookup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := testNetwork()
			tt.mutate(n)
			err := n.Validate(tt.opts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate(%s) = %v, want nil", tt.name, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate(%s) = %v, want ErrInvalid mentioning %q", tt.name, err, tt.wantErr)
			}
		})
	}
}

func TestNetworkValidateFillsCellAndZone(t *testing.T) {
	n := testNetwork()
	if err := n.Validate(ValidateOptions{Zones: squareZones(t)}); err != nil {
		t.Fatal(err)
	}
	for _, f := range n.Facilities {
		want, err := h3cell.FromPoint(f.Location, CellResolution)
		if err != nil {
			t.Fatal(err)
		}
		if f.Cell != want || f.Zone != "core" {
			t.Errorf("facility %s: cell %v zone %q, want %v and %q", f.ID, f.Cell, f.Zone, want, "core")
		}
	}
}

func TestNetworkLookup(t *testing.T) {
	n := testNetwork()
	f, err := n.Facility("st-1")
	if err != nil || f.ID != "st-1" || f != &n.Facilities[2] {
		t.Errorf(`Facility("st-1") = %v, %v; want the third facility`, f, err)
	}
	if _, err := n.Facility("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf(`Facility("nope") error = %v, want ErrNotFound`, err)
	}
	if got := n.OfKind(Locker); len(got) != 1 || got[0].ID != "lk-1" {
		t.Errorf("OfKind(Locker) = %v, want [lk-1]", got)
	}
	if got := n.OfKind(ExpressStore); len(got) != 0 {
		t.Errorf("OfKind(ExpressStore) = %v, want none", got)
	}
}

func TestNetworkJSONRoundTrip(t *testing.T) {
	n := testNetwork()
	data, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"facilities"`, `"per_day"`, `"per_category"`, `"cold_chain"`, `"handling_cost"`, `"open_seconds"`, `"parent":"hub-1"`, `"location":[106.36,29.61]`} {
		if !strings.Contains(string(data), field) {
			t.Errorf("JSON lacks %s: %s", field, data)
		}
	}
	var back Network
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, n) {
		t.Errorf("JSON round trip = %+v, want %+v", back, *n)
	}
}

func TestNetworkGeoJSON(t *testing.T) {
	n := testNetwork()
	if err := n.Validate(ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	fc := n.GeoJSON()
	if len(fc.Features) != len(n.Facilities) {
		t.Fatalf("GeoJSON has %d features, want %d", len(fc.Features), len(n.Facilities))
	}
	for i, ft := range fc.Features {
		f := n.Facilities[i]
		if ft.Geometry.(orb.Point) != f.Location || ft.Properties["id"] != string(f.ID) || ft.Properties["kind"] != string(f.Kind) || ft.Properties["cell"] != f.Cell.String() {
			t.Errorf("feature %d = %v %v, want facility %s", i, ft.Geometry, ft.Properties, f.ID)
		}
		if c, _ := ft.Properties["marker-color"].(string); len(c) != 7 || c[0] != '#' {
			t.Errorf("feature %d marker-color = %v, want #rrggbb", i, ft.Properties["marker-color"])
		}
	}
}

func TestCapacityScaled(t *testing.T) {
	c := Capacity{PerDay: 100, PerCategory: map[string]float64{"fresh": 20}, ColdChain: 30, Compartments: 4}
	got := c.Scaled(0.5)
	want := Capacity{PerDay: 50, PerCategory: map[string]float64{"fresh": 10}, ColdChain: 15, Compartments: 4}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Scaled(0.5) = %+v, want %+v", got, want)
	}
	if c.PerCategory["fresh"] != 20 {
		t.Errorf("Scaled changed the original's categories: %v", c.PerCategory)
	}
}

package urban

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/fleet"
)

// threeCarrierDay is smallDay with a third carrier, which takes every
// third parcel, so that the cost sharing plans coalitions of two.
func threeCarrierDay(n int, seed uint64) Input {
	in := smallDay(n, seed)
	depot := depots.ID("depot-c")
	in.Carriers = append(in.Carriers, Carrier{ID: "c", Depot: depot})
	in.Facilities = append(in.Facilities, depots.Facility{ID: depot, Kind: depots.DistributionCentre, Operator: "c", Location: orb.Point{106.53, 29.58}})
	for _, t := range []string{"e_tricycle", "van", "cold_van"} {
		in.Vehicles = append(in.Vehicles, fleet.Vehicle{ID: fmt.Sprintf("c-%d", len(in.Vehicles)), Type: t, Operator: "c", Depot: depot})
	}
	for i := range in.Parcels {
		if i%3 == 2 {
			in.Parcels[i].Carrier = "c"
		}
	}
	return in
}

// TestPartsMatchPlan plans a day with Plan and again part by part, each
// part on its own Day (as another process would) and through JSON, and
// wants the same report byte for byte.
func TestPartsMatchPlan(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"exact", Options{Seed: 3, IterationsPerParcel: 10, RespectDistricts: true}},
		{"sampled", Options{Seed: 5, IterationsPerParcel: 10, ExactShapleyCarriers: 2, ShapleySamples: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			in := threeCarrierDay(90, 4)
			want, err := Plan(ctx, in, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			day := func() *Day {
				d, err := NewDay(in, tc.opts)
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			parts := day().Parts()
			if len(parts) < 4 {
				t.Fatalf("Parts() = %d parts, want pooled, separate and coalitions", len(parts))
			}
			plans := make([]*PartPlan, len(parts))
			for k, p := range parts { // last first: coalitions before the rest of the day
				k, p = len(parts)-1-k, parts[len(parts)-1-k]
				var pooled *PartPlan
				if p.Kind == PartCoalition {
					pooled = roundTrip(t, mustPart(t, day(), parts[0], nil))
				}
				plans[k] = roundTrip(t, mustPart(t, day(), p, pooled))
			}
			got, err := day().Report(plans)
			if err != nil {
				t.Fatal(err)
			}
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(got)
			if !bytes.Equal(wj, gj) {
				t.Errorf("report from parts differs from Plan's:\n got %.300s…\nwant %.300s…", gj, wj)
			}
			if len(got.CoalitionCosts) != len(parts)-2+len(in.Carriers)+1 {
				t.Errorf("coalition costs %v: want every coalition", got.CoalitionCosts)
			}
			if _, err := day().Report(plans[:len(plans)-1]); err == nil {
				t.Errorf("Report without the last coalition: no error")
			}
		})
	}
}

func mustPart(t *testing.T, d *Day, p Part, pooled *PartPlan) *PartPlan {
	t.Helper()
	pp, err := d.PlanPart(context.Background(), p, pooled)
	if err != nil {
		t.Fatalf("PlanPart(%s): %v", p.Name, err)
	}
	return pp
}

func roundTrip(t *testing.T, pp *PartPlan) *PartPlan {
	t.Helper()
	b, err := json.Marshal(pp)
	if err != nil {
		t.Fatal(err)
	}
	var out PartPlan
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

package urban

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
		// zoned: a pooled task spans several zones (sweepGroups).
		zoned bool
	}{
		{"exact", Options{Seed: 3, IterationsPerParcel: 10, RespectDistricts: true}, false},
		{"sampled", Options{Seed: 5, IterationsPerParcel: 10, ExactShapleyCarriers: 2, ShapleySamples: 3}, false},
		{"zoned", Options{Seed: 3, IterationsPerParcel: 10, RespectDistricts: true, TargetZoneSeconds: 3600}, true},
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
			// The pooled part from its tasks, each routed apart, is the
			// pooled part planned whole.
			specs := day().PooledTasks()
			if zoned := slices.ContainsFunc(specs, func(s TaskSpec) bool { return len(s.ParcelZones) > 0 }); zoned != tc.zoned {
				t.Fatalf("PooledTasks() has a task spanning zones: %v, want %v", zoned, tc.zoned)
			}
			pooled := roundTrip(t, pooledFromTasks(t, in, tc.opts, day))
			if wj, gj := mustJSON(t, mustPart(t, day(), parts[0], nil)), mustJSON(t, pooled); !bytes.Equal(wj, gj) {
				t.Errorf("pooled part from its tasks differs from PlanPart's:\n got %.300s…\nwant %.300s…", gj, wj)
			}
			plans := make([]*PartPlan, len(parts))
			plans[0] = pooled
			for k, p := range parts[1:] { // last first: coalitions before the separate part
				k = len(parts) - 1 - k
				p = parts[k]
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

// pooledFromTasks plans the pooled part as a fan-out does: every task of
// PooledTasks routed by SolveTask from its spec decoded from JSON, without
// a Day, and the outcomes, through JSON, joined by PlanPooled on a Day of
// their own.
func pooledFromTasks(t *testing.T, in Input, opts Options, day func() *Day) *PartPlan {
	t.Helper()
	specs := day().PooledTasks()
	if len(specs) < 2 {
		t.Fatalf("PooledTasks() = %d tasks, want several", len(specs))
	}
	outs := make([]*TaskPlan, len(specs))
	for k, s := range specs {
		var spec TaskSpec
		if err := json.Unmarshal(mustJSON(t, s), &spec); err != nil {
			t.Fatal(err)
		}
		tp, err := SolveTask(context.Background(), in, opts, spec)
		if err != nil {
			t.Fatalf("SolveTask(%s): %v", s.Name, err)
		}
		outs[k] = roundTrip(t, tp)
	}
	pp, err := day().PlanPooled(context.Background(), outs)
	if err != nil {
		t.Fatalf("PlanPooled: %v", err)
	}
	return pp
}

// TestPooledTasksRefuseForeign: a task spec or outcome that is not the
// day's (parcels outside it, another task's outcome, one missing) is
// refused with ErrInvalid, not planned and not a panic.
func TestPooledTasksRefuseForeign(t *testing.T) {
	ctx := context.Background()
	in, opts, d := taskDay(t)
	specs := d.PooledTasks()
	if len(specs) < 2 {
		t.Fatalf("PooledTasks() = %d tasks, want at least 2", len(specs))
	}
	outs := make([]*TaskPlan, len(specs))
	for k, s := range specs {
		tp, err := SolveTask(ctx, in, opts, s)
		if err != nil {
			t.Fatal(err)
		}
		outs[k] = tp
	}
	n := len(in.Parcels)
	// edited returns the outcomes, through JSON, with edit applied to
	// the first one that has a route.
	edited := func(edit func(tp *TaskPlan)) []*TaskPlan {
		out := make([]*TaskPlan, len(outs))
		done := false
		for k, tp := range outs {
			out[k] = roundTrip(t, tp)
			if !done && len(out[k].plan.routes) > 0 {
				edit(out[k])
				done = true
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		outs []*TaskPlan
	}{
		{"route parcel outside the day", edited(func(tp *TaskPlan) { tp.plan.routes[0].seq[0] = n + 3 })},
		{"negative route parcel", edited(func(tp *TaskPlan) { tp.plan.routes[0].seq[0] = -7 })},
		{"unassigned parcel outside the day", edited(func(tp *TaskPlan) {
			tp.plan.unassigned = append(tp.plan.unassigned, Unassigned{Parcel: "x", index: n})
		})},
		{"parcel missing", edited(func(tp *TaskPlan) { tp.plan.routes[0].seq = tp.plan.routes[0].seq[1:] })},
		{"vehicle not the task's", edited(func(tp *TaskPlan) { tp.plan.routes[0].Vehicle = "nobody" })},
		{"another task's outcome", append([]*TaskPlan{outs[1], outs[0]}, outs[2:]...)},
		{"an outcome missing", outs[1:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := d.PlanPooled(ctx, tc.outs); !errors.Is(err, ErrInvalid) {
				t.Errorf("PlanPooled = %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := d.PlanPooled(ctx, outs); err != nil {
		t.Errorf("PlanPooled(the day's outcomes) = %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(s *TaskSpec)
	}{
		{"parcel outside the day", func(s *TaskSpec) { s.Parcels = append(slices.Clone(s.Parcels), n) }},
		{"unknown vehicle", func(s *TaskSpec) { s.Vehicles = append(slices.Clone(s.Vehicles), TaskVehicle{ID: "nobody"}) }},
		{"zones not matching parcels", func(s *TaskSpec) { s.ParcelZones = []string{"z"} }},
	} {
		t.Run("spec "+tc.name, func(t *testing.T) {
			s := specs[0]
			tc.edit(&s)
			if _, err := SolveTask(ctx, in, opts, s); !errors.Is(err, ErrInvalid) {
				t.Errorf("SolveTask = %v, want ErrInvalid", err)
			}
		})
	}
}

// TestTaskPlanUnusedVehicles: an outcome decoded from JSON has the task's
// unused vehicles (which the JSON leaves out and the mop-up takes) that
// routing the task in process leaves.
func TestTaskPlanUnusedVehicles(t *testing.T) {
	ctx := context.Background()
	in, opts, d := taskDay(t)
	pt := d.e.pooledTasks(d.all(), nil)
	b := newBudget(d.e.opts, len(in.Parcels), 1)
	specs, unused := d.PooledTasks(), 0
	for _, task := range pt.pick(pt.first) {
		if len(task.parcels) == 0 {
			continue
		}
		want, err := d.e.solveTask(ctx, task, b)
		if err != nil {
			t.Fatal(err)
		}
		s := specs[slices.IndexFunc(specs, func(s TaskSpec) bool { return s.Name == task.name })]
		tp, err := SolveTask(ctx, in, opts, s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := roundTrip(t, tp).routedFor(task)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(vehicleIDs(got.unused), vehicleIDs(want.unused)) {
			t.Errorf("task %s: unused vehicles %v after JSON, want %v", task.name, vehicleIDs(got.unused), vehicleIDs(want.unused))
		}
		unused += len(want.unused)
	}
	if unused == 0 {
		t.Fatal("no task left a vehicle unused: the test checks nothing")
	}
}

func vehicleIDs(vs []vehicle) []string {
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID+"@"+string(v.Depot))
	}
	return ids
}

// taskDay is a small day whose pooled part has several tasks.
func taskDay(t *testing.T) (Input, Options, *Day) {
	t.Helper()
	in, opts := smallDay(60, 2), Options{Seed: 1, IterationsPerParcel: 2}
	d, err := NewDay(in, opts)
	if err != nil {
		t.Fatal(err)
	}
	return in, opts, d
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPart(t *testing.T, d *Day, p Part, pooled *PartPlan) *PartPlan {
	t.Helper()
	pp, err := d.PlanPart(context.Background(), p, pooled)
	if err != nil {
		t.Fatalf("PlanPart(%s): %v", p.Name, err)
	}
	return pp
}

// roundTrip returns v encoded and decoded again.
func roundTrip[T any](t *testing.T, v *T) *T {
	t.Helper()
	var out T
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

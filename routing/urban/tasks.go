package urban

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lastmile-dev/lastmile/depots"
)

// TaskSpec is one routing task of the pooled part's first stage (a
// sector of zones with its small vehicles, or a centre's fresh parcels
// with its refrigerated vans), as Day.PooledTasks lists it: all that
// SolveTask needs to route it in another process without zoning the day
// again.
type TaskSpec struct {
	// Index is the task's position in PooledTasks.
	Index    int    `json:"index"`
	Name     string `json:"name"`
	Zone     string `json:"zone"`
	District string `json:"district,omitempty"`
	// Parcels are indexes into Input.Parcels. ParcelZones, for a task
	// spanning several zones, holds each parcel's zone ID, by which its
	// routes' zones are named.
	Parcels     []int         `json:"parcels"`
	ParcelZones []string      `json:"parcel_zones,omitempty"`
	Vehicles    []TaskVehicle `json:"vehicles"`
}

// TaskVehicle is a shared vehicle of a task and the centre it leaves
// from.
type TaskVehicle struct {
	ID    string    `json:"id"`
	Depot depots.ID `json:"depot"`
}

// TaskPlan is the outcome of one task of PooledTasks. It round-trips
// through JSON exactly, so that tasks routed in other processes give
// Day.PlanPooled the pooled part PlanPart makes.
type TaskPlan struct {
	Index int
	Name  string
	plan  routed
}

// CostYuan is the cost of the task's routes in yuan.
func (tp *TaskPlan) CostYuan() float64 { return tp.plan.cost }

// PooledTasks lists the first-stage routing tasks of the pooled part that
// have parcels, in the order Day.PlanPooled takes their outcomes. (The
// first stage's tasks without parcels only hand their vehicles on to
// the mop-up.)
func (d *Day) PooledTasks() []TaskSpec {
	e := d.e
	pt := e.pooledTasks(d.all(), nil)
	var out []TaskSpec
	for _, t := range pt.pick(pt.first) {
		if len(t.parcels) == 0 {
			continue
		}
		s := TaskSpec{Index: len(out), Name: t.name, Zone: t.zone, District: t.district, Parcels: t.parcels}
		for _, v := range t.vehicles {
			s.Vehicles = append(s.Vehicles, TaskVehicle{ID: v.ID, Depot: v.Depot})
		}
		if t.zoned {
			for _, pi := range t.parcels {
				s.ParcelZones = append(s.ParcelZones, e.zoneID(pi))
			}
		}
		out = append(out, s)
	}
	return out
}

// SolveTask routes task s of a day's PooledTasks from the day's input and
// options alone. It does not zone the day (NewDay does, which costs
// seconds on a large day), so a task costs its routing search only. A
// spec naming parcels or vehicles the input lacks is refused.
func SolveTask(ctx context.Context, in Input, opts Options, s TaskSpec) (*TaskPlan, error) {
	e, err := envOf(in, opts)
	if err != nil {
		return nil, err
	}
	t, err := e.specTask(s)
	if err != nil {
		return nil, err
	}
	// The pooled part's budget, as Day.PlanPart gives its tasks.
	r, err := e.solveTask(ctx, t, newBudget(e.opts, len(in.Parcels), 1))
	if err != nil {
		return nil, err
	}
	return &TaskPlan{Index: s.Index, Name: s.Name, plan: r}, nil
}

// specTask is the task s describes, checked against the day's input; it
// sets e.taskZones for a task spanning several zones.
func (e *env) specTask(s TaskSpec) (task, error) {
	t := task{name: s.Name, zone: s.Zone, district: s.District, parcels: s.Parcels, zoned: len(s.ParcelZones) > 0}
	if t.zoned && len(s.ParcelZones) != len(s.Parcels) {
		return t, fmt.Errorf("%w: task %s: %d parcel zones for %d parcels", ErrInvalid, s.Name, len(s.ParcelZones), len(s.Parcels))
	}
	if t.zoned {
		e.taskZones = make(map[int]string, len(s.Parcels))
	}
	for k, pi := range s.Parcels {
		if pi < 0 || pi >= len(e.in.Parcels) {
			return t, fmt.Errorf("%w: task %s: parcel %d of %d", ErrInvalid, s.Name, pi, len(e.in.Parcels))
		}
		if t.zoned {
			e.taskZones[pi] = s.ParcelZones[k]
		}
	}
	shared := map[string]vehicle{}
	for _, v := range e.fleet[depots.Shared] {
		shared[v.ID] = v
	}
	for _, tv := range s.Vehicles {
		v, ok := shared[tv.ID]
		if !ok {
			return t, fmt.Errorf("%w: task %s: vehicle %q is no shared vehicle of the day", ErrInvalid, s.Name, tv.ID)
		}
		v.Depot = tv.Depot
		t.vehicles = append(t.vehicles, v)
	}
	return t, nil
}

// PlanPooled plans the pooled part from the outcomes of the day's
// PooledTasks, in their order, routed here or elsewhere by SolveTask: the
// centres' vans and the mop-up run here. The outcome is the one PlanPart
// gives the pooled part. An outcome of another task or day is refused.
func (d *Day) PlanPooled(ctx context.Context, tasks []*TaskPlan) (*PartPlan, error) {
	e := d.e
	pt := e.pooledTasks(d.all(), nil)
	b := newBudget(e.opts, len(e.in.Parcels), 1)
	first := pt.pick(pt.first)
	want := 0
	for _, t := range first {
		if len(t.parcels) > 0 {
			want++
		}
	}
	if len(tasks) != want {
		return nil, fmt.Errorf("%w: the pooled part has %d tasks, given %d outcomes", ErrInvalid, want, len(tasks))
	}
	r1 := make([]routed, len(first))
	k := 0
	for i, t := range first {
		var err error
		if len(t.parcels) == 0 {
			r1[i], err = e.solveTask(ctx, t, b) // no search: its vehicles are unused
		} else {
			r1[i], err = tasks[k].routedFor(t)
			k++
		}
		if err != nil {
			return nil, err
		}
	}
	r, err := e.pooledVans(ctx, PartPooled, pt, r1, b)
	if err != nil {
		return nil, err
	}
	return &PartPlan{Part: Part{Kind: PartPooled, Name: PartPooled}, plan: r, CostYuan: e.gameCost(r)}, nil
}

// routedFor checks that tp is an outcome of task t (each of the task's
// parcels routed or unassigned once and no other parcel, only the task's
// vehicles) and returns it with the task's unused vehicles.
func (tp *TaskPlan) routedFor(t task) (routed, error) {
	if tp == nil || tp.Name != t.name {
		return routed{}, fmt.Errorf("%w: task %s: given the outcome of another task", ErrInvalid, t.name)
	}
	left := make(map[int]bool, len(t.parcels))
	for _, pi := range t.parcels {
		left[pi] = true
	}
	take := func(pi int) error {
		if !left[pi] {
			return fmt.Errorf("%w: task %s: outcome names parcel %d, not one of its %d or twice", ErrInvalid, t.name, pi, len(t.parcels))
		}
		delete(left, pi)
		return nil
	}
	r := tp.plan
	used := map[string]bool{}
	for _, rt := range r.routes {
		used[rt.Vehicle] = true
		for _, pi := range rt.seq {
			if pi == -1 { // a reload
				continue
			}
			if err := take(pi); err != nil {
				return routed{}, err
			}
		}
	}
	for _, u := range r.unassigned {
		if err := take(u.index); err != nil {
			return routed{}, err
		}
	}
	if len(left) > 0 {
		return routed{}, fmt.Errorf("%w: task %s: outcome lacks %d of its parcels", ErrInvalid, t.name, len(left))
	}
	r.unused = nil
	for _, v := range t.vehicles {
		if !used[v.ID] {
			r.unused = append(r.unused, v)
		}
		delete(used, v.ID)
	}
	if len(used) > 0 {
		return routed{}, fmt.Errorf("%w: task %s: outcome routes %d vehicles not the task's", ErrInvalid, t.name, len(used))
	}
	return r, nil
}

// taskWire is TaskPlan's JSON.
type taskWire struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	planWire
}

// MarshalJSON encodes the outcome with what PlanPooled needs.
func (tp *TaskPlan) MarshalJSON() ([]byte, error) {
	return json.Marshal(taskWire{Index: tp.Index, Name: tp.Name, planWire: wireOf(tp.plan)})
}

// UnmarshalJSON decodes what MarshalJSON encoded.
func (tp *TaskPlan) UnmarshalJSON(b []byte) error {
	var w taskWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*tp = TaskPlan{Index: w.Index, Name: w.Name, plan: w.routed()}
	return nil
}

package urban

import "context"

// PooledPlan plans the grand coalition's pooled plan alone (zones, layout,
// pooled tasks), for the convergence benchmark: its cost in yuan, its
// unassigned parcels and the cost with UnassignedPenaltyYuan per parcel.
func PooledPlan(ctx context.Context, in Input, opts Options) (cost float64, unassigned int, err error) {
	o, err := opts.withDefaults()
	if err != nil {
		return 0, 0, err
	}
	e, err := newEnv(in, o)
	if err != nil {
		return 0, 0, err
	}
	if e.zones, e.parcelZone, err = zonesOf(in, o); err != nil {
		return 0, 0, err
	}
	if e.layout, err = e.newLayout(); err != nil {
		return 0, 0, err
	}
	all := make([]int, len(in.Parcels))
	for i := range all {
		all[i] = i
	}
	r, err := e.pooled(ctx, all, "pooled", 1, nil)
	if err != nil {
		return 0, 0, err
	}
	return r.cost, len(r.unassigned), nil
}

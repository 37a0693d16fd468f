package routing

import (
	"fmt"
	"math"
)

// Unreachable is the matrix entry that marks a pair of locations with no
// route between them. A Durations entry equal to Unreachable makes every
// route that uses that arc infeasible; a task that no vehicle can reach is
// reported with ReasonUnreachable.
const Unreachable = math.MaxInt32

// Limits on the numbers a Problem may hold. They keep every sum the solver
// forms inside int64.
const (
	// MaxTime bounds time-window and shift ends, in time units (2^44, about
	// 557 000 years in seconds, or 557 years in milliseconds).
	MaxTime = int64(1) << 44
	// MaxRate bounds Costs.PerMeter and Costs.PerSecond.
	MaxRate = int64(1_000_000_000)
	// MaxPenalty bounds Costs.Fixed and task penalties; see requiredPenalty.
	MaxPenalty = int64(1_000_000_000_000)
	// MaxAmount bounds capacities and task amounts.
	MaxAmount = int64(1) << 40
)

// name returns how errors refer to an item: its ID when set, else its index.
func name(kind, id string, i int) string {
	if id != "" {
		return fmt.Sprintf("%s %q", kind, id)
	}
	return fmt.Sprintf("%s %d", kind, i)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// validate checks p and returns an error wrapping ErrInvalid that names the
// offending field. It never panics, whatever p holds.
func validate(p *Problem) error {
	if p == nil {
		return invalid("nil problem")
	}
	if p.Locations < 0 {
		return invalid("locations is %d", p.Locations)
	}
	n := p.Locations
	if n > 0 && n > math.MaxInt32/n {
		return invalid("%d locations is too many", n)
	}
	if len(p.Durations) != n*n {
		return invalid("durations has %d entries, want %d×%d", len(p.Durations), n, n)
	}
	if len(p.Distances) != n*n {
		return invalid("distances has %d entries, want %d×%d", len(p.Distances), n, n)
	}
	for k, d := range p.Durations {
		if d < 0 {
			return invalid("durations entry (%d, %d) is negative", k/n, k%n)
		}
	}
	for k, d := range p.Distances {
		if d < 0 {
			return invalid("distances entry (%d, %d) is negative", k/n, k%n)
		}
	}
	if p.Dimensions < 0 || p.Dimensions > 64 {
		return invalid("dimensions is %d, want 0 to 64", p.Dimensions)
	}
	if p.Scale < 0 {
		return invalid("scale is %d", p.Scale)
	}
	loc := func(what string, l int, allowNone bool) error {
		if allowNone && l == -1 {
			return nil
		}
		if l < 0 || l >= n {
			return invalid("%s: location %d out of range [0, %d)", what, l, n)
		}
		return nil
	}
	amounts := func(what, field string, a []int64) error {
		if len(a) != 0 && len(a) != p.Dimensions {
			return invalid("%s: %s has %d dimensions, problem has %d", what, field, len(a), p.Dimensions)
		}
		for k, v := range a {
			if v < 0 || v > MaxAmount {
				return invalid("%s: %s[%d] = %d out of range [0, %d]", what, field, k, v, MaxAmount)
			}
		}
		return nil
	}
	windows := func(what string, tws []TimeWindow) error {
		for k, w := range tws {
			if w.Start < 0 || w.End > MaxTime {
				return invalid("%s: time window %d [%d, %d] outside [0, %d]", what, k, w.Start, w.End, MaxTime)
			}
			if w.End < w.Start {
				return invalid("%s: time window %d ends before it starts", what, k)
			}
			if k > 0 && w.Start <= tws[k-1].End {
				return invalid("%s: time window %d overlaps or precedes window %d", what, k, k-1)
			}
		}
		return nil
	}
	nonNeg := func(what, field string, v, max int64) error {
		if v < 0 || v > max {
			return invalid("%s: %s = %d out of range [0, %d]", what, field, v, max)
		}
		return nil
	}
	for i := range p.Vehicles {
		v := &p.Vehicles[i]
		what := name("vehicle", v.ID, i)
		if err := loc(what+" start", v.Start, true); err != nil {
			return err
		}
		if err := loc(what+" end", v.End, true); err != nil {
			return err
		}
		if len(v.Capacity) != p.Dimensions {
			return invalid("%s: capacity has %d dimensions, problem has %d", what, len(v.Capacity), p.Dimensions)
		}
		if err := amounts(what, "capacity", v.Capacity); err != nil {
			return err
		}
		if v.Shift.Start < 0 || v.Shift.Start > MaxTime || v.Shift.End < 0 || v.Shift.End > MaxTime {
			return invalid("%s: shift [%d, %d] outside [0, %d]", what, v.Shift.Start, v.Shift.End, MaxTime)
		}
		if v.Shift.End != 0 && v.Shift.End < v.Shift.Start {
			return invalid("%s: shift ends before it starts", what)
		}
		for _, c := range []struct {
			f   string
			v   int64
			max int64
		}{
			{"fixed cost", v.Costs.Fixed, MaxPenalty},
			{"cost per metre", v.Costs.PerMeter, MaxRate},
			{"cost per second", v.Costs.PerSecond, MaxRate},
			{"max duration", v.MaxDuration, MaxTime},
			{"max travel", v.MaxTravel, MaxTime},
			{"max distance", v.MaxDistance, math.MaxInt64 / 4},
			{"reload time", v.ReloadTime, MaxTime},
		} {
			if err := nonNeg(what, c.f, c.v, c.max); err != nil {
				return err
			}
		}
		if v.Costs.TimeBasis > PayTravel {
			return invalid("%s: time basis %d, want 0 to %d", what, v.Costs.TimeBasis, PayTravel)
		}
		for b, br := range v.Breaks {
			bw := fmt.Sprintf("%s break %d", what, b)
			if err := windows(bw, br.TimeWindows); err != nil {
				return err
			}
			if err := nonNeg(bw, "service", br.Service, MaxTime); err != nil {
				return err
			}
			if br.MaxLoad != nil && len(br.MaxLoad) != p.Dimensions {
				return invalid("%s: max load has %d dimensions, problem has %d", bw, len(br.MaxLoad), p.Dimensions)
			}
		}
		if v.MaxStops < 0 {
			return invalid("%s: max stops is %d", what, v.MaxStops)
		}
		if v.MaxTrips < 0 || v.MaxTrips > 1000 {
			return invalid("%s: max trips is %d, want 0 to 1000", what, v.MaxTrips)
		}
		if v.MaxTrips > 1 && v.Start < 0 {
			return invalid("%s: multiple trips need a start location to reload at", what)
		}
		if math.IsNaN(v.SpeedFactor) || math.IsInf(v.SpeedFactor, 0) || v.SpeedFactor < 0 ||
			(v.SpeedFactor != 0 && (v.SpeedFactor < 1e-3 || v.SpeedFactor > 1e3)) {
			return invalid("%s: speed factor %v, want 0 or 0.001 to 1000", what, v.SpeedFactor)
		}
	}
	for i := range p.Jobs {
		j := &p.Jobs[i]
		what := name("job", j.ID, i)
		if err := loc(what, j.Location, false); err != nil {
			return err
		}
		if err := amounts(what, "delivery", j.Delivery); err != nil {
			return err
		}
		if err := amounts(what, "pickup", j.Pickup); err != nil {
			return err
		}
		if err := nonNeg(what, "service", j.Service, MaxTime); err != nil {
			return err
		}
		if err := windows(what, j.TimeWindows); err != nil {
			return err
		}
		if err := nonNeg(what, "penalty", j.Penalty, MaxPenalty); err != nil {
			return err
		}
	}
	for i := range p.Shipments {
		s := &p.Shipments[i]
		what := name("shipment", s.Pickup.ID, i)
		for _, st := range []struct {
			end  string
			stop *Stop
		}{{"pickup", &s.Pickup}, {"delivery", &s.Delivery}} {
			w := what + " " + st.end
			if err := loc(w, st.stop.Location, false); err != nil {
				return err
			}
			if err := nonNeg(w, "service", st.stop.Service, MaxTime); err != nil {
				return err
			}
			if err := windows(w, st.stop.TimeWindows); err != nil {
				return err
			}
		}
		if err := amounts(what, "amount", s.Amount); err != nil {
			return err
		}
		if err := nonNeg(what, "penalty", s.Penalty, MaxPenalty); err != nil {
			return err
		}
	}
	return nil
}

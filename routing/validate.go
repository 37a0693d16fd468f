package routing

import (
	"fmt"
	"math"

	"github.com/lastmile-dev/lastmile/internal/field"
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

// invalid is a validation error at path, a JSON path over the Problem in
// snake_case ("vehicles[2].capacity", "jobs[7].time_windows[1]"): the field
// names of package instance's JSON document where it has the field.
func invalid(path, format string, args ...any) error {
	return field.New(ErrInvalid, path, format, args...)
}

// Validate checks p as Solve does before searching, and returns a
// *FieldError wrapping ErrInvalid that names the offending field. A service
// that accepts a problem now and solves it later calls it at acceptance, so
// that what it accepts Solve will take.
func (p *Problem) Validate() error { return validate(p) }

// validate checks p and returns a *FieldError wrapping ErrInvalid that names
// the offending field. It never panics, whatever p holds.
func validate(p *Problem) error {
	if p == nil {
		return invalid("", "nil problem")
	}
	if err := validateMatrices(p); err != nil {
		return err
	}
	for i := range p.Vehicles {
		if err := validateVehicle(p, &p.Vehicles[i], fmt.Sprintf("vehicles[%d]", i)); err != nil {
			return err
		}
	}
	for i := range p.Jobs {
		if err := validateJob(p, &p.Jobs[i], fmt.Sprintf("jobs[%d]", i)); err != nil {
			return err
		}
	}
	for i := range p.Shipments {
		if err := validateShipment(p, &p.Shipments[i], fmt.Sprintf("shipments[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// validateMatrices checks the sizes: locations, both n×n matrices with no
// negative entry, dimensions and scale.
func validateMatrices(p *Problem) error {
	if p.Locations < 0 {
		return invalid("locations", "%d is negative", p.Locations)
	}
	n := p.Locations
	if n > 0 && n > math.MaxInt32/n {
		return invalid("locations", "%d is too many", n)
	}
	if len(p.Durations) != n*n {
		return invalid("durations", "%d entries, want %d×%d", len(p.Durations), n, n)
	}
	if len(p.Distances) != n*n {
		return invalid("distances", "%d entries, want %d×%d", len(p.Distances), n, n)
	}
	for k, d := range p.Durations {
		if d < 0 {
			return invalid("durations", "entry (%d, %d) is negative", k/n, k%n)
		}
	}
	for k, d := range p.Distances {
		if d < 0 {
			return invalid("distances", "entry (%d, %d) is negative", k/n, k%n)
		}
	}
	if p.Dimensions < 0 || p.Dimensions > 64 {
		return invalid("dimensions", "%d, want 0 to 64", p.Dimensions)
	}
	if p.Scale < 0 {
		return invalid("scale", "%d is negative", p.Scale)
	}
	return nil
}

// validateVehicle checks one vehicle at path f.
func validateVehicle(p *Problem, v *Vehicle, f string) error {
	if err := checkLocation(p, f+".start", v.Start, true); err != nil {
		return err
	}
	if err := checkLocation(p, f+".end", v.End, true); err != nil {
		return err
	}
	if len(v.Capacity) != p.Dimensions {
		return invalid(f+".capacity", "%d dimensions, problem has %d", len(v.Capacity), p.Dimensions)
	}
	if err := checkAmounts(p, f+".capacity", v.Capacity); err != nil {
		return err
	}
	if v.Shift.Start < 0 || v.Shift.Start > MaxTime || v.Shift.End < 0 || v.Shift.End > MaxTime {
		return invalid(f+".shift", "[%d, %d] outside [0, %d]", v.Shift.Start, v.Shift.End, MaxTime)
	}
	if v.Shift.End != 0 && v.Shift.End < v.Shift.Start {
		return invalid(f+".shift", "ends before it starts")
	}
	for _, c := range []struct {
		f   string
		v   int64
		max int64
	}{
		{"costs.fixed", v.Costs.Fixed, MaxPenalty},
		{"costs.per_meter", v.Costs.PerMeter, MaxRate},
		{"costs.per_second", v.Costs.PerSecond, MaxRate},
		{"max_duration", v.MaxDuration, MaxTime},
		{"max_travel", v.MaxTravel, MaxTime},
		{"max_distance", v.MaxDistance, math.MaxInt64 / 4},
		{"reload_time", v.ReloadTime, MaxTime},
	} {
		if err := checkRange(f+"."+c.f, c.v, c.max); err != nil {
			return err
		}
	}
	if v.Costs.TimeBasis > PayTravel {
		return invalid(f+".costs.time_basis", "%d, want 0 to %d", v.Costs.TimeBasis, PayTravel)
	}
	if err := validateBreaks(p, v, f); err != nil {
		return err
	}
	if v.MaxStops < 0 {
		return invalid(f+".max_stops", "%d is negative", v.MaxStops)
	}
	if v.MaxTrips < 0 || v.MaxTrips > 1000 {
		return invalid(f+".max_trips", "%d, want 0 to 1000", v.MaxTrips)
	}
	if v.MaxTrips > 1 && v.Start < 0 {
		return invalid(f+".max_trips", "multiple trips need a start location to reload at")
	}
	if math.IsNaN(v.SpeedFactor) || math.IsInf(v.SpeedFactor, 0) || v.SpeedFactor < 0 ||
		(v.SpeedFactor != 0 && (v.SpeedFactor < 1e-3 || v.SpeedFactor > 1e3)) {
		return invalid(f+".speed_factor", "%v, want 0 or 0.001 to 1000", v.SpeedFactor)
	}
	return nil
}

// validateBreaks checks a vehicle's breaks at path f.
func validateBreaks(p *Problem, v *Vehicle, f string) error {
	for b, br := range v.Breaks {
		g := fmt.Sprintf("%s.breaks[%d]", f, b)
		if err := checkWindows(g+".time_windows", br.TimeWindows); err != nil {
			return err
		}
		if err := checkRange(g+".service", br.Service, MaxTime); err != nil {
			return err
		}
		if br.MaxLoad != nil && len(br.MaxLoad) != p.Dimensions {
			return invalid(g+".max_load", "%d dimensions, problem has %d", len(br.MaxLoad), p.Dimensions)
		}
	}
	return nil
}

// validateJob checks one job at path f.
func validateJob(p *Problem, j *Job, f string) error {
	if err := checkLocation(p, f+".location", j.Location, false); err != nil {
		return err
	}
	if err := checkAmounts(p, f+".delivery", j.Delivery); err != nil {
		return err
	}
	if err := checkAmounts(p, f+".pickup", j.Pickup); err != nil {
		return err
	}
	if err := checkRange(f+".service", j.Service, MaxTime); err != nil {
		return err
	}
	if err := checkWindows(f+".time_windows", j.TimeWindows); err != nil {
		return err
	}
	return checkRange(f+".penalty", j.Penalty, MaxPenalty)
}

// validateShipment checks one shipment, both its stops, at path f.
func validateShipment(p *Problem, s *Shipment, f string) error {
	for _, st := range []struct {
		end  string
		stop *Stop
	}{{"pickup", &s.Pickup}, {"delivery", &s.Delivery}} {
		g := f + "." + st.end
		if err := checkLocation(p, g+".location", st.stop.Location, false); err != nil {
			return err
		}
		if err := checkRange(g+".service", st.stop.Service, MaxTime); err != nil {
			return err
		}
		if err := checkWindows(g+".time_windows", st.stop.TimeWindows); err != nil {
			return err
		}
	}
	if err := checkAmounts(p, f+".amount", s.Amount); err != nil {
		return err
	}
	return checkRange(f+".penalty", s.Penalty, MaxPenalty)
}

// checkLocation checks a location index; -1 (none) only when allowNone.
func checkLocation(p *Problem, path string, l int, allowNone bool) error {
	if allowNone && l == -1 {
		return nil
	}
	if l < 0 || l >= p.Locations {
		return invalid(path, "location %d out of range [0, %d)", l, p.Locations)
	}
	return nil
}

// checkAmounts checks an amount vector: empty, or one entry per dimension,
// each in [0, MaxAmount].
func checkAmounts(p *Problem, path string, a []int64) error {
	if len(a) != 0 && len(a) != p.Dimensions {
		return invalid(path, "%d dimensions, problem has %d", len(a), p.Dimensions)
	}
	for k, v := range a {
		if v < 0 || v > MaxAmount {
			return invalid(fmt.Sprintf("%s[%d]", path, k), "%d out of range [0, %d]", v, MaxAmount)
		}
	}
	return nil
}

// checkWindows checks that time windows lie in [0, MaxTime], are sorted and
// disjoint.
func checkWindows(path string, tws []TimeWindow) error {
	for k, w := range tws {
		f := fmt.Sprintf("%s[%d]", path, k)
		if w.Start < 0 || w.End > MaxTime {
			return invalid(f, "[%d, %d] outside [0, %d]", w.Start, w.End, MaxTime)
		}
		if w.End < w.Start {
			return invalid(f, "ends before it starts")
		}
		if k > 0 && w.Start <= tws[k-1].End {
			return invalid(f, "overlaps or precedes window %d", k-1)
		}
	}
	return nil
}

// checkRange checks 0 ≤ v ≤ max.
func checkRange(path string, v, max int64) error {
	if v < 0 || v > max {
		return invalid(path, "%d out of range [0, %d]", v, max)
	}
	return nil
}

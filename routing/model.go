package routing

import (
	"context"
	"errors"
	"time"

	"github.com/lastmile-dev/lastmile/internal/field"
)

// Sentinel errors. Callers match them with errors.Is.
var (
	ErrInvalid    = errors.New("routing: invalid problem")
	ErrInfeasible = errors.New("routing: no feasible assignment")
)

// FieldError is a bad field of a problem: Path names it as a JSON path such
// as "jobs[3].time_windows[0]", in the snake_case names of package
// instance's JSON document (Problem's fields where the document has none,
// e.g. "vehicles[0].costs.per_meter"), and Reason says what is wrong.
// Solve's validation errors and instance.FromJSON's are *FieldError, found
// with errors.As; they also wrap ErrInvalid or instance.ErrFormat for
// errors.Is.
type FieldError = field.Error

// Time and distance inside the solver are integers. A Problem's Durations are
// in "time units" and its Distances in "distance units"; for real-world
// problems these are seconds and metres. Benchmark readers scale fractional
// instances (Solomon, Li & Lim use unrounded Euclidean distances) by a stated
// factor, kept in Problem.Scale, so that integer arithmetic loses nothing that
// matters: a scale of 1000 keeps three decimals.

// TimeWindow is a closed interval [Start, End] in time units.
type TimeWindow struct {
	Start int64
	End   int64
}

// Costs are a vehicle's costs in integer cost units. The API and planners use
// micro-units of currency (1 yuan = 1e6), so per-metre and per-second rates are
// whole numbers; benchmark readers use PerMeter = 1 so that cost is distance.
type Costs struct {
	Fixed     int64 // once, if the vehicle is used
	PerMeter  int64 // per distance unit driven
	PerSecond int64 // per time unit of route duration (driving, service and waiting)
}

// Vehicle is one vehicle of the fleet.
type Vehicle struct {
	ID string
	// Start is the location index where the route starts, or -1 for a route
	// that starts at its first stop.
	Start int
	// End is the location index where the route ends, or -1 for an open route
	// that ends at its last stop.
	End int
	// Capacity has one entry per dimension (for example parcels, kg, litres).
	// Its length must equal Problem.Dimensions.
	Capacity []int64
	// Shift is when the vehicle may work. A zero End means no limit.
	Shift TimeWindow
	// Skills the vehicle has, for example "cold_chain".
	Skills []string
	Costs  Costs
	// MaxDuration, MaxDistance and MaxStops limit the whole route; zero means
	// no limit.
	MaxDuration int64
	MaxDistance int64
	MaxStops    int
	// SpeedFactor scales travel times: 2 halves them. Zero means 1.
	SpeedFactor float64
	// MaxTrips allows the vehicle to return to Start to reload and go out again
	// within its shift (multi-trip VRP). Zero means 1. ReloadTime is spent at
	// the depot between trips.
	MaxTrips   int
	ReloadTime int64
	// Backhaul imposes the backhaul rule on this vehicle even when
	// Problem.Backhaul is false.
	Backhaul bool
}

// Job is a single-stop task: a delivery, a pickup, or both.
type Job struct {
	ID       string
	Location int
	// Delivery is unloaded here; it rides from the depot (or trip start).
	Delivery []int64
	// Pickup is loaded here; it rides to the route end (or trip end).
	Pickup  []int64
	Service int64 // time units spent at the stop
	// TimeWindows are sorted, disjoint windows in which service must start.
	// Empty means any time.
	TimeWindows []TimeWindow
	Skills      []string
	// Priority orders jobs when not all can be served: higher first.
	Priority int
	// Penalty is the cost of leaving the job unassigned. Zero means the job is
	// required: it is left out only when no feasible insertion exists.
	Penalty int64
}

// IsBackhaul reports whether the job is a backhaul (pickup-only) customer
// under the backhaul rule.
func (j *Job) IsBackhaul() bool { return !nonZero(j.Delivery) && nonZero(j.Pickup) }

// Stop is one end of a shipment.
type Stop struct {
	ID          string
	Location    int
	Service     int64
	TimeWindows []TimeWindow
}

// Shipment is a pickup-and-delivery pair: Amount is loaded at Pickup and
// unloaded at Delivery, by the same vehicle, pickup first.
type Shipment struct {
	Pickup   Stop
	Delivery Stop
	Amount   []int64
	Skills   []string
	Priority int
	Penalty  int64
}

// Problem is a rich vehicle-routing problem.
type Problem struct {
	// Locations is the number of indexed locations; Durations and Distances
	// are flat Locations×Locations matrices, entry (i, j) at i*Locations+j.
	Locations int
	Durations []int32
	Distances []int32
	// Dimensions is the number of capacity dimensions.
	Dimensions int
	Vehicles   []Vehicle
	Jobs       []Job
	Shipments  []Shipment
	// Backhaul imposes the backhaul rule on every vehicle: on each trip all
	// deliveries come before any pickup (VRPB).
	Backhaul bool
	// Scale is how many matrix units make one unit of the instance's own
	// distance (1 for metres or rounded benchmarks, 1000 for Solomon).
	// Zero means 1. It only affects reporting.
	Scale int64
}

// StopKind says what happens at a route stop.
type StopKind uint8

const (
	KindStart StopKind = iota
	KindJob
	KindPickup   // shipment pickup
	KindDelivery // shipment delivery
	KindReload   // back at the depot between trips
	KindEnd
)

// RouteStop is one stop of a solved route, with its schedule.
type RouteStop struct {
	Kind StopKind
	// Task is the index into Problem.Jobs for KindJob, into Problem.Shipments
	// for KindPickup and KindDelivery, and -1 otherwise.
	Task     int
	Location int
	Arrival  int64
	Waiting  int64
	// Departure is Arrival + Waiting + service.
	Departure int64
	// Load is the vehicle's load after the stop, per dimension.
	Load []int64
}

// Route is one vehicle's tour.
type Route struct {
	Vehicle  int // index into Problem.Vehicles
	Stops    []RouteStop
	Distance int64
	Duration int64
	Cost     int64
}

// Reason says why a task was left unassigned.
type Reason string

const (
	ReasonCapacity    Reason = "capacity"
	ReasonTimeWindow  Reason = "time_window"
	ReasonSkills      Reason = "skills"
	ReasonMaxDuration Reason = "max_duration"
	ReasonMaxDistance Reason = "max_distance"
	ReasonMaxStops    Reason = "max_stops"
	ReasonUnreachable Reason = "unreachable"
	ReasonPenalty     Reason = "not_worth_penalty"
)

// Unassigned is a task that no route serves.
type Unassigned struct {
	// Shipment is false for a job (Task indexes Problem.Jobs) and true for a
	// shipment (Task indexes Problem.Shipments).
	Shipment bool
	Task     int
	Reason   Reason
}

// Solution is a set of routes plus the tasks they leave out.
type Solution struct {
	// Cost is the objective: vehicle costs plus unassigned penalties, in cost
	// units.
	Cost       int64
	Distance   int64
	Duration   int64
	Routes     []Route
	Unassigned []Unassigned
}

// Progress is reported when the best solution improves.
type Progress struct {
	Elapsed    time.Duration
	Iteration  int
	BestCost   int64
	Routes     int
	Unassigned int
	// Best returns a copy of the best solution so far, for a checkpoint
	// that a later Solve can resume from through Options.Initial. It may be
	// called only during the Progress call, and it costs a full export of
	// the solution, so call it sparingly. Nil when reported by others.
	Best func() *Solution
}

// Options control a solve. The run stops at the first of TimeLimit,
// Iterations and context cancellation, and returns the best solution so far.
type Options struct {
	Seed       int64
	Iterations int           // zero means no iteration limit
	TimeLimit  time.Duration // zero means no time limit
	Threads    int           // zero means 1
	// Progress, when set, is called from the solving goroutine each time the
	// best solution improves. It must return quickly.
	Progress func(Progress)
	// Initial, when set, seeds the search (used when re-planning).
	Initial *Solution
}

// solveFunc is the signature of Solve, kept here so the model file documents
// the entry point: Solve(ctx, p, opts) (*Solution, error).
var _ func(context.Context, *Problem, Options) (*Solution, error) = Solve

func nonZero(a []int64) bool {
	for _, v := range a {
		if v != 0 {
			return true
		}
	}
	return false
}

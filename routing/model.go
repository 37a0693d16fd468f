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
	PerSecond int64 // per time unit of the TimeBasis, by default route duration
	// TimeBasis says which time PerSecond pays for: the route's duration
	// (driving, service and waiting: working time), driving and service
	// (waiting is free), or driving only (VROOM's per_hour).
	TimeBasis TimeBasis
}

// TimeBasis is the time a vehicle's PerSecond cost is charged on.
type TimeBasis uint8

const (
	PayDuration TimeBasis = iota // driving, service and waiting
	PayWork                      // driving and service; waiting is free
	PayTravel                    // driving only
)

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
	// MaxTravel limits the route's driving time (VROOM's max_travel_time);
	// zero means no limit.
	MaxTravel int64
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
	// Breaks the driver must take when the vehicle is used, as VROOM's:
	// each within one of its windows, between two stops (or right after
	// the start or before the end), at the place of the stop before it.
	Breaks []Break
}

// Break is a pause of Service time units that starts within one of
// TimeWindows (sorted, disjoint; empty means any time). With MaxLoad set
// (one entry per dimension) it is taken only while the load is at most
// MaxLoad. Breaks are taken in the order of their first window.
type Break struct {
	ID          string
	TimeWindows []TimeWindow
	Service     int64
	MaxLoad     []int64
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
	KindBreak // a driver's break; Task indexes the vehicle's Breaks
)

// RouteStop is one stop of a solved route, with its schedule.
type RouteStop struct {
	Kind StopKind
	// Task is the index into Problem.Jobs for KindJob, into Problem.Shipments
	// for KindPickup and KindDelivery, into the vehicle's Breaks for
	// KindBreak, and -1 otherwise.
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
	ReasonShift       Reason = "shift" // the vehicle's shift ends too early
	ReasonSkills      Reason = "skills"
	ReasonMaxDuration Reason = "max_duration"
	ReasonMaxDistance Reason = "max_distance"
	ReasonMaxTravel   Reason = "max_travel_time"
	ReasonMaxStops    Reason = "max_stops"
	ReasonUnreachable Reason = "unreachable"
	ReasonPenalty     Reason = "not_worth_penalty"
	// ReasonTimeLimit: the run ended (time limit or cancellation) before
	// the task was inserted; it fits a route of its own.
	ReasonTimeLimit Reason = "time_limit"
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
	// Iterations is how many ruin-and-recreate iterations the search made,
	// summed over its threads (0 for a problem solved by enumeration).
	Iterations int
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

// Options control a solve. The run stops at the first of: a proof that the
// best solution is optimal (tiny problems are solved by enumeration), the
// effort level's no-improvement rule, Iterations, TimeLimit and context
// cancellation, and returns the best solution so far. TimeLimit and
// Iterations are caps, not targets.
type Options struct {
	Seed       int64
	Iterations int           // zero means no iteration limit
	TimeLimit  time.Duration // zero means no time limit
	Threads    int           // zero means 1
	// MinimizeVehicles makes the objective lexicographic in the fleet:
	// serve the required tasks first (as always), then use as few vehicles
	// as possible, then minimise cost (Solution.Cost stays the plan's
	// cost). Exact while the plan's cost stays below 10^13/(vehicles+1).
	// The first half of the run is then a fleet-minimisation phase (see
	// fleetmin.go).
	MinimizeVehicles bool
	// Effort is the exploration level, 0 to 5 as VROOM's -x, set with
	// EffortLevel; the zero value means DefaultEffort, except that an
	// explicit Iterations count without an Effort runs exactly that many
	// iterations (reproducible tests and benchmarks). See Effort.
	Effort Effort
	// Progress, when set, is called from the solving goroutine each time the
	// best solution improves. It must return quickly.
	Progress func(Progress)
	// Initial, when set, seeds the search (used when re-planning).
	Initial *Solution
}

// Effort says how long the search goes on without finding a better
// solution before it stops. Its zero value is "the default level"; levels
// 0 to 5 are EffortLevel(0) to EffortLevel(5):
//
//   - 0: the first solution (greedy insertion and local search) only;
//   - 1 to 4: ruin-and-recreate stops after idleFactor[level]·n iterations
//     in a row without a new best, n being the number of task stops (at
//     least 10): 10, 25, 50 and 200 times n (the default is 3);
//   - 5: no such rule; the search runs to Iterations or TimeLimit (or, with
//     neither, until ctx ends), as benchmarks want.
//
// At every level a problem small enough to enumerate (see exactLeaves) is
// solved exactly instead, and returns at once.
type Effort int8

// DefaultEffort is the level used when Options.Effort is zero.
const DefaultEffort = 3

// EffortLevel returns the Effort for level 0 to 5 (clamped).
func EffortLevel(level int) Effort { return Effort(min(max(level, 0), 5) + 1) }

// Level returns the level 0 to 5 of e, DefaultEffort for the zero value.
func (e Effort) Level() int {
	if e == 0 {
		return DefaultEffort
	}
	return min(max(int(e)-1, 0), 5)
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

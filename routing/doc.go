// Package routing solves rich vehicle-routing problems: capacitated,
// with time windows, pickups and deliveries, backhauls, multiple trips,
// heterogeneous fleets, skills and optional jobs.
//
// # Model
//
// A [Problem] holds flat travel matrices (time and distance, one int32 per
// pair of locations, [Unreachable] for no road), vehicles and tasks. A
// vehicle has a start and an end (either may be -1: a route that starts at
// its first stop, an open route that ends at its last stop), a capacity per
// dimension, a shift, skills, costs (fixed, per distance unit, per time
// unit), limits on route duration, distance and stops, a speed factor, and a
// number of trips with a reload time at its start between them, and breaks
// (time windows, a duration, an optional maximum load: see [Break] and
// breaks.go for how they are placed). A [Job] is a
// delivery and/or pickup at one place with service time, time windows,
// skills, priority and penalty; a [Shipment] is a pickup and a delivery
// served by one vehicle, in that order, within one trip (a pickup and its
// delivery on both sides of a reload are refused: the reload empties the
// vehicle). Under the backhaul rule (VRPB) every delivery job of a trip
// comes before any pickup-only job and any shipment pickup (loading blocks
// a rear-loaded vehicle), and capacity applies to each phase because loads
// are tracked exactly.
//
// The objective is the sum of route costs (fixed + PerMeter·distance +
// PerSecond·time, the time being the route's duration, its driving and
// service, or its driving alone, as Costs.TimeBasis says) plus the
// penalties of unassigned tasks, all integers in cost units. A task with
// Penalty 0 is required: internally leaving it out costs
// 10^13·(stops + w·priority), more than any sane plan, so it is left out
// only when no feasible insertion exists (it then adds nothing to
// [Solution.Cost]). With w = (task stops) + 1 priorities are
// lexicographic, as in VROOM: the plan serves the most priority (the sum
// over required tasks), then the most required stops (a shipment has
// two), then costs least; any non-negative integer priority counts (w
// shrinks only when the sums would overflow int64).
// Priority also orders insertion, higher first.
//
// # Algorithm
//
// Solve builds a first solution by greedy cheapest insertion, then runs
// Slack Induction by String Removals (SISR): C. Christiaens and G. Vanden
// Berghe, "Slack induction by string removals for vehicle routing problems",
// Transportation Science 54(2):417–433, 2020. Each iteration removes a few
// strings of consecutive tasks from routes near a random task (with the
// split-string variant that keeps a run inside the removed string), then
// reinserts the removed tasks one by one at their cheapest feasible position,
// skipping positions at random ("blinks", rate 0.01), in a random, largest
// demand, farthest or closest order. Simulated annealing accepts the result
// with a temperature that cools geometrically over the run (iterations or
// time) from 0.2 to 0.002 times the instance's mean arc cost, or from 1.5
// to 0.003 times it when tasks have time windows (tuned on CVRPLIB and
// Solomon; the paper's T0 = 100, Tf = 1 are in the units of its instances).
//
// Every new best solution is polished by a local search (relocate, swap,
// 2-opt* of Potvin & Rousseau 1995, or-opt of Or 1976, 2-opt of Croes 1958)
// over granular neighbour lists (Toth & Vigo 2003).
//
// Move evaluation is O(1): each route keeps prefix and suffix summaries of
// time windows (duration, time warp, earliest and latest start; T. Vidal,
// T.G. Crainic, M. Gendreau, C. Prins, "A hybrid genetic algorithm with
// adaptive diversity management for a large class of vehicle routing
// problems with time-windows", Computers & Operations Research 40(1), 2013),
// of loads per trip and dimension (deliveries ahead plus pickups behind,
// concatenated like the time segments), of distance, stops, trips, open
// shipments and the backhaul phase. A job insertion, a relocate, a swap or a
// 2-opt* is checked by concatenating a prefix, the moved nodes and a suffix;
// shipment insertion and intra-route moves grow their middle segment one
// node at a time. Nodes with several time windows are checked through the
// hull of their windows first and exactly (an O(n) walk) only for a move
// that would be taken. The hot paths do not allocate.
//
// # Units and scale
//
// Times, distances and costs are integers. Benchmark readers scale
// fractional instances (Problem.Scale, e.g. 1000 for Solomon), so the solver
// never sees floats. A speed factor divides travel times once, when the
// problem is compiled.
//
// # Schedules
//
// A route leaves its start at the earliest time that achieves its minimal
// duration (no waiting a later departure would avoid) and starts every
// service as early as possible. Route.Duration is the end arrival (or the
// last departure of an open route) minus that departure.
//
// # Stopping, determinism, threads
//
// Limits are caps, not targets. A problem small enough to enumerate (a few
// tasks and vehicles) is solved exactly and returns at once. Otherwise the
// search stops at the first of: Options.Effort's no-improvement rule (by
// default 50·n iterations without a new best, n the number of task
// stops; level 5 has no such rule), Options.Iterations, Options.TimeLimit
// (counted from the call, compiling included) and ctx, and returns the best
// solution found. The greedy first solution and the final insertion switch
// to granular insertion once the time limit has passed, and the diagnostics
// of unassigned tasks skip their O(n) attempts (ReasonTimeLimit), so the
// wall time stays within a few per cent of the limit. With an iteration or
// effort limit and no time limit a one-thread run is deterministic for its
// seed. Options.Threads runs that many threads on one shared plan: each
// ruins and recreates its own copy and commits the routes it changed
// unless another thread changed them first (speculative parallel
// annealing; see pool.go). On two cores two threads make about 1.9 times
// the iterations of one, but their runs are not reproducible.
// Options.Progress is called on every new best. Options.Initial seeds the
// search with a previous plan.
//
// # Unassigned tasks
//
// Each unassigned task carries a [Reason]: skills, capacity, unreachable,
// time_window / shift / max_duration / max_travel_time / max_distance /
// max_stops (it cannot be served even alone by any compatible vehicle),
// not_worth_penalty (a feasible insertion costs more than its penalty),
// time_limit (the run ended before it was inserted), or else the
// constraint that blocks its cheapest insertion into the final routes; when
// that is capacity on a multi-trip vehicle, the constraint that forbids a
// trip of its own (most often the shift). "shift" means the task's windows
// would be kept if the vehicle's shift did not end.
package routing

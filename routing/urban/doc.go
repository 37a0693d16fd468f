// Package urban plans joint urban delivery: the parcels of several
// carriers pooled by district zones and delivered from shared distribution
// centres with a shared fleet, compared with each carrier delivering
// alone, and the pooled cost shared fairly among the carriers.
//
// # Zoning
//
// Zones are territories. Each district's area (Input.Boundaries: every H3
// cell at Options.Resolution, 8 by default, whose centre lies inside the
// outline) is partitioned into zones; a parcel belongs to the zone of its
// cell (or of the nearest zoned cell), so tomorrow's parcel in an empty
// cell has a zone too. A cell's workload is its parcels' service time plus
// Options.StopSeconds each. Partition is a location–allocation heuristic
// for territory design (Hess et al. 1965; Kalcsics, Nickel & Schröder
// 2005): cells go to the centre of least squared distance, which
// minimises the zones' moments of inertia, with additive weights (a power
// diagram, Aurenhammer, Hoffmann & Aronov 1998) that balance the
// workload; centres move to their zones' centroids; stray pieces are
// repaired into neighbouring zones, and boundary moves restore the
// balance (where single moves stall, as in a small dense district whose
// zones have a few heavy cells each, chains of two moves and then
// simulated annealing: Glover 1996; Kirkpatrick, Gelatt & Vecchi 1983),
// trim tendrils and finally raise the least compact zone (a max–min local
// search on compactness, each move keeping every zone connected: Ricca &
// Simeone 2008).
//
// Balance holds across districts, not only within them: one workload
// band [a, ratio·a] (ratio Options.BalanceRatio) is chosen for every zone
// of the city, and a district of workload W gets k zones with
// k·a ≤ W ≤ k·ratio·a. Of the a for which every district has such a k,
// the one whose districts' mean zone workloads sit deepest inside the
// band is taken, preferring a near Options.TargetZoneSeconds; the
// smallest district bounds a (on the default day Dadukou's 11 h of work
// give three zones of about 4 h). Zoning then keeps every zone's workload in
// the band. A district shaped like a long strip with its parcels at one
// end cannot reach compactness 0.4 in every zone under this balance: the
// zone that holds the empty end must reach its share of parcels, so it is
// itself a strip.
//
// Cells must be small against zones (territory design assumes basic
// units small against territories, since a zone's workload moves a cell
// at a time), and on a busy day they may not be: a dense core has few
// cells for many zones, and a parcel hotspot makes one cell nearly a
// zone's workload. So a district whose zones at Options.Resolution miss
// the band or the compactness floor, with fewer than 64 cells a zone, is
// zoned again at the next finer resolution (cells a seventh the area),
// and the better zoning is kept (see Partition and DistrictArea.Finer).
// Each zone reports its resolution; its parcels map to cells of that
// resolution. Zones of a district zoned finer may overlap a neighbour's
// coarser cells along their border by up to half a coarse cell, as each
// district's cells are those whose centres lie inside its outline.
//
// Compactness is A²/(2πJ), with J the polar second moment of the zone's
// area about its centroid: 1 for a disk, 0.99 for a regular hexagon, 0.95
// for a square, 0.57 for a 3:1 rectangle, 0.21 for a 9:1 strip. The
// report gives every zone's district, resolution, parcels, workload,
// area and compactness.
//
// # Pooled plan
//
// The pooled plans of the grand coalition and of every smaller coalition
// share one layout. Zones are territories, not routing tasks: each
// centre's loaded zones are swept by bearing from the centre into sectors
// of about Options.TargetZoneSeconds of workload, no more sectors than it
// has small vehicles (the sweep of Gillett & Miller 1974), and each sector
// is a routing task for general parcels with its share of the centre's
// small vehicles (by workload, largest remainder); per centre a task for
// fresh parcels with its
// refrigerated vans (skill cold_chain) and one for bulky parcels with its
// vans (skill bulky: at least Options.BulkyMinKg payload). The zone and
// cold tasks run first, in parallel on Options.Workers goroutines; then
// each centre's vans take its bulky parcels and whatever its zones' small
// vehicles could not serve (beyond their range, or too late for their
// speed); then parcels still left are offered to every idle vehicle in
// one city-wide mop-up task. Every route is limited to
// Options.MaxRouteHours, a driver's shift (the vehicle model has no
// breaks); vehicles may run Options.MaxTrips trips, reloading at their
// centre. A centre whose zones hold parcels but which has no vehicle is an
// error, not a zero.
//
// # Separate baseline
//
// Each carrier routes its own parcels from its own district stations (or
// city depot) with its own fleet, with the same solver, vehicle model,
// shift limit and effort rule: every task gets Options.IterationsPerParcel
// iterations per parcel (or its parcels' share of Options.TimeLimit) on
// both sides, and each side has its mop-up. A station with parcels and no
// vehicle is an error. Searches stopped by the time limit or the deadline
// before their iterations were done are listed in Report.BudgetExhausted,
// so a comparison is never silently starved.
//
// # Report
//
// Vehicle-km, vehicles, driver hours, CO2 (Options.CO2KgPerKm per vehicle
// type) and cost, pooled against separate, in total and per district.
// Every parcel is on one route or listed unassigned with the solver's
// reason. When the two plans deliver different numbers of parcels the
// saving is given as measured and per delivered parcel, and
// Report.Comparison names the difference; Report.FleetShortfall says how
// many more vehicles of which type each centre would need for what the
// pooled plan left. Routes carry start, end and load; stops carry arrival
// time, time window, carrier and parcel kind.
//
// # Cost sharing
//
// The cost game: a coalition's cost is the cost of its pooled plan (route
// costs plus Options.UnassignedPenaltyYuan per undelivered parcel); a
// single carrier's is its stand-alone cost. Coalition plans use the grand
// coalition's layout, start from its routes restricted to their parcels
// (warm starts: in each task as many routes as the coalition's share of
// the parcels, those with most of its parcels; the rest are inserted
// afresh), polish them by local search (or spend Options.CoalitionEffort
// of the plan's effort when it is set), and reuse any task already solved
// with the same parcels. The pooled cost is
// shared by the Shapley value: exact over all coalitions up to
// Options.ExactShapleyCarriers carriers (6 by default), with a check that
// the allocation is in the core; beyond, estimated by sampling (Castro,
// Gómez & Tejada 2009) stratified by the size of the coalition a carrier
// joins (Castro, Gómez, Molina & Tejada 2017): Options.ShapleySamples
// coalitions per carrier and size, the sizes 0 and n−1 exact, with the
// standard error of each value, scaled to sum to the pooled cost. If
// any carrier's Shapley value exceeds its stand-alone cost, the
// proportional rule is applied instead: shares of stand-alone cost scaled
// to the pooled cost, individually rational whenever pooling is cheaper
// in total. Report.CostRule says which rule was applied.
//
// # Parts
//
// A plan is made of parts that can be planned apart, in other processes
// (lastmile's job queue runs each as a child job): the pooled plan, the
// separate plan and every coalition plan of the cost sharing, which starts
// from the pooled plan's routes. NewDay zones the day and lays out its
// tasks; Day.Parts lists the parts, Day.PlanPart plans one (its PartPlan
// round-trips through JSON exactly) and Day.Report assembles the report.
// Plan is built on the same three calls, so that with iteration limits
// (no time limit) the parts planned anywhere give Plan's report byte for
// byte.
//
// The pooled part itself splits further: Day.PooledTasks lists its
// first-stage routing tasks (the zones' small vehicles, each centre's
// cold chain) as TaskSpecs, SolveTask routes one from the Input and
// Options alone, without zoning the day again, and Day.PlanPooled runs
// the centres' vans and the mop-up on their outcomes (TaskPlans, which
// round-trip through JSON exactly), giving PlanPart's pooled part.
//
// # Costs and units
//
// Vehicle-type costs in yuan become routing.Costs in micro-yuan (fixed per
// used vehicle, per metre, per second); capacities are parcels, 0.01 kg
// and 0.1 litre; times are seconds after midnight. Travel is the
// great-circle model in the urban-core class (geo.GreatCircle) unless
// Options.Travel is set; vehicle speeds scale it by SpeedFactor.
//
// # Example
//
// Input holds the day: districts and their outlines, carriers with their
// depots, the shared centres, the fleets (routing/fleet), the vehicle
// catalogue and the parcels. Build it by hand (see ExamplePlan) or, in
// this module, from a generated scenario (internal/scenario's
// Scenario.UrbanInput, with the embedded outlines of internal/cqgeo).
//
//	rep, err := urban.Plan(ctx, in, urban.Options{Seed: 1, RespectDistricts: true})
//	if err != nil {
//		return err
//	}
//	fmt.Printf("pooled saves %.1f%% of vehicle-km\n", rep.SavingPercent)
package urban

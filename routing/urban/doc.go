// Package urban plans joint urban delivery: the parcels of several
// carriers pooled by district zones and delivered from shared distribution
// centres with a shared fleet, compared with each carrier delivering
// alone, and the pooled cost shared fairly among the carriers.
//
// # Zoning
//
// Parcels are aggregated to H3 cells (Options.Resolution, 8 by default);
// a cell's workload is its parcels' service time plus Options.StopSeconds
// per parcel. Partition splits the cells into contiguous zones balanced by
// workload, within districts when Options.RespectDistricts (a cell goes to
// the district of most of its parcels): clusters are first joined through
// empty bridge cells, zones are grown from k-means++ seeds by workload
// deficit, then boundary moves balance them (see Partition). The tested
// bound is max/min zone workload ≤ 1.5 within a district (or overall when
// districts are ignored); the report states the achieved ratios.
//
// # Pooled plan
//
// Each zone's general and bulky parcels are one routing.Problem, routed
// from the zone's shared centre (its district's, or the nearest) with a
// share of the shared fleet: per vehicle type, proportional to workload by
// the largest-remainder method (a centre's own vehicles when zones respect
// districts). Fresh parcels need the cold_chain skill and are routed per
// centre with the refrigerated vans; bulky parcels need a vehicle of at
// least Options.BulkyMinKg payload. Tasks run in parallel on
// Options.Workers goroutines. Parcels a task cannot serve are then offered
// to every idle vehicle in one city-wide task, so routes cross zone lines
// where a zone runs short. Before that, the zones of each centre are
// re-solved together, seeded with their routes (routing.Options.Initial),
// at Options.CrossZoneEffort of their budget, so routes cross zone lines
// where that is cheaper; the merged plan is kept when it leaves fewer
// parcels out, or as many at no more cost. A
// city-wide re-optimisation across centres is not done. Vehicles may run Options.MaxTrips
// trips, reloading at their centre.
//
// # Separate baseline
//
// Each carrier routes its own parcels from its own district stations (or
// city depot) with its own fleet, with the same solver, vehicle model and
// budget rule: every task gets Options.TimeLimit and
// Options.IterationsPerParcel in proportion to its parcels, on both sides.
//
// # Report
//
// Vehicle-km, vehicles, driver hours, CO2 (Options.CO2KgPerKm per vehicle
// type) and cost, pooled against separate, in total and per district (a
// route counts in the district of most of its parcels). Every parcel is on
// one route or listed unassigned with the solver's reason.
//
// # Cost sharing
//
// The cost game: a coalition's cost is the cost of its pooled plan (route
// costs plus Options.UnassignedPenaltyYuan per undelivered parcel); a
// single carrier's is its stand-alone cost. The pooled cost is shared by
// the Shapley value, exact over all 2^n coalitions up to
// Options.ExactShapleyCarriers carriers (16 plans for 4 carriers, each at
// Options.CoalitionEffort of the budget), else estimated from
// Options.ShapleySamples random orders (Castro, Gómez & Tejada 2009). If
// any carrier's Shapley value exceeds its stand-alone cost, the
// proportional rule is applied instead: shares of stand-alone cost scaled
// to the pooled cost, individually rational whenever pooling is cheaper
// in total. Report.CostRule says which rule was applied. Shares always sum
// to the pooled cost.
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
// Input holds the day: districts, carriers with their depots, the shared
// centres, the fleets (routing/fleet), the vehicle catalogue and the
// parcels. Build it by hand (see ExamplePlan) or, in this module, from a
// generated scenario (internal/scenario's Scenario.UrbanInput).
//
//	rep, err := urban.Plan(ctx, in, urban.Options{Seed: 1, TimeLimit: time.Minute, RespectDistricts: true})
//	if err != nil {
//		return err
//	}
//	fmt.Printf("pooled saves %.1f%% of vehicle-km\n", rep.SavingPercent)
package urban

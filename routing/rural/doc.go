// Package rural plans consolidated rural delivery over a week on a
// two-echelon network: county hub → township stations → villages.
//
// # Network and week
//
// Every village needs a number of visits a week (daily for large
// villages, two or three times for small ones). A village within
// Options.PickupRadiusMeters of its township station is served by pickup
// at the station instead: its parcels ride to the station and its people
// bring their produce there. The other villages get visit days from
// Patterns (the day sets that spread k visits as evenly as the week
// allows) by the greedy assignment of periodic routing, which levels each
// station's daily load (Christofides & Beasley, "The period routing
// problem", Networks 14(2), 1984), improved by single and pairwise
// pattern changes. Parcels and produce of a visit are what accumulated
// since the last one.
//
// # Each day
//
// Second echelon: each station's vans (Options.StationVehicles of type
// Options.VillageVehicleType) leave the station, deliver the villages'
// parcels and, under the backhaul rule of the routing core (VRPB: on every
// trip all deliveries come before any pickup), collect the ambient farm
// produce. First echelon: branch lines from the county hub carry every
// station's parcels down and collect, on the way back, the ambient produce
// the rounds brought to the stations; refrigerated vans collect cold-chain
// produce at the villages (and at stations, for pickup villages). Cold
// produce has its own capacity dimension, which only refrigerated vans
// have, and its jobs require the skill "cold_chain", so it never rides on
// another vehicle. Pickups bigger than a vehicle are split.
//
// The stations and villages are routed with routing.Solve (SISR, see
// package routing); county-days run in parallel.
//
// # Report
//
// The share of villages served at their frequency (by frequency and by
// pickup), km and vehicles per day, the farm produce carried to the city
// per week split into cold chain and ambient, missed pickups and
// villages that could not be served, each with the solver's reason.
//
// Simplifications, stated: the two echelons are not synchronised in time
// (produce brought to a station on a day is collected that day), station
// vans are a per-station fleet rather than the hub's vans, and travel is
// the great-circle model in the county's class (geo.GreatCircle).
//
// # Example
//
// Input holds the counties (hub, stations, villages with their produce,
// the hub fleet of routing/fleet vehicles) and the vehicle catalogue.
// Build it by hand (see ExamplePlan) or, in this module, from a generated
// scenario (internal/scenario's Scenario.RuralInput).
//
//	rep, err := rural.Plan(ctx, in, rural.Options{Seed: 1})
//	if err != nil {
//		return err
//	}
//	fmt.Println(rep.VillagesServed, "of", rep.VillagesTotal, "villages served")
package rural

// Package rural plans consolidated rural delivery over a week as one timed
// chain: city distribution centre → county hub → township station →
// village, parcels down and farm produce up.
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
// # Cold rooms
//
// Before routing, Plan sites cold rooms at township stations
// (ColdStorage): a single-source capacitated facility location problem per
// county, solved by depots/location.SolveSSCFLP, whose customers are the
// villages with cold-chain produce and whose facilities are the hub
// (collection at the village by a hub refrigerated van) and each size of
// room at each station. It weighs the rooms' cost against the
// refrigerated van-km they save, and reports the chosen sites, the cost
// and the Lagrangian lower bound.
//
// # Each day, in time order
//
//  1. Trunk lines: a trunk leaves the nearest city distribution centre
//     (Input.DCs) with the county's parcels and reaches the hub; parcels
//     are sorted (Options.HandlingSeconds: every cross-dock takes it).
//  2. Branch lines leave the hub after that, deliver each station's
//     parcels and, under the backhaul rule of the routing core (VRPB: on
//     every trip all deliveries come before any pickup), collect the
//     ambient produce the previous day's rounds left at the stations.
//  3. At each station, once its parcels are in and sorted, village rounds
//     deliver and collect ambient produce; at a station with a cold room a
//     refrigerated round collects its villages' cold produce into the room.
//  4. The hub's refrigerated vans collect cold produce at the villages
//     without a room, and empty yesterday's rooms.
//  5. The trunks go back up to the city: ambient after the last branch
//     line is in, refrigerated after the last cold van. Each trunk's
//     loaded-km share, in both directions, is its backhaul utilisation.
//
// Cold produce has its own capacity dimension, which only refrigerated
// vehicles have, and its jobs require the skill "cold_chain". Pickups
// bigger than a vehicle are split. The week is periodic: day 0's branch
// lines collect what day 6 left.
//
// Rounds and hub routes use the shared county fleet (County.Vehicles).
// Each station's rounds are routed with routing.Solve (SISR), then chained
// onto the county's vans: a van may run the rounds of several stations a
// day, driving empty between them, within Options.MaxDutyHours. What the
// fleet cannot do is tried on extra vehicles, and the report names them.
//
// # Report
//
// Coverage of villages per county and for the municipality (villages
// served at their frequency, by visit or by pickup; urban communities are
// counted apart); per day the routes with their times and the vehicles'
// shifts; every produce load followed to the city with its dwell at
// stations and hub and, for cold produce, its time out of refrigeration;
// the trunk lines and their backhaul; the cold rooms; the fleet used
// against the fleet available. Render it with Map (GeoJSON), CountySheet
// (small multiples by day) and OverviewSheet.
//
// Simplifications, stated: travel is the great-circle model in the
// county's class (geo.GreatCircle), trunks the suburban class at their
// own speed; a room's capacity is checked against its villages' per-visit
// kg as if all came on one day; rounds keep the start their branch line
// gives them (a van does not delay a round to serve it).
//
// # Example
//
// Input holds the counties (hub, stations, villages with their produce,
// the county fleet of routing/fleet vehicles), the vehicle catalogue and
// the city's distribution centres. Build it by hand (see ExamplePlan) or,
// in this module, from a generated scenario (internal/scenario's
// Scenario.RuralInput).
//
//	rep, err := rural.Plan(ctx, in, rural.Options{Seed: 1})
//	if err != nil {
//		return err
//	}
//	fmt.Println(rep.Municipality.Served, "of", rep.Municipality.Villages, "villages served")
package rural

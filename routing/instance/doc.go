// Package instance reads vehicle-routing problems: the published benchmark
// formats and lastmile's own JSON problem. Each reader returns an *Instance:
// the routing.Problem the solver takes plus what an independent checker and
// a benchmark report need (raw coordinates, the objective's rounding
// convention, the file's own node numbers as task ids).
//
// # Formats
//
//   - ReadSolomon: Solomon (1987) VRPTW files. Travel time equals distance;
//     the fleet and capacity are the file's (25 vehicles).
//   - ReadVRPLIB: TSPLIB/CVRPLIB .vrp files with EUC_2D weights (Augerat et
//     al. 1995 A, B, P; Christofides & Eilon 1969 E; Uchoa et al. 2017 X).
//   - ReadLiLim: Li & Lim (2001) PDPTW files; each pickup-delivery pair is a
//     routing.Shipment.
//   - ReadVRPB: Queiroga et al. (2020) VRP with backhauls, linehauls as
//     deliveries and backhauls as pickups, Problem.Backhaul set.
//   - DecodeJSON: lastmile's JSON problem (see Problem).
//
// # Conventions
//
// Benchmark sets state their objective differently: Solomon and Li & Lim
// best-known solutions use unrounded Euclidean distances, CVRPLIB and VRPB
// round each arc to the nearest integer, and the exact VRPTW literature
// truncates each arc to one decimal. The solver works on integers, so the
// readers scale fractional distances (Problem.Scale); an Instance keeps its
// Convention and coordinates so that package check can recompute the true
// objective without the solver's rounding.
//
// # Example
//
//	f, _ := os.Open("C101.txt")
//	in, err := instance.ReadSolomon(f)
//	if err != nil { ... }
//	sol, err := routing.Solve(ctx, in.Problem, routing.Options{Seed: 1})
package instance

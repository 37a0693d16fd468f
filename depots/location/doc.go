// Package location decides which facilities to open: capacitated facility
// location with fixed costs (multi- and single-source), p-median and
// capacitated p-median. Every solver returns a feasible solution together
// with a lower bound from a Lagrangian relaxation, so the caller knows how
// far from optimal it can be.
//
// The problems take flat matrices, so planners can pass real travel costs
// (for example geo.Matrix seconds times volumes) as well as the
// OR-Library benchmark files read by ReadCFLP, ReadPMedian and ReadCPMP.
//
// # Capacitated facility location
//
// SolveCFLP (demand may be split) bounds with the Lagrangian relaxation of
// the demand constraints plus the aggregate capacity constraint
// Σ s_i y_i ≥ Σ d_j, whose subproblems are continuous knapsacks and one
// 0-1 covering knapsack (Beasley, "An algorithm for solving large
// capacitated warehouse location problems", EJOR 33 (1988) 314–325;
// Cornuejols, Sridharan & Thizy, "A comparison of heuristics and
// relaxations for the capacitated plant location problem", EJOR 50 (1991)
// 280–297). Multipliers come from subgradient optimisation (Held, Wolfe &
// Crowder 1974). Open sets proposed by the relaxation are priced exactly
// as transportation problems (package flow), improved by add, drop and
// swap moves, and a best-bound branch-and-bound over open/closed
// facilities proves optimality on the OR-Library cap41–cap134 set in well
// under a second. A move is priced only if two cheap lower bounds allow
// it to improve: the Lagrangian one, and the LP dual bound from the
// current set's capacity prices (flow.Transportation.Price). With more
// than 60 facilities (capa, capb, capc) a variable neighbourhood search
// over open sets runs before the bound is refined. SolveSSCFLP assigns each customer to one facility with a
// regret heuristic for the generalised assignment problem (Martello & Toth
// 1981) and local search, bounded by the multi-source relaxation.
//
// # p-median
//
// SolvePMedian runs variable neighbourhood search (Hansen & Mladenović,
// "Variable neighborhood search for the p-median", Location Science 5
// (1997) 207–226) over Whitaker's fast interchange, and the Lagrangian
// relaxation of Beasley ("Lagrangean heuristics for location problems",
// EJOR 65 (1993) 383–399), whose open sets also seed the search. On
// pmed1–pmed40 the bound usually proves the solution optimal.
//
// # Capacitated p-median
//
// SolveCPMP relaxes the assignment constraints (each facility then solves
// a 0-1 knapsack by dynamic programming) for the bound, and searches
// median sets by swaps, cluster relocation (Osman & Christofides,
// "Capacitated clustering problems by hybrid simulated annealing and tabu
// search", ITOR 1 (1994) 317–336) and VNS perturbation. Each median set
// is allocated twice, by the regret heuristic for the generalised
// assignment problem and by rounding the transportation LP, both followed
// by shift, swap and ejection-chain moves; the better allocation is kept.
//
// # Budgets
//
// Options.Iterations bounds the main loop and makes runs reproducible for
// a Seed; Options.TimeLimit and the context stop a run early, which still
// returns the best solution and bound found.
package location

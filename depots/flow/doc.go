// Package flow solves minimum-cost flow and transportation problems with
// integer amounts and float64 costs.
//
// # Networks
//
// Graph is a general directed network: add arcs with AddArc, set node
// supplies with SetSupply (positive: must leave; negative: may arrive, up
// to that amount), and Solve. The algorithm is successive shortest paths
// with Dijkstra on reduced costs (Edmonds & Karp, "Theoretical
// improvements in algorithmic efficiency for network flow problems",
// J. ACM 19 (1972); Tomizawa 1971), as presented in Ahuja, Magnanti &
// Orlin, Network Flows (1993), ch. 9. Each search stops at the first
// demand node it settles, which makes the common case, where most
// supply goes straight to its cheapest sink, nearly linear.
//
// # Transportation
//
// Transport is the bipartite special case used by facility location and
// allocation: suppliers with capacities, customers with demands, a dense
// per-unit cost matrix (+Inf forbids a pair), and optionally a price per
// unit of unserved demand. A shortfall of capacity is never silent: it is
// reported per customer in Transportation.Unserved, and as ErrInfeasible
// unless a price for it was given.
//
// A 100×1000 problem (OR-Library capa) solves in tens of milliseconds.
package flow

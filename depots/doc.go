// Package depots models the logistics network (cloud warehouses,
// distribution centres, county hubs, township stations, village points and
// pickup points) and allocates demand to warehouses. Like every core
// package it does no I/O beyond decoding what it is handed.
//
// # Network
//
// A Facility has a kind, a location ([lon, lat], WGS-84) and its H3 cell,
// daily, per-category and cold-chain capacities, opening hours, fixed and
// handling costs and an operator (Shared or one carrier). Network.Validate
// rejects duplicate ids, negative or non-finite capacities and costs,
// cold-chain capacity above the daily capacity, unknown parents and, when
// zones are required, facilities outside every zone; errors wrap ErrInvalid
// and name the facility. Networks encode to JSON with snake_case fields and
// to GeoJSON points.
//
// # Allocation
//
// Allocate assigns Demand (daily parcels of one category in one H3 cell or
// zone, maybe cold-chain, with a delivery promise) to warehouses. A
// warehouse may serve a demand if the drive (from the travel matrix) keeps
// the promise, it takes the category (Capacity.PerCategory, when not
// empty) and, for cold demand, has a cold chain. Each warehouse stays
// within its daily, category and cold-chain capacity. The cost of a parcel
// is the warehouse's handling cost plus the Tariff's price per km and per
// hour of the drive.
//
// Splittable allocation is a minimum-cost flow (solved by package
// depots/flow): demand → (warehouse, category) → cold room → warehouse →
// sink, with capacities on the arcs and a penalty arc from each demand to
// the sink for what capacity cannot take, so a shortfall is reported, not
// an error. Volumes are carried in thousandths of a parcel. The flow is
// exact unless a category with both cold and ambient demand has a binding
// cap at a cold warehouse; then the caps are split and the gap to the
// relaxation is reported (see solveSplittable).
//
// Single sourcing (AllocateOptions.SingleSource), what operations want,
// serves each demand from one warehouse (all of it, or what that warehouse
// has room for). It rounds the splittable optimum and runs Martello &
// Toth's regret heuristic on Lagrangian and on true costs, improves each
// plan by local search (shifts, swaps and ejection chains), and reports the
// lower bound, the better of the LP bound and the Lagrangian bound (after
// Fisher, Jaikumar & Van Wassenhove 1986; its multipliers start at the
// flow's dual prices, and its subproblem lets one warehouse serve a demand
// only up to that warehouse's capacities, so that a demand larger than any
// single warehouse is bounded correctly), and the gap to it. Gap includes
// the penalty of volume left unserved for lack of capacity.
//
// Volume that cannot be served is listed with its reason: ReasonSLA (no
// warehouse within the promise), ReasonColdChain (none within the promise
// has a cold chain), ReasonCategory (none of those takes the category) or
// ReasonCapacity (the warehouses that may serve it are full).
// Allocation.Verify checks any allocation independently, and
// Allocation.GeoJSON draws each demand cell in its warehouse's colour.
//
// # Example
//
// Two warehouses serve three zones. The west one's general cap cannot take
// both general demands, so one goes south; fresh food goes to the only cold
// chain, except where that is too far for the promise:
//
//	p := &depots.AllocationProblem{
//		Warehouses: []depots.Facility{west, south},
//		Demand:     demand,
//		Tariff:     depots.Tariff{PerParcelKm: 0.03},
//	}
//	p.Matrix, _ = geo.GreatCircle{}.Matrix(ctx, p.Points())
//	a, err := depots.Allocate(ctx, p, depots.AllocateOptions{SingleSource: true})
//
// The package example runs this in full.
package depots

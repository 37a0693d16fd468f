// Package api is lastmile's HTTP API: routing for couriers, courier route
// re-planning, facilities for planners and a VROOM-compatible endpoint,
// served with net/http's pattern ServeMux. The contract is the OpenAPI 3.1
// document at /openapi.json; TestOpenAPIMatchesRoutes keeps it in step with
// the handlers.
//
// # Endpoints
//
//	POST   /v1/optimize                 solve a small problem synchronously
//	POST   /v1/jobs                     submit a large problem; 202 + Location
//	GET    /v1/jobs/{id}                status, progress (best cost, elapsed), result
//	GET    /v1/jobs/{id}/events         the same as server-sent events
//	DELETE /v1/jobs/{id}                cancel (also POST /v1/jobs/{id}/cancel)
//	POST   /v1/vroom                    VROOM input in, VROOM output out
//	GET    /v1/couriers/{id}/route      the courier's current route
//	POST   /v1/couriers/{id}/events     delivered, failed, arrived, order_added → re-plan
//	GET    /v1/couriers/{id}/events     the courier's reported events
//	POST   /v1/dispatch                 solve and assign routes to couriers (planner)
//	GET    /v1/plans/{id}               a stored plan (planner)
//	POST   /v1/plans/allocation         demand → cloud warehouses (depots.Allocate)
//	POST   /v1/plans/location           which facilities to open (location.SolveCFLP)
//	POST   /v1/plans/coverage           pickup-point coverage (coverage.Analyze)
//	POST   /v1/plans/sites              new pickup-point sites (coverage.SelectSites)
//	POST   /v1/plans/urban, /rural      seeded Chongqing urban day / rural week plans
//	GET    /v1/facilities[?kind=]       facility CRUD (planner), GeoJSON with ?format=geojson
//	GET    /healthz, /readyz, /openapi.json, /metrics
//
// Problems use lastmile's JSON problem document (routing/instance.Problem)
// with an "options" object: {time_limit_ms, iterations, seed}. The server
// applies its default time limit and caps what a request may ask.
//
// # Errors
//
// Every error is an RFC 9457 application/problem+json document. Sentinel
// errors map to statuses in one table (statusTable in problem.go); a 400
// names each bad field in invalid_params, with JSON paths such as
// "jobs[3].time_windows[0]". A 5xx never shows internals: the detail goes to
// the log. Panics, in handlers or in the solver, become a logged 500.
//
// # Security
//
// Clients send an API key as Authorization: Bearer KEY. Keys have roles:
// courier (optimise, jobs, VROOM, and only its own route and events when the
// key names a courier id), planner (also facilities, dispatch, plans and any
// courier) and operator (everything, including /metrics unless it is
// public). Each key has its own token-bucket rate limit, and each client
// address a budget of failed authentications (then 429).
//
// # Limits
//
// What no handler should see is refused at the edge (edge.go): bodies that
// are not a JSON object, invalid UTF-8, NUL in any string, path ids outside
// the id charset, headers over 64 KiB (a 431 problem). Problems are sized
// before anything is allocated for them (budget.go): tasks, vehicles and
// matrix rows are counted in the raw body (arrayLengths), then the decoded
// document's matrix side and estimated solver memory (instance.Size) are
// checked against the synchronous or job budget. A solve governor
// (governor.go) runs at most Config.MaxSolves solves and planner runs at
// once; a synchronous request waits Config.SolveWait for a slot, then gets
// 503 with Retry-After. Bodies held at once are bounded too. Every problem
// is validated at acceptance exactly as the solver will validate it.
//
// # Re-planning
//
// A stop event freezes the completed and in-progress stops. The remaining
// stops (and a new order) are re-solved with the vehicle starting at the
// courier's position at the event time, its capacity reduced by what it
// still carries that the sub-problem does not account for (pickups made,
// failed deliveries). The old order of the remaining stops is passed as
// routing.Options.Initial, so the solver starts from the current plan and
// only changes it where that lowers the cost ("minimal change" in the
// sense of re-optimisation from the incumbent, as in dynamic VRP practice:
// Pillac, Gendreau, Guéret & Medaglia 2013, "A review of dynamic vehicle
// routing problems", EJOR 225(1)). A picked-up shipment whose delivery is
// pending becomes a plain delivery job, since its load is on board.
//
// # Jobs and shutdown
//
// Optimize jobs (POST /v1/jobs) and planner runs asked for with Prefer:
// respond-async (RFC 7240) on POST /v1/plans/{kind} are jobs. With a store
// that has a durable queue ([Queue]: store.Postgres, store.SQLite) they run
// on River (github.com/riverqueue/river): the job row and its River entry
// are written in one transaction, and any number of servers and `lastmile
// worker` processes sharing the database take them, Config.Workers at a
// time each. Every River job kind has its own arguments type (OptimizeArgs,
// AllocationArgs, …) and worker (OptimizeWorker, PlanWorker); the work is
// thin: load the job, run the core (the solver, or the planner's handler on
// the stored request), store the outcome. A job takes a solver slot like a
// synchronous request.
//
// Every state change is compare-and-set (see [JobStore]): an attempt saves
// progress, which doubles as its heartbeat, every Config.ProgressInterval,
// and stops as soon as a save finds the job cancelled (through any server)
// or taken over. A worker that dies leaves a stale heartbeat; after
// Config.JobStaleAfter another process re-queues the job. Outcomes are
// saved with retries. Server.Shutdown stops taking jobs, lets running ones
// finish until its context ends, then cancels them and stores them as
// queued for another worker. With store.Memory, jobs run in this process
// from a bounded list (Config.QueueSize) and die with it.
//
// # Example
//
//	srv, err := api.New(api.Config{Store: store.NewMemory(), Keys: keys, Logger: log})
//	if err != nil { ... }
//	if err := srv.Start(ctx); err != nil { ... }
//	hs := srv.HTTPServer(":8080") // read, write and idle timeouts set
//	go hs.ListenAndServe()
//	<-ctx.Done()
//	hs.Shutdown(shutdownCtx)
//	srv.Shutdown(shutdownCtx)
package api

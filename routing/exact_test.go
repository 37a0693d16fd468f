package routing

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"
)

// bruteProblem is a random problem of at most maxTasks tasks over the
// features of fuzzProblem, with distances and times rounded up so that the
// matrices keep the triangle inequality (the brute force then prunes).
func bruteProblem(seed int64, maxTasks int) *Problem {
	r := newRNG(seed * 7717)
	flags := uint8(r.next())
	nJobs := 2 + r.intn(maxTasks-1)
	if flags&2 != 0 {
		nJobs = max(nJobs-(1+nJobs/3), 1) // shipments add 1+nJobs/3 tasks
	}
	p := fuzzProblem(seed, nJobs, 1+r.intn(3), flags&^128)
	pts := make([]xy, p.Locations)
	rr := newRNG(seed)
	for i := range pts {
		pts[i] = xy{float64(rr.intn(50)), float64(rr.intn(50))}
	}
	p.Durations, p.Distances = matrices(pts, func(d float64) int32 { return int32(math.Ceil(d * 10)) })
	for v := range p.Vehicles {
		p.Vehicles[v].SpeedFactor = 0 // scaled times may break the triangle inequality
		if r.intn(4) == 0 {
			s := int64(r.intn(1500))
			b := Break{ID: "lunch", TimeWindows: []TimeWindow{{s, s + int64(r.intn(600))}}, Service: int64(10 + r.intn(60))}
			if r.intn(2) == 0 {
				b.MaxLoad = make([]int64, p.Dimensions)
				for k := range b.MaxLoad {
					b.MaxLoad[k] = int64(r.intn(10))
				}
			}
			p.Vehicles[v].Breaks = []Break{b}
		}
	}
	return p
}

// bruteUnpruned bounds the plans of a problem the brute force enumerates
// without pruning.
const bruteUnpruned = 200_000

// TestSearchMatchesBruteForce holds the search (without the enumeration
// of tiny problems) to brute force on random problems of up to 7 tasks
// across the model's features: every answer must be feasible, and its cost
// optimal in at least 99% of cases.
func TestSearchMatchesBruteForce(t *testing.T) {
	const cases = 120
	tried, optimal := 0, 0
	for seed := int64(1); tried < cases; seed++ {
		p := bruteProblem(seed, 7)
		if validate(p) != nil {
			continue
		}
		in := compile(p)
		metric := in.metric()
		if !metric && in.enumerationSize(bruteUnpruned) > bruteUnpruned {
			continue // breaks void pruning: keep the test fast
		}
		opt := in.enumerate(metric, 0, nil)
		if opt == nil {
			t.Fatalf("seed %d: enumeration found no plan", seed)
		}
		sol, err := solveWith(context.Background(), p, Options{Seed: 3, Iterations: 3000}, false)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if err := verify(p, sol); err != nil {
			t.Fatalf("seed %d: infeasible: %v", seed, err)
		}
		tried++
		got := internalCost(in, sol)
		switch {
		case got < opt.cost:
			t.Fatalf("seed %d: search %d beats brute force %d: the enumeration misses plans", seed, got, opt.cost)
		case got == opt.cost:
			optimal++
		default:
			t.Logf("seed %d: search %d, optimum %d", seed, got, opt.cost)
		}
	}
	// The search reaches 119 of 120 at 3 000 iterations.
	t.Logf("optimal in %d of %d cases", optimal, cases)
	if optimal*100 < cases*99 {
		t.Fatalf("optimal in %d of %d cases, want ≥ 99%%", optimal, cases)
	}
}

// internalCost is the search's objective of a public solution: route costs
// plus internal penalties (required tasks included).
func internalCost(in *compiled, sol *Solution) int64 {
	c := sol.Cost
	for _, u := range sol.Unassigned {
		t := u.Task
		if u.Shipment {
			t += in.nJobs
			c -= in.p.Shipments[u.Task].Penalty
		} else {
			c -= in.p.Jobs[u.Task].Penalty
		}
		c += in.penalty[t]
	}
	return c
}

// TestSolveExactOnTinyProblems checks that Solve returns the enumerated
// optimum on tiny problems without a time or iteration limit, and that the
// enumeration agrees with and without pruning.
func TestSolveExactOnTinyProblems(t *testing.T) {
	n := 0
	for seed := int64(1); n < 60; seed++ {
		p := bruteProblem(seed, 4)
		if validate(p) != nil {
			continue
		}
		in := compile(p)
		if in.enumerationSize(20_000) > 20_000 {
			continue
		}
		n++
		a, b := in.enumerate(in.metric(), 0, nil), in.enumerate(false, 0, nil)
		if a.cost != b.cost {
			t.Fatalf("seed %d: pruned enumeration %d, full %d", seed, a.cost, b.cost)
		}
		sol, err := Solve(context.Background(), p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkSolution(t, p, sol)
		if got := internalCost(in, sol); got != a.cost {
			t.Fatalf("seed %d: Solve %d, optimum %d", seed, got, a.cost)
		}
	}
}

// Priorities are lexicographic: one priority-1 job outweighs two
// priority-0 jobs (capacity 2, c needs both units and lies far away), and a
// priority-50 job outweighs two priority-10 jobs.
func TestPrioritiesLexicographic(t *testing.T) {
	for _, tc := range []struct{ lo, hi int }{{0, 1}, {10, 50}} {
		p := pointsProblem([]xy{{0, 0}, {1, 0}, {0, 1}, {30, 30}}, []int64{1, 1, 2}, 1, 2)
		p.Jobs[0].Priority, p.Jobs[1].Priority, p.Jobs[2].Priority = tc.lo, tc.lo, tc.hi
		for _, exact := range []bool{true, false} {
			sol, err := solveWith(context.Background(), p, Options{Seed: 1, Iterations: 200}, exact)
			if err != nil {
				t.Fatal(err)
			}
			checkSolution(t, p, sol)
			if len(sol.Unassigned) != 2 || sol.Unassigned[0].Task == 2 || sol.Unassigned[1].Task == 2 {
				t.Fatalf("priorities %v, exact %v: unassigned %+v, want jobs 0 and 1", tc, exact, sol.Unassigned)
			}
		}
	}
}

// The time limit is a cap: with the default effort a 40-job problem stops
// on the no-improvement rule long before an hour, and effort level 0 stops
// after the first solution.
func TestEffortStopsEarly(t *testing.T) {
	p := fuzzProblem(5, 40, 4, 1)
	if err := validate(p); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	last := -1
	sol, err := Solve(ctx, p, Options{Seed: 1, TimeLimit: time.Hour, Progress: func(pr Progress) { last = pr.Iteration }})
	if err != nil {
		t.Fatal(err)
	}
	checkSolution(t, p, sol)
	if ctx.Err() != nil {
		t.Fatal("the default effort ran until the context ended")
	}
	idle, _ := idleLimit(Options{}, compile(p).nTN)
	if last < 0 || idle == 0 {
		t.Fatalf("last improvement at %d, idle limit %d", last, idle)
	}
	_, err = Solve(ctx, p, Options{Seed: 1, Effort: EffortLevel(0), Progress: func(pr Progress) {
		if pr.Iteration != 0 {
			t.Errorf("effort 0 reported iteration %d", pr.Iteration)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if l := EffortLevel(9).Level(); l != 5 {
		t.Fatalf("EffortLevel(9).Level() = %d, want 5", l)
	}
	if l := (Effort(0)).Level(); l != DefaultEffort {
		t.Fatalf("zero Effort level %d, want %d", l, DefaultEffort)
	}
}

// Costs.TimeBasis decides what PerSecond pays for: paying for waiting
// fills the wait before b with the detour to c; paying for driving only
// (VROOM's objective) drives less and waits.
func TestTimeBasis(t *testing.T) {
	p := pointsProblem([]xy{{0, 0}, {10, 0}, {20, 0}, {10, 10}}, nil, 1, 10)
	p.Vehicles[0].Costs = Costs{PerSecond: 1}
	p.Jobs[0].TimeWindows = []TimeWindow{{0, 1000}}
	p.Jobs[1].TimeWindows = []TimeWindow{{5000, 6000}}
	for _, tc := range []struct {
		basis TimeBasis
		order []int
	}{{PayDuration, []int{0, 2, 1}}, {PayWork, []int{0, 1, 2}}, {PayTravel, []int{0, 1, 2}}} {
		p.Vehicles[0].Costs.TimeBasis = tc.basis
		for _, exact := range []bool{true, false} {
			sol, err := solveWith(context.Background(), p, Options{Seed: 1, Iterations: 100}, exact)
			if err != nil {
				t.Fatal(err)
			}
			checkSolution(t, p, sol)
			if got := jobOrder(sol.Routes[0]); !slices.Equal(got, tc.order) {
				t.Fatalf("basis %d, exact %v: order %v, want %v", tc.basis, exact, got, tc.order)
			}
		}
	}
}

// No reload unless it pays: with ample capacity and the depot on the way
// (a reload costs no distance), the route does not reload, which would
// delay every later stop by the reload time.
func TestNoNeedlessReload(t *testing.T) {
	p := pointsProblem([]xy{{0, 0}, {2, 0}, {1, 0}, {-1, 0}}, nil, 1, 10)
	p.Vehicles[0].MaxTrips, p.Vehicles[0].ReloadTime = 3, 300
	for _, exact := range []bool{true, false} {
		sol, err := solveWith(context.Background(), p, Options{Seed: 1, Iterations: 200}, exact)
		if err != nil {
			t.Fatal(err)
		}
		checkSolution(t, p, sol)
		for _, st := range sol.Routes[0].Stops {
			if st.Kind == KindReload {
				t.Fatalf("exact %v: needless reload in %v", exact, jobOrder(sol.Routes[0]))
			}
		}
	}
}

// A job left out because the shift has no time for another trip is
// reported as "shift", not "capacity".
func TestReasonShift(t *testing.T) {
	p := pointsProblem([]xy{{0, 0}, {1, 0}, {0, 1}, {-1, 0}}, []int64{2, 2, 2}, 1, 2)
	p.Vehicles[0].MaxTrips, p.Vehicles[0].Shift = 3, TimeWindow{0, 450}
	sol := solve(t, p, 100)
	if len(sol.Unassigned) != 1 || sol.Unassigned[0].Reason != ReasonShift {
		t.Fatalf("unassigned %+v, want one job with reason shift", sol.Unassigned)
	}
}

// The backhaul rule covers shipments: a shipment is picked up only after
// the trip's last delivery job, even when picking it up on the way out
// is shorter.
func TestBackhaulShipment(t *testing.T) {
	p := pointsProblem([]xy{{0, 0}, {2, 0}, {1, 0}, {3, 0}}, nil, 1, 10)
	p.Jobs = p.Jobs[:1]
	p.Shipments = []Shipment{{Pickup: Stop{Location: 2}, Delivery: Stop{Location: 3}, Amount: []int64{1}}}
	p.Backhaul = true
	for _, exact := range []bool{true, false} {
		sol, err := solveWith(context.Background(), p, Options{Seed: 1, Iterations: 100}, exact)
		if err != nil {
			t.Fatal(err)
		}
		checkSolution(t, p, sol)
		var kinds []StopKind
		for _, st := range sol.Routes[0].Stops {
			kinds = append(kinds, st.Kind)
		}
		if !slices.Equal(kinds, []StopKind{KindStart, KindJob, KindPickup, KindDelivery, KindEnd}) {
			t.Fatalf("exact %v: stops %v, want the job before the pickup", exact, kinds)
		}
	}
}

// Breaks are taken within their windows, cost nothing when they fit a
// wait, and delay what follows otherwise.
func TestBreaks(t *testing.T) {
	p := pointsProblem([]xy{{0, 0}, {1, 0}, {2, 0}, {3, 0}}, nil, 1, 10)
	p.Jobs[2].TimeWindows = []TimeWindow{{600, 700}} // a wait before the third job
	p.Vehicles[0].Breaks = []Break{{ID: "lunch", TimeWindows: []TimeWindow{{150, 400}}, Service: 200}}
	for _, exact := range []bool{true, false} {
		sol, err := solveWith(context.Background(), p, Options{Seed: 1, Iterations: 100}, exact)
		if err != nil {
			t.Fatal(err)
		}
		checkSolution(t, p, sol)
		var br *RouteStop
		for i, st := range sol.Routes[0].Stops {
			if st.Kind == KindBreak {
				br = &sol.Routes[0].Stops[i]
			}
		}
		if br == nil || br.Task != 0 || br.Departure-br.Waiting-br.Arrival != 200 || br.Arrival+br.Waiting < 150 {
			t.Fatalf("exact %v: break %+v in %+v", exact, br, sol.Routes[0].Stops)
		}
		if len(sol.Unassigned) != 0 {
			t.Fatalf("unassigned %+v", sol.Unassigned)
		}
	}
	// A break that leaves no time for the third job's window.
	p.Vehicles[0].Breaks[0] = Break{ID: "long", TimeWindows: []TimeWindow{{100, 150}}, Service: 1000}
	sol := solve(t, p, 100)
	if len(sol.Unassigned) == 0 {
		t.Fatalf("the long break should leave a job out: %+v", sol.Routes)
	}
}

// MinimizeVehicles puts the fleet's size before cost: one vehicle serves
// both jobs, driving 21 instead of 2.
func TestMinimizeVehicles(t *testing.T) {
	p := pointsProblem([]xy{{10, 0}, {-10, 0}, {10, 1}, {-10, 1}}, nil, 2, 10)
	p.Jobs = p.Jobs[1:] // jobs at locations 2 and 3
	p.Vehicles[0].End, p.Vehicles[1].Start, p.Vehicles[1].End = -1, 1, -1
	for _, minimize := range []bool{false, true} {
		for _, exact := range []bool{true, false} {
			sol, err := solveWith(context.Background(), p, Options{Seed: 1, Iterations: 200, MinimizeVehicles: minimize}, exact)
			if err != nil {
				t.Fatal(err)
			}
			checkSolution(t, p, sol)
			want := 2
			if minimize {
				want = 1
			}
			if len(sol.Routes) != want {
				t.Fatalf("minimize %v, exact %v: %d routes, want %d", minimize, exact, len(sol.Routes), want)
			}
		}
	}
}

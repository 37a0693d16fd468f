package routing

import (
	"context"
	"slices"
	"testing"
)

// hotSearch returns a search positioned on a solved random instance, for
// measuring move evaluation.
func hotSearch(tb testing.TB, n int) (*search, *solution) {
	tb.Helper()
	p := randomProblem(newRNG(9), n, true)
	p.Shipments = []Shipment{
		{Pickup: Stop{Location: 1}, Delivery: Stop{Location: 2}, Amount: []int64{1}},
		{Pickup: Stop{Location: 3}, Delivery: Stop{Location: 4}, Amount: []int64{1}},
	}
	if err := validate(p); err != nil {
		tb.Fatal(err)
	}
	in := compile(p)
	s := newSearch(in, Options{Seed: 1, Iterations: 300}, 1)
	s.run(context.Background(), nil)
	return s, s.best
}

func TestMoveEvaluationAllocs(t *testing.T) {
	s, sol := hotSearch(t, 60)
	in := s.in
	var ins insertion
	t.Run("insert job", func(t *testing.T) {
		a := testing.AllocsPerRun(100, func() {
			for v := range sol.routes {
				ins.reset()
				s.insertJob(sol, &sol.routes[v], 0, &ins, sisrBlink)
			}
		})
		if a != 0 {
			t.Fatalf("job insertion allocs = %v, want 0", a)
		}
	})
	t.Run("insert shipment", func(t *testing.T) {
		pn := in.taskNode[in.nJobs]
		a := testing.AllocsPerRun(100, func() {
			for v := range sol.routes {
				ins.reset()
				s.insertShipment(&sol.routes[v], pn, in.partner[pn], &ins, sisrBlink)
			}
		})
		if a != 0 {
			t.Fatalf("shipment insertion allocs = %v, want 0", a)
		}
	})
	t.Run("best insertion", func(t *testing.T) {
		a := testing.AllocsPerRun(100, func() { s.bestInsertion(sol, 5, sisrBlink, &ins) })
		if a != 0 {
			t.Fatalf("best insertion allocs = %v, want 0", a)
		}
	})
	t.Run("local search moves", func(t *testing.T) {
		// Evaluate without applying: swap and 2-opt* on a local optimum
		// find nothing to apply, so this measures evaluation only.
		s.localSearch(sol)
		a := testing.AllocsPerRun(20, func() {
			for nd := int32(0); nd < int32(in.nJobs); nd++ {
				if sol.routeOf[nd] >= 0 {
					s.swapJobs(sol, nd)
					s.twoOptStar(sol, nd)
				}
			}
			for v := range sol.routes {
				if !sol.routes[v].empty() {
					s.orOpt(sol, int32(v))
					s.twoOpt(sol, int32(v))
				}
			}
		})
		if a != 0 {
			t.Fatalf("local search evaluation allocs = %v, want 0", a)
		}
	})
	t.Run("ruin and recreate", func(t *testing.T) {
		s.cand.copyFrom(sol)
		s.cur.copyFrom(sol)
		iter := func() {
			s.ruin(s.cand)
			s.recreate(s.cand, sisrBlink)
			s.sync(s.cand, s.cur)
		}
		for i := 0; i < 50; i++ { // warm scratch capacity up
			iter()
		}
		if a := testing.AllocsPerRun(50, iter); a != 0 {
			t.Fatalf("ruin-and-recreate iteration allocs = %v, want 0", a)
		}
	})
}

// BenchmarkMoveEval measures O(1) move evaluations per second: every job
// insertion position of every route for one task.
func BenchmarkMoveEval(b *testing.B) {
	s, sol := hotSearch(b, 100)
	var ins insertion
	positions := 0
	for v := range sol.routes {
		positions += len(sol.routes[v].nodes) - 1
	}
	b.ReportAllocs()
	for b.Loop() {
		for v := range sol.routes {
			ins.reset()
			s.insertJob(sol, &sol.routes[v], 7, &ins, 0)
		}
	}
	b.ReportMetric(float64(positions)*float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

// BenchmarkIteration measures whole ruin-and-recreate iterations.
func BenchmarkIteration(b *testing.B) {
	p := loadSolomon(b, "R101")
	b.ReportAllocs()
	var sol *Solution
	for b.Loop() {
		sol, _ = Solve(context.Background(), p, Options{Seed: 1, Iterations: 2000})
	}
	b.ReportMetric(2000*float64(b.N)/b.Elapsed().Seconds(), "iter/s")
	b.ReportMetric(100*(float64(sol.Cost)/1000-1642.88)/1642.88, "gap%")
}

func FuzzSolve(f *testing.F) {
	f.Add(int64(1), uint8(5), uint8(2), uint8(0))
	f.Add(int64(2), uint8(9), uint8(1), uint8(0xff))
	f.Add(int64(3), uint8(1), uint8(0), uint8(0x0f))
	f.Add(int64(4), uint8(12), uint8(3), uint8(0xa5))
	f.Fuzz(func(t *testing.T, seed int64, nJobs, nVeh, flags uint8) {
		p := fuzzProblem(seed, int(nJobs%14), int(nVeh%4), flags)
		sol, err := Solve(context.Background(), p, Options{Seed: seed, Iterations: 30})
		if err != nil {
			return // invalid problems are allowed to fail, not to panic
		}
		if err := verify(p, sol); err != nil {
			t.Fatalf("invalid solution: %v", err)
		}
	})
}

// fuzzProblem builds a small random problem whose features are switched on
// by flags: time windows, shipments, backhaul, multi-trip, open routes,
// limits, skills, several windows, penalties, unreachable arcs.
func fuzzProblem(seed int64, nJobs, nVeh int, flags uint8) *Problem {
	r := newRNG(seed)
	n := nJobs + 5
	pts := make([]xy, n)
	for i := range pts {
		pts[i] = xy{float64(r.intn(50)), float64(r.intn(50))}
	}
	p := &Problem{Locations: n, Dimensions: 1 + r.intn(2)}
	p.Durations, p.Distances = matrices(pts, func(d float64) int32 { return int32(d * 10) })
	amt := func() []int64 {
		a := make([]int64, p.Dimensions)
		for k := range a {
			a[k] = int64(r.intn(6))
		}
		return a
	}
	for i := 0; i < nVeh; i++ {
		v := Vehicle{Start: r.intn(n), End: r.intn(n), Capacity: make([]int64, p.Dimensions),
			Costs: Costs{Fixed: int64(r.intn(100)), PerMeter: 1, PerSecond: int64(r.intn(2))}}
		for k := range v.Capacity {
			v.Capacity[k] = int64(5 + r.intn(15))
		}
		if flags&8 != 0 && r.intn(2) == 0 {
			v.End = -1
		}
		if flags&16 != 0 {
			v.MaxTrips, v.ReloadTime = 1+r.intn(3), int64(r.intn(30))
		}
		if flags&32 != 0 {
			v.MaxStops, v.MaxDistance, v.MaxDuration = r.intn(6), int64(r.intn(3000)), int64(r.intn(3000))
		}
		if flags&64 != 0 && r.intn(2) == 0 {
			v.Skills = []string{"a"}
			v.SpeedFactor = 1.5
		}
		if flags&1 != 0 {
			v.Shift = TimeWindow{0, int64(1000 + r.intn(3000))}
		}
		p.Vehicles = append(p.Vehicles, v)
	}
	p.Backhaul = flags&4 != 0
	tws := func() []TimeWindow {
		if flags&1 == 0 {
			return nil
		}
		s := int64(r.intn(2000))
		w := []TimeWindow{{s, s + int64(r.intn(800))}}
		if flags&128 != 0 && r.intn(2) == 0 {
			w = append(w, TimeWindow{w[0].End + 100, w[0].End + 600})
		}
		return w
	}
	for j := 0; j < nJobs; j++ {
		job := Job{Location: r.intn(n), Service: int64(r.intn(50)), TimeWindows: tws()}
		if r.intn(3) > 0 {
			job.Delivery = amt()
		} else {
			job.Pickup = amt()
		}
		if flags&64 != 0 && r.intn(4) == 0 {
			job.Skills = []string{"a"}
		}
		if flags&128 != 0 && r.intn(3) == 0 {
			job.Penalty = int64(r.intn(500))
		}
		job.Priority = r.intn(3)
		p.Jobs = append(p.Jobs, job)
	}
	if flags&2 != 0 {
		for s := 0; s < 1+nJobs/3; s++ {
			p.Shipments = append(p.Shipments, Shipment{
				Pickup:   Stop{Location: r.intn(n), TimeWindows: tws()},
				Delivery: Stop{Location: r.intn(n), TimeWindows: tws()},
				Amount:   amt(),
			})
		}
	}
	if flags&128 != 0 {
		p.Durations[r.intn(n*n)] = Unreachable
	}
	return p
}

// TestIncrementalSummaries checks that the partial refresh after an
// insertion leaves every summary equal to a full rebuild.
func TestIncrementalSummaries(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		p := fuzzProblem(seed, 13, 3, uint8(seed*37)&^16) // no multi-trip: those rebuild fully
		if validate(p) != nil {
			continue
		}
		in := compile(p)
		s := newSearch(in, Options{}, seed)
		sol := in.newSolution()
		var ins insertion
		for tk := 0; tk < in.nTasks; tk++ {
			s.bestInsertion(sol, tk, 0, &ins)
			if ins.v < 0 {
				continue
			}
			in.apply(sol, tk, &ins)
			r := &sol.routes[ins.v]
			var full route
			full.copyFrom(r)
			in.rebuild(&full)
			if !slices.Equal(full.fT, r.fT) || !slices.Equal(full.bT, r.bT) || !slices.Equal(full.fL, r.fL) ||
				!slices.Equal(full.bL, r.bL) || !slices.Equal(full.fD, r.fD) || !slices.Equal(full.bLine, r.bLine) ||
				!slices.Equal(full.fBack, r.fBack) || !slices.Equal(full.open, r.open) || full.cost != r.cost {
				t.Fatalf("seed %d task %d: partial refresh differs from a full rebuild", seed, tk)
			}
			for i, nd := range r.nodes {
				if int(nd) < in.nTN && (sol.posOf[nd] != int32(i) || sol.routeOf[nd] != ins.v) {
					t.Fatalf("seed %d task %d: index of node %d is stale", seed, tk, nd)
				}
			}
		}
	}
}

// multiTripProblem has two vehicles of three trips each for n jobs, so that
// routes are long and granular positions apply.
func multiTripProblem(n int) *Problem {
	r := newRNG(5)
	pts := []xy{{50, 50}}
	for i := 0; i < n; i++ {
		pts = append(pts, xy{float64(r.intn(100)), float64(r.intn(100))})
	}
	p := pointsProblem(pts, nil, 2, int64(n/5))
	for v := range p.Vehicles {
		p.Vehicles[v].MaxTrips = 3
		p.Vehicles[v].ReloadTime = 600
	}
	return p
}

func TestGranularInsertion(t *testing.T) {
	p := multiTripProblem(120)
	sol := solve(t, p, 300)
	if len(sol.Unassigned) != 0 {
		t.Fatalf("%d jobs unassigned, want 0", len(sol.Unassigned))
	}
	in := compile(p)
	s := newSearch(in, Options{Seed: 1, Iterations: 200}, 1)
	if !s.granPos {
		t.Fatal("granular positions off on a multi-trip problem")
	}
	s.run(context.Background(), nil)
	best := s.best
	long := 0
	for v := range best.routes {
		r := &best.routes[v]
		if len(r.nodes) <= granularRouteNodes {
			continue
		}
		long++
		for x := int32(0); x < int32(in.nTN); x++ {
			ps := s.nearPositions(best, r, x)
			for i, k := range ps {
				if k < 0 || int(k) > len(r.nodes)-2 || (i > 0 && ps[i-1] >= k) {
					t.Fatalf("route %d, node %d: positions %v not increasing within [0, %d]", v, x, ps, len(r.nodes)-2)
				}
			}
		}
	}
	if long == 0 {
		t.Fatal("no route longer than granularRouteNodes")
	}
	var ins insertion
	a := testing.AllocsPerRun(100, func() {
		for v := range best.routes {
			ins.reset()
			s.insertJob(best, &best.routes[v], 3, &ins, sisrBlink)
		}
		s.bestInsertion(best, 3, sisrBlink, &ins)
	})
	if a != 0 {
		t.Fatalf("granular insertion allocs = %v, want 0", a)
	}
}

// A cancelled ctx stops the local search of the first solution, but every
// task is still inserted: the construction never drops a task to save time.
func TestCancelledSolveIsComplete(t *testing.T) {
	p := multiTripProblem(120)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sol, err := Solve(ctx, p, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkSolution(t, p, sol)
	if len(sol.Unassigned) != 0 {
		t.Fatalf("%d jobs unassigned after a cancelled solve, want 0", len(sol.Unassigned))
	}
}

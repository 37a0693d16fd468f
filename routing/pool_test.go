package routing

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// newTestPool compiles p and makes a pool of k searches.
func newTestPool(p *Problem, opts Options, k int) (*compiled, *pool) {
	in := compile(p)
	var ss []*search
	for i := range k {
		ss = append(ss, newSearch(in, opts, int64(i+1)))
	}
	return in, newPool(in, ss)
}

// checkBookkeeping fails unless sol's index and cost are what its routes
// say, and every route's summaries are a rebuild's.
func checkBookkeeping(t *testing.T, in *compiled, what string, sol *solution) {
	t.Helper()
	cost, out := int64(0), make([]bool, in.nTasks)
	for i := range out {
		out[i] = true
	}
	for v := range sol.routes {
		r := &sol.routes[v]
		var fresh route
		fresh.copyFrom(r)
		in.rebuild(&fresh)
		if fresh.cost != r.cost || fresh.stops != r.stops {
			t.Fatalf("%s: route %d summary cost %d stops %d, rebuilt %d %d", what, v, r.cost, r.stops, fresh.cost, fresh.stops)
		}
		cost += r.cost
		for i, nd := range r.nodes {
			if int(nd) >= in.nTN {
				continue
			}
			if sol.routeOf[nd] != int32(v) || sol.posOf[nd] != int32(i) {
				t.Fatalf("%s: node %d at route %d position %d, index says %d, %d", what, nd, v, i, sol.routeOf[nd], sol.posOf[nd])
			}
			out[in.task[nd]] = false
		}
	}
	n := 0
	for task, o := range out {
		if o != sol.unassigned[task] {
			t.Fatalf("%s: task %d left out %v, index says %v", what, task, o, sol.unassigned[task])
		}
		if o {
			n++
			cost += in.penalty[task]
		}
	}
	if n != sol.nUnassigned || cost != sol.cost {
		t.Fatalf("%s: %d left out and cost %d, kept as %d and %d", what, n, cost, sol.nUnassigned, sol.cost)
	}
}

// TestPoolKeepsOnePlan runs pools of two and three threads on problems
// with every feature and checks that the shared plan and the best one are
// consistent with their routes after thousands of commits, that the
// iteration limit is kept exactly, and that the answers are feasible.
func TestPoolKeepsOnePlan(t *testing.T) {
	tests := []struct {
		name string
		p    *Problem
	}{
		{"capacities", randomProblem(newRNG(120), 120, false)},
		{"time windows", randomProblem(newRNG(150), 150, true)},
		{"multi-trip", multiTripProblem(80)},
		{"every feature", fuzzProblem(7, 60, 8, 0xff)},
		{"shipments and backhauls", fuzzProblem(11, 50, 6, 0x07)},
	}
	for _, tt := range tests {
		for _, k := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/%d threads", tt.name, k), func(t *testing.T) {
				opts := Options{Seed: 1, Iterations: 3000}
				in, pl := newTestPool(tt.p, opts, k)
				best := pl.run(context.Background(), nil)
				checkBookkeeping(t, in, "shared plan", pl.cur)
				checkBookkeeping(t, in, "best plan", best)
				if got := pl.iters.Load(); got != int64(opts.Iterations) {
					t.Errorf("%d iterations, want %d", got, opts.Iterations)
				}
				if pl.accepted == 0 {
					t.Error("no step was committed")
				}
				opts.Threads = k
				sol, err := Solve(context.Background(), tt.p, opts)
				if err != nil {
					t.Fatal(err)
				}
				checkSolution(t, tt.p, sol)
			})
		}
	}
}

// TestPoolFresh checks the commit rule: a step is refused when another
// thread committed one of its routes, or inserted a task it inserted, since
// its copy was taken, and kept otherwise.
func TestPoolFresh(t *testing.T) {
	p := randomProblem(newRNG(9), 100, false)
	p.Jobs[0].Delivery = []int64{0} // the moved task: it fits every route
	tests := []struct {
		name string
		// b changes member b's candidate after member a moved task
		// moved from route from into route to and committed.
		b    func(t *testing.T, s *search, from, to int32, moved int)
		want bool
	}{
		{"another route", func(t *testing.T, s *search, from, to int32, _ int) {
			removeFrom(t, s, other(s.cand, from, to))
		}, true},
		{"the route a emptied", func(t *testing.T, s *search, from, _ int32, _ int) {
			removeFrom(t, s, from)
		}, false},
		{"the route a filled", func(t *testing.T, s *search, _, to int32, _ int) {
			removeFrom(t, s, to)
		}, false},
		{"the task a inserted, elsewhere", func(t *testing.T, s *search, from, to int32, moved int) {
			if got := insertInto(t, s, other(s.cand, from, to), moved); got == to {
				t.Fatalf("b's insertion went to a's route %d (from %d, other %d)", to, from, other(s.cand, from, to))
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, pl := newTestPool(p, Options{Seed: 1, Iterations: 1}, 2)
			if !pl.begin(context.Background(), nil) {
				t.Fatal("nothing to search")
			}
			a, b := pl.members[0], pl.members[1]
			// Take task 0 out of the plan everyone has, so that a can
			// insert it.
			moved := 0
			from := in.removeTask(pl.cur, moved)
			in.refresh(pl.cur, from)
			for _, m := range pl.members {
				m.s.cur.copyFrom(pl.cur)
				m.s.cand.copyFrom(pl.cur)
			}
			to := insertInto(t, a.s, other(a.s.cand, from, -1), moved)
			a.s.refresh(a.s.cand, from) // a's step touched from too
			if !pl.fresh(a) {
				t.Fatal("a's step refused with nothing committed")
			}
			pl.commit(a)
			checkBookkeeping(t, in, "shared plan after a's commit", pl.cur)
			tt.b(t, b.s, from, to, moved)
			if got := pl.fresh(b); got != tt.want {
				t.Errorf("b's step fresh = %v, want %v", got, tt.want)
			}
			pl.pull(b)
			b.s.cur.copyIndex(pl.cur)
			checkBookkeeping(t, in, "b after the pull", b.s.cur)
		})
	}
}

// other returns a used route of sol that is neither a nor b.
func other(sol *solution, a, b int32) int32 {
	for v := range sol.routes {
		if v32 := int32(v); v32 != a && v32 != b && !sol.routes[v].empty() {
			return v32
		}
	}
	return -1
}

// removeFrom takes the first task out of route v of s's candidate.
func removeFrom(t *testing.T, s *search, v int32) {
	t.Helper()
	if v < 0 {
		t.Fatal("no such route")
	}
	task := int(s.in.task[s.cand.routes[v].nodes[1]])
	s.in.removeTask(s.cand, task)
	s.refresh(s.cand, v)
}

// insertInto inserts task into route v of s's candidate, or into some
// other route when it does not fit there, and returns the route.
func insertInto(t *testing.T, s *search, v int32, task int) int32 {
	t.Helper()
	var ins insertion
	for u := range s.cand.routes {
		w := (int(v) + u) % len(s.cand.routes)
		if s.cand.routes[w].empty() {
			continue
		}
		ins.reset()
		s.insertJob(s.cand, &s.cand.routes[w], s.in.taskNode[task], &ins, 0)
		if ins.v >= 0 {
			s.in.apply(s.cand, task, &ins)
			s.mark(ins.v)
			return ins.v
		}
	}
	t.Fatalf("task %d fits no used route", task)
	return -1
}

// TestPoolStepAllocs checks that a pool's steps, commits and pulls do not
// allocate once the buffers have grown.
func TestPoolStepAllocs(t *testing.T) {
	_, pl := newTestPool(randomProblem(newRNG(4), 100, true), Options{Seed: 1}, 2)
	if !pl.begin(context.Background(), nil) {
		t.Fatal("nothing to search")
	}
	a, b := pl.members[0], pl.members[1]
	for range 3000 {
		pl.step(a)
		pl.step(b)
	}
	if allocs := testing.AllocsPerRun(500, func() {
		pl.step(a)
		pl.step(b)
	}); allocs != 0 {
		t.Errorf("%.2f allocations per pair of steps, want 0", allocs)
	}
	if pl.accepted == 0 {
		t.Error("no step was committed")
	}
}

// BenchmarkPoolThroughput solves one 150-task problem for a fixed number
// of iterations with one thread and with two, and reports iterations per
// second of wall time; their ratio is the pool's speed-up:
//
//	go test ./routing -run '^$' -bench PoolThroughput -count 5
func BenchmarkPoolThroughput(b *testing.B) {
	p := randomProblem(newRNG(150), 150, false)
	const iterations = 100_000
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Solve(context.Background(), p, Options{Seed: 1, Iterations: iterations, Threads: threads}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(iterations*float64(b.N)/b.Elapsed().Seconds(), "iter/s")
		})
	}
}

// TestThreadsBounded checks that a thread count beyond maxThreads is a
// field error, not thousands of plan copies.
func TestThreadsBounded(t *testing.T) {
	p := randomProblem(newRNG(3), 10, false)
	for _, threads := range []int{-1, maxThreads + 1, 1 << 30} {
		_, err := Solve(context.Background(), p, Options{Iterations: 10, Threads: threads})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("threads %d: err = %v, want ErrInvalid", threads, err)
		}
	}
	if _, err := Solve(context.Background(), p, Options{Iterations: 10, Threads: maxThreads}); err != nil {
		t.Errorf("threads %d: %v", maxThreads, err)
	}
}

package routing

import (
	"context"
	"testing"
)

// TestTeamSplits runs two and three threads on problems with enough routes
// to split and with too few, under iteration limits: every answer is
// feasible, the same seed gives the same plan, and the joined plans'
// bookkeeping matches a rebuild from their routes.
func TestTeamSplits(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		tw      bool
		threads int
	}{
		{"split, 2 threads", 120, false, 2},
		{"split, 3 threads, windows", 150, true, 3},
		{"too few routes", 12, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := randomProblem(newRNG(int64(tt.n)), tt.n, tt.tw)
			opts := Options{Seed: 3, Iterations: 1500, Threads: tt.threads}
			a, err := Solve(context.Background(), p, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkSolution(t, p, a)
			b, err := Solve(context.Background(), p, opts)
			if err != nil {
				t.Fatal(err)
			}
			if a.Cost != b.Cost || len(a.Routes) != len(b.Routes) {
				t.Errorf("same seed, different plans: cost %d and %d, %d and %d routes", a.Cost, b.Cost, len(a.Routes), len(b.Routes))
			}
		})
	}
}

// TestTeamJoin checks that a plan joined from two threads' parts has the
// index and cost of the plan they split, and that the threads' masks cover
// every route and task exactly once.
func TestTeamJoin(t *testing.T) {
	p := randomProblem(newRNG(9), 100, false)
	in := compile(p)
	opts := Options{Seed: 1, Iterations: 1}
	ss := []*search{newSearch(in, opts, 1), newSearch(in, opts, 2)}
	tm := newTeam(in, ss)
	lead := ss[0]
	if !lead.begin(context.Background(), nil) {
		t.Fatal("nothing to search")
	}
	for _, s := range ss[1:] {
		s.cur, s.cand, s.best = in.newSolution(), in.newSolution(), in.newSolution()
	}
	tm.cur.copyFrom(lead.cur)
	if !tm.split() {
		t.Fatalf("a %d-task plan was not split", in.nTasks)
	}
	for v := range in.veh {
		if ss[0].own[v] == ss[1].own[v] {
			t.Fatalf("vehicle %d owned by both threads or by none", v)
		}
	}
	for task := 0; task < in.nTasks; task++ {
		if ss[0].ownTask[task] == ss[1].ownTask[task] {
			t.Fatalf("task %d owned by both threads or by none", task)
		}
	}
	for _, s := range ss {
		s.cur.copyFrom(tm.cur)
	}
	want := *tm.cur
	want.routeOf = append([]int32(nil), tm.cur.routeOf...)
	want.unassigned = append([]bool(nil), tm.cur.unassigned...)
	tm.gather(tm.cur, func(s *search) *solution { return s.cur })
	if tm.cur.cost != want.cost || tm.cur.nUnassigned != want.nUnassigned {
		t.Errorf("joined cost %d, %d out; want %d, %d", tm.cur.cost, tm.cur.nUnassigned, want.cost, want.nUnassigned)
	}
	for nd := range want.routeOf {
		if tm.cur.routeOf[nd] != want.routeOf[nd] {
			t.Fatalf("node %d in route %d after the join, %d before", nd, tm.cur.routeOf[nd], want.routeOf[nd])
		}
	}
}

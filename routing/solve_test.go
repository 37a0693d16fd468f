package routing

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
)

// pointsProblem builds a problem over planar points: distances and times are
// Euclidean × 100, rounded. Location 0 is the depot; every other point gets a
// job with the given delivery. nveh vehicles of capacity capa start and end
// at the depot.
func pointsProblem(pts []xy, demand []int64, nveh int, capa int64) *Problem {
	p := &Problem{Locations: len(pts), Dimensions: 1}
	p.Durations, p.Distances = matrices(pts, func(d float64) int32 { return int32(math.Round(d * 100)) })
	for i := 0; i < nveh; i++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: "v" + string(rune('0'+i)), Start: 0, End: 0,
			Capacity: []int64{capa}, Costs: Costs{PerMeter: 1}})
	}
	for i := 1; i < len(pts); i++ {
		d := int64(1)
		if demand != nil {
			d = demand[i-1]
		}
		p.Jobs = append(p.Jobs, Job{ID: "j" + string(rune('0'+i)), Location: i, Delivery: []int64{d}})
	}
	return p
}

func solve(t *testing.T, p *Problem, iters int) *Solution {
	t.Helper()
	sol, err := Solve(context.Background(), p, Options{Seed: 7, Iterations: iters})
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	checkSolution(t, p, sol)
	return sol
}

// jobOrder lists the job indices of a route in visiting order.
func jobOrder(r Route) []int {
	var o []int
	for _, s := range r.Stops {
		if s.Kind == KindJob {
			o = append(o, s.Task)
		}
	}
	return o
}

func TestSolveSmall(t *testing.T) {
	square := []xy{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0.5, 1.5}}
	tests := []struct {
		name   string
		build  func() *Problem
		check  func(t *testing.T, p *Problem, s *Solution)
		routes int
		cost   int64
		// unassigned is how many tasks may be left out.
		unassigned int
	}{
		{
			name:   "tsp of 5 points",
			build:  func() *Problem { return pointsProblem(square, nil, 1, 10) },
			routes: 1,
			cost:   100 + 71 + 71 + 100 + 100, // 0-1-4-2-3-0
		},
		{
			name: "capacity forces two routes",
			build: func() *Problem {
				return pointsProblem([]xy{{0, 0}, {1, 0}, {2, 0}, {-1, 0}, {-2, 0}}, []int64{5, 5, 5, 5}, 3, 10)
			},
			routes: 2,
			cost:   800,
		},
		{
			name: "time windows force the order",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {2, 0}}, nil, 1, 10)
				// Far point first, then the near one.
				p.Jobs[1].TimeWindows = []TimeWindow{{0, 250}}
				p.Jobs[0].TimeWindows = []TimeWindow{{300, 1000}}
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				if got := jobOrder(s.Routes[0]); !slices.Equal(got, []int{1, 0}) {
					t.Errorf("order = %v, want [1 0]", got)
				}
			},
			routes: 1,
			cost:   400,
		},
		{
			name: "shipment pickup before delivery",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {3, 0}, {1, 0}}, nil, 1, 10)
				p.Jobs = nil
				p.Shipments = []Shipment{{Pickup: Stop{ID: "p", Location: 1}, Delivery: Stop{ID: "d", Location: 2}, Amount: []int64{4}}}
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				st := s.Routes[0].Stops
				if st[1].Kind != KindPickup || st[2].Kind != KindDelivery || st[1].Load[0] != 4 || st[2].Load[0] != 0 {
					t.Errorf("stops = %+v, want pickup (load 4) then delivery (load 0)", st)
				}
			},
			routes: 1,
			cost:   600,
		},
		{
			name: "backhaul after linehaul",
			build: func() *Problem {
				// The backhaul lies on the way out; the rule sends it last.
				p := pointsProblem([]xy{{0, 0}, {2, 0}, {1, 0}}, nil, 1, 10)
				p.Backhaul = true
				p.Jobs[1].Delivery, p.Jobs[1].Pickup = nil, []int64{3}
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				if got := jobOrder(s.Routes[0]); !slices.Equal(got, []int{0, 1}) {
					t.Errorf("order = %v, want linehaul 0 then backhaul 1", got)
				}
			},
			routes: 1,
			cost:   400,
		},
		{
			name: "skills pick the vehicle",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}}, nil, 2, 10)
				p.Vehicles[1].Skills = []string{"cold"}
				p.Vehicles[1].Costs.Fixed = 50
				p.Jobs[0].Skills = []string{"cold"}
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				if s.Routes[0].Vehicle != 1 {
					t.Errorf("vehicle = %d, want 1 (has the skill)", s.Routes[0].Vehicle)
				}
			},
			routes: 1,
			cost:   250,
		},
		{
			name: "open route",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {2, 0}}, nil, 1, 10)
				p.Vehicles[0].End = -1
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				st := s.Routes[0].Stops
				if st[len(st)-1].Kind != KindJob {
					t.Errorf("last stop kind = %v, want a job (open route)", st[len(st)-1].Kind)
				}
			},
			routes: 1,
			cost:   200,
		},
		{
			name: "multi-trip reloads",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {-1, 0}}, []int64{8, 8}, 1, 10)
				p.Vehicles[0].MaxTrips = 2
				p.Vehicles[0].ReloadTime = 30
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				n := 0
				for _, st := range s.Routes[0].Stops {
					if st.Kind == KindReload {
						n++
						if st.Load[0] != 8 {
							t.Errorf("load after reload = %v, want 8", st.Load)
						}
					}
				}
				if n != 1 {
					t.Errorf("reloads = %d, want 1", n)
				}
			},
			routes: 1,
			cost:   400,
		},
		{
			name: "start at first stop, speed factor 2",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {2, 0}}, nil, 1, 10)
				p.Vehicles[0].Start = -1
				p.Vehicles[0].SpeedFactor = 2
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				st := s.Routes[0].Stops
				if st[0].Kind != KindJob || s.Routes[0].Duration != 100 {
					t.Errorf("first stop %v, duration %d; want a job first and 200 units of travel at double speed (100)", st[0].Kind, s.Routes[0].Duration)
				}
			},
			routes: 1,
			cost:   200,
		},
		{
			name: "priority decides who is served",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {-1, 0}}, []int64{8, 8}, 1, 10)
				p.Jobs[1].Priority = 5 // both cost the same to serve
				p.Jobs[0].Penalty, p.Jobs[1].Penalty = 0, 0
				return p
			},
			check: func(t *testing.T, p *Problem, s *Solution) {
				if got := jobOrder(s.Routes[0]); !slices.Equal(got, []int{1}) {
					t.Errorf("served %v, want the priority job [1]", got)
				}
				if len(s.Unassigned) != 1 || s.Unassigned[0].Task != 0 || s.Unassigned[0].Reason != ReasonCapacity {
					t.Errorf("unassigned = %+v, want job 0 for capacity", s.Unassigned)
				}
			},
			routes:     1,
			cost:       200,
			unassigned: 1,
		},
		{
			name: "max stops splits",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {1, 0.1}, {1, -0.1}}, nil, 2, 10)
				p.Vehicles[0].MaxStops, p.Vehicles[1].MaxStops = 2, 2
				return p
			},
			routes: 2,
		},
		{
			name: "max distance splits",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {-1, 0}}, nil, 2, 10)
				p.Vehicles[0].MaxDistance, p.Vehicles[1].MaxDistance = 250, 250
				return p
			},
			routes: 2,
			cost:   400,
		},
		{
			name: "max duration splits",
			build: func() *Problem {
				p := pointsProblem([]xy{{0, 0}, {1, 0}, {-1, 0}}, nil, 2, 10)
				for i := range p.Jobs {
					p.Jobs[i].Service = 100
				}
				p.Vehicles[0].MaxDuration, p.Vehicles[1].MaxDuration = 350, 350
				return p
			},
			routes: 2,
			cost:   400,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.build()
			s := solve(t, p, 300)
			if len(s.Unassigned) != tc.unassigned {
				t.Fatalf("unassigned = %+v, want %d", s.Unassigned, tc.unassigned)
			}
			if len(s.Routes) != tc.routes {
				t.Errorf("routes = %d, want %d", len(s.Routes), tc.routes)
			}
			if tc.cost != 0 && s.Cost != tc.cost {
				t.Errorf("cost = %d, want %d", s.Cost, tc.cost)
			}
			if tc.check != nil {
				tc.check(t, p, s)
			}
		})
	}
}

func TestUnassignedReasons(t *testing.T) {
	line := []xy{{0, 0}, {1, 0}, {2, 0}}
	tests := []struct {
		name   string
		modify func(p *Problem)
		want   Reason
	}{
		{"skills", func(p *Problem) { p.Jobs[1].Skills = []string{"crane"} }, ReasonSkills},
		{"capacity", func(p *Problem) { p.Jobs[1].Delivery = []int64{11} }, ReasonCapacity},
		{"time window", func(p *Problem) { p.Jobs[1].TimeWindows = []TimeWindow{{0, 100}} }, ReasonTimeWindow},
		{"max duration", func(p *Problem) { p.Jobs[1].Service = 1000; p.Vehicles[0].MaxDuration = 900 }, ReasonMaxDuration},
		{"max distance", func(p *Problem) { p.Vehicles[0].MaxDistance = 300 }, ReasonMaxDistance},
		{"max stops", func(p *Problem) { p.Vehicles[0].MaxStops = 1; p.Jobs[0].Delivery = []int64{2} }, ReasonMaxStops},
		{"unreachable", func(p *Problem) { p.Durations[0*3+2] = Unreachable; p.Durations[1*3+2] = Unreachable }, ReasonUnreachable},
		{"not worth its penalty", func(p *Problem) { p.Jobs[1].Penalty = 50 }, ReasonPenalty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pointsProblem(line, nil, 1, 10)
			tc.modify(p)
			s := solve(t, p, 200)
			if len(s.Unassigned) != 1 {
				t.Fatalf("unassigned = %+v, want one", s.Unassigned)
			}
			u := s.Unassigned[0]
			if u.Task != 1 || u.Reason != tc.want {
				t.Errorf("unassigned = %+v, want job 1 with reason %q", u, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(p *Problem)
		path   string
	}{
		{"matrix size", func(p *Problem) { p.Durations = p.Durations[:4] }, "durations"},
		{"negative matrix entry", func(p *Problem) { p.Distances[1] = -1 }, "distances"},
		{"capacity dimensions", func(p *Problem) { p.Vehicles[0].Capacity = []int64{1, 2} }, "vehicles[0].capacity"},
		{"location out of range", func(p *Problem) { p.Jobs[0].Location = 9 }, "jobs[0].location"},
		{"vehicle start out of range", func(p *Problem) { p.Vehicles[0].Start = -2 }, "vehicles[0].start"},
		{"window ends before start", func(p *Problem) { p.Jobs[0].TimeWindows = []TimeWindow{{10, 5}} }, "jobs[0].time_windows[0]"},
		{"windows overlap", func(p *Problem) { p.Jobs[0].TimeWindows = []TimeWindow{{0, 10}, {5, 20}} }, "jobs[0].time_windows[1]"},
		{"negative amount", func(p *Problem) { p.Jobs[0].Delivery = []int64{-1} }, "jobs[0].delivery[0]"},
		{"negative penalty", func(p *Problem) { p.Jobs[0].Penalty = -1 }, "jobs[0].penalty"},
		{"bad speed factor", func(p *Problem) { p.Vehicles[0].SpeedFactor = math.NaN() }, "vehicles[0].speed_factor"},
		{"multi-trip without start", func(p *Problem) { p.Vehicles[0].Start = -1; p.Vehicles[0].MaxTrips = 2 }, "vehicles[0].max_trips"},
		{"shipment amount dimensions", func(p *Problem) {
			p.Shipments = []Shipment{{Pickup: Stop{Location: 1}, Delivery: Stop{Location: 2}, Amount: []int64{1, 1}}}
		}, "shipments[0].amount"},
		{"shipment window", func(p *Problem) {
			p.Shipments = []Shipment{{Pickup: Stop{Location: 1}, Delivery: Stop{Location: 2, TimeWindows: []TimeWindow{{-1, 5}}}}}
		}, "shipments[0].delivery.time_windows[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pointsProblem([]xy{{0, 0}, {1, 0}, {2, 0}}, nil, 1, 10)
			tc.modify(p)
			_, err := Solve(context.Background(), p, Options{Iterations: 10})
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Solve error = %v, want ErrInvalid", err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Path != tc.path {
				t.Errorf("Solve error = %v, want a FieldError at %s", err, tc.path)
			}
		})
	}
	if _, err := Solve(context.Background(), nil, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Solve(nil) error = %v, want ErrInvalid", err)
	}
}

// bruteForce returns the cheapest total distance serving every job with at
// most two routes of vehicle 0's kind, by enumerating every order and split.
func bruteForce(p *Problem) int64 {
	n := len(p.Jobs)
	v := p.Vehicles[0]
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	routeCost := func(seq []int) (int64, bool) {
		if len(seq) == 0 {
			return 0, true
		}
		var load, dist int64
		t := v.Shift.Start
		prev := v.Start
		for _, j := range seq {
			job := &p.Jobs[j]
			load += job.Delivery[0]
			t += int64(p.Durations[prev*p.Locations+job.Location])
			dist += int64(p.Distances[prev*p.Locations+job.Location])
			if w := job.TimeWindows; len(w) > 0 {
				if t > w[0].End {
					return 0, false
				}
				t = max(t, w[0].Start)
			}
			t += job.Service
			prev = job.Location
		}
		t += int64(p.Durations[prev*p.Locations+v.End])
		dist += int64(p.Distances[prev*p.Locations+v.End])
		if load > v.Capacity[0] || (v.Shift.End > 0 && t > v.Shift.End) {
			return 0, false
		}
		return dist, true
	}
	best := int64(math.MaxInt64)
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			for split := 0; split <= n; split++ {
				if len(p.Vehicles) < 2 && split > 0 {
					continue
				}
				a, okA := routeCost(perm[:split])
				b, okB := routeCost(perm[split:])
				if okA && okB && a+b < best {
					best = a + b
				}
			}
			return
		}
		for i := k; i < n; i++ {
			perm[k], perm[i] = perm[i], perm[k]
			rec(k + 1)
			perm[k], perm[i] = perm[i], perm[k]
		}
	}
	rec(0)
	return best
}

func TestBruteForce(t *testing.T) {
	r := newRNG(42)
	for inst := 0; inst < 10; inst++ {
		n := 6 + inst%2
		pts := []xy{{5, 5}}
		demand := make([]int64, n)
		for i := 0; i < n; i++ {
			pts = append(pts, xy{float64(r.intn(100)) / 10, float64(r.intn(100)) / 10})
			demand[i] = int64(1 + r.intn(5))
		}
		p := pointsProblem(pts, demand, 2, 14)
		if inst%3 == 0 {
			for j := range p.Jobs {
				s := int64(r.intn(2000))
				p.Jobs[j].TimeWindows = []TimeWindow{{s, s + 800}}
				p.Jobs[j].Service = 50
			}
		}
		want := bruteForce(p)
		if want == math.MaxInt64 {
			continue
		}
		got := solve(t, p, 1000)
		if len(got.Unassigned) > 0 || got.Cost != want {
			t.Errorf("instance %d (%d jobs): cost = %d (unassigned %d), want optimum %d", inst, n, got.Cost, len(got.Unassigned), want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	p := randomProblem(newRNG(3), 40, true)
	a := solve(t, p, 400)
	b := solve(t, p, 400)
	if a.Cost != b.Cost || len(a.Routes) != len(b.Routes) {
		t.Fatalf("two runs with one seed: cost %d vs %d", a.Cost, b.Cost)
	}
	for i := range a.Routes {
		if !slices.Equal(jobOrder(a.Routes[i]), jobOrder(b.Routes[i])) {
			t.Fatalf("route %d differs between runs with one seed", i)
		}
	}
}

func TestCancel(t *testing.T) {
	p := randomProblem(newRNG(4), 60, true)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	// The iteration limit is only a safety net: the first progress report
	// cancels the run.
	sol, err := Solve(ctx, p, Options{Seed: 1, Iterations: 10_000_000, Progress: func(pr Progress) {
		calls++
		cancel()
	}})
	if err != nil {
		t.Fatal(err)
	}
	checkSolution(t, p, sol)
	if len(sol.Routes) == 0 {
		t.Fatal("cancelled solve returned no routes")
	}
}

func TestInitialAndThreads(t *testing.T) {
	p := randomProblem(newRNG(5), 30, true)
	first := solve(t, p, 200)
	sol, err := Solve(context.Background(), p, Options{Seed: 2, Iterations: 200, Threads: 2, Initial: first})
	if err != nil {
		t.Fatal(err)
	}
	checkSolution(t, p, sol)
	if sol.Cost > first.Cost {
		t.Errorf("cost from initial = %d, worse than the initial %d", sol.Cost, first.Cost)
	}
}

// randomProblem is a small random VRPTW-like problem with a mix of features.
func randomProblem(r *rng, n int, tw bool) *Problem {
	pts := []xy{{50, 50}}
	demand := make([]int64, n)
	for i := 0; i < n; i++ {
		pts = append(pts, xy{float64(r.intn(100)), float64(r.intn(100))})
		demand[i] = int64(1 + r.intn(9))
	}
	p := pointsProblem(pts, demand, max(n/5, 2), 40)
	if tw {
		for j := range p.Jobs {
			s := int64(r.intn(20000))
			p.Jobs[j].TimeWindows = []TimeWindow{{s, s + 3000 + int64(r.intn(5000))}}
			p.Jobs[j].Service = 500
		}
	}
	return p
}

package flow

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bruteTransport enumerates all integral shipments of tiny problems and
// returns the minimum cost serving the most demand.
func bruteTransport(supply, demand []int64, cost []float64) (served int64, best float64) {
	m, n := len(supply), len(demand)
	left := append([]int64(nil), supply...)
	best = math.Inf(1)
	var rec func(j int, need int64, i int, s int64, c float64)
	rec = func(j int, need int64, i int, s int64, c float64) {
		if j == n {
			if s > served || (s == served && c < best) {
				served, best = s, c
			}
			return
		}
		if i == m || need == 0 {
			if j+1 < n {
				rec(j+1, demand[j+1], 0, s, c)
			} else {
				rec(n, 0, 0, s, c)
			}
			return
		}
		for q := int64(0); q <= min(need, left[i]); q++ {
			if q > 0 && math.IsInf(cost[i*n+j], 1) {
				break
			}
			left[i] -= q
			add := 0.0
			if q > 0 {
				add = float64(q) * cost[i*n+j]
			}
			rec(j, need-q, i+1, s+q, c+add)
			left[i] += q
		}
	}
	if n == 0 {
		return 0, 0
	}
	rec(0, demand[0], 0, 0, 0)
	return served, best
}

func TestTransportBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for it := 0; it < 300; it++ {
		m, n := 1+r.IntN(3), 1+r.IntN(3)
		supply := make([]int64, m)
		demand := make([]int64, n)
		cost := make([]float64, m*n)
		for i := range supply {
			supply[i] = int64(r.IntN(5))
		}
		for j := range demand {
			demand[j] = int64(r.IntN(4))
		}
		for k := range cost {
			cost[k] = float64(r.IntN(10))
			if r.IntN(6) == 0 {
				cost[k] = math.Inf(1)
			}
		}
		t.Run(fmt.Sprint(it), func(t *testing.T) {
			tr, err := Transport(context.Background(), supply, demand, cost, TransportOptions{})
			if err != nil && !errors.Is(err, ErrInfeasible) {
				t.Fatal(err)
			}
			checkTransport(t, supply, demand, cost, tr)
			served, best := bruteTransport(supply, demand, cost)
			var total int64
			for _, d := range demand {
				total += d
			}
			var short int64
			for _, u := range tr.Unserved {
				short += u
			}
			if total-short != served || math.Abs(tr.Cost-best) > 1e-9 {
				t.Errorf("Transport(%v,%v,%v) served %d cost %v, want %d %v", supply, demand, cost, total-short, tr.Cost, served, best)
			}
			if short == 0 {
				// The prices' dual bound is tight on the problem itself.
				lb := 0.0
				for j, d := range demand {
					best := math.Inf(1)
					for i := range supply {
						if supply[i] > 0 {
							best = math.Min(best, cost[i*len(demand)+j]+tr.Price[i])
						}
					}
					if d > 0 {
						lb += float64(d) * best
					}
				}
				for i, s := range supply {
					lb -= float64(s) * tr.Price[i]
				}
				if math.Abs(lb-tr.Cost) > 1e-6*(1+math.Abs(tr.Cost)) {
					t.Errorf("dual bound from prices %v = %v, cost %v (%v %v %v) flow %v", tr.Price, lb, tr.Cost, supply, demand, cost, tr.Flow)
				}
			}
			if (short > 0) != (err != nil) {
				t.Errorf("shortfall %d with err %v", short, err)
			}
		})
	}
}

// checkTransport verifies a transportation solution independently.
func checkTransport(t *testing.T, supply, demand []int64, cost []float64, tr *Transportation) {
	t.Helper()
	m, n := len(supply), len(demand)
	c := 0.0
	for i := 0; i < m; i++ {
		var out int64
		for j := 0; j < n; j++ {
			f := tr.Flow[i*n+j]
			if f < 0 {
				t.Fatalf("flow %d→%d = %d < 0", i, j, f)
			}
			if f > 0 {
				if math.IsInf(cost[i*n+j], 1) {
					t.Fatalf("flow on forbidden pair %d→%d", i, j)
				}
				c += float64(f) * cost[i*n+j]
			}
			out += f
		}
		if out > supply[i] {
			t.Fatalf("supplier %d ships %d > %d", i, out, supply[i])
		}
	}
	for j := 0; j < n; j++ {
		var in int64
		for i := 0; i < m; i++ {
			in += tr.Flow[i*n+j]
		}
		if in+tr.Unserved[j] != demand[j] {
			t.Fatalf("customer %d gets %d + unserved %d, demand %d", j, in, tr.Unserved[j], demand[j])
		}
	}
	if math.Abs(c-tr.Cost) > 1e-6*(1+math.Abs(c)) {
		t.Errorf("recomputed cost %v, reported %v", c, tr.Cost)
	}
}

func TestTransportUnservedCost(t *testing.T) {
	// One supplier of 1 unit, two customers; serving customer 1 costs
	// more than the penalty, so only customer 0 is served.
	tr, err := Transport(context.Background(), []int64{5}, []int64{1, 1}, []float64{2, 9}, TransportOptions{UnservedCost: 5})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Flow[0] != 1 || tr.Flow[1] != 0 || tr.Unserved[1] != 1 || tr.Penalty != 5 || tr.Cost != 2 {
		t.Errorf("Transport = %+v, want customer 1 unserved", tr)
	}
}

func TestTransportInvalid(t *testing.T) {
	ctx := context.Background()
	if _, err := Transport(ctx, []int64{1}, []int64{1}, nil, TransportOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("short cost: err = %v, want ErrInvalid", err)
	}
	if _, err := Transport(ctx, []int64{-1}, []int64{1}, []float64{1}, TransportOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative supply: err = %v, want ErrInvalid", err)
	}
	if _, err := Transport(ctx, []int64{1}, []int64{1}, []float64{math.NaN()}, TransportOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("NaN cost: err = %v, want ErrInvalid", err)
	}
}

func randomTransport(r *rand.Rand, m, n int) ([]int64, []int64, []float64) {
	supply := make([]int64, m)
	demand := make([]int64, n)
	cost := make([]float64, m*n)
	var total int64
	for j := range demand {
		demand[j] = 1 + int64(r.IntN(100))
		total += demand[j]
	}
	for i := range supply {
		supply[i] = total * 3 / int64(m)
	}
	for k := range cost {
		cost[k] = float64(r.IntN(1000)) / 7
	}
	return supply, demand, cost
}

func BenchmarkTransport(b *testing.B) {
	for _, sz := range []struct{ m, n int }{{16, 50}, {100, 1000}} {
		b.Run(fmt.Sprintf("%dx%d", sz.m, sz.n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			supply, demand, cost := randomTransport(r, sz.m, sz.n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Transport(context.Background(), supply, demand, cost, TransportOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func FuzzTransport(f *testing.F) {
	f.Add(uint64(1), uint64(2), false)
	f.Add(uint64(3), uint64(4), true)
	f.Fuzz(func(t *testing.T, a, b uint64, priced bool) {
		r := rand.New(rand.NewPCG(a, b))
		m, n := 1+r.IntN(5), 1+r.IntN(7)
		supply := make([]int64, m)
		demand := make([]int64, n)
		cost := make([]float64, m*n)
		for i := range supply {
			supply[i] = int64(r.IntN(12))
		}
		for j := range demand {
			demand[j] = int64(r.IntN(6))
		}
		for k := range cost {
			cost[k] = float64(r.IntN(30)) / 3
			if r.IntN(8) == 0 {
				cost[k] = math.Inf(1)
			}
		}
		opts := TransportOptions{}
		if priced {
			opts.UnservedCost = float64(1 + r.IntN(20))
		}
		tr, err := Transport(context.Background(), supply, demand, cost, opts)
		if err != nil && !errors.Is(err, ErrInfeasible) {
			t.Fatal(err)
		}
		checkTransport(t, supply, demand, cost, tr)
	})
}

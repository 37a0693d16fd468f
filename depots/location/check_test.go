package location

import (
	"math"
	"testing"
)

// The checkers below re-verify solutions without the solvers' code:
// they recompute the cost from the flows or the assignment and check
// demand, capacities and the number of medians.

func checkCFLP(t testing.TB, p *CFLP, sol *CFLPSolution, singleSource bool) {
	t.Helper()
	m, n := p.M(), p.N()
	open := make([]bool, m)
	cost := 0.0
	for _, i := range sol.Open {
		if i < 0 || i >= m || open[i] {
			t.Fatalf("open facility %d invalid or repeated", i)
		}
		open[i] = true
		cost += p.Fixed[i]
	}
	served := make([]int64, n)
	load := make([]int64, m)
	sources := make([]int, n)
	for _, f := range sol.Flows {
		if f.Facility < 0 || f.Facility >= m || f.Customer < 0 || f.Customer >= n || f.Amount <= 0 {
			t.Fatalf("bad flow %+v", f)
		}
		if !open[f.Facility] {
			t.Fatalf("flow %+v from a closed facility", f)
		}
		served[f.Customer] += f.Amount
		load[f.Facility] += f.Amount
		sources[f.Customer]++
		cost += float64(f.Amount) / float64(p.Demand[f.Customer]) * p.Cost[f.Facility*n+f.Customer]
	}
	for j := 0; j < n; j++ {
		if served[j] != p.Demand[j] {
			t.Fatalf("customer %d served %d, demand %d", j, served[j], p.Demand[j])
		}
		if singleSource && sources[j] > 1 {
			t.Fatalf("customer %d served by %d facilities", j, sources[j])
		}
	}
	for i := 0; i < m; i++ {
		if load[i] > p.Capacity[i] {
			t.Fatalf("facility %d load %d > capacity %d", i, load[i], p.Capacity[i])
		}
	}
	if math.Abs(cost-sol.Cost) > 1e-6*math.Max(1, cost) {
		t.Fatalf("recomputed cost %.6f, reported %.6f", cost, sol.Cost)
	}
	if sol.LowerBound > cost*(1+1e-9)+1e-9 {
		t.Fatalf("lower bound %.6f above cost %.6f", sol.LowerBound, cost)
	}
}

func checkMedians(t testing.TB, nCust, m, p int, dist []int32, open, assign []int, reported int64) int64 {
	t.Helper()
	if len(open) != p {
		t.Fatalf("%d medians, want %d", len(open), p)
	}
	isOpen := make([]bool, m)
	for _, i := range open {
		if i < 0 || i >= m || isOpen[i] {
			t.Fatalf("median %d invalid or repeated", i)
		}
		isOpen[i] = true
	}
	if len(assign) != nCust {
		t.Fatalf("%d assignments for %d customers", len(assign), nCust)
	}
	var cost int64
	for j, i := range assign {
		if i < 0 || i >= m || !isOpen[i] {
			t.Fatalf("customer %d assigned to %d, not a median", j, i)
		}
		cost += int64(dist[j*m+i])
	}
	if cost != reported {
		t.Fatalf("recomputed cost %d, reported %d", cost, reported)
	}
	return cost
}

func checkPMedian(t testing.TB, p *PMedian, sol *PMedianSolution) {
	t.Helper()
	checkMedians(t, p.N, p.M, p.P, p.Dist, sol.Open, sol.Assign, sol.Cost)
	for j, a := range sol.Assign {
		for _, i := range sol.Open {
			if p.Dist[j*p.M+i] < p.Dist[j*p.M+a] {
				t.Fatalf("customer %d not at its nearest median", j)
			}
		}
	}
	if sol.LowerBound > float64(sol.Cost)+1e-6 {
		t.Fatalf("lower bound %v above cost %d", sol.LowerBound, sol.Cost)
	}
}

func checkCPMP(t testing.TB, p *CPMP, sol *PMedianSolution) {
	t.Helper()
	checkMedians(t, p.N, p.M, p.P, p.Dist, sol.Open, sol.Assign, sol.Cost)
	load := make([]int64, p.M)
	for j, i := range sol.Assign {
		load[i] += p.Demand[j]
	}
	for i, l := range load {
		if l > p.Capacity[i] {
			t.Fatalf("median %d load %d > capacity %d", i, l, p.Capacity[i])
		}
	}
	if sol.LowerBound > float64(sol.Cost)+1e-6 {
		t.Fatalf("lower bound %v above cost %d", sol.LowerBound, sol.Cost)
	}
}

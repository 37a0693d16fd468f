package location

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/depots/flow"
	"github.com/lastmile-dev/lastmile/internal/sharedtest"
)

// openBench opens a file of ../shared/benchmarks; absent, it skips the
// test, or fails it in CI.
func openBench(t testing.TB, set, name string) *os.File {
	t.Helper()
	f, err := os.Open(sharedtest.Path(t, "benchmarks", set, name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustOpen(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestReadCFLP(t *testing.T) {
	f := mustOpen(t, "testdata/tiny_cap.txt")
	defer f.Close()
	p, err := ReadCFLP(f, 7)
	if err != nil {
		t.Fatal(err)
	}
	if p.M() != 3 || p.N() != 4 || p.Capacity[2] != 7 || p.Fixed[1] != 60 || p.Demand[2] != 4 || p.Cost[1*4+2] != 8 {
		t.Errorf("ReadCFLP = %+v", p)
	}
	tests := []struct {
		name, in string
		capacity int64
		want     error
	}{
		{"capacity word without value", "1 1\ncapacity 5\n3 4\n", 0, ErrFormat},
		{"truncated", "2 1\n5 1\n5 1\n3 4\n", 0, ErrFormat},
		{"not a number", "1 1\n5 x\n3 4\n", 0, ErrFormat},
		{"fractional demand", "1 1\n5 1\n3.5 4\n", 0, ErrFormat},
		{"capacity short", "1 1\n2 1\n3 4\n", 0, ErrInfeasible},
		{"huge header", "100000 100000\n", 0, ErrFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadCFLP(strings.NewReader(tc.in), tc.capacity); !errors.Is(err, tc.want) {
				t.Errorf("ReadCFLP(%q) err = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}

func TestReadPMedian(t *testing.T) {
	f := mustOpen(t, "testdata/tiny_pmed.txt")
	defer f.Close()
	p, err := ReadPMedian(f)
	if err != nil {
		t.Fatal(err)
	}
	// Edge 2-3 appears twice (4, then 9): the last wins, so 2→3 is
	// min(9, 3+5+1+7+2) = 9 and 1→3 = min(3+9, 5+1+7+2) = 12.
	if got := p.Dist[1*6+2]; got != 9 {
		t.Errorf("dist(2,3) = %d, want 9 (last duplicate wins)", got)
	}
	if got := p.Dist[0*6+2]; got != 12 {
		t.Errorf("dist(1,3) = %d, want 12", got)
	}
	tests := []struct{ name, in string }{
		{"unreachable", "3 1 1\n1 2 5\n"},
		{"vertex out of range", "2 1 1\n1 3 5\n"},
		{"p too large", "2 1 3\n1 2 5\n"},
		{"negative cost", "2 1 1\n1 2 -5\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ReadPMedian(strings.NewReader(tc.in)); !errors.Is(err, ErrFormat) {
				t.Errorf("ReadPMedian(%q) err = %v, want ErrFormat", tc.in, err)
			}
		})
	}
}

func TestReadCPMP(t *testing.T) {
	f := mustOpen(t, "testdata/tiny_cpmp.txt")
	defer f.Close()
	p, err := ReadCPMP(f)
	if err != nil {
		t.Fatal(err)
	}
	// floor(hypot(1,0)) = 1, floor(hypot(10-0, 12-0)) = floor(15.62) = 15.
	if p.N != 6 || p.P != 2 || p.Capacity[3] != 14 || p.Dist[0*6+1] != 1 || p.Dist[0*6+5] != 15 {
		t.Errorf("ReadCPMP = %+v", p)
	}
	if _, err := ReadCPMP(strings.NewReader("1 0\n 2 1 1\n1 0 0 4\n2 1 1 4\n")); !errors.Is(err, ErrInfeasible) {
		t.Errorf("ReadCPMP(capacity below demand) err = %v, want ErrInfeasible", err)
	}
}

// randomCFLP makes a small instance with integer data.
func randomCFLP(r *rand.Rand, m, n int) *CFLP {
	p := &CFLP{Capacity: make([]int64, m), Fixed: make([]float64, m), Demand: make([]int64, n), Cost: make([]float64, m*n)}
	var total int64
	for j := range p.Demand {
		p.Demand[j] = 1 + int64(r.IntN(9))
		total += p.Demand[j]
	}
	for i := range p.Capacity {
		p.Capacity[i] = total/int64(m-1) + int64(r.IntN(8))
		p.Fixed[i] = float64(20 + r.IntN(80))
	}
	for k := range p.Cost {
		p.Cost[k] = float64(r.IntN(60))
	}
	return p
}

// bruteCFLP enumerates every open set; each is priced by an exact
// transportation problem (multi-source) or by enumerating assignments
// (single source).
func bruteCFLP(p *CFLP, single bool) float64 {
	m, n := p.M(), p.N()
	best := math.Inf(1)
	for mask := 1; mask < 1<<m; mask++ {
		fixed := 0.0
		sup := make([]int64, m)
		for i := 0; i < m; i++ {
			if mask&(1<<i) != 0 {
				fixed += p.Fixed[i]
				sup[i] = p.Capacity[i]
			}
		}
		if !single {
			unit := make([]float64, m*n)
			for k := range unit {
				unit[k] = p.Cost[k] / float64(p.Demand[k%n])
			}
			tr, err := flow.Transport(context.Background(), sup, p.Demand, unit, flow.TransportOptions{})
			if err == nil {
				best = math.Min(best, fixed+tr.Cost)
			}
			continue
		}
		var rec func(j int, c float64)
		rec = func(j int, c float64) {
			if j == n {
				best = math.Min(best, fixed+c)
				return
			}
			for i := 0; i < m; i++ {
				if sup[i] >= p.Demand[j] {
					sup[i] -= p.Demand[j]
					rec(j+1, c+p.Cost[i*n+j])
					sup[i] += p.Demand[j]
				}
			}
		}
		rec(0, 0)
	}
	return best
}

func TestSolveCFLPBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for it := 0; it < 25; it++ {
		p := randomCFLP(r, 2+r.IntN(4), 3+r.IntN(5))
		t.Run(fmt.Sprint(it), func(t *testing.T) {
			sol, err := SolveCFLP(context.Background(), p, Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			checkCFLP(t, p, sol, false)
			if want := bruteCFLP(p, false); math.Abs(sol.Cost-want) > 1e-6*want {
				t.Errorf("SolveCFLP cost = %.4f, want %.4f", sol.Cost, want)
			}
			if !sol.Optimal {
				t.Errorf("SolveCFLP not proven optimal (bound %.4f, cost %.4f)", sol.LowerBound, sol.Cost)
			}
		})
	}
}

func TestSolveSSCFLPBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	worse := 0
	for it := 0; it < 20; it++ {
		p := randomCFLP(r, 2+r.IntN(3), 3+r.IntN(4))
		want := bruteCFLP(p, true)
		sol, err := SolveSSCFLP(context.Background(), p, Options{Seed: 1})
		if math.IsInf(want, 1) {
			if err == nil {
				t.Errorf("instance %d: no single-source solution exists, SolveSSCFLP found one", it)
			}
			continue
		}
		if err != nil {
			// A heuristic may miss a tight single-source packing; it must
			// say so rather than return something infeasible.
			if !errors.Is(err, ErrInfeasible) {
				t.Fatal(err)
			}
			worse++
			continue
		}
		checkCFLP(t, p, sol, true)
		if sol.Cost < want-1e-6 {
			t.Fatalf("instance %d: cost %.4f below brute-force optimum %.4f", it, sol.Cost, want)
		}
		if sol.Cost > want+1e-6 {
			worse++
		}
	}
	// The heuristic should find the optimum of most tiny instances.
	if worse > 4 {
		t.Errorf("SolveSSCFLP missed the optimum on %d of 20 tiny instances", worse)
	}
}

func randomMatrix(r *rand.Rand, n, m int) []int32 {
	x, y := make([]float64, n+m), make([]float64, n+m)
	for k := range x {
		x[k], y[k] = r.Float64()*100, r.Float64()*100
	}
	d := make([]int32, n*m)
	for j := 0; j < n; j++ {
		for i := 0; i < m; i++ {
			d[j*m+i] = int32(math.Hypot(x[j]-x[n+i], y[j]-y[n+i]))
		}
	}
	return d
}

func TestSolvePMedianBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for it := 0; it < 20; it++ {
		n, m := 6+r.IntN(10), 4+r.IntN(6)
		p := &PMedian{N: n, M: m, P: 1 + r.IntN(3), Dist: randomMatrix(r, n, m)}
		t.Run(fmt.Sprint(it), func(t *testing.T) {
			sol, err := SolvePMedian(context.Background(), p, Options{Seed: 1, Iterations: 200})
			if err != nil {
				t.Fatal(err)
			}
			checkPMedian(t, p, sol)
			want := int64(math.MaxInt64)
			for mask := 0; mask < 1<<m; mask++ {
				if popcount(mask) != p.P {
					continue
				}
				var c int64
				for j := 0; j < n; j++ {
					b := int64(math.MaxInt64)
					for i := 0; i < m; i++ {
						if mask&(1<<i) != 0 {
							b = min(b, int64(p.Dist[j*m+i]))
						}
					}
					c += b
				}
				want = min(want, c)
			}
			if sol.Cost != want {
				t.Errorf("SolvePMedian cost = %d, want %d", sol.Cost, want)
			}
		})
	}
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

func TestSolveCPMPBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for it := 0; it < 15; it++ {
		n := 5 + r.IntN(4)
		p := &CPMP{N: n, M: n, P: 2, Dist: randomMatrix(r, n, n), Demand: make([]int64, n), Capacity: make([]int64, n)}
		var total int64
		for j := range p.Demand {
			p.Demand[j] = 1 + int64(r.IntN(5))
			total += p.Demand[j]
		}
		for i := range p.Capacity {
			p.Capacity[i] = total*6/10 + 1
		}
		t.Run(fmt.Sprint(it), func(t *testing.T) {
			sol, err := SolveCPMP(context.Background(), p, Options{Seed: 1, Iterations: 100})
			if err != nil {
				t.Fatal(err)
			}
			checkCPMP(t, p, sol)
			want := bruteCPMP(p)
			if sol.Cost != want {
				t.Errorf("SolveCPMP cost = %d, want %d", sol.Cost, want)
			}
		})
	}
}

func bruteCPMP(p *CPMP) int64 {
	best := int64(math.MaxInt64)
	assign := make([]int, p.N)
	load := make([]int64, p.M)
	for mask := 0; mask < 1<<p.M; mask++ {
		if popcount(mask) != p.P {
			continue
		}
		var rec func(j int, c int64)
		rec = func(j int, c int64) {
			if c >= best {
				return
			}
			if j == p.N {
				best = c
				return
			}
			for i := 0; i < p.M; i++ {
				if mask&(1<<i) != 0 && load[i]+p.Demand[j] <= p.Capacity[i] {
					load[i] += p.Demand[j]
					assign[j] = i
					rec(j+1, c+int64(p.Dist[j*p.M+i]))
					load[i] -= p.Demand[j]
				}
			}
		}
		rec(0, 0)
	}
	return best
}

// Real instances, small budgets: cap41 is proven optimal, pmed1 and
// pmedcap01 reach their optima.
func TestSolveORLibrary(t *testing.T) {
	ctx := context.Background()
	t.Run("cap41", func(t *testing.T) {
		f := openBench(t, "cflp", "cap41.txt")
		defer f.Close()
		p, err := ReadCFLP(f, 0)
		if err != nil {
			t.Fatal(err)
		}
		sol, err := SolveCFLP(ctx, p, Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		checkCFLP(t, p, sol, false)
		if math.Abs(sol.Cost-1040444.375) > 1e-3 || !sol.Optimal {
			t.Errorf("SolveCFLP(cap41) = %.3f optimal=%v, want 1040444.375 proven", sol.Cost, sol.Optimal)
		}
	})
	t.Run("pmed1", func(t *testing.T) {
		f := openBench(t, "pmedian", "pmed1.txt")
		defer f.Close()
		p, err := ReadPMedian(f)
		if err != nil {
			t.Fatal(err)
		}
		sol, err := SolvePMedian(ctx, p, Options{Seed: 1, Iterations: 100})
		if err != nil {
			t.Fatal(err)
		}
		checkPMedian(t, p, sol)
		if sol.Cost != 5819 {
			t.Errorf("SolvePMedian(pmed1) cost = %d, want 5819", sol.Cost)
		}
	})
	t.Run("pmedcap01", func(t *testing.T) {
		f := openBench(t, "cpmp", "pmedcap01.txt")
		defer f.Close()
		p, err := ReadCPMP(f)
		if err != nil {
			t.Fatal(err)
		}
		sol, err := SolveCPMP(ctx, &p.CPMP, Options{Seed: 1, Iterations: 50})
		if err != nil {
			t.Fatal(err)
		}
		checkCPMP(t, &p.CPMP, sol)
		if sol.Cost != 713 {
			t.Errorf("SolveCPMP(pmedcap01) cost = %d, want 713", sol.Cost)
		}
	})
}

func TestSolveInvalid(t *testing.T) {
	ctx := context.Background()
	if _, err := SolveCFLP(ctx, &CFLP{Capacity: []int64{1}, Fixed: []float64{0}, Demand: []int64{2}, Cost: []float64{1}}, Options{}); !errors.Is(err, ErrInfeasible) {
		t.Errorf("SolveCFLP(capacity < demand) err = %v, want ErrInfeasible", err)
	}
	if _, err := SolveCFLP(ctx, &CFLP{Capacity: []int64{1}, Fixed: []float64{0}, Demand: []int64{1}}, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("SolveCFLP(no costs) err = %v, want ErrInvalid", err)
	}
	if _, err := SolvePMedian(ctx, &PMedian{N: 2, M: 2, P: 3, Dist: make([]int32, 4)}, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("SolvePMedian(p > m) err = %v, want ErrInvalid", err)
	}
	forbidden := &CFLP{Capacity: []int64{5, 5}, Fixed: []float64{1, 1}, Demand: []int64{1}, Cost: []float64{math.Inf(1), math.Inf(1)}}
	if _, err := SolveCFLP(ctx, forbidden, Options{}); !errors.Is(err, ErrInfeasible) {
		t.Errorf("SolveCFLP(all pairs forbidden) err = %v, want ErrInfeasible", err)
	}
}

// The interchange evaluation is the hot loop of the p-median search.
func TestPMedianLocalSearchAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	p := &PMedian{N: 60, M: 60, P: 6, Dist: randomMatrix(r, 60, 60)}
	s := newPMedianSearch(p)
	s.greedy()
	s.localSearch()
	if a := testing.AllocsPerRun(20, s.localSearch); a != 0 {
		t.Errorf("localSearch allocs = %v, want 0", a)
	}
}

// Pricing a move by its dual bound is the inner loop of the CFLP local
// search.
func TestCFLPDualBoundAllocs(t *testing.T) {
	p := randomCFLP(rand.New(rand.NewPCG(21, 22)), 8, 30)
	s := newCFLPSearch(context.Background(), p)
	all := make([]bool, p.M())
	for i := range all {
		all[i] = true
	}
	if c := s.eval(all); math.IsInf(c, 1) {
		t.Fatal("instance infeasible")
	}
	price := s.cache[boolKey(all)].price
	if lb := s.dualBound(all, price); lb > s.ub+1e-6 {
		t.Errorf("dual bound %v above the set's cost %v", lb, s.ub)
	}
	all[3] = false
	if a := testing.AllocsPerRun(50, func() { s.dualBound(all, price) }); a != 0 {
		t.Errorf("dualBound allocs = %v, want 0", a)
	}
}

// A cancelled context still yields the best solution found so far.
func TestSolveCFLPCancelled(t *testing.T) {
	p := randomCFLP(rand.New(rand.NewPCG(23, 24)), 6, 20)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	sol, err := SolveCFLP(ctx, p, Options{Progress: func(Progress) {
		if n++; n == 1 {
			cancel()
		}
	}})
	if err != nil {
		t.Fatalf("SolveCFLP after cancel: %v", err)
	}
	checkCFLP(t, p, sol, false)
}

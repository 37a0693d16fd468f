package depots

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomTiny returns a small instance with integer volumes and capacities:
// d demand of categories parcel (ambient) and fresh (cold), w warehouses
// with random caps, random promises and travel. With categories false,
// warehouses have only a daily cap and demand is ambient.
func randomTiny(rng *rand.Rand, d, w int, categories bool) *AllocationProblem {
	p := &AllocationProblem{Tariff: Tariff{PerParcelKm: 0.1}}
	secs := make([][]int32, w)
	metres := make([][]int32, w)
	for k := range w {
		f := warehouse(ID(fmt.Sprintf("w%d", k)), float64(rng.IntN(6)), float64(rng.IntN(4)))
		if categories {
			if rng.IntN(2) == 0 {
				f.Capacity.PerCategory = map[string]float64{"parcel": float64(rng.IntN(5)), "fresh": float64(rng.IntN(4))}
			}
			f.Capacity.ColdChain = float64(rng.IntN(int(f.Capacity.PerDay) + 1))
		}
		p.Warehouses = append(p.Warehouses, f)
		secs[k] = make([]int32, d)
		metres[k] = make([]int32, d)
		for i := range d {
			secs[k][i] = int32(rng.IntN(4)) * 600
			metres[k][i] = int32(rng.IntN(30)) * 1000
		}
	}
	for range d {
		dm := demand("parcel", float64(1+rng.IntN(3)))
		if categories && rng.IntN(3) == 0 {
			dm = coldDemand(float64(1 + rng.IntN(3)))
		}
		if rng.IntN(4) == 0 {
			dm.PromiseSeconds = 1200
		}
		p.Demand = append(p.Demand, dm)
	}
	p.Matrix = matrixFor(secs, metres)
	return p
}

// bestSplitByEnumeration tries every integer split of every demand between
// the warehouses (capacities and volumes are integers, so the flow optimum
// is integral) and returns the least objective.
func bestSplitByEnumeration(t *testing.T, p *AllocationProblem, penalty float64) float64 {
	in, err := newModel(p)
	if err != nil {
		t.Fatal(err)
	}
	W, K := in.W, in.K
	x := make([]int, in.D*W)
	best := math.Inf(1)
	var rec func(i, w, left int)
	rec = func(i, w, left int) {
		if i == in.D {
			day, cold, cat := make([]float64, W), make([]float64, W), make([]float64, W*K)
			obj := 0.0
			for i := range in.D {
				rest := in.vol[i]
				for w := range W {
					v := float64(x[i*W+w])
					day[w] += v
					cat[w*K+int(in.cat[i])] += v
					if in.cold[i] {
						cold[w] += v
					}
					if v > 0 {
						obj += v * in.cost[i*W+w]
					}
					rest -= v
				}
				if in.forced[i] == "" {
					obj += rest * penalty
				}
			}
			for w := range W {
				if day[w] > in.day[w] || cold[w] > in.coldCap[w] {
					return
				}
				for k := range K {
					if cat[w*K+k] > in.catCap[w*K+k] {
						return
					}
				}
			}
			best = min(best, obj)
			return
		}
		if w == W {
			rec(i+1, 0, int(in.vol[min(i+1, in.D-1)]))
			return
		}
		for v := 0; v <= left; v++ {
			if v > 0 && math.IsInf(in.cost[i*W+w], 1) {
				break
			}
			x[i*W+w] = v
			rec(i, w+1, left-v)
		}
		x[i*W+w] = 0
	}
	rec(0, 0, int(in.vol[0]))
	return best
}

func TestSplittableMatchesEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for n := range 60 {
		p := randomTiny(rng, 3, 2, true)
		// A category with both cold and ambient demand breaks the flow
		// model's nesting (see solveSplittable); keep such instances
		// out of the exact comparison.
		for i := range p.Demand {
			if p.Demand[i].ColdChain {
				p.Demand[i].Category = "fresh"
			}
		}
		a, err := Allocate(context.Background(), p, AllocateOptions{})
		if err != nil {
			t.Fatalf("instance %d: %v", n, err)
		}
		name := fmt.Sprintf("instance %d", n)
		checkAllocation(t, name, p, a)
		want := bestSplitByEnumeration(t, p, a.UnservedPerParcel)
		if math.Abs(a.Objective-want) > 1e-6*math.Max(1, want) {
			t.Errorf("%s: splittable objective = %v, want %v (enumeration)", name, a.Objective, want)
		}
	}
}

// bestSingleByEnumeration tries every choice of one warehouse (or none) per
// demand. Warehouses have only a daily cap, so given the choice, serving
// each warehouse's demand cheapest first, the last one partly, is optimal.
func bestSingleByEnumeration(t *testing.T, p *AllocationProblem, penalty float64) float64 {
	in, err := newModel(p)
	if err != nil {
		t.Fatal(err)
	}
	W := in.W
	choice := make([]int, in.D)
	best := math.Inf(1)
	var rec func(i int)
	rec = func(i int) {
		if i == in.D {
			obj := 0.0
			for w := range W {
				var mine []int
				for i, c := range choice {
					if c == w {
						mine = append(mine, i)
					}
				}
				slices.SortFunc(mine, func(a, b int) int { return cmpFloat(in.cost[a*W+w], in.cost[b*W+w]) })
				room := in.day[w]
				for _, i := range mine {
					v := min(room, in.vol[i])
					room -= v
					obj += v*in.cost[i*W+w] + (in.vol[i]-v)*penalty
				}
			}
			for i, c := range choice {
				if c < 0 && in.forced[i] == "" {
					obj += in.vol[i] * penalty
				}
			}
			best = min(best, obj)
			return
		}
		for w := -1; w < W; w++ {
			if w >= 0 && math.IsInf(in.cost[i*W+w], 1) {
				continue
			}
			choice[i] = w
			rec(i + 1)
		}
	}
	rec(0)
	return best
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSingleSourceAgainstEnumeration checks on tiny instances that the
// lower bound is below the true single-source optimum and that the
// heuristic is close to it.
func TestSingleSourceAgainstEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	const n = 80
	optimal, worst := 0, 0.0
	tight, boundGap := 0, 0.0
	for k := range n {
		p := randomTiny(rng, 6, 3, false)
		a, err := Allocate(context.Background(), p, AllocateOptions{SingleSource: true})
		if err != nil {
			t.Fatalf("instance %d: %v", k, err)
		}
		name := fmt.Sprintf("instance %d", k)
		checkAllocation(t, name, p, a)
		opt := bestSingleByEnumeration(t, p, a.UnservedPerParcel)
		tol := 1e-6 * math.Max(1, opt)
		if a.LowerBound > opt+tol {
			t.Errorf("%s: lower bound %v > optimum %v", name, a.LowerBound, opt)
		}
		if a.Objective < opt-tol {
			t.Errorf("%s: objective %v < optimum %v: enumeration is wrong", name, a.Objective, opt)
		}
		if a.Objective <= opt+tol {
			optimal++
		}
		worst = max(worst, (a.Objective-opt)/math.Max(1, opt))
		if a.LowerBound >= opt-tol {
			tight++
		}
		boundGap += (opt - a.LowerBound) / math.Max(1, opt)
	}
	t.Logf("heuristic optimal on %d of %d instances; worst excess %.2f%%", optimal, n, 100*worst)
	t.Logf("lower bound equals the optimum on %d of %d instances; mean bound gap %.2f%%", tight, n, 100*boundGap/n)
	// Capping what one warehouse can serve in the Lagrangian subproblem
	// took these from 50 of 80 and 0.39% to 56 and 0.28%.
	if tight < 56 || boundGap/n > 0.0029 {
		t.Errorf("lower bound equals the optimum on %d of %d instances, mean bound gap %.2f%%; want ≥ 56 and ≤ 0.29%%", tight, n, 100*boundGap/n)
	}
	if optimal < n*9/10 || worst > 0.05 {
		t.Errorf("heuristic optimal on %d of %d instances, worst excess %.2f%%; want ≥ 90%% and ≤ 5%%", optimal, n, 100*worst)
	}
}

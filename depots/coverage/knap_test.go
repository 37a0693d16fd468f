package coverage

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFractionalKnapsack compares the quickselect with sorting.
func TestFractionalKnapsack(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := 1 + r.IntN(60)
		ratio, w := make([]float64, n), make([]float64, n)
		total := 0.0
		for i := range n {
			ratio[i] = float64(r.IntN(8)) // many ties
			w[i] = 1 + float64(r.IntN(5))
			total += w[i]
		}
		need := r.Float64() * total * 1.1
		items := make([]int, n)
		for i := range items {
			items[i] = i
		}
		y := make([]float64, n)
		fractionalKnapsack(items, ratio, w, need, y)
		sorted := make([]int, n)
		for i := range sorted {
			sorted[i] = i
		}
		slices.SortStableFunc(sorted, func(a, b int) int { return cmp.Compare(ratio[a], ratio[b]) })
		want, left := 0.0, need
		for _, u := range sorted {
			if left > 0 {
				want += ratio[u] * min(w[u], left)
				left -= w[u]
			}
		}
		got, cover := 0.0, 0.0
		for u := range y {
			got += ratio[u] * w[u] * y[u]
			cover += w[u] * y[u]
		}
		if math.Abs(got-want) > 1e-9 || cover < min(need, total)-1e-9 {
			t.Fatalf("trial %d: cost %v covering %v, want cost %v covering %v", trial, got, cover, want, min(need, total))
		}
	}
}

func TestSelectTop(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		n := 1 + r.IntN(50)
		score := make([]float64, n)
		for i := range score {
			score[i] = float64(r.IntN(10))
		}
		k := r.IntN(n + 1)
		items := make([]int, n)
		for i := range items {
			items[i] = i
		}
		selectTop(items, score, k)
		sorted := slices.Clone(score)
		slices.SortFunc(sorted, func(a, b float64) int { return cmp.Compare(b, a) })
		got, want := 0.0, 0.0
		for i := range k {
			got += score[items[i]]
			want += sorted[i]
		}
		seen := map[int]bool{}
		for _, it := range items {
			seen[it] = true
		}
		if got != want || len(seen) != n {
			t.Fatalf("trial %d: top %d sum %v, want %v (items %v)", trial, k, got, want, items)
		}
	}
}

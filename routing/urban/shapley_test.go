package urban

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// exactShapley is the Shapley value by the subset formula, for checking.
func exactShapley(n int, cost func(uint64) float64) []float64 {
	fact := func(k int) float64 { return math.Gamma(float64(k + 1)) }
	phi := make([]float64, n)
	for mask := uint64(0); mask < 1<<n; mask++ {
		s := bits.OnesCount64(mask)
		for i := range n {
			if mask&(1<<i) == 0 {
				phi[i] += fact(s) * fact(n-s-1) / fact(n) * (cost(mask|1<<i) - cost(mask))
			}
		}
	}
	return phi
}

func TestStratifiedShapley(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	noise := make([]float64, 1<<7)
	for i := range noise {
		noise[i] = 20 * rng.Float64()
	}
	weights := []float64{30, 10, 25, 5, 40, 15, 20}
	tests := []struct {
		name   string
		n      int
		cost   func(uint64) float64
		exact0 bool // the estimate is exact (marginals constant within a stratum)
	}{
		{"additive", 7, func(m uint64) float64 {
			c := 0.0
			for i, w := range weights {
				if m&(1<<i) != 0 {
					c += w
				}
			}
			return c
		}, true},
		{"symmetric concave", 7, func(m uint64) float64 { return 100 * math.Sqrt(float64(bits.OnesCount64(m))) }, true},
		{"weighted concave with noise", 7, func(m uint64) float64 {
			if m == 0 {
				return 0
			}
			c := 0.0
			for i, w := range weights {
				if m&(1<<i) != 0 {
					c += w
				}
			}
			return 10*math.Sqrt(c) + noise[m]
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := exactShapley(tt.n, tt.cost)
			phi, se := stratifiedShapley(tt.n, strataSamples(tt.n, 60, rand.New(rand.NewPCG(1, 2))), tt.cost)
			for i := range tt.n {
				err := math.Abs(phi[i] - want[i])
				if tt.exact0 && (err > 1e-6 || se[i] > 1e-6) {
					t.Errorf("carrier %d: %.4f ± %.4f, want exactly %.4f", i, phi[i], se[i], want[i])
				}
				if !tt.exact0 && (err > 4*se[i] || !(se[i] > 0)) {
					t.Errorf("carrier %d: %.3f ± %.3f, exact %.3f: off by %.1f standard errors", i, phi[i], se[i], want[i], err/se[i])
				}
			}
		})
	}
}

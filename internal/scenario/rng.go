package scenario

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// rng is the generator's random source. It draws raw 64-bit words from PCG
// (O'Neill 2014, as in math/rand/v2) and derives every distribution here
// rather than through math/rand/v2's helper methods, so a seed's scenario
// depends only on this file and on PCG, a fixed algorithm.
type rng struct{ src *rand.PCG }

// newRNG returns the stream'th independent stream for seed. Each part of
// the scenario draws from its own stream, so changing, say, the parcel count
// leaves the neighbourhoods and pickup points where they were.
func newRNG(seed uint64, stream uint64) *rng {
	return &rng{src: rand.NewPCG(seed, 0x9e3779b97f4a7c15^stream)}
}

// Streams of newRNG.
const (
	streamNeighbourhoods = iota + 1
	streamWarehouses
	streamDepots
	streamCentres
	streamPickups
	streamParcels
	streamCarrierMix
	streamRural
	streamStations
)

// float returns a uniform number in [0, 1).
func (r *rng) float() float64 { return float64(r.src.Uint64()>>11) / (1 << 53) }

// intn returns a uniform integer in [0, n); n must be positive. The
// multiply-shift keeps the bias below n/2^64, negligible here.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.src.Uint64(), uint64(n))
	return int(hi)
}

// between returns a uniform integer in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// uniform returns a uniform number in [lo, hi).
func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// normal returns a standard normal deviate (Box–Muller, one of the pair).
func (r *rng) normal() float64 {
	u := 1 - r.float() // (0, 1]: log is finite
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// lognormal returns a log-normal number with the given median and sigma of
// its logarithm.
func (r *rng) lognormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.normal())
}

// pick returns an index drawn with probability proportional to weights,
// given their running sums cum (cum[len-1] is the total).
func (r *rng) pick(cum []float64) int {
	x := r.float() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// cumulative returns the running sums of w.
func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

// apportion splits total into integer parts proportional to weights by the
// largest-remainder (Hamilton) method: the parts sum to total exactly and
// each differs from its exact quota by less than one. Ties go to the lower
// index, so the result is deterministic.
func apportion(total int, weights []float64) []int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	parts := make([]int, len(weights))
	if sum <= 0 || total <= 0 {
		return parts
	}
	rem := make([]float64, len(weights))
	given := 0
	for i, w := range weights {
		q := float64(total) * w / sum
		parts[i] = int(math.Floor(q))
		rem[i] = q - float64(parts[i])
		given += parts[i]
	}
	for ; given < total; given++ {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		parts[best]++
		rem[best] = -1
	}
	return parts
}

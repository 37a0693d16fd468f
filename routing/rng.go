package routing

// rng is a small, allocation-free pseudo-random generator (xoshiro256**,
// Blackman & Vigna 2018), seeded through splitmix64 so that every seed,
// including zero, gives a good stream. The solver owns one per search thread,
// which keeps runs deterministic for a given seed. Its state fills a cache
// line of its own (64 bytes, a size class the allocator aligns to 64):
// two searches' generators in one line slowed two threads by half.
type rng struct {
	s [4]uint64
	_ [4]uint64
}

func newRNG(seed int64) *rng {
	r := &rng{}
	x := uint64(seed)
	for i := range r.s {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	return r
}

func rotl(x uint64, k uint) uint64 { return (x << k) | (x >> (64 - k)) }

func (r *rng) next() uint64 {
	s := &r.s
	res := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return res
}

// intn returns a uniform integer in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	return int((r.next() >> 33) % uint64(n))
}

// float returns a uniform float64 in [0, 1).
func (r *rng) float() float64 {
	return float64(r.next()>>11) / (1 << 53)
}

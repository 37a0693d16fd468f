package geo

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func square(x0, y0, size float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}
}

func TestValidateRing(t *testing.T) {
	for _, tc := range []struct {
		name string
		ring orb.Ring
		ok   bool
	}{
		{"square", square(106, 29, 0.1), true},
		{"triangle", orb.Ring{{0, 0}, {1, 0}, {0, 1}, {0, 0}}, true},
		{"repeated vertex", orb.Ring{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, true},
		{"concave", orb.Ring{{0, 0}, {4, 0}, {4, 4}, {2, 1}, {0, 4}, {0, 0}}, true},
		{"empty", nil, false},
		{"three points", orb.Ring{{0, 0}, {1, 0}, {0, 0}}, false},
		{"not closed", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, false},
		{"bow tie", orb.Ring{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}, false},
		{"figure eight touching", orb.Ring{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}, {0, 0}}, false},
		{"spike back", orb.Ring{{0, 0}, {2, 0}, {3, 0}, {1, 0}, {1, 1}, {0, 0}}, false},
		{"collinear overlap", orb.Ring{{0, 0}, {3, 0}, {3, 1}, {2, 0}, {1, 0}, {0, 1}, {0, 0}}, false},
		{"NaN", orb.Ring{{0, 0}, {math.NaN(), 0}, {1, 1}, {0, 0}}, false},
		{"latitude 91", orb.Ring{{0, 0}, {1, 91}, {1, 1}, {0, 0}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateRing(tc.ring)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateRing(%v) = %v, want ok %v", tc.ring, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrPolygon) {
				t.Errorf("error %v does not wrap ErrPolygon", err)
			}
		})
	}
}

// selfIntersection agrees with the O(n²) definition on many random rings.
func TestSelfIntersectionMatchesBruteForce(t *testing.T) {
	seed := uint64(42)
	rnd := func() float64 { // xorshift64*, deterministic
		seed ^= seed >> 12
		seed ^= seed << 25
		seed ^= seed >> 27
		return float64((seed*2685821657736338717)>>11) / (1 << 53)
	}
	for trial := range 2000 {
		n := 4 + trial%9
		r := make(orb.Ring, n)
		for i := range r {
			// A coarse grid makes touching and collinear cases common.
			r[i] = orb.Point{math.Floor(rnd() * 5), math.Floor(rnd() * 5)}
		}
		r = append(r, r[0])
		_, _, got, _ := selfIntersection(r, maxPairTests)
		want := bruteSelfIntersection(r)
		if got != want {
			t.Fatalf("selfIntersection(%v) = %v, brute force says %v", r, got, want)
		}
	}
}

// Star-shaped rings of up to 400 edges (so that the bands are used), some
// valid and some with one vertex pulled across the ring.
func TestSelfIntersectionStarRings(t *testing.T) {
	seed := uint64(99)
	rnd := func() float64 {
		seed ^= seed >> 12
		seed ^= seed << 25
		seed ^= seed >> 27
		return float64((seed*2685821657736338717)>>11) / (1 << 53)
	}
	var valid, invalid int
	for trial := range 300 {
		n := 20 + trial
		r := make(orb.Ring, n)
		for i := range r {
			angle := 2 * math.Pi * float64(i) / float64(n)
			radius := 0.5 + rnd()
			r[i] = orb.Point{106 + radius*math.Cos(angle), 29 + radius*math.Sin(angle)}
		}
		if trial%2 == 1 {
			k := int(rnd() * float64(n))
			r[k] = orb.Point{106 + 2*(rnd()-0.5), 29 + 2*(rnd()-0.5)}
		}
		r = append(r, r[0])
		_, _, got, err := selfIntersection(r, maxPairTests)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteSelfIntersection(r); got != want {
			t.Fatalf("trial %d: selfIntersection = %v, brute force %v", trial, got, want)
		}
		if got {
			invalid++
		} else {
			valid++
		}
	}
	t.Logf("%d valid, %d self-intersecting rings", valid, invalid)
}

func bruteSelfIntersection(r orb.Ring) bool {
	type seg struct{ a, b orb.Point }
	var s []seg
	for i := 0; i < len(r)-1; i++ {
		if r[i] != r[i+1] {
			s = append(s, seg{r[i], r[i+1]})
		}
	}
	m := len(s)
	if m < 3 {
		return false
	}
	for i := range m {
		for j := i + 1; j < m; j++ {
			if j == i+1 || (i == 0 && j == m-1) {
				// Adjacent: shared vertex only, unless they fold back.
				var x, y seg = s[i], s[j]
				if j == i+1 && foldsBackSeg(x.a, x.b, y.b) {
					return true
				}
				if i == 0 && j == m-1 && foldsBackSeg(y.a, y.b, x.b) {
					return true
				}
				continue
			}
			if segmentsIntersect(s[i].a, s[i].b, s[j].a, s[j].b) {
				return true
			}
		}
	}
	return false
}

// foldsBackSeg: edge a→b followed by b→c doubles back along itself.
func foldsBackSeg(a, b, c orb.Point) bool {
	if orient(a, b, c) != 0 {
		return false
	}
	return (a[0]-b[0])*(c[0]-b[0])+(a[1]-b[1])*(c[1]-b[1]) > 0
}

func TestValidatePolygon(t *testing.T) {
	hole := orb.Ring{{106.02, 29.02}, {106.02, 29.05}, {106.05, 29.05}, {106.05, 29.02}, {106.02, 29.02}}
	if err := ValidatePolygon(orb.Polygon{square(106, 29, 0.1), hole}); err != nil {
		t.Errorf("polygon with hole: %v", err)
	}
	if err := ValidatePolygon(nil); !errors.Is(err, ErrPolygon) {
		t.Errorf("ValidatePolygon(nil) = %v, want ErrPolygon", err)
	}
	if err := ValidateMultiPolygon(orb.MultiPolygon{}); !errors.Is(err, ErrPolygon) {
		t.Errorf("ValidateMultiPolygon(empty) = %v, want ErrPolygon", err)
	}
	bad := orb.Ring{{106.02, 29.02}, {106.05, 29.05}, {106.05, 29.02}, {106.02, 29.05}, {106.02, 29.02}}
	if err := ValidatePolygon(orb.Polygon{square(106, 29, 0.1), bad}); !errors.Is(err, ErrPolygon) {
		t.Errorf("self-intersecting hole: %v, want ErrPolygon", err)
	}
}

// FuzzSelfIntersection checks the sweep against the O(n²) definition on
// rings whose vertices come from the fuzzer (on a small grid, so that
// touching and collinear edges are common).
func FuzzSelfIntersection(f *testing.F) {
	f.Add([]byte{0, 0, 4, 0, 4, 4, 0, 4})
	f.Add([]byte{0, 0, 1, 1, 1, 0, 0, 1})
	f.Add([]byte{0, 0, 2, 0, 3, 0, 1, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 6 || len(data) > 64 {
			return
		}
		r := make(orb.Ring, 0, len(data)/2+1)
		for i := 0; i+1 < len(data); i += 2 {
			r = append(r, orb.Point{float64(data[i] % 8), float64(data[i+1] % 8)})
		}
		r = append(r, r[0])
		_, _, got, _ := selfIntersection(r, maxPairTests)
		if want := bruteSelfIntersection(r); got != want {
			t.Fatalf("selfIntersection(%v) = %v, brute force %v", r, got, want)
		}
	})
}

// comb is a valid ring of n edges zigzagging across the same x range, the
// worst case of a plain x sweep.
func comb(n int, diagonal bool) orb.Ring {
	var r orb.Ring
	for i := 0; i < n; i++ {
		x, y := float64(i%2), float64(i)*0.001
		if diagonal {
			y += x * 5
		}
		r = append(r, orb.Point{x, y})
	}
	last := r[len(r)-1]
	return append(r, orb.Point{-1, last[1]}, orb.Point{-1, 0}, r[0])
}

func TestSelfIntersectionComb(t *testing.T) {
	// The horizontal comb is split by the bands and checked quickly.
	if err := ValidateRing(comb(20000, false)); err != nil {
		t.Errorf("ValidateRing(comb) = %v, want valid", err)
	}
	// A slanted comb defeats the bands; past the budget it is refused.
	if _, _, _, err := selfIntersection(comb(4000, true), 100_000); !errors.Is(err, errTooComplex) {
		t.Errorf("selfIntersection(slanted comb, small budget) error = %v, want errTooComplex", err)
	}
}

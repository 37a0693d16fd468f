package location

import (
	"bytes"
	"math"
	"os"
	"testing"
)

func seedFile(f *testing.F, path string) {
	if b, err := os.ReadFile(path); err == nil {
		f.Add(b)
	}
}

func FuzzReadCFLP(f *testing.F) {
	seedFile(f, "testdata/tiny_cap.txt")
	f.Add([]byte("1 1\n5 1\n3 4\n"))
	f.Add([]byte("2 1\ncapacity 1\n4 2.5\n3 4 5\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadCFLP(bytes.NewReader(b), 9)
		if err != nil {
			return
		}
		// Invariants of an accepted instance.
		if len(p.Fixed) != p.M() || len(p.Cost) != p.M()*p.N() {
			t.Fatalf("inconsistent lengths: %d facilities, %d fixed, %d costs", p.M(), len(p.Fixed), len(p.Cost))
		}
		var c, d int64
		for _, x := range p.Capacity {
			c += x
		}
		for _, x := range p.Demand {
			if x < 0 {
				t.Fatalf("negative demand accepted")
			}
			d += x
		}
		if c < d {
			t.Fatalf("capacity %d < demand %d accepted", c, d)
		}
		for _, x := range p.Cost {
			if math.IsNaN(x) || x < 0 {
				t.Fatalf("cost %v accepted", x)
			}
		}
	})
}

func FuzzReadPMedian(f *testing.F) {
	seedFile(f, "testdata/tiny_pmed.txt")
	f.Add([]byte("2 1 1\n1 2 5\n"))
	f.Add([]byte("3 3 2\n1 2 5\n2 3 1\n1 2 2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadPMedian(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted an invalid problem: %v", err)
		}
		// Shortest paths: zero diagonal, symmetric, triangle inequality.
		n := p.N
		for a := 0; a < n; a++ {
			if p.Dist[a*n+a] != 0 {
				t.Fatalf("dist(%d,%d) = %d", a, a, p.Dist[a*n+a])
			}
			for b := 0; b < n; b++ {
				if p.Dist[a*n+b] != p.Dist[b*n+a] {
					t.Fatalf("asymmetric distance %d-%d", a, b)
				}
				for c := 0; c < n && n <= 40; c++ {
					if int64(p.Dist[a*n+c]) > int64(p.Dist[a*n+b])+int64(p.Dist[b*n+c]) {
						t.Fatalf("triangle inequality fails at %d,%d,%d", a, b, c)
					}
				}
			}
		}
	})
}

func FuzzReadCPMP(f *testing.F) {
	seedFile(f, "testdata/tiny_cpmp.txt")
	f.Add([]byte("1 5\n2 1 10\n1 0 0 4\n2 3 4 5\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadCPMP(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := p.CPMP.Validate(); err != nil {
			t.Fatalf("accepted an invalid problem: %v", err)
		}
		for a := 0; a < p.N; a++ {
			if p.Dist[a*p.N+a] != 0 {
				t.Fatalf("dist(%d,%d) = %d", a, a, p.Dist[a*p.N+a])
			}
		}
	})
}

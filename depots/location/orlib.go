package location

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Size limits for the readers, so a hostile header cannot ask for
// gigabytes.
const (
	maxFacilities = 1 << 14
	maxCustomers  = 1 << 16
	maxMatrix     = 1 << 26 // entries
)

// tokens reads whitespace-separated fields.
type tokens struct {
	s   *bufio.Scanner
	pos int // tokens read, for messages
}

func newTokens(r io.Reader) *tokens {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 1<<20)
	s.Split(bufio.ScanWords)
	return &tokens{s: s}
}

func (t *tokens) next(what string) (string, error) {
	if !t.s.Scan() {
		if err := t.s.Err(); err != nil {
			return "", fmt.Errorf("%w: reading %s: %w", ErrFormat, what, err)
		}
		return "", fmt.Errorf("%w: unexpected end of file reading %s", ErrFormat, what)
	}
	t.pos++
	return t.s.Text(), nil
}

func (t *tokens) float(what string) (float64, error) {
	s, err := t.next(what)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: token %d (%s): %q is not a finite number", ErrFormat, t.pos, what, s)
	}
	return v, nil
}

// int reads an integer, also accepting "5000." style integral floats.
func (t *tokens) int(what string) (int64, error) {
	s, err := t.next(what)
	if err != nil {
		return 0, err
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return 0, fmt.Errorf("%w: token %d (%s): %q is not an integer", ErrFormat, t.pos, what, s)
	}
	return int64(v), nil
}

// ReadCFLP reads an OR-Library capacitated warehouse location file
// (Beasley 1988): "m n", m lines "capacity fixed", then per customer its
// demand and m costs of serving all of it from each warehouse. Where the
// file has the word "capacity" instead of a number (capa, capb, capc),
// capacity is used; it must then be positive.
func ReadCFLP(r io.Reader, capacity int64) (*CFLP, error) {
	t := newTokens(r)
	m, err := t.int("m")
	if err != nil {
		return nil, err
	}
	n, err := t.int("n")
	if err != nil {
		return nil, err
	}
	if m <= 0 || n < 0 || m > maxFacilities || n > maxCustomers || m*n > maxMatrix {
		return nil, fmt.Errorf("%w: size %d×%d out of range", ErrFormat, m, n)
	}
	p := &CFLP{Capacity: make([]int64, m), Fixed: make([]float64, m), Demand: make([]int64, n), Cost: make([]float64, m*n)}
	for i := 0; i < int(m); i++ {
		s, err := t.next("capacity")
		if err != nil {
			return nil, err
		}
		if s == "capacity" {
			if capacity <= 0 {
				return nil, fmt.Errorf("%w: the file has the word \"capacity\"; give a capacity", ErrFormat)
			}
			p.Capacity[i] = capacity
		} else {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v != math.Trunc(v) || v < 0 || v > 1<<53 {
				return nil, fmt.Errorf("%w: warehouse %d capacity %q", ErrFormat, i+1, s)
			}
			p.Capacity[i] = int64(v)
		}
		if p.Fixed[i], err = t.float("fixed cost"); err != nil {
			return nil, err
		}
	}
	for j := 0; j < int(n); j++ {
		if p.Demand[j], err = t.int("demand"); err != nil {
			return nil, err
		}
		for i := 0; i < int(m); i++ {
			if p.Cost[i*int(n)+j], err = t.float("allocation cost"); err != nil {
				return nil, err
			}
		}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// ReadPMedian reads an OR-Library p-median file (Beasley 1985): "n m p",
// then m undirected edges "i j cost" with 1-based vertices. Distances are
// all-pairs shortest paths (Dijkstra from every vertex). When an edge is
// listed twice, the last occurrence wins, as the published optima assume.
// Every vertex must be reachable.
func ReadPMedian(r io.Reader) (*PMedian, error) {
	t := newTokens(r)
	n, err := t.int("n")
	if err != nil {
		return nil, err
	}
	m, err := t.int("edges")
	if err != nil {
		return nil, err
	}
	p, err := t.int("p")
	if err != nil {
		return nil, err
	}
	if n <= 0 || n > 1<<12 || m < 0 || m > 1<<22 {
		return nil, fmt.Errorf("%w: %d vertices, %d edges out of range", ErrFormat, n, m)
	}
	if p <= 0 || p > n {
		return nil, fmt.Errorf("%w: p = %d with %d vertices", ErrFormat, p, n)
	}
	type key struct{ a, b int32 }
	last := make(map[key]int32, m)
	order := make([]key, 0, m)
	for k := 0; k < int(m); k++ {
		var e [3]int64
		for x, what := range []string{"edge tail", "edge head", "edge cost"} {
			if e[x], err = t.int(what); err != nil {
				return nil, err
			}
		}
		if e[0] < 1 || e[0] > n || e[1] < 1 || e[1] > n {
			return nil, fmt.Errorf("%w: edge %d: vertex out of 1..%d", ErrFormat, k+1, n)
		}
		if e[2] < 0 || e[2] > 1<<20 {
			return nil, fmt.Errorf("%w: edge %d: cost %d out of range", ErrFormat, k+1, e[2])
		}
		a, b := int32(e[0]-1), int32(e[1]-1)
		if a > b {
			a, b = b, a
		}
		kk := key{a, b}
		if _, ok := last[kk]; !ok {
			order = append(order, kk)
		}
		last[kk] = int32(e[2])
	}
	nn := int(n)
	adj := make([][]edge, nn)
	for _, kk := range order {
		if kk.a == kk.b {
			continue
		}
		c := last[kk]
		adj[kk.a] = append(adj[kk.a], edge{kk.b, c})
		adj[kk.b] = append(adj[kk.b], edge{kk.a, c})
	}
	dist := make([]int32, nn*nn)
	for s := 0; s < nn; s++ {
		if err := dijkstra(adj, s, dist[s*nn:(s+1)*nn]); err != nil {
			return nil, err
		}
	}
	return &PMedian{N: nn, M: nn, P: int(p), Dist: dist}, nil
}

type edge struct {
	to   int32
	cost int32
}

type pq []edge // cost field holds the tentative distance

func (q pq) Len() int            { return len(q) }
func (q pq) Less(i, j int) bool  { return q[i].cost < q[j].cost }
func (q pq) Swap(i, j int)       { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)         { *q = append(*q, x.(edge)) }
func (q *pq) Pop() any           { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }
func (q pq) top() (int32, int32) { return q[0].to, q[0].cost }

func dijkstra(adj [][]edge, s int, d []int32) error {
	const inf = math.MaxInt32
	for i := range d {
		d[i] = inf
	}
	d[s] = 0
	q := &pq{{int32(s), 0}}
	for q.Len() > 0 {
		e := heap.Pop(q).(edge)
		if e.cost > d[e.to] {
			continue
		}
		for _, a := range adj[e.to] {
			nd := int64(e.cost) + int64(a.cost)
			if nd < int64(d[a.to]) {
				if nd >= inf {
					return fmt.Errorf("%w: path length overflows", ErrFormat)
				}
				d[a.to] = int32(nd)
				heap.Push(q, edge{a.to, int32(nd)})
			}
		}
	}
	for i, v := range d {
		if v == inf {
			return fmt.Errorf("%w: vertex %d unreachable from %d", ErrFormat, i+1, s+1)
		}
	}
	return nil
}

// CPMPFile is a capacitated p-median instance as read from OR-Library
// pmedcap1 (Osman & Christofides 1994).
type CPMPFile struct {
	Problem   int     // problem number from the header
	BestKnown float64 // best-known value from the header
	X, Y      []float64
	CPMP
}

// ReadCPMP reads an OR-Library capacitated p-median file: "number best",
// "n p Q", then n lines "id x y demand". Every customer is a candidate
// median with capacity Q, and the distance is the Euclidean distance
// truncated to an integer, the convention of the published optima.
func ReadCPMP(r io.Reader) (*CPMPFile, error) {
	t := newTokens(r)
	num, err := t.int("problem number")
	if err != nil {
		return nil, err
	}
	best, err := t.float("best-known value")
	if err != nil {
		return nil, err
	}
	n, err := t.int("n")
	if err != nil {
		return nil, err
	}
	p, err := t.int("p")
	if err != nil {
		return nil, err
	}
	q, err := t.int("capacity")
	if err != nil {
		return nil, err
	}
	if n <= 0 || n > 1<<12 || p <= 0 || p > n || q < 0 {
		return nil, fmt.Errorf("%w: n=%d p=%d Q=%d out of range", ErrFormat, n, p, q)
	}
	nn := int(n)
	f := &CPMPFile{Problem: int(num), BestKnown: best, X: make([]float64, nn), Y: make([]float64, nn)}
	f.N, f.M, f.P = nn, nn, int(p)
	f.Capacity = make([]int64, nn)
	f.Demand = make([]int64, nn)
	for j := 0; j < nn; j++ {
		if _, err := t.int("id"); err != nil {
			return nil, err
		}
		if f.X[j], err = t.float("x"); err != nil {
			return nil, err
		}
		if f.Y[j], err = t.float("y"); err != nil {
			return nil, err
		}
		if math.Abs(f.X[j]) > 1e7 || math.Abs(f.Y[j]) > 1e7 {
			return nil, fmt.Errorf("%w: customer %d coordinates out of range", ErrFormat, j+1)
		}
		if f.Demand[j], err = t.int("demand"); err != nil {
			return nil, err
		}
		f.Capacity[j] = q
	}
	f.Dist = make([]int32, nn*nn)
	for a := 0; a < nn; a++ {
		for b := 0; b < nn; b++ {
			f.Dist[a*nn+b] = int32(math.Floor(math.Hypot(f.X[a]-f.X[b], f.Y[a]-f.Y[b])))
		}
	}
	if err := f.CPMP.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

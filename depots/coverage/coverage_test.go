package coverage

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// randomInstance scatters n demand points and m pickup points over a box of
// sizeKm around central Chongqing. Radii vary per point; when capped, half the
// points get a capacity.
func randomInstance(seed uint64, n, m int, sizeKm float64, capped bool) ([]Demand, []Point) {
	r := rand.New(rand.NewPCG(seed, 7))
	const lon0, lat0 = 106.50, 29.55
	dLat := sizeKm / 111.2
	dLon := dLat / math.Cos(lat0*math.Pi/180)
	pt := func() orb.Point { return orb.Point{lon0 + r.Float64()*dLon, lat0 + r.Float64()*dLat} }
	demand := make([]Demand, n)
	for i := range demand {
		demand[i] = Demand{Location: pt(), Weight: float64(r.IntN(20))}
	}
	points := make([]Point, m)
	for j := range points {
		points[j] = Point{ID: "p" + itoa(j), Location: pt()}
		if r.IntN(3) > 0 {
			points[j].RadiusMeters = 150 + r.Float64()*900
		}
		if capped && r.IntN(2) == 0 {
			points[j].CapacityPerDay = 1 + float64(r.IntN(60))
		}
	}
	return demand, points
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// bruteForce computes coverage by checking every (demand, point) pair and
// assigning nearest-first, with no index.
func bruteForce(demand []Demand, points []Point, opts Options) (covered, served float64, nearest []int32) {
	circ := opts.circuity()
	maxPairs := opts.MaxPairs
	if maxPairs <= 0 {
		maxPairs = 32
	}
	var pairs []pair
	nearest = make([]int32, len(demand))
	for i, d := range demand {
		nearest[i] = -1
		s := prepare(d.Location)
		var hits []hit
		for j, p := range points {
			r := p.RadiusMeters
			if r == 0 {
				r = opts.RadiusMeters
			}
			if h := hav(s, prepare(p.Location)); h <= reachH(r/circ) {
				hits = append(hits, hit{point: int32(j), h: h})
			}
		}
		if len(hits) == 0 {
			continue
		}
		slices.SortFunc(hits, cmpHit)
		nearest[i] = hits[0].point
		covered += d.Weight
		if d.Weight == 0 {
			continue
		}
		for _, h := range hits[:min(len(hits), maxPairs)] {
			pairs = append(pairs, pair{key: math.Float64bits(h.h), demand: int32(i), point: h.point})
		}
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	left := make([]float64, len(points))
	for j, p := range points {
		left[j] = capacity(p)
	}
	got := make([]float64, len(demand))
	for _, pr := range pairs {
		a := min(demand[pr.demand].Weight-got[pr.demand], left[pr.point])
		if a > 0 {
			got[pr.demand] += a
			left[pr.point] -= a
		}
	}
	for _, g := range got {
		served += g
	}
	return covered, served, nearest
}

func TestAnalyzeMatchesBruteForce(t *testing.T) {
	tests := []struct {
		name     string
		seed     uint64
		n, m     int
		sizeKm   float64
		capped   bool
		radius   float64
		circuity float64
		maxPairs int
		res      int
	}{
		{"sparse", 1, 400, 20, 6, false, 500, 0, 0, 0},
		{"dense capped", 2, 800, 120, 4, true, 400, 1.3, 0, 0},
		{"great-circle", 3, 600, 60, 5, true, 700, 1, 0, 0},
		{"wide radius", 4, 500, 40, 3, true, 2500, 1.2, 0, 0},
		{"tiny radius", 5, 500, 80, 2, false, 60, 1.4, 0, 0},
		{"truncated pairs", 6, 500, 150, 2, true, 1500, 1, 3, 0},
		{"large area", 7, 1000, 200, 40, true, 900, 0, 0, 0},
		{"fine resolution", 8, 500, 60, 4, true, 800, 1, 0, 11},
		{"coarse resolution", 10, 500, 60, 4, true, 800, 1, 0, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			demand, points := randomInstance(tc.seed, tc.n, tc.m, tc.sizeKm, tc.capped)
			opts := Options{RadiusMeters: tc.radius, Circuity: tc.circuity, MaxPairs: tc.maxPairs, Resolution: tc.res,
				Workers: 2, Assignment: AssignGreedy}
			rep, err := Analyze(context.Background(), demand, points, opts)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			cov, srv, nearest := bruteForce(demand, points, opts)
			if rep.CoveredDemand != cov {
				t.Errorf("covered demand = %v, want %v", rep.CoveredDemand, cov)
			}
			if rep.CoveredWithCapacity != srv {
				t.Errorf("covered with capacity = %v, want %v", rep.CoveredWithCapacity, srv)
			}
			if !slices.Equal(rep.Nearest, nearest) {
				t.Errorf("nearest points differ from brute force")
			}
			if rep.CoveredDemand == 0 || rep.CoveredDemand == rep.TotalDemand {
				t.Logf("degenerate instance: covered %v of %v", rep.CoveredDemand, rep.TotalDemand)
			}
			sumAssigned, sumCells := 0.0, 0.0
			for _, p := range rep.Points {
				sumAssigned += p.AssignedDemand
			}
			for _, c := range rep.Cells {
				sumCells += c.Covered
			}
			if math.Abs(sumAssigned-rep.CoveredWithCapacity) > 1e-6 || math.Abs(sumCells-rep.CoveredDemand) > 1e-6 {
				t.Errorf("assigned %v, cells covered %v; want %v and %v", sumAssigned, sumCells, rep.CoveredWithCapacity, rep.CoveredDemand)
			}
			if tc.maxPairs != 0 {
				return
			}
			// The min-cost assignment serves the most demand possible:
			// the maximum flow of the brute-force bipartite graph.
			opts.Assignment = AssignMinCost
			mc, err := Analyze(context.Background(), demand, points, opts)
			if err != nil {
				t.Fatalf("Analyze min-cost: %v", err)
			}
			if want := bruteMaxFlow(demand, points, opts); mc.CoveredWithCapacity != want {
				t.Errorf("min-cost covered with capacity = %v, want max flow %v", mc.CoveredWithCapacity, want)
			}
			if mc.CoveredWithCapacity < rep.CoveredWithCapacity {
				t.Errorf("min-cost serves %v, less than greedy %v", mc.CoveredWithCapacity, rep.CoveredWithCapacity)
			}
			for j, p := range mc.Points {
				if c := capacity(points[j]); p.AssignedDemand > c {
					t.Errorf("point %s assigned %v over capacity %v", p.ID, p.AssignedDemand, c)
				}
			}
		})
	}
}

// bruteMaxFlow is the most demand the points can serve within capacity,
// by Edmonds–Karp on the all-pairs bipartite graph (whole-number weights).
func bruteMaxFlow(demand []Demand, points []Point, opts Options) float64 {
	n, m := len(demand), len(points)
	src, snk := n+m, n+m+1
	type edge struct {
		to  int
		cap int64
	}
	var edges []edge
	adj := make([][]int, n+m+2)
	add := func(u, v int, c int64) {
		adj[u] = append(adj[u], len(edges))
		edges = append(edges, edge{v, c})
		adj[v] = append(adj[v], len(edges))
		edges = append(edges, edge{u, 0})
	}
	total := int64(0)
	for _, d := range demand {
		total += int64(d.Weight)
	}
	for i, d := range demand {
		add(src, i, int64(d.Weight))
		s := prepare(d.Location)
		for j, p := range points {
			r := p.RadiusMeters
			if r == 0 {
				r = opts.RadiusMeters
			}
			if hav(s, prepare(p.Location)) <= reachH(r/opts.circuity()) {
				add(i, n+j, total)
			}
		}
	}
	for j, p := range points {
		c := total
		if p.CapacityPerDay > 0 {
			c = int64(p.CapacityPerDay)
		}
		add(n+j, snk, c)
	}
	flowSum := int64(0)
	prev := make([]int, n+m+2)
	for {
		for i := range prev {
			prev[i] = -1
		}
		queue := []int{src}
		prev[src] = -2
		for len(queue) > 0 && prev[snk] == -1 {
			u := queue[0]
			queue = queue[1:]
			for _, e := range adj[u] {
				if edges[e].cap > 0 && prev[edges[e].to] == -1 {
					prev[edges[e].to] = e
					queue = append(queue, edges[e].to)
				}
			}
		}
		if prev[snk] == -1 {
			return float64(flowSum)
		}
		amt := int64(math.MaxInt64)
		for v := snk; v != src; v = edges[prev[v]^1].to {
			amt = min(amt, edges[prev[v]].cap)
		}
		for v := snk; v != src; v = edges[prev[v]^1].to {
			edges[prev[v]].cap -= amt
			edges[prev[v]^1].cap += amt
		}
		flowSum += amt
	}
}

func TestAnalyzeBadInput(t *testing.T) {
	good := []Demand{{Location: orb.Point{106.5, 29.5}, Weight: 1}}
	pts := []Point{{ID: "a", Location: orb.Point{106.5, 29.5}}}
	nan := math.NaN()
	tests := []struct {
		name   string
		demand []Demand
		points []Point
		opts   Options
	}{
		{"no demand", nil, pts, Options{RadiusMeters: 300}},
		{"no points", good, nil, Options{RadiusMeters: 300}},
		{"NaN demand", []Demand{{Location: orb.Point{nan, 29}, Weight: 1}}, pts, Options{RadiusMeters: 300}},
		{"NaN point", good, []Point{{ID: "x", Location: orb.Point{106, nan}}}, Options{RadiusMeters: 300}},
		{"latitude out of range", []Demand{{Location: orb.Point{106, 95}, Weight: 1}}, pts, Options{RadiusMeters: 300}},
		{"negative weight", []Demand{{Location: orb.Point{106, 29}, Weight: -1}}, pts, Options{RadiusMeters: 300}},
		{"negative radius", good, []Point{{ID: "x", Location: orb.Point{106, 29}, RadiusMeters: -5}}, Options{RadiusMeters: 300}},
		{"negative default radius", good, pts, Options{RadiusMeters: -300}},
		{"negative capacity", good, []Point{{ID: "x", Location: orb.Point{106, 29}, CapacityPerDay: -1}}, Options{RadiusMeters: 300}},
		{"no radius", good, pts, Options{}},
		{"circuity below 1", good, pts, Options{RadiusMeters: 300, Circuity: 0.5}},
		{"NaN circuity", good, pts, Options{RadiusMeters: 300, Circuity: nan}},
		{"empty id", good, []Point{{Location: orb.Point{106.5, 29.5}}}, Options{RadiusMeters: 300}},
		{"duplicate id", good, []Point{pts[0], pts[0]}, Options{RadiusMeters: 300}},
		{"resolution too fine for the radius", good, pts, Options{RadiusMeters: 5000, Resolution: 14}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Analyze(context.Background(), tc.demand, tc.points, tc.opts)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Analyze(%s) error = %v, want ErrInvalid", tc.name, err)
			}
		})
	}
}

func TestReachableAllocs(t *testing.T) {
	demand, points := randomInstance(9, 10, 50, 2, false)
	reach := make([]float64, len(points))
	for i := range reach {
		reach[i] = 800
	}
	ix, err := newPointIndex(locations(points), reach, 9)
	if err != nil {
		t.Fatal(err)
	}
	cand := make([]int32, len(points))
	for i := range cand {
		cand[i] = int32(i)
	}
	buf := make([]hit, 0, len(points))
	s := prepare(demand[0].Location)
	if a := testing.AllocsPerRun(100, func() { buf = ix.reachable(buf[:0], s, cand) }); a != 0 {
		t.Fatalf("reachable allocs = %v, want 0", a)
	}
}

func TestRadixSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a := make([]pair, 10000)
	for i := range a {
		a[i] = pair{key: math.Float64bits(r.Float64() * 1e-6), demand: int32(i)}
	}
	a[5].key = a[9].key // a tie keeps input order
	got := sortPairs([][]pair{a[:3000], nil, a[3000:]})
	if len(got) != len(a) || !slices.IsSortedFunc(got, func(x, y pair) int { return cmpUint(x.key, y.key) }) {
		t.Fatal("sortPairs result not sorted")
	}
	want := slices.Clone(a)
	slices.SortStableFunc(want, func(x, y pair) int { return cmpUint(x.key, y.key) })
	if !slices.Equal(got, want) {
		t.Fatal("sortPairs is not a stable sort")
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestAnalyzeZonesCellsHotSpots(t *testing.T) {
	demand, points := randomInstance(21, 2000, 30, 6, true)
	opts := Options{RadiusMeters: 500, HotSpots: 5, ZoneOf: func(p orb.Point) (string, bool) {
		switch {
		case p[0] < 106.52:
			return "west", true
		case p[0] < 106.54:
			return "east", true
		}
		return "", false
	}}
	rep, err := Analyze(context.Background(), demand, points, opts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var total, covered, served float64
	for _, z := range rep.Zones {
		names = append(names, z.Zone)
		total += z.TotalDemand
		covered += z.CoveredDemand
		served += z.CoveredWithCapacity
	}
	if !slices.Equal(names, []string{NoZone, "east", "west"}) {
		t.Errorf("zones = %v, want %v", names, []string{NoZone, "east", "west"})
	}
	if math.Abs(total-rep.TotalDemand) > 1e-6 || math.Abs(covered-rep.CoveredDemand) > 1e-6 || math.Abs(served-rep.CoveredWithCapacity) > 1e-6 {
		t.Errorf("zone sums %v/%v/%v, want %v/%v/%v", total, covered, served, rep.TotalDemand, rep.CoveredDemand, rep.CoveredWithCapacity)
	}
	if len(rep.HotSpots) != 5 {
		t.Fatalf("%d hot spots, want 5", len(rep.HotSpots))
	}
	for i, h := range rep.HotSpots {
		if h.Uncovered <= 0 || i > 0 && h.Uncovered > rep.HotSpots[i-1].Uncovered {
			t.Errorf("hot spot %d: uncovered %v out of order", i, h.Uncovered)
		}
	}
	for _, c := range rep.Cells {
		if c.Uncovered > rep.HotSpots[4].Uncovered && !slices.ContainsFunc(rep.HotSpots, func(h CellResult) bool { return h.Cell == c.Cell }) {
			t.Errorf("cell %s with %v uncovered missing from the hot spots", c.ID, c.Uncovered)
		}
		want := StatusCovered
		switch {
		case c.Covered == 0 && c.Demand > 0:
			want = StatusUncovered
		case c.Uncovered > 0:
			want = StatusPartial
		case c.Served < c.Covered-1e-9:
			want = StatusCapacity
		}
		if c.Demand > 0 && c.Status != want {
			t.Errorf("cell %s status %q, want %q (%+v)", c.ID, c.Status, want, c)
		}
	}
	fc, err := CellsGeoJSON(rep.Cells)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != len(rep.Cells) || fc.Features[0].Geometry.GeoJSONType() != "Polygon" || fc.Features[0].Properties["status"] == nil {
		t.Errorf("CellsGeoJSON: %d features, first %v", len(fc.Features), fc.Features[0])
	}
}

// TestAnalyzeDeterministic runs the same analysis on 1, 2 and 4 goroutines,
// with fractional weights, and wants identical reports.
func TestAnalyzeDeterministic(t *testing.T) {
	demand, points := randomInstance(31, 3000, 80, 5, true)
	for i := range demand {
		demand[i].Weight += 0.1 * float64(i%7)
	}
	var first *Report
	for _, w := range []int{1, 2, 4, 4} {
		rep, err := Analyze(context.Background(), demand, points, Options{RadiusMeters: 450, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = rep
			continue
		}
		if !reflect.DeepEqual(rep, first) {
			t.Fatalf("Analyze with %d workers differs from 1 worker", w)
		}
	}
}

func TestVisitAllocs(t *testing.T) {
	demand, _ := randomInstance(9, 10, 0, 2, false)
	demand[2].Weight = 5
	nearest := make([]int32, len(demand))
	reach := make([]float64, 8)
	var touched []int32
	var sums []share
	pairs := make([]pair, 0, 1024)
	v := &analyzeVisitor{nearest: nearest, weight: demand, reachable: reach, touched: &touched, sums: &sums, maxPairs: 32, truncated: new(int)}
	hits := []hit{{point: 3, h: 2e-9}, {point: 1, h: 1e-9}, {point: 5, h: 3e-9}}
	touched = make([]int32, 0, 8)
	if a := testing.AllocsPerRun(100, func() { v.visit(2, hits) }); a != 0 {
		t.Errorf("visit without pairs allocs = %v, want 0", a)
	}
	v.pairs = &pairs
	if a := testing.AllocsPerRun(100, func() { pairs = pairs[:0]; v.visit(2, hits) }); a != 0 {
		t.Errorf("visit with pairs allocs = %v, want 0", a)
	}
	if nearest[2] != 1 || len(pairs) != 3 {
		t.Errorf("nearest = %d, %d pairs; want 1, 3", nearest[2], len(pairs))
	}
}

// TestAnalyzeNoHotSpotsJSON: when every demand point is covered the report
// lists no hot spots as [] (scripts iterate it), not null.
func TestAnalyzeNoHotSpotsJSON(t *testing.T) {
	demand := []Demand{{Location: orb.Point{106.5, 29.5}, Weight: 3}}
	points := []Point{{ID: "a", Location: orb.Point{106.5001, 29.5}}}
	rep, err := Analyze(context.Background(), demand, points, Options{RadiusMeters: 500})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"hot_spots":[]`) {
		t.Errorf("Analyze JSON = %s, want \"hot_spots\":[]", b)
	}
}

// TestAnalyzeHugeRadius: a radius beyond half the globe covers everything
// instead of failing for want of H3 rings.
func TestAnalyzeHugeRadius(t *testing.T) {
	demand := []Demand{{Location: orb.Point{106.5, 29.5}, Weight: 3}, {Location: orb.Point{-74, 40.7}, Weight: 2}}
	points := []Point{{ID: "a", Location: orb.Point{106.5001, 29.5}}}
	rep, err := Analyze(context.Background(), demand, points, Options{RadiusMeters: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if rep.CoveredDemand != 5 {
		t.Errorf("Analyze(radius 1e9 m) covered = %v, want 5", rep.CoveredDemand)
	}
}

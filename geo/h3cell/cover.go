package h3cell

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// parallelMin is the batch size below which FromPoints stays on one
// goroutine: starting goroutines costs more than indexing a few thousand
// points.
const parallelMin = 4096

// FromPoints appends the cell of every point of pts at resolution res to dst
// and returns the extended slice; dst[len(dst)+i] is the cell of pts[i].
//
// It is the batch path for indexing many points: all points are validated
// once up front (an invalid point is an error naming its index, and nothing
// is appended), then the cgo calls, which h3-go cannot batch, are spread over
// GOMAXPROCS goroutines writing disjoint parts of one output slice, each
// making one cgo call for its whole part (see batch.go), which saves the
// per-point cgo transition and h3-go's two small allocations per point.
func FromPoints(dst []Cell, pts []orb.Point, res int) ([]Cell, error) {
	if err := checkRes(res); err != nil {
		return dst, err
	}
	for i, p := range pts {
		if !validPoint(p) {
			return dst, fmt.Errorf("point %d: %w", i, checkPoint(p))
		}
	}
	start := len(dst)
	dst = slices.Grow(dst, len(pts))[:start+len(pts)]
	out := dst[start:]
	workers := runtime.GOMAXPROCS(0)
	if len(pts) < parallelMin || workers == 1 {
		return dst, fillCells(out, pts, res)
	}
	var (
		wg   sync.WaitGroup
		errs = make([]error, workers)
		step = (len(pts) + workers - 1) / workers
	)
	for w := 0; w < workers; w++ {
		lo, hi := w*step, min((w+1)*step, len(pts))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = fillCells(out[lo:hi], pts[lo:hi], res)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

func checkRing(r orb.Ring, what string) error {
	if len(r) < 3 {
		return fmt.Errorf("%w: %s has %d points, need at least 3", ErrInvalid, what, len(r))
	}
	for i, p := range r {
		if !validPoint(p) {
			return fmt.Errorf("%w: %s point %d [%v, %v] is not a valid [lon, lat]", ErrInvalid, what, i, p[0], p[1])
		}
	}
	return nil
}

// loop converts an orb ring to an H3 loop, dropping the closing point.
func loop(r orb.Ring) h3.GeoLoop {
	if len(r) > 1 && r[0] == r[len(r)-1] {
		r = r[:len(r)-1]
	}
	l := make(h3.GeoLoop, len(r))
	for i, p := range r {
		l[i] = h3.NewLatLng(p[1], p[0])
	}
	return l
}

// MaxCells bounds the cells Cover and Children may produce (80 MB of
// indexes); beyond it they return an error asking for a coarser resolution
// instead of exhausting memory on a large area at a fine resolution.
const MaxCells = 10_000_000

// boundCells estimates from above how many cells of resolution res a
// polygon with bounding box b can cover: the box's area on the sphere over
// the smallest cell's area (about half the average), as H3 sizes its own
// buffer from the bounding box.
func boundCells(b orb.Bound, res int) float64 {
	const rad = math.Pi / 180
	const r = 6371007.2 // H3's authalic Earth radius, metres
	area := r * r * (b.Max[0] - b.Min[0]) * rad * math.Abs(math.Sin(b.Max[1]*rad)-math.Sin(b.Min[1]*rad))
	avg, err := h3.HexagonAreaAvgM2(res)
	if err != nil || avg <= 0 {
		return math.Inf(1)
	}
	return area / (avg / 2)
}

// Cover returns the cells at resolution res whose centres lie inside the
// polygon (H3's centre-containment polyfill), sorted and without duplicates.
// The first ring is the outer boundary, the others are holes; rings need not
// be closed. A polygon too small to contain any cell centre covers no cells;
// use FromPoint on a representative point if you need at least one.
func Cover(poly orb.Polygon, res int) ([]Cell, error) {
	if err := checkRes(res); err != nil {
		return nil, err
	}
	if len(poly) == 0 {
		return nil, fmt.Errorf("%w: empty polygon", ErrInvalid)
	}
	gp := h3.GeoPolygon{GeoLoop: nil}
	for i, r := range poly {
		what := "outer ring"
		if i > 0 {
			what = fmt.Sprintf("hole %d", i)
		}
		if err := checkRing(r, what); err != nil {
			return nil, err
		}
		if i == 0 {
			gp.GeoLoop = loop(r)
		} else {
			gp.Holes = append(gp.Holes, loop(r))
		}
	}
	if est := boundCells(poly[0].Bound(), res); est > MaxCells {
		return nil, fmt.Errorf("%w: polygon may cover %.3g cells at resolution %d, more than %d; use a coarser resolution",
			ErrInvalid, est, res, MaxCells)
	}
	cells, err := h3.PolygonToCells(gp, res)
	if err != nil {
		return nil, fmt.Errorf("%w: cover polygon: %w", ErrInvalid, err)
	}
	out := make([]Cell, 0, len(cells))
	for _, c := range cells {
		out = append(out, Cell(c))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// CoverMulti returns the union of Cover over the polygons of mp, sorted and
// without duplicates.
func CoverMulti(mp orb.MultiPolygon, res int) ([]Cell, error) {
	if len(mp) == 0 {
		return nil, fmt.Errorf("%w: empty multipolygon", ErrInvalid)
	}
	var out []Cell
	for i, poly := range mp {
		cells, err := Cover(poly, res)
		if err != nil {
			return nil, fmt.Errorf("polygon %d: %w", i, err)
		}
		out = append(out, cells...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Boundary returns the cell's outline as a closed counter-clockwise ring of
// [lon, lat] points (7 points for a hexagon; up to 11 for cells whose edges
// cross an icosahedron face). Cells straddling the antimeridian are returned
// as H3 gives them, with longitudes jumping by 360°.
func Boundary(c Cell) (orb.Polygon, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	b, err := h3.CellToBoundary(h3.Cell(c))
	if err != nil {
		return nil, fmt.Errorf("%w: boundary of %v: %w", ErrInvalid, c, err)
	}
	r := make(orb.Ring, 0, len(b)+1)
	for _, ll := range b {
		r = append(r, orb.Point{ll.Lng, ll.Lat})
	}
	r = append(r, r[0])
	return orb.Polygon{r}, nil
}

// CellsToMultiPolygon returns the outline of a set of cells of one
// resolution as closed rings, outer rings counter-clockwise followed by their
// holes, for GeoJSON output. Duplicates are ignored; mixed resolutions and
// invalid cells are an error (H3's result is undefined for them).
func CellsToMultiPolygon(cells []Cell) (orb.MultiPolygon, error) {
	if len(cells) == 0 {
		return nil, nil
	}
	res := cells[0].Resolution()
	in := make([]h3.Cell, 0, len(cells))
	for i, c := range cells {
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		if c.Resolution() != res {
			return nil, fmt.Errorf("%w: cell %d has resolution %d, cell 0 has %d", ErrInvalid, i, c.Resolution(), res)
		}
		in = append(in, h3.Cell(c))
	}
	slices.Sort(in)
	in = slices.Compact(in)
	polys, err := h3.CellsToMultiPolygon(in)
	if err != nil {
		return nil, fmt.Errorf("%w: outline of %d cells: %w", ErrInvalid, len(in), err)
	}
	mp := make(orb.MultiPolygon, 0, len(polys))
	for _, gp := range polys {
		poly := orb.Polygon{ring(gp.GeoLoop)}
		for _, h := range gp.Holes {
			poly = append(poly, ring(h))
		}
		mp = append(mp, poly)
	}
	return mp, nil
}

// ring converts an H3 loop to a closed orb ring.
func ring(l h3.GeoLoop) orb.Ring {
	r := make(orb.Ring, 0, len(l)+1)
	for _, ll := range l {
		r = append(r, orb.Point{ll.Lng, ll.Lat})
	}
	if len(r) > 0 && r[0] != r[len(r)-1] {
		r = append(r, r[0])
	}
	return r
}

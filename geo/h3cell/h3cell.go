// Package h3cell is lastmile's only importer of github.com/uber/h3-go: every
// cgo call into the H3 library sits here, and no C or h3-go type leaves it.
//
// H3 is Uber's hierarchical hexagonal grid (Brodsky, "H3: Uber's Hexagonal
// Hierarchical Spatial Index", 2018; https://h3geo.org). Points are orb.Point
// [lon, lat] in WGS-84 degrees; h3-go takes latitude first, and this package
// does the swap so callers never see it.
//
// Every input is validated in Go before it crosses into C (NaN, a latitude
// or longitude out of range, a resolution outside 0..15, an invalid cell), so
// bad data yields an error wrapping ErrInvalid and never a panic or a
// garbage index.
//
// FromPoint and FromPoints do not go through h3-go's LatLngToCell, which
// costs a cgo transition and two small allocations per point: batch.go
// declares H3's C latLngToCell (compiled into h3-go, which this package
// links) and loops over a whole batch in C, so FromPoint allocates nothing
// and FromPoints crosses into C once per core. Results are bit-identical to
// h3-go's (tested).
package h3cell

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// ErrInvalid is returned (wrapped) for a point or cell H3 cannot index.
var ErrInvalid = errors.New("h3cell: invalid input")

// MaxResolution is the finest H3 resolution (about 0.5 m edges).
const MaxResolution = 15

// Cell is an H3 cell index. The zero Cell is invalid.
type Cell uint64

// validPoint reports whether p is a finite [lon, lat] inside the WGS-84 range.
func validPoint(p orb.Point) bool {
	lon, lat := p[0], p[1]
	// The comparisons are false for NaN, so NaN fails here too.
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

func checkPoint(p orb.Point) error {
	if !validPoint(p) {
		return fmt.Errorf("%w: point [%v, %v] is not a valid [lon, lat]", ErrInvalid, p[0], p[1])
	}
	return nil
}

func checkRes(res int) error {
	if res < 0 || res > MaxResolution {
		return fmt.Errorf("%w: resolution %d outside 0..%d", ErrInvalid, res, MaxResolution)
	}
	return nil
}

// FromPoint returns the cell containing p ([lon, lat], WGS-84) at resolution res (0–15).
func FromPoint(p orb.Point, res int) (Cell, error) {
	if err := checkPoint(p); err != nil {
		return 0, err
	}
	if err := checkRes(res); err != nil {
		return 0, err
	}
	return fromPointUnchecked(p, res)
}

// Parse reads a cell from its hexadecimal form, as String writes it.
func Parse(s string) (Cell, error) {
	c := Cell(h3.IndexFromString(s))
	if !c.IsValid() {
		return 0, fmt.Errorf("%w: %q is not an H3 cell", ErrInvalid, s)
	}
	return c, nil
}

// String returns the cell's hexadecimal form, as H3 tools print it.
func (c Cell) String() string { return h3.Cell(c).String() }

// IsValid reports whether c is a valid H3 cell (hexagon or pentagon).
func (c Cell) IsValid() bool { return h3.Cell(c).IsValid() }

func (c Cell) check() error {
	if !c.IsValid() {
		return fmt.Errorf("%w: %#x is not an H3 cell", ErrInvalid, uint64(c))
	}
	return nil
}

// Resolution returns the cell's resolution, 0–15. It returns -1 for an invalid cell.
func (c Cell) Resolution() int {
	if !c.IsValid() {
		return -1
	}
	return h3.Cell(c).Resolution()
}

// Point returns the cell's centre as [lon, lat], WGS-84.
func (c Cell) Point() (orb.Point, error) {
	if err := c.check(); err != nil {
		return orb.Point{}, err
	}
	ll, err := h3.CellToLatLng(h3.Cell(c))
	if err != nil {
		return orb.Point{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return orb.Point{ll.Lng, ll.Lat}, nil
}

// LatLng returns the cell's centre as latitude and longitude in degrees,
// in that order (H3's order). Prefer Point inside lastmile.
func (c Cell) LatLng() (lat, lng float64, err error) {
	p, err := c.Point()
	return p[1], p[0], err
}

// Parent returns the ancestor of c at the coarser resolution res.
func (c Cell) Parent(res int) (Cell, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := checkRes(res); err != nil {
		return 0, err
	}
	if res > c.Resolution() {
		return 0, fmt.Errorf("%w: parent resolution %d finer than cell resolution %d", ErrInvalid, res, c.Resolution())
	}
	p, err := h3.Cell(c).Parent(res)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return Cell(p), nil
}

// IsNeighbor reports whether c and o share an edge. Cells of different
// resolutions are never neighbours.
func (c Cell) IsNeighbor(o Cell) (bool, error) {
	if err := c.check(); err != nil {
		return false, err
	}
	if err := o.check(); err != nil {
		return false, err
	}
	if c.Resolution() != o.Resolution() {
		return false, nil
	}
	ok, err := h3.Cell(c).IsNeighbor(h3.Cell(o))
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return ok, nil
}

// GridDistance returns the number of grid steps between c and o. H3 cannot
// measure across a pentagon or between very distant cells; that is an error.
func (c Cell) GridDistance(o Cell) (int, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	if err := o.check(); err != nil {
		return 0, err
	}
	d, err := h3.GridDistance(h3.Cell(c), h3.Cell(o))
	if err != nil {
		return 0, fmt.Errorf("%w: grid distance %v to %v: %w", ErrInvalid, c, o, err)
	}
	return d, nil
}

// Disk returns the cells within k grid steps of c, c included, in no
// particular order (3k(k+1)+1 cells away from pentagons).
func (c Cell) Disk(k int) ([]Cell, error) { return c.AppendDisk(nil, k) }

// AppendDisk appends the cells within k grid steps of c to dst and returns
// the extended slice. Pass a reused buffer on hot paths: it allocates
// nothing when dst has room for 3k(k+1)+1 more cells.
func (c Cell) AppendDisk(dst []Cell, k int) ([]Cell, error) {
	if err := c.check(); err != nil {
		return dst, err
	}
	if k < 0 {
		return dst, fmt.Errorf("%w: disk radius %d < 0", ErrInvalid, k)
	}
	if n := 3 * float64(k) * float64(k+1); n > MaxCells {
		return dst, fmt.Errorf("%w: disk radius %d too large (%.3g cells)", ErrInvalid, k, n)
	}
	return appendDisk(dst, c, k)
}

// Ring returns the cells exactly k grid steps from c (6k of them, or c alone
// for k = 0). Near a pentagon H3 cannot build a ring; the disk difference is
// used then, so the answer is always complete.
func (c Cell) Ring(k int) ([]Cell, error) { return c.AppendRing(nil, k) }

// AppendRing appends the cells exactly k grid steps from c to dst.
func (c Cell) AppendRing(dst []Cell, k int) ([]Cell, error) {
	if err := c.check(); err != nil {
		return dst, err
	}
	if k < 0 {
		return dst, fmt.Errorf("%w: ring radius %d < 0", ErrInvalid, k)
	}
	cells, err := h3.GridRing(h3.Cell(c), k)
	if err == nil {
		for _, x := range cells {
			dst = append(dst, Cell(x))
		}
		return dst, nil
	}
	// Pentagon distortion: fall back to disk(k) minus disk(k-1) by distance.
	dist, err := h3.GridDiskDistances(h3.Cell(c), k)
	if err != nil || len(dist) <= k {
		return dst, fmt.Errorf("%w: ring of %v: %w", ErrInvalid, c, err)
	}
	for _, x := range dist[k] {
		if x != 0 {
			dst = append(dst, Cell(x))
		}
	}
	return dst, nil
}

// EdgeLengthMeters returns H3's average hexagon edge length at res in metres
// (about 1,281 km at 0, 174 m at 8, 0.5 m at 15).
func EdgeLengthMeters(res int) (float64, error) {
	if err := checkRes(res); err != nil {
		return 0, err
	}
	m, err := h3.HexagonEdgeLengthAvgM(res)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return m, nil
}

// ResolutionForRadius returns the finest resolution whose average edge
// length is still at least radiusMeters/2, that is, the coarsest grid in
// which a disk of that radius spans about one cell each way. Use it to pick an
// index resolution for "what is within r metres" queries: a query then touches
// a Disk(2) or so rather than thousands of cells. Radii at or below 2 × the
// finest edge give resolution 15; radii above 2 × the coarsest edge give 0.
func ResolutionForRadius(radiusMeters float64) (int, error) {
	if !(radiusMeters > 0) || math.IsInf(radiusMeters, 1) {
		return 0, fmt.Errorf("%w: radius %v m must be a positive finite number", ErrInvalid, radiusMeters)
	}
	for res := MaxResolution; res >= 0; res-- {
		e, err := EdgeLengthMeters(res)
		if err != nil {
			return 0, err
		}
		if e >= radiusMeters/2 {
			return res, nil
		}
	}
	return 0, nil
}

// Children returns the descendants of c at the finer resolution res
// (7^(res−r) cells for a hexagon of resolution r).
func (c Cell) Children(res int) ([]Cell, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if err := checkRes(res); err != nil {
		return nil, err
	}
	if res < c.Resolution() {
		return nil, fmt.Errorf("%w: child resolution %d coarser than cell resolution %d", ErrInvalid, res, c.Resolution())
	}
	if n := math.Pow(7, float64(res-c.Resolution())); n > MaxCells {
		return nil, fmt.Errorf("%w: %v has %.3g children at resolution %d, more than %d", ErrInvalid, c, n, res, MaxCells)
	}
	kids, err := h3.Cell(c).Children(res)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	out := make([]Cell, len(kids))
	for i, k := range kids {
		out[i] = Cell(k)
	}
	return out, nil
}

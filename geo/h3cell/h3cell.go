// Package h3cell is lastmile's only importer of github.com/uber/h3-go: every
// cgo call into the H3 library sits here, and no C or h3-go type leaves it.
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

// Cell is an H3 cell index. The zero Cell is invalid.
type Cell uint64

// FromPoint returns the cell containing p ([lon, lat], WGS-84) at resolution res (0–15).
func FromPoint(p orb.Point, res int) (Cell, error) {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, fmt.Errorf("%w: point [%v, %v] is not a valid [lon, lat]", ErrInvalid, lon, lat)
	}
	if res < 0 || res > 15 {
		return 0, fmt.Errorf("%w: resolution %d outside 0..15", ErrInvalid, res)
	}
	c, err := h3.LatLngToCell(h3.NewLatLng(lat, lon), res) // h3 takes latitude first
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return Cell(c), nil
}

// String returns the cell's hexadecimal form, as H3 tools print it.
func (c Cell) String() string { return h3.Cell(c).String() }

package zone

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

// ErrInvalid is returned (wrapped) for a zone that cannot be indexed.
var ErrInvalid = errors.New("zone: invalid zone")

// Zone is a named area: a district, a delivery zone. It is given either as
// polygons (Polygon, [lon, lat] WGS-84) or as a set of H3 cells (Cells);
// when both are set, the polygons define the zone and Cells is ignored by
// NewIndex.
type Zone struct {
	Name    string
	Class   geo.ZoneClass
	Polygon orb.MultiPolygon
	Cells   []h3cell.Cell
	// Properties holds any other GeoJSON properties of the zone, kept so
	// that a read–write round trip loses nothing. May be nil.
	Properties map[string]any
	// FeatureID is the GeoJSON feature's "id" (a string or a number), or nil.
	FeatureID any
}

// Validate checks the zone: a name, a known class, and either valid
// polygons (see geo.ValidatePolygon) or a non-empty set of valid cells.
func (z *Zone) Validate() error {
	if z.Name == "" {
		return fmt.Errorf("%w: zone has no name", ErrInvalid)
	}
	if _, err := geo.ParseZoneClass(string(z.Class)); err != nil {
		return fmt.Errorf("%w: zone %q: %w", ErrInvalid, z.Name, err)
	}
	if len(z.Polygon) > 0 {
		if err := geo.ValidateMultiPolygon(z.Polygon); err != nil {
			return fmt.Errorf("%w: zone %q: %w", ErrInvalid, z.Name, err)
		}
		return nil
	}
	if len(z.Cells) == 0 {
		return fmt.Errorf("%w: zone %q has neither polygons nor cells (empty polygon)", ErrInvalid, z.Name)
	}
	for i, c := range z.Cells {
		if !c.IsValid() {
			return fmt.Errorf("%w: zone %q cell %d (%#x) is not an H3 cell", ErrInvalid, z.Name, i, uint64(c))
		}
	}
	return nil
}

// Index answers "which zone is this point in?" in O(1): one H3 cell
// computation and one map lookup. Build it once with NewIndex; it is
// then safe for concurrent use.
//
// A zone covers the cells of the index resolution whose centres lie in its
// polygons (H3 centre containment), so ZoneOfCell gives a cell straddling
// two zones to the zone containing its centre. Lookup is exact all the
// same: in the cells a boundary crosses, it tests the point against the
// boundary edges in that cell, which costs a few segment tests more. Where
// zones overlap, the earlier zone in the slice wins. A cell-set zone owns
// whole cells: finer cells claim their parent cell, coarser ones are
// expanded to their children. Edges are straight lines in lon/lat degrees,
// and zones must not cross the antimeridian.
type Index struct {
	res    int
	zones  []Zone
	cells  map[h3cell.Cell]int32
	border map[h3cell.Cell]*borderCell // cells crossed by a polygon boundary
	edges  [][2]orb.Point              // boundary edges, indexed by borderCand.edges
}

// NewIndex validates zones and indexes them at H3 resolution res. A
// resolution of 8 (edges of about 0.5 km) or 9 (about 0.2 km) suits
// district and delivery zones.
func NewIndex(zones []Zone, res int) (*Index, error) {
	if res < 0 || res > h3cell.MaxResolution {
		return nil, fmt.Errorf("%w: resolution %d outside 0..15", ErrInvalid, res)
	}
	ix := &Index{res: res, zones: slices.Clone(zones), cells: make(map[h3cell.Cell]int32)}
	covers := make([][]h3cell.Cell, len(zones))
	setOwner := map[h3cell.Cell]int32{}
	claim := func(c h3cell.Cell, zi int) {
		if _, taken := ix.cells[c]; !taken {
			ix.cells[c] = int32(zi)
		}
		if len(ix.zones[zi].Polygon) == 0 {
			if _, taken := setOwner[c]; !taken {
				setOwner[c] = int32(zi)
			}
		}
	}
	for zi := range ix.zones {
		if len(ix.cells) > h3cell.MaxCells {
			return nil, fmt.Errorf("%w: more than %d cells at resolution %d; use a coarser resolution", ErrInvalid, h3cell.MaxCells, res)
		}
		z := &ix.zones[zi]
		if err := z.Validate(); err != nil {
			return nil, fmt.Errorf("zone %d: %w", zi, err)
		}
		if len(z.Polygon) > 0 {
			cells, err := h3cell.CoverMulti(z.Polygon, res)
			if err != nil {
				return nil, fmt.Errorf("%w: zone %q: %w", ErrInvalid, z.Name, err)
			}
			covers[zi] = cells
			for _, c := range cells {
				claim(c, zi)
			}
			continue
		}
		for _, c := range z.Cells {
			switch r := c.Resolution(); {
			case r == res:
				claim(c, zi)
			case r > res:
				p, err := c.Parent(res)
				if err != nil {
					return nil, fmt.Errorf("%w: zone %q: %w", ErrInvalid, z.Name, err)
				}
				claim(p, zi)
			default:
				kids, err := c.Children(res)
				if err != nil {
					return nil, fmt.Errorf("%w: zone %q: %w", ErrInvalid, z.Name, err)
				}
				for _, k := range kids {
					claim(k, zi)
				}
			}
		}
	}
	if err := ix.buildBorders(covers, setOwner); err != nil {
		return nil, err
	}
	return ix, nil
}

// Resolution returns the H3 resolution of the index.
func (ix *Index) Resolution() int { return ix.res }

// Len returns the number of zones.
func (ix *Index) Len() int { return len(ix.zones) }

// Zone returns zone i, as given to NewIndex.
func (ix *Index) Zone(i int) *Zone { return &ix.zones[i] }

// CellCount returns the number of indexed cells.
func (ix *Index) CellCount() int { return len(ix.cells) }

// Lookup returns the index of the zone containing p ([lon, lat], WGS-84).
// ok is false when p is in no zone or is not a valid point. The answer is
// exact: in a cell crossed by a zone boundary, p is tested against the few
// boundary edges in that cell (see zone_border.go).
func (ix *Index) Lookup(p orb.Point) (zone int, ok bool) {
	c, err := h3cell.FromPoint(p, ix.res)
	if err != nil {
		return -1, false
	}
	return ix.zoneOf(c, p)
}

func (ix *Index) zoneOf(c h3cell.Cell, p orb.Point) (int, bool) {
	if bc, ok := ix.border[c]; ok {
		return bc.locate(ix.edges, p)
	}
	return ix.ZoneOfCell(c)
}

// LookupAll appends the zone index of every point of pts to dst (-1 for a
// point in no zone) and returns the extended slice. It indexes the points
// with h3cell.FromPoints, one cgo call per core rather than per point, and
// allocates one scratch slice of cells. An invalid point is an error and
// leaves dst unchanged.
func (ix *Index) LookupAll(dst []int, pts []orb.Point) ([]int, error) {
	cells, err := h3cell.FromPoints(make([]h3cell.Cell, 0, len(pts)), pts, ix.res)
	if err != nil {
		return dst, err
	}
	for k, c := range cells {
		zi, ok := ix.zoneOf(c, pts[k])
		if !ok {
			zi = -1
		}
		dst = append(dst, zi)
	}
	return dst, nil
}

// ZoneOfCell returns the zone of a cell at the index resolution: the zone
// containing the cell's centre.
func (ix *Index) ZoneOfCell(c h3cell.Cell) (zone int, ok bool) {
	zi, ok := ix.cells[c]
	if !ok {
		return -1, false
	}
	return int(zi), true
}

// Class returns the class of the zone containing p, or "" when p is in no
// zone. Its signature fits GreatCircle.Classify.
func (ix *Index) Class(p orb.Point) geo.ZoneClass {
	if zi, ok := ix.Lookup(p); ok {
		return ix.zones[zi].Class
	}
	return ""
}

package geo

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

// ErrZone is returned (wrapped) for a zone that cannot be indexed.
var ErrZone = errors.New("geo: invalid zone")

// ZoneClass is the travel class of a zone: it selects the circuity factor
// and speed of the great-circle travel model.
type ZoneClass string

// The travel classes. The empty class means "unclassified": the travel
// model gives such points its default class.
const (
	ClassUrbanCore     ZoneClass = "urban_core"
	ClassSuburban      ZoneClass = "suburban"
	ClassRuralMountain ZoneClass = "rural_mountain"
)

// ParseZoneClass returns the class named s; "" is the unclassified class.
func ParseZoneClass(s string) (ZoneClass, error) {
	switch c := ZoneClass(s); c {
	case "", ClassUrbanCore, ClassSuburban, ClassRuralMountain:
		return c, nil
	}
	return "", fmt.Errorf("%w: unknown class %q (want urban_core, suburban or rural_mountain)", ErrZone, s)
}

// UnmarshalText parses a class with ParseZoneClass, so decoding JSON
// rejects unknown classes.
func (c *ZoneClass) UnmarshalText(text []byte) error {
	v, err := ParseZoneClass(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Zone is a named area: a district, a delivery zone. It is given either as
// polygons (Polygon, [lon, lat] WGS-84) or as a set of H3 cells (Cells);
// when both are set, the polygons define the zone and Cells is ignored by
// NewZoneIndex.
type Zone struct {
	Name    string
	Class   ZoneClass
	Polygon orb.MultiPolygon
	Cells   []h3cell.Cell
	// Properties holds any other GeoJSON properties of the zone, kept so
	// that a read–write round trip loses nothing. May be nil.
	Properties map[string]any
	// FeatureID is the GeoJSON feature's "id" (a string or a number), or nil.
	FeatureID any
}

// Validate checks the zone: a name, a known class, and either valid
// polygons (see ValidatePolygon) or a non-empty set of valid cells.
func (z *Zone) Validate() error {
	if z.Name == "" {
		return fmt.Errorf("%w: zone has no name", ErrZone)
	}
	if _, err := ParseZoneClass(string(z.Class)); err != nil {
		return fmt.Errorf("zone %q: %w", z.Name, err)
	}
	if len(z.Polygon) > 0 {
		if err := ValidateMultiPolygon(z.Polygon); err != nil {
			return fmt.Errorf("%w: zone %q: %w", ErrZone, z.Name, err)
		}
		return nil
	}
	if len(z.Cells) == 0 {
		return fmt.Errorf("%w: zone %q has neither polygons nor cells (empty polygon)", ErrZone, z.Name)
	}
	for i, c := range z.Cells {
		if !c.IsValid() {
			return fmt.Errorf("%w: zone %q cell %d (%#x) is not an H3 cell", ErrZone, z.Name, i, uint64(c))
		}
	}
	return nil
}

// ZoneIndex answers "which zone is this point in?" in O(1): one H3 cell
// computation and one map lookup. Build it once with NewZoneIndex; it is
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
type ZoneIndex struct {
	res    int
	zones  []Zone
	cells  map[h3cell.Cell]int32
	border map[h3cell.Cell]*borderCell // cells crossed by a polygon boundary
	edges  [][2]orb.Point              // boundary edges, indexed by borderCand.edges
}

// NewZoneIndex validates zones and indexes them at H3 resolution res. A
// resolution of 8 (edges of about 0.5 km) or 9 (about 0.2 km) suits
// district and delivery zones.
func NewZoneIndex(zones []Zone, res int) (*ZoneIndex, error) {
	if res < 0 || res > h3cell.MaxResolution {
		return nil, fmt.Errorf("%w: resolution %d outside 0..15", ErrZone, res)
	}
	ix := &ZoneIndex{res: res, zones: slices.Clone(zones), cells: make(map[h3cell.Cell]int32)}
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
			return nil, fmt.Errorf("%w: more than %d cells at resolution %d; use a coarser resolution", ErrZone, h3cell.MaxCells, res)
		}
		z := &ix.zones[zi]
		if err := z.Validate(); err != nil {
			return nil, fmt.Errorf("zone %d: %w", zi, err)
		}
		if len(z.Polygon) > 0 {
			cells, err := h3cell.CoverMulti(z.Polygon, res)
			if err != nil {
				return nil, fmt.Errorf("%w: zone %q: %w", ErrZone, z.Name, err)
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
					return nil, fmt.Errorf("%w: zone %q: %w", ErrZone, z.Name, err)
				}
				claim(p, zi)
			default:
				kids, err := c.Children(res)
				if err != nil {
					return nil, fmt.Errorf("%w: zone %q: %w", ErrZone, z.Name, err)
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
func (ix *ZoneIndex) Resolution() int { return ix.res }

// Len returns the number of zones.
func (ix *ZoneIndex) Len() int { return len(ix.zones) }

// Zone returns zone i, as given to NewZoneIndex.
func (ix *ZoneIndex) Zone(i int) *Zone { return &ix.zones[i] }

// CellCount returns the number of indexed cells.
func (ix *ZoneIndex) CellCount() int { return len(ix.cells) }

// Lookup returns the index of the zone containing p ([lon, lat], WGS-84).
// ok is false when p is in no zone or is not a valid point. The answer is
// exact: in a cell crossed by a zone boundary, p is tested against the few
// boundary edges in that cell (see zone_border.go).
func (ix *ZoneIndex) Lookup(p orb.Point) (zone int, ok bool) {
	c, err := h3cell.FromPoint(p, ix.res)
	if err != nil {
		return -1, false
	}
	return ix.zoneOf(c, p)
}

func (ix *ZoneIndex) zoneOf(c h3cell.Cell, p orb.Point) (int, bool) {
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
func (ix *ZoneIndex) LookupAll(dst []int, pts []orb.Point) ([]int, error) {
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
func (ix *ZoneIndex) ZoneOfCell(c h3cell.Cell) (zone int, ok bool) {
	zi, ok := ix.cells[c]
	if !ok {
		return -1, false
	}
	return int(zi), true
}

// Class returns the class of the zone containing p, or "" when p is in no
// zone. Its signature fits GreatCircle.Classify.
func (ix *ZoneIndex) Class(p orb.Point) ZoneClass {
	if zi, ok := ix.Lookup(p); ok {
		return ix.zones[zi].Class
	}
	return ""
}

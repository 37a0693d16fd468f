package zone

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

// Exact lookups near zone borders.
//
// A cell's zone is decided by its centre, which is right for every point of
// the cell unless a zone boundary crosses the cell. For those border cells
// the index keeps, per candidate zone, whether the cell centre is inside
// it and the boundary edges that pass near the cell. A point p of the cell
// is then inside a zone exactly when the centre is and the segment from
// the centre to p crosses that zone's edges an even number of times, or the
// centre is not and it crosses them an odd number of times: the parity rule
// of ray casting (Shimrat 1962, ACM Algorithm 112) with the ray replaced by
// the short segment centre→p, so only the handful of edges inside the cell
// are tested, not the whole polygon. Edges are straight in lon/lat degrees,
// as H3's polyfill and GeoJSON viewers draw them.

// borderCell is the exact-lookup data of a cell crossed by a zone boundary.
type borderCell struct {
	centre orb.Point
	cands  []borderCand // ascending zone index: the earlier zone wins
}

type borderCand struct {
	zone     int32
	centreIn bool
	edges    []int32 // indices into Index.edges
}

// borderSampleFraction is the sample spacing along boundary edges as a
// fraction of the average cell edge at the index resolution. Every cell a
// boundary edge crosses holds a point within half a spacing of a sample, so
// it is the sampled cell or one of its neighbours; the index therefore takes
// the disk of radius 1 around every sampled cell as the cells near that edge.
const borderSampleFraction = 0.25

// buildBorders finds the cells crossed by polygon zone boundaries and
// records what an exact lookup there needs. covers[zi] is zone zi's
// centre-containment cover (nil for cell-set zones); setOwner maps cells to
// the first cell-set zone claiming them.
func (ix *Index) buildBorders(covers [][]h3cell.Cell, setOwner map[h3cell.Cell]int32) error {
	edgeMeters, err := h3cell.EdgeLengthMeters(ix.res)
	if err != nil {
		return err
	}
	step := edgeMeters * borderSampleFraction
	var (
		edgeZone    []int32
		samples     []orb.Point
		sampleEdges []int32
	)
	for zi := range ix.zones {
		for _, poly := range ix.zones[zi].Polygon {
			for _, r := range poly {
				for k := 0; k+1 < len(r); k++ {
					a, b := r[k], r[k+1]
					if a == b {
						continue
					}
					e := int32(len(ix.edges))
					ix.edges = append(ix.edges, [2]orb.Point{a, b})
					edgeZone = append(edgeZone, int32(zi))
					n := int(geo.HaversineMeters(a, b)/step) + 1
					for s := 0; s <= n; s++ {
						t := float64(s) / float64(n)
						samples = append(samples, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
						sampleEdges = append(sampleEdges, e)
					}
					if len(samples) > h3cell.MaxCells/2 {
						return fmt.Errorf("%w: boundaries too long for resolution %d; use a coarser resolution", ErrInvalid, ix.res)
					}
				}
			}
		}
	}
	if len(ix.edges) == 0 {
		return nil
	}
	cells, err := h3cell.FromPoints(make([]h3cell.Cell, 0, len(samples)), samples, ix.res)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// (cell, edge) pairs for every cell within one step of a sample: first
	// the distinct sampled pairs, then each sampled cell's disk, computed
	// once per cell.
	type pair struct {
		cell h3cell.Cell
		edge int32
	}
	byCell := func(x, y pair) int {
		if c := cmp.Compare(x.cell, y.cell); c != 0 {
			return c
		}
		return cmp.Compare(x.edge, y.edge)
	}
	sampled := make([]pair, len(cells))
	for i, c := range cells {
		sampled[i] = pair{c, sampleEdges[i]}
	}
	samples, sampleEdges, cells = nil, nil, nil
	slices.SortFunc(sampled, byCell)
	sampled = slices.Compact(sampled)
	pairs := make([]pair, 0, 7*len(sampled))
	var disk []h3cell.Cell
	for i, sp := range sampled {
		if i == 0 || sp.cell != sampled[i-1].cell {
			if disk, err = sp.cell.AppendDisk(disk[:0], 1); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
		}
		for _, d := range disk {
			pairs = append(pairs, pair{d, sp.edge})
		}
	}
	sampled = nil
	slices.SortFunc(pairs, byCell)
	pairs = slices.Compact(pairs)

	ix.border = make(map[h3cell.Cell]*borderCell)
	for i := 0; i < len(pairs); {
		j := i
		for j < len(pairs) && pairs[j].cell == pairs[i].cell {
			j++
		}
		c := pairs[i].cell
		centre, err := c.Point()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		bc := &borderCell{centre: centre}
		// Edges sorted by index are grouped by zone, zones ascending.
		for k := i; k < j; k++ {
			zi := edgeZone[pairs[k].edge]
			if n := len(bc.cands); n == 0 || bc.cands[n-1].zone != zi {
				bc.cands = append(bc.cands, borderCand{zone: zi})
			}
			last := &bc.cands[len(bc.cands)-1]
			last.edges = append(last.edges, pairs[k].edge)
		}
		if zi, ok := setOwner[c]; ok {
			bc.addWhole(zi)
		}
		ix.border[c] = bc
		i = j
	}
	// A zone whose cover holds a border cell contains that cell's centre.
	for zi, cover := range covers {
		for _, c := range cover {
			if bc, ok := ix.border[c]; ok {
				bc.addWhole(int32(zi))
			}
		}
	}
	return nil
}

// addWhole records that zone zi contains the cell centre: it becomes a
// candidate if it is not one already.
func (bc *borderCell) addWhole(zi int32) {
	k, found := slices.BinarySearchFunc(bc.cands, zi, func(c borderCand, z int32) int { return cmp.Compare(c.zone, z) })
	if found {
		bc.cands[k].centreIn = true
		return
	}
	bc.cands = slices.Insert(bc.cands, k, borderCand{zone: zi, centreIn: true})
}

// locate returns the first zone containing p, a point of this cell.
func (bc *borderCell) locate(edges [][2]orb.Point, p orb.Point) (int, bool) {
	for k := range bc.cands {
		c := &bc.cands[k]
		in := c.centreIn
		for _, e := range c.edges {
			if crosses(bc.centre, p, edges[e][0], edges[e][1]) {
				in = !in
			}
		}
		if in {
			return int(c.zone), true
		}
	}
	return -1, false
}

// crosses reports whether segment c→p crosses edge a–b, counting an edge
// endpoint that lies on the line c→p as above it (the half-open rule that
// makes a ray through a vertex cross exactly one of its two edges).
func crosses(c, p, a, b orb.Point) bool {
	if (orient(c, p, a) > 0) == (orient(c, p, b) > 0) {
		return false
	}
	oc, op := orient(a, b, c), orient(a, b, p)
	return (oc > 0 && op < 0) || (oc < 0 && op > 0)
}

// orient returns the sign of the cross product (b−a)×(c−a): positive when
// a, b, c turn counter-clockwise, negative clockwise, zero when collinear.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

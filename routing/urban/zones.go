package urban

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
)

// maxSnapRings bounds the search for a zoned cell near a parcel whose own
// cell lies outside every district (in a sliver between simplified
// outlines, or just outside the area): about 3 km at resolution 8. At a
// finer resolution the search goes as far in metres.
const maxSnapRings = 6

// Zones zones the day: each district's area (Input.Boundaries; for a
// district without one, the cells about its parcels) is cut into H3 cells
// at opts.Resolution and partitioned by Partition into territories
// balanced by the parcels' workload (service time plus StopSeconds). A
// district whose zones at that resolution miss the workload band or the
// compactness floor is zoned again at the next finer one (see
// DistrictArea.Finer), so a dense district whose few cells each carry
// much of a zone's workload gets cells a seventh the area. With
// RespectDistricts false all districts form one area. It returns the
// zones and, per parcel, the index of its zone: the zone of the cell the
// parcel lies in at its district's resolution, or of the nearest zoned
// cell.
func Zones(in Input, opts Options) ([]Zone, []int, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	return zonesOf(in, o)
}

func zonesOf(in Input, o Options) ([]Zone, []int, error) {
	pts := make([]orb.Point, len(in.Parcels))
	for i := range in.Parcels {
		pts[i] = in.Parcels[i].Location
	}
	base, err := newGrid(in, pts, o.Resolution, maxSnapRings)
	if err != nil {
		return nil, nil, err
	}
	// Each parcel's district is that of its cell at the base resolution,
	// so that a district's workload, and with it the city's workload band,
	// is the same at either resolution.
	district := make([]string, len(pts))
	for i, c := range base.parcelCell {
		district[i] = base.owner[c]
	}
	var fine *grid
	refinable := map[string]bool{}
	if o.Resolution < h3cell.MaxResolution {
		rings, err := snapRings(o.Resolution, o.Resolution+1)
		if err != nil {
			return nil, nil, err
		}
		if fine, err = newGrid(in, pts, o.Resolution+1, rings); err != nil {
			return nil, nil, err
		}
		if refinable, err = fine.placeWithin(district, base); err != nil {
			return nil, nil, err
		}
	}
	cl := base.loads(in, o, nil)
	if fine != nil {
		cl = append(cl, fine.loads(in, o, func(i int) bool { return refinable[district[i]] })...)
	}
	var da []DistrictArea
	if o.RespectDistricts {
		for _, d := range base.order {
			a := DistrictArea{District: d, Cells: base.areas[d]}
			if refinable[d] {
				a.Finer = fine.areas[d]
			}
			da = append(da, a)
		}
	} else {
		all, whole := DistrictArea{}, fine != nil
		for _, d := range base.order {
			all.Cells = append(all.Cells, base.areas[d]...)
			whole = whole && refinable[d]
		}
		for _, d := range base.order {
			if whole {
				all.Finer = append(all.Finer, fine.areas[d]...)
			}
		}
		da = []DistrictArea{all}
	}
	zones, err := Partition(da, cl, ZoningOptions{TargetWorkloadSeconds: o.TargetZoneSeconds, BalanceRatio: o.BalanceRatio, Seed: uint64(o.Seed)})
	if err != nil {
		return nil, nil, err
	}
	zoneOfCell := map[h3cell.Cell]int{}
	for z := range zones {
		for _, c := range zones[z].Cells {
			zoneOfCell[c] = z
		}
	}
	of := make([]int, len(pts))
	for i, c := range base.parcelCell {
		z, ok := zoneOfCell[c]
		if !ok && refinable[district[i]] {
			c = fine.parcelCell[i]
			z, ok = zoneOfCell[c]
		}
		if !ok {
			return nil, nil, fmt.Errorf("urban: parcel %q: cell %v in no zone", in.Parcels[i].ID, c)
		}
		of[i] = z
	}
	return zones, of, nil
}

// grid is the districts' cells at one resolution, each cell in one
// district, and each parcel's cell.
type grid struct {
	res        int
	order      []string
	areas      map[string][]h3cell.Cell
	owner      map[h3cell.Cell]string
	parcelCell []h3cell.Cell
	// rings bounds the search for a zoned cell near a parcel.
	rings int
}

// newGrid covers each district at res and places the parcels: a parcel
// outside every area snaps to the nearest zoned cell within rings,
// preferring its own district's; failing that, its cell joins its
// district.
func newGrid(in Input, pts []orb.Point, res, rings int) (*grid, error) {
	cells, err := h3cell.FromPoints(nil, pts, res)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	g := &grid{res: res, rings: rings, areas: map[string][]h3cell.Cell{}, owner: map[h3cell.Cell]string{}, parcelCell: cells}
	var fallback []string
	for _, d := range in.Districts {
		b, ok := in.Boundaries[d]
		if !ok || len(b) == 0 {
			fallback = append(fallback, d)
			continue
		}
		cs, err := h3cell.CoverMulti(b, res)
		if err != nil {
			return nil, fmt.Errorf("%w: district %q boundary: %w", ErrInvalid, d, err)
		}
		g.claim(d, cs)
	}
	// A district without an outline: its parcels' cells and their
	// neighbours, which joins a parcel cluster into an area.
	for _, d := range fallback {
		var cs []h3cell.Cell
		for i := range in.Parcels {
			if in.Parcels[i].District == d {
				disk, err := cells[i].Disk(1)
				if err != nil {
					return nil, err
				}
				cs = append(cs, disk...)
			}
		}
		slices.Sort(cs)
		g.claim(d, slices.Compact(cs))
	}
	for i, c := range cells {
		if _, ok := g.owner[c]; ok {
			continue
		}
		r, ok, err := g.snap(c, in.Parcels[i].District, false)
		if err != nil {
			return nil, err
		}
		if ok {
			g.parcelCell[i] = r
		} else {
			g.claim(in.Parcels[i].District, []h3cell.Cell{c})
		}
	}
	return g, nil
}

// snapRings is the number of rings at res that reach as far as
// maxSnapRings at base.
func snapRings(base, res int) (int, error) {
	eb, err := h3cell.EdgeLengthMeters(base)
	if err != nil {
		return 0, err
	}
	e, err := h3cell.EdgeLengthMeters(res)
	if err != nil {
		return 0, err
	}
	return max(1, int(math.Ceil(maxSnapRings*eb/e-1e-9))), nil
}

// claim gives d the cells no district has; a cell claimed twice (outlines
// simplified on both sides overlap) goes to the first district.
func (g *grid) claim(d string, cs []h3cell.Cell) {
	if _, ok := g.areas[d]; !ok {
		g.order = append(g.order, d)
		g.areas[d] = nil
	}
	for _, c := range cs {
		if _, taken := g.owner[c]; !taken {
			g.owner[c] = d
			g.areas[d] = append(g.areas[d], c)
		}
	}
}

// snap finds the nearest zoned cell to c, ring by ring, preferring d's
// cells within a ring (the least cell index among them); only d's when
// only is set.
func (g *grid) snap(c h3cell.Cell, d string, only bool) (h3cell.Cell, bool, error) {
	for k := 1; k <= g.rings; k++ {
		ring, err := c.Ring(k)
		if err != nil {
			return 0, false, err
		}
		slices.Sort(ring)
		var other h3cell.Cell
		for _, r := range ring {
			o, ok := g.owner[r]
			if !ok {
				continue
			}
			if o == d {
				return r, true, nil
			}
			if other == 0 && !only {
				other = r
			}
		}
		if other != 0 {
			return other, true, nil
		}
	}
	return 0, false, nil
}

// placeWithin moves each parcel to a cell of its district (district[i],
// from the coarser grid base): its own cell, the nearest of the
// district's cells, or the centre child of its cell in base (the cell of
// that cell's centre, which lies in the district unless a neighbour's
// overlapping outline claimed it first). It returns the districts all of
// whose parcels found a cell: those the finer grid can zone.
func (g *grid) placeWithin(district []string, base *grid) (map[string]bool, error) {
	ok := map[string]bool{}
	for _, d := range base.order {
		ok[d] = true
	}
	for i, c := range g.parcelCell {
		d := district[i]
		if g.owner[c] == d {
			continue
		}
		r, found, err := g.snap(c, d, true)
		if err != nil {
			return nil, err
		}
		if !found {
			p, err := base.parcelCell[i].Point()
			if err != nil {
				return nil, err
			}
			if r, err = h3cell.FromPoint(p, g.res); err != nil {
				return nil, err
			}
			found = g.owner[r] == d
		}
		if !found {
			ok[d] = false
			continue
		}
		g.parcelCell[i] = r
	}
	return ok, nil
}

// loads sums the workload of the cells of the parcels keep accepts (all
// when keep is nil), in cell order.
func (g *grid) loads(in Input, o Options, keep func(int) bool) []CellLoad {
	loads := map[h3cell.Cell]*CellLoad{}
	for i, c := range g.parcelCell {
		if keep != nil && !keep(i) {
			continue
		}
		l := loads[c]
		if l == nil {
			l = &CellLoad{Cell: c}
			loads[c] = l
		}
		l.Parcels++
		l.WorkloadSeconds += float64(in.Parcels[i].ServiceSeconds) + o.StopSeconds
	}
	cl := make([]CellLoad, 0, len(loads))
	for _, l := range loads {
		cl = append(cl, *l)
	}
	slices.SortFunc(cl, func(a, b CellLoad) int { return cmpCell(a.Cell, b.Cell) })
	return cl
}

func cmpCell(a, b h3cell.Cell) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

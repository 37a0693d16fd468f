package urban

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
)

// maxSnapRings bounds the search for a zoned cell near a parcel whose own
// cell lies outside every district (in a sliver between simplified
// outlines, or just outside the area): about 3 km at resolution 8.
const maxSnapRings = 6

// Zones zones the day: each district's area (Input.Boundaries; for a
// district without one, the cells about its parcels) is cut into H3 cells
// at opts.Resolution and partitioned by Partition into territories
// balanced by the parcels' workload (service time plus StopSeconds). With
// RespectDistricts false all districts form one area. It returns the
// zones and, per parcel, the index of its zone: the zone of the cell the
// parcel lies in, or of the nearest zoned cell.
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
	cells, err := h3cell.FromPoints(nil, pts, o.Resolution)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	// Each district's cells; a cell claimed twice (outlines simplified on
	// both sides overlap) goes to the first district.
	owner := map[h3cell.Cell]string{}
	var order []string
	areas := map[string][]h3cell.Cell{}
	claim := func(d string, cs []h3cell.Cell) {
		if _, ok := areas[d]; !ok {
			order = append(order, d)
			areas[d] = nil
		}
		for _, c := range cs {
			if _, taken := owner[c]; !taken {
				owner[c] = d
				areas[d] = append(areas[d], c)
			}
		}
	}
	var fallback []string
	for _, d := range in.Districts {
		b, ok := in.Boundaries[d]
		if !ok || len(b) == 0 {
			fallback = append(fallback, d)
			continue
		}
		cs, err := h3cell.CoverMulti(b, o.Resolution)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: district %q boundary: %w", ErrInvalid, d, err)
		}
		claim(d, cs)
	}
	// A district without an outline: its parcels' cells and their
	// neighbours, which joins a parcel cluster into an area.
	for _, d := range fallback {
		var cs []h3cell.Cell
		for i := range in.Parcels {
			if in.Parcels[i].District == d {
				disk, err := cells[i].Disk(1)
				if err != nil {
					return nil, nil, err
				}
				cs = append(cs, disk...)
			}
		}
		slices.Sort(cs)
		claim(d, slices.Compact(cs))
	}
	// Parcels outside every area snap to the nearest zoned cell, preferring
	// their own district's; failing that, their cell joins their district.
	parcelCell := make([]h3cell.Cell, len(cells))
	for i, c := range cells {
		parcelCell[i] = c
		if _, ok := owner[c]; ok {
			continue
		}
		snapped := false
		for k := 1; k <= maxSnapRings && !snapped; k++ {
			ring, err := c.Ring(k)
			if err != nil {
				return nil, nil, err
			}
			slices.Sort(ring)
			var any h3cell.Cell
			for _, r := range ring {
				d, ok := owner[r]
				if !ok {
					continue
				}
				if d == in.Parcels[i].District {
					parcelCell[i], snapped = r, true
					break
				}
				if any == 0 {
					any = r
				}
			}
			if !snapped && any != 0 {
				parcelCell[i], snapped = any, true
			}
		}
		if !snapped {
			claim(in.Parcels[i].District, []h3cell.Cell{c})
		}
	}
	loads := map[h3cell.Cell]*CellLoad{}
	for i, c := range parcelCell {
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
	var da []DistrictArea
	if o.RespectDistricts {
		for _, d := range order {
			da = append(da, DistrictArea{District: d, Cells: areas[d]})
		}
	} else {
		all := DistrictArea{}
		for _, d := range order {
			all.Cells = append(all.Cells, areas[d]...)
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
	of := make([]int, len(cells))
	for i, c := range parcelCell {
		z, ok := zoneOfCell[c]
		if !ok {
			return nil, nil, fmt.Errorf("urban: parcel %q: cell %v in no zone", in.Parcels[i].ID, c)
		}
		of[i] = z
	}
	return zones, of, nil
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

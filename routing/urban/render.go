package urban

import (
	"fmt"
	"math"
	"slices"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/render"
)

// Map returns the pooled plan as a render.Map: zones, routes coloured by
// vehicle, the centres they start from, and the vehicle-km saving as a
// note. The caller adds boundaries.
func (r *Report) Map(title string) (*render.Map, error) {
	m := &render.Map{Title: title, DepotLabel: "shared distribution centre", Palette: render.OkabeIto}
	m.Notes = append(m.Notes,
		fmt.Sprintf("pooled: %.0f vehicle-km, %d vehicles, %.0f driver-hours  |  separate: %.0f vehicle-km, %d vehicles, %.0f driver-hours",
			r.Pooled.VehicleKm, r.Pooled.Vehicles, r.Pooled.DriverHours, r.Separate.VehicleKm, r.Separate.Vehicles, r.Separate.DriverHours),
		fmt.Sprintf("%d parcels, %d zones (max/min workload %.2f within districts), vehicle-km saved %.1f%%, %d unassigned",
			r.Parcels, len(r.Zoning.Zones), r.Zoning.MaxMinWithinDistrict, r.SavingPercent, r.Pooled.Unassigned))
	fill, err := zoneColours(r.Zoning.Zones, render.OkabeIto)
	if err != nil {
		return nil, err
	}
	for zi, z := range r.Zoning.Zones {
		mp, err := h3cell.CellsToMultiPolygon(z.Cells)
		if err != nil {
			return nil, fmt.Errorf("zone %s: %w", z.ID, err)
		}
		m.Zones = append(m.Zones, render.Area{ID: z.ID, Shape: mp, Fill: fill[zi], Props: map[string]any{
			"district": z.Group, "parcels": z.Parcels, "workload_hours": math.Round(z.WorkloadSeconds/36) / 100,
			"area_km2": math.Round(z.AreaKm2*100) / 100, "compactness": math.Round(z.Compactness*1000) / 1000,
			"resolution": z.Resolution}})
	}
	seen := map[string]bool{}
	for _, rt := range r.Routes {
		l := render.Line{Vehicle: rt.Vehicle, Group: rt.Zone, Km: rt.Km, Path: rt.Path,
			Props: map[string]any{"type": rt.Type, "district": rt.District, "hours": rt.Hours, "cost_yuan": rt.CostYuan,
				"start": clock(rt.StartSeconds), "end": clock(rt.EndSeconds), "load_parcels": rt.LoadParcels, "load_kg": rt.LoadKg}}
		for _, s := range rt.Stops {
			l.Stops = append(l.Stops, render.Site{ID: s.Parcel, Point: s.Location, Props: map[string]any{
				"carrier": s.Carrier, "kind": string(s.Kind), "arrival": clock(s.ArrivalSeconds),
				"window": clock(s.Window.StartSeconds) + "–" + clock(s.Window.EndSeconds)}})
		}
		m.Routes = append(m.Routes, l)
		if !seen[rt.Depot] && len(rt.Path) > 0 {
			seen[rt.Depot] = true
			m.Depots = append(m.Depots, render.Site{ID: rt.Depot, Point: rt.Path[0]})
		}
	}
	return m, nil
}

// zoneColours colours zones greedily so that neighbouring zones differ
// where the palette allows (Welsh & Powell order: most neighbours first).
// Zones of districts at different resolutions neighbour where a cell's
// neighbour lies in the other's coarser cell.
func zoneColours(zones []Zone, palette []string) ([]string, error) {
	owner := map[h3cell.Cell]int{}
	var resolutions []int
	for z := range zones {
		for _, c := range zones[z].Cells {
			owner[c] = z
		}
		if !slices.Contains(resolutions, zones[z].Resolution) {
			resolutions = append(resolutions, zones[z].Resolution)
		}
	}
	nb := make([]map[int]bool, len(zones))
	for z := range zones {
		nb[z] = map[int]bool{}
	}
	var ring []h3cell.Cell
	for z := range zones {
		for _, c := range zones[z].Cells {
			var err error
			if ring, err = c.AppendRing(ring[:0], 1); err != nil {
				return nil, err
			}
			for _, x := range ring {
				for _, r := range resolutions {
					if r > x.Resolution() {
						continue
					}
					p, err := x.Parent(r)
					if err != nil {
						return nil, err
					}
					if o, ok := owner[p]; ok && o != z {
						nb[z][o], nb[o][z] = true, true
					}
				}
			}
		}
	}
	order := make([]int, len(zones))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(nb[b]) - len(nb[a]) })
	colour := make([]int, len(zones))
	for i := range colour {
		colour[i] = -1
	}
	for _, z := range order {
		used := map[int]bool{}
		for o := range nb[z] {
			used[colour[o]] = true
		}
		c := 0
		for used[c] && c < len(palette)-1 {
			c++
		}
		colour[z] = c
	}
	out := make([]string, len(zones))
	for z, c := range colour {
		out[z] = palette[c]
	}
	return out, nil
}

// clock writes seconds after midnight as hh:mm.
func clock(s int32) string { return fmt.Sprintf("%02d:%02d", s/3600, s%3600/60) }

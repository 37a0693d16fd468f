package rural

import (
	"fmt"

	"github.com/lastmile-dev/lastmile/internal/render"
)

// Map returns day d of the plan (every day when d < 0) in county c (every
// county when c is "") as a render.Map: routes coloured by vehicle, hub
// and stations as depots, the served share and produce as notes. The
// caller adds boundaries.
func (r *Report) Map(title, c string, d int) *render.Map {
	m := &render.Map{Title: title, DepotLabel: "county hub / township station"}
	m.Notes = append(m.Notes,
		fmt.Sprintf("%d of %d villages served at their frequency (%d by pickup at the station); %.0f km a week",
			r.VillagesServed, r.VillagesTotal, r.ByPickup, r.WeekKm),
		fmt.Sprintf("farm produce to the city: %.0f kg a week (%.0f cold chain, %.0f ambient)",
			r.ProduceKgPerWeek.Total, r.ProduceKgPerWeek.ColdChain, r.ProduceKgPerWeek.Ambient))
	seen := map[string]bool{}
	for _, day := range r.Days {
		if d >= 0 && day.Day != d {
			continue
		}
		for _, rt := range day.Routes {
			if c != "" && rt.County != c {
				continue
			}
			l := render.Line{Vehicle: rt.Vehicle, Group: fmt.Sprintf("day %d echelon %d", rt.Day, rt.Echelon), Km: rt.Km, Path: rt.Path,
				Props: map[string]any{"county": rt.County, "day": rt.Day, "echelon": rt.Echelon, "type": rt.Type, "cold_chain": rt.ColdChain, "base": rt.Base}}
			for _, s := range rt.Stops {
				l.Stops = append(l.Stops, render.Site{ID: s.ID + " " + s.Kind, Point: s.Location})
			}
			m.Routes = append(m.Routes, l)
			if !seen[rt.Base] && len(rt.Path) > 0 {
				seen[rt.Base] = true
				m.Depots = append(m.Depots, render.Site{ID: rt.Base, Point: rt.Path[0]})
			}
		}
	}
	return m
}

package rural

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/internal/render"
)

// style is how a kind of route is drawn.
type style struct {
	colour string
	width  float64
	dash   string
	label  string
}

// styles by echelon, then cold chain.
var styles = [3][2]style{
	{{"#444444", 2.4, "", "trunk line, ambient: parcels down, produce up"}, {"#2166ac", 2.4, "7 3", "trunk line, refrigerated: cold produce up"}},
	{{"#e08214", 1.6, "", "branch line: hub → stations and back"}, {"#4393c3", 1.3, "4 2", "refrigerated van from the hub"}},
	{{"#1b7837", 1.0, "", "village round from a station"}, {"#74add1", 1.0, "2 2", "refrigerated round to a cold room"}},
}

func styleOf(r *Route) style {
	e := min(max(r.Echelon, 0), 2)
	if r.ColdChain {
		return styles[e][1]
	}
	return styles[e][0]
}

func legend() []render.LegendLine {
	var out []render.LegendLine
	for _, e := range styles {
		for _, s := range e {
			out = append(out, render.LegendLine{Label: s.label, Colour: s.colour, Width: s.width, Dash: s.dash})
		}
	}
	return out
}

// Clock formats seconds after midnight as "07:05", with "−1d" or "+1d"
// for the day before or after.
func Clock(sec int64) string {
	day := int64(math.Floor(float64(sec) / daySeconds))
	s := sec - day*daySeconds
	out := fmt.Sprintf("%02d:%02d", s/3600, s%3600/60)
	switch {
	case day < 0:
		out += fmt.Sprintf(" −%dd", -day)
	case day > 0:
		out += fmt.Sprintf(" +%dd", day)
	}
	return out
}

func (rt *Route) line() render.Line {
	st := styleOf(rt)
	l := render.Line{Vehicle: rt.Vehicle, Group: fmt.Sprintf("day %d echelon %d %s–%s", rt.Day, rt.Echelon, Clock(rt.Start), Clock(rt.End)),
		Km: rt.Km, Path: rt.Path, Colour: st.colour, Width: st.width, Dash: st.dash,
		Props: map[string]any{"county": rt.County, "day": rt.Day, "echelon": rt.Echelon, "type": rt.Type, "cold_chain": rt.ColdChain,
			"base": rt.Base, "start": rt.Start, "end": rt.End, "start_clock": Clock(rt.Start), "end_clock": Clock(rt.End)}}
	for _, s := range rt.Stops {
		l.Stops = append(l.Stops, render.Site{ID: s.ID + " " + s.Kind, Point: s.Location, Props: map[string]any{
			"kind": s.Kind, "day": rt.Day, "arrival": s.Arrival, "departure": s.Departure,
			"arrival_clock": Clock(s.Arrival), "departure_clock": Clock(s.Departure)}})
	}
	return l
}

// marks returns the county's hub, stations (with or without a cold
// room) and villages as map marks.
func (r *Report) marks(c *County) []render.Mark {
	cold := map[string]bool{}
	for _, s := range r.ColdStorage.Sites {
		cold[s.Station] = true
	}
	var out []render.Mark
	for _, v := range c.Villages {
		out = append(out, render.Mark{ID: v.ID, Kind: render.MarkVillage, Point: v.Location, Props: map[string]any{"county": c.ID, "visits_per_week": v.VisitsPerWeek}})
	}
	for _, s := range c.Stations {
		k := render.MarkStation
		if cold[string(s.ID)] {
			k = render.MarkColdStation
		}
		out = append(out, render.Mark{ID: string(s.ID), Kind: k, Point: s.Location, Props: map[string]any{"county": c.ID, "cold_room": cold[string(s.ID)]}})
	}
	return append(out, render.Mark{ID: string(c.Hub.ID), Kind: render.MarkHub, Point: c.Hub.Location, Props: map[string]any{"county": c.ID}})
}

func cityMarks(in Input) []render.Mark {
	var out []render.Mark
	for _, dc := range in.DCs {
		out = append(out, render.Mark{ID: string(dc.ID), Kind: render.MarkCity, Point: dc.Location, Props: map[string]any{"cold_storage": dc.Capacity.ColdChain > 0}})
	}
	return out
}

// Map returns day d of the plan (every day when d < 0) in county c (every
// county when c is "") as a render.Map for GeoJSON: routes with their day,
// echelon, cold flag and times, stops with their times, and the hubs,
// stations, villages and city distribution centres as marks.
func (r *Report) Map(in Input, title, c string, d int) *render.Map {
	m := &render.Map{Title: title, DepotLabel: "county hub / township station"}
	m.Notes = r.summary()
	for _, day := range r.Days {
		if d >= 0 && day.Day != d {
			continue
		}
		for i := range day.Routes {
			rt := &day.Routes[i]
			if c != "" && rt.County != c {
				continue
			}
			m.Routes = append(m.Routes, rt.line())
		}
	}
	for i := range in.Counties {
		if rc := &in.Counties[i]; c == "" || rc.ID == c {
			m.Marks = append(m.Marks, r.marks(rc)...)
			m.Depots = append(m.Depots, render.Site{ID: string(rc.Hub.ID), Point: rc.Hub.Location})
			for _, s := range rc.Stations {
				m.Depots = append(m.Depots, render.Site{ID: string(s.ID), Point: s.Location})
			}
		}
	}
	m.Marks = append(m.Marks, cityMarks(in)...)
	return m
}

// summary is the week's summary, first on every map.
func (r *Report) summary() []string {
	out := []string{
		fmt.Sprintf("%d of %d villages (村) served at their frequency in %d counties, %d by pickup within %.1f km of their station; %d urban communities (社区) not counted",
			r.Municipality.Served, r.Municipality.Villages, r.Municipality.Counties, r.Municipality.ByPickup, r.PickupRadiusKm, r.Municipality.UrbanCommunities),
		fmt.Sprintf("farm produce to the city: %.0f t a week (%.0f t cold chain); cold produce out of refrigeration: max %.0f s; %.0f km a week",
			r.ProduceKgPerWeek.Total/1000, r.ProduceKgPerWeek.ColdChain/1000, r.Chain.ColdOutOfRefrigerationSeconds.Max, r.WeekKm),
	}
	var bh []string
	for _, b := range r.Backhaul {
		if b.County == "municipality" {
			bh = append(bh, fmt.Sprintf("%s %.0f%% (down %.0f%%, up %.0f%%)", b.Kind, 100*b.LoadedKmShare, 100*b.DownLoadedShare, 100*b.UpLoadedShare))
		}
	}
	if len(bh) > 0 {
		out = append(out, fmt.Sprintf("trunk loaded-km share: %s; %d cold rooms sited, %.0f yuan a week (bound %.0f)",
			join(bh), len(r.ColdStorage.Sites), r.ColdStorage.CostYuanPerWeek, r.ColdStorage.LowerBound))
	}
	return out
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

// CountySheet draws county id as small multiples: the week's summary
// first, then one panel per day with that day's routes, all on the
// county's box (trunk lines run off it towards the city). bounds are
// administrative outlines; those that meet the county's box are drawn,
// else the convex hull of the county's points stands in for its outline.
func CountySheet(in Input, r *Report, id string, bounds []render.Area) (*render.Sheet, error) {
	var c *County
	for i := range in.Counties {
		if in.Counties[i].ID == id {
			c = &in.Counties[i]
		}
	}
	if c == nil {
		return nil, fmt.Errorf("%w: no county %q", ErrInvalid, id)
	}
	marks := r.marks(c)
	var box orb.Bound
	for i, m := range marks {
		if i == 0 {
			box = orb.Bound{Min: m.Point, Max: m.Point}
		}
		box = box.Extend(m.Point)
	}
	outline := nearby(bounds, box)
	if len(outline) == 0 {
		outline = []render.Area{{ID: c.Name + " (outline: convex hull of its villages)", Shape: orb.MultiPolygon{hull(marks)}}}
	}
	s := &render.Sheet{Title: fmt.Sprintf("Rural consolidated delivery, %s (%s): the week, day by day", c.Name, c.ID), Bound: box, Columns: 4, Lines: legend()}
	var cov Coverage
	for _, x := range r.Coverage {
		if x.County == id {
			cov = x
		}
	}
	rooms := 0
	for _, x := range r.ColdStorage.Sites {
		if x.County == id {
			rooms++
		}
	}
	s.Notes = append(s.Notes, fmt.Sprintf("%s: %d of %d villages served at their frequency (%d by visit, %d by pickup at the station); %d stations, %d with a cold room",
		c.Name, cov.Served, cov.Villages, cov.ByVisit, cov.ByPickup, cov.Stations, rooms))
	for _, b := range r.Backhaul {
		if b.County == id {
			s.Notes = append(s.Notes, fmt.Sprintf("trunk %s: %.0f km a week, loaded-km share %.0f%% (loaded down %.0f%%, up %.0f%% of trips)",
				b.Kind, b.Km, 100*b.LoadedKmShare, 100*b.DownLoadedShare, 100*b.UpLoadedShare))
		}
	}
	s.Notes = append(s.Notes, r.summary()...)
	week := render.Panel{Title: "week summary", Boundaries: outline, Marks: append(marks, r.cityAtEdge(in, c, box)...)}
	seenTrunk := map[bool]bool{}
	for _, day := range r.Days {
		var p render.Panel
		p.Title = fmt.Sprintf("day %d", day.Day)
		p.Boundaries, p.Marks = outline, week.Marks
		km, vs := 0.0, map[string]bool{}
		var trunk string
		for i := range day.Routes {
			rt := &day.Routes[i]
			if rt.County != id {
				continue
			}
			p.Routes = append(p.Routes, rt.line())
			km += rt.Km
			if rt.Echelon > 0 {
				vs[rt.Vehicle] = true
			} else if !rt.ColdChain && trunk == "" && len(rt.Stops) > 0 {
				trunk = fmt.Sprintf("trunk at hub %s, back %s", Clock(rt.Stops[0].Arrival), Clock(rt.Stops[len(rt.Stops)-1].Departure))
			}
			if rt.Echelon == 0 && !seenTrunk[rt.ColdChain] {
				seenTrunk[rt.ColdChain] = true
				week.Routes = append(week.Routes, rt.line())
			}
		}
		p.Notes = []string{fmt.Sprintf("%d routes, %d vehicles, %.0f km", len(p.Routes), len(vs), km), trunk}
		s.Panels = append(s.Panels, p)
	}
	week.Notes = []string{fmt.Sprintf("%d villages, %d stations, %d with a cold room", cov.Villages, cov.Stations, rooms), "trunk lines run off the map to the city"}
	for _, t := range r.Trunks {
		if t.County == id && t.Day == 0 {
			week.Notes[1] = fmt.Sprintf("trunk lines to %s, %.0f km (%.1f h) each way", t.DC, t.KmEachWay, t.DriveHoursEachWay)
			break
		}
	}
	s.Panels = append([]render.Panel{week}, s.Panels...)
	return s, nil
}

// OverviewSheet draws the whole municipality: city distribution centres,
// county hubs, stations (those with a cold room apart), villages, the
// trunk lines and the boundaries, with the week's summary.
func OverviewSheet(in Input, r *Report, bounds []render.Area) *render.Sheet {
	p := render.Panel{Title: "the week: trunk lines from the city's distribution centres to every county hub", Boundaries: bounds}
	for i := range in.Counties {
		ms := r.marks(&in.Counties[i])
		p.Marks = append(p.Marks, ms...)
		if len(bounds) == 0 {
			p.Boundaries = append(p.Boundaries, render.Area{ID: in.Counties[i].Name + " (convex hull of its villages)", Shape: orb.MultiPolygon{hull(ms)}})
		}
	}
	p.Marks = append(p.Marks, cityMarks(in)...)
	if len(r.Days) > 0 {
		for i := range r.Days[0].Routes {
			if rt := &r.Days[0].Routes[i]; rt.Echelon == 0 {
				p.Routes = append(p.Routes, rt.line())
			}
		}
	}
	return &render.Sheet{Title: "Rural consolidated delivery: every county, the week", Notes: r.summary(), Panels: []render.Panel{p}, Columns: 1,
		Lines: legend()[:2]}
}

// cityAtEdge marks, for each distribution centre county c's trunks run
// to, the city where the trunk line leaves the county's box b, labelled
// with the centre and the distance, since the city itself lies off the
// county's map.
func (r *Report) cityAtEdge(in Input, c *County, b orb.Bound) []render.Mark {
	seen := map[string]bool{}
	var out []render.Mark
	for _, t := range r.Trunks {
		if t.County != c.ID || seen[t.DC] {
			continue
		}
		seen[t.DC] = true
		for _, dc := range in.DCs {
			if string(dc.ID) != t.DC {
				continue
			}
			p := exit(c.Hub.Location, dc.Location, b)
			out = append(out, render.Mark{ID: string(dc.ID), Kind: render.MarkCity, Point: p,
				Label: fmt.Sprintf("→ city: %s, %.0f km", dc.ID, t.KmEachWay)})
		}
	}
	return out
}

// exit is where the segment from a (inside b) to z leaves b, a little
// inside it; z itself when it lies in b.
func exit(a, z orb.Point, b orb.Bound) orb.Point {
	if b.Contains(z) {
		return z
	}
	t := 1.0
	for k := range 2 {
		d := z[k] - a[k]
		switch {
		case d > 0:
			t = math.Min(t, (b.Max[k]-a[k])/d)
		case d < 0:
			t = math.Min(t, (b.Min[k]-a[k])/d)
		}
	}
	t *= 0.97
	return orb.Point{a[0] + t*(z[0]-a[0]), a[1] + t*(z[1]-a[1])}
}

// nearby returns the areas whose box meets b.
func nearby(as []render.Area, b orb.Bound) []render.Area {
	var out []render.Area
	for _, a := range as {
		if a.Shape.Bound().Intersects(b) {
			out = append(out, a)
		}
	}
	return out
}

// hull is the convex hull of the marks' points (Andrew's monotone chain),
// as a closed ring.
func hull(ms []render.Mark) orb.Polygon {
	pts := make([]orb.Point, 0, len(ms))
	for _, m := range ms {
		pts = append(pts, m.Point)
	}
	slices.SortFunc(pts, func(a, b orb.Point) int {
		switch {
		case a[0] != b[0]:
			return cmpFloat(a[0], b[0])
		default:
			return cmpFloat(a[1], b[1])
		}
	})
	cross := func(o, a, b orb.Point) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	var h []orb.Point
	for pass := 0; pass < 2; pass++ {
		start := len(h)
		for _, p := range pts {
			for len(h) >= start+2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, p)
		}
		h = h[:len(h)-1]
		slices.Reverse(pts)
	}
	if len(h) == 0 {
		return nil
	}
	return orb.Polygon{append(orb.Ring(h), h[0])}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

package render

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// Mark kinds: each has its own symbol on a Sheet and in the legend.
const (
	MarkCity        = "city"         // red star: a city distribution centre
	MarkHub         = "hub"          // black square: a county hub
	MarkStation     = "station"      // grey triangle: a township station
	MarkColdStation = "cold_station" // blue triangle: a station with a cold room
	MarkVillage     = "village"      // small grey dot
)

// markOrder draws small symbols first, and lists the legend in order.
var markOrder = []struct{ kind, label string }{
	{MarkVillage, "village"},
	{MarkStation, "township station"},
	{MarkColdStation, "township station with cold room"},
	{MarkHub, "county hub"},
	{MarkCity, "city distribution centre"},
}

// Mark is a point drawn with the symbol of its Kind.
type Mark struct {
	ID    string
	Kind  string
	Point orb.Point
	// Label, if set, is written beside the symbol on a Sheet.
	Label string
	// Props are extra GeoJSON properties.
	Props map[string]any
}

// LegendLine is a legend entry for a kind of line.
type LegendLine struct {
	Label  string
	Colour string
	Width  float64
	Dash   string
}

// Panel is one map of a Sheet's small multiples.
type Panel struct {
	Title      string
	Notes      []string // short lines under the title
	Boundaries []Area
	Routes     []Line // drawn in Line.Colour (else by vehicle), Width, Dash
	Marks      []Mark
}

// Sheet is a set of small multiples: panels of one size that show the
// same box, under one title, notes and legend.
type Sheet struct {
	Title string
	// Notes are printed under the title: the summary comes first.
	Notes   []string
	Panels  []Panel
	Columns int // 0 means 4
	Lines   []LegendLine
	// Bound is what every panel shows; the zero Bound means the box of
	// the panels' routes and marks.
	Bound orb.Bound
}

func (s *Sheet) bound() (orb.Bound, bool) {
	if s.Bound != (orb.Bound{}) {
		return s.Bound, true
	}
	var x box
	for _, p := range s.Panels {
		for _, m := range p.Marks {
			x.add(m.Point)
		}
		for _, r := range p.Routes {
			for _, q := range r.Path {
				x.add(q)
			}
		}
	}
	return x.b, x.ok
}

// WriteSheetSVG draws the sheet widthPx pixels wide (0 means 1400): the
// title, notes and legend on top, then the panels row by row, each
// clipped to the sheet's box, with a scale bar in the first.
func WriteSheetSVG(w io.Writer, s *Sheet, widthPx int) error {
	if widthPx <= 0 {
		widthPx = 1400
	}
	b, ok := s.bound()
	if !ok || len(s.Panels) == 0 {
		return ErrEmpty
	}
	padLon := max(b.Max[0]-b.Min[0], 0.01) * 0.04
	padLat := max(b.Max[1]-b.Min[1], 0.01) * 0.04
	b.Min = orb.Point{b.Min[0] - padLon, b.Min[1] - padLat}
	b.Max = orb.Point{b.Max[0] + padLon, b.Max[1] + padLat}
	k := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	cols := s.Columns
	if cols <= 0 {
		cols = 4
	}
	cols = min(cols, len(s.Panels))
	rows := (len(s.Panels) + cols - 1) / cols
	const gap, titleH, lineH = 12.0, 20.0, 14.0
	W := float64(widthPx)
	pw := (W - gap*float64(cols+1)) / float64(cols)
	scale := pw / ((b.Max[0] - b.Min[0]) * k)
	mapH := (b.Max[1] - b.Min[1]) * scale
	if mapH > 1.5*pw { // a tall box: fit the height instead
		scale *= 1.5 * pw / mapH
		mapH = 1.5 * pw
	}
	notesPerPanel := 0
	for _, p := range s.Panels {
		notesPerPanel = max(notesPerPanel, len(p.Notes))
	}
	ph := titleH + lineH*float64(notesPerPanel) + mapH + 6
	legendRows := len(s.Lines)
	kinds := map[string]bool{}
	for _, p := range s.Panels {
		for _, m := range p.Marks {
			kinds[m.Kind] = true
		}
	}
	for _, m := range markOrder {
		if kinds[m.kind] {
			legendRows++
		}
	}
	hasBoundary := false
	for _, p := range s.Panels {
		hasBoundary = hasBoundary || len(p.Boundaries) > 0
	}
	if hasBoundary {
		legendRows++
	}
	// Header: title, notes, then the legend in rows of legendCols.
	legendCols := max(1, int((W-28)/330))
	legendTop := 50 + 18*float64(len(s.Notes))
	header := legendTop + 18*math.Ceil(float64(legendRows)/float64(legendCols)) + 6
	H := header + float64(rows)*(ph+gap) + gap
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif">`+"\n", W, H, W, H)
	sb.WriteString(`<rect width="100%" height="100%" fill="#fbfaf7"/>` + "\n")
	fmt.Fprintf(&sb, `<text x="14" y="28" font-size="20" font-weight="bold" fill="#222">%s</text>`+"\n", esc(s.Title))
	for i, n := range s.Notes {
		fmt.Fprintf(&sb, `<text x="14" y="%.0f" font-size="13" fill="#333">%s</text>`+"\n", 50+18*float64(i), esc(n))
	}
	sb.WriteString(`<g id="legend" font-size="12" fill="#333">`)
	item := 0
	pos := func() (float64, float64) {
		x, y := 14+330*float64(item%legendCols), legendTop+4+18*float64(item/legendCols)
		item++
		return x, y
	}
	for _, l := range s.Lines {
		x, y := pos()
		fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="%.1f" stroke-dasharray="%s"/><text x="%.0f" y="%.0f">%s</text>`,
			x, y-4, x+22, y-4, l.Colour, max(l.Width, 1), l.Dash, x+28, y, esc(l.Label))
	}
	for _, m := range markOrder {
		if !kinds[m.kind] {
			continue
		}
		x, y := pos()
		sb.WriteString(symbol(m.kind, x+11, y-4, ""))
		fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f">%s</text>`, x+28, y, esc(m.label))
	}
	if hasBoundary {
		x, y := pos()
		fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#8a8070" stroke-dasharray="6 3"/><text x="%.0f" y="%.0f">boundary</text>`, x, y-4, x+22, y-4, x+28, y)
	}
	sb.WriteString("</g>\n")
	for i, p := range s.Panels {
		x0 := gap + float64(i%cols)*(pw+gap)
		y0 := header + float64(i/cols)*(ph+gap)
		my := y0 + titleH + lineH*float64(notesPerPanel)
		xy := func(q orb.Point) (float64, float64) {
			return x0 + (q[0]-b.Min[0])*k*scale, my + (b.Max[1]-q[1])*scale
		}
		fmt.Fprintf(&sb, `<g id="panel-%d">`+"\n", i)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#fff" stroke="#bbb"/>`+"\n", x0, y0, pw, ph)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="14" font-weight="bold" fill="#222">%s</text>`+"\n", x0+6, y0+15, esc(p.Title))
		for j, n := range p.Notes {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="11" fill="#444">%s</text>`+"\n", x0+6, y0+titleH+lineH*float64(j)+10, esc(n))
		}
		fmt.Fprintf(&sb, `<clipPath id="clip-%d"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"/></clipPath>`+"\n", i, x0, my, pw, mapH)
		fmt.Fprintf(&sb, `<g clip-path="url(#clip-%d)">`+"\n", i)
		sb.WriteString(`<g fill="#eeeae0" stroke="#8a8070" stroke-width="1" stroke-dasharray="5 3">`)
		for _, a := range p.Boundaries {
			var ps strings.Builder
			for _, poly := range a.Shape {
				for _, r := range poly {
					for j, q := range r {
						x, y := xy(q)
						if j == 0 {
							fmt.Fprintf(&ps, "M%.1f %.1f", x, y)
						} else {
							fmt.Fprintf(&ps, "L%.1f %.1f", x, y)
						}
					}
					ps.WriteString("Z")
				}
			}
			fmt.Fprintf(&sb, `<path d="%s" fill-rule="evenodd"><title>%s</title></path>`, ps.String(), esc(a.ID))
		}
		sb.WriteString("</g>\n")
		sb.WriteString(`<g fill="none" stroke-opacity="0.85" stroke-linejoin="round">` + "\n")
		vehicles := map[string]int{}
		for _, r := range p.Routes {
			colour := r.Colour
			if colour == "" {
				c, ok := vehicles[r.Vehicle]
				if !ok {
					c = len(vehicles)
					vehicles[r.Vehicle] = c
				}
				colour = Colour(c)
			}
			var ps strings.Builder
			for j, q := range r.Path {
				x, y := xy(q)
				if j > 0 {
					ps.WriteString(" ")
				}
				fmt.Fprintf(&ps, "%.1f,%.1f", x, y)
			}
			fmt.Fprintf(&sb, `<polyline points="%s" stroke="%s" stroke-width="%.1f" stroke-dasharray="%s"><title>%s %s %.1f km</title></polyline>`+"\n",
				ps.String(), colour, max(r.Width, 1), r.Dash, esc(r.Vehicle), esc(r.Group), r.Km)
		}
		sb.WriteString("</g>\n<g>\n")
		for _, m := range markOrder {
			for _, q := range p.Marks {
				if q.Kind == m.kind {
					x, y := xy(q.Point)
					sb.WriteString(symbol(q.Kind, x, y, q.ID))
					if q.Label != "" {
						anchor, dx := "start", 9.0
						if x > x0+pw/2 {
							anchor, dx = "end", -9
						}
						fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="11" fill="#b2182b" text-anchor="%s" stroke="#fff" stroke-width="3" paint-order="stroke">%s</text>`,
							x+dx, y+4, anchor, esc(q.Label))
					}
				}
			}
		}
		sb.WriteString("</g>\n</g>\n")
		if i == 0 {
			kmPerPx := 111.32 / scale
			target := pw / 4 * kmPerPx
			step := math.Pow(10, math.Floor(math.Log10(target)))
			for _, f := range []float64{5, 2, 1} {
				if f*step <= target {
					step *= f
					break
				}
			}
			// Bottom right, clear of labels at the panel's left and edges.
			bx := x0 + pw - 8 - step/kmPerPx
			fmt.Fprintf(&sb, `<g font-size="11" fill="#222"><rect x="%.1f" y="%.1f" width="%.1f" height="4" fill="#222"/><text x="%.1f" y="%.1f">%g km</text></g>`+"\n",
				bx, my+mapH-10, step/kmPerPx, bx, my+mapH-16, step)
		}
		sb.WriteString("</g>\n")
	}
	sb.WriteString("</svg>\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

// symbol draws a mark kind centred at x, y, with title id ("" for none).
func symbol(kind string, x, y float64, id string) string {
	title := ""
	if id != "" {
		title = "<title>" + esc(id) + "</title>"
	}
	switch kind {
	case MarkCity:
		var pts strings.Builder
		for i := range 10 {
			r := 8.0
			if i%2 == 1 {
				r = 3.5
			}
			a := math.Pi/2 + float64(i)*math.Pi/5
			fmt.Fprintf(&pts, "%.1f,%.1f ", x+r*math.Cos(a), y-r*math.Sin(a))
		}
		return fmt.Sprintf(`<polygon points="%s" fill="#b2182b" stroke="#fff" stroke-width="0.8">%s</polygon>`, strings.TrimSpace(pts.String()), title)
	case MarkHub:
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="9" height="9" fill="#111" stroke="#fff" stroke-width="1">%s</rect>`, x-4.5, y-4.5, title)
	case MarkStation, MarkColdStation:
		fill := "#666"
		if kind == MarkColdStation {
			fill = "#2166ac"
		}
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s" stroke="#fff" stroke-width="0.7">%s</polygon>`,
			x, y-5, x-4.5, y+3.5, x+4.5, y+3.5, fill, title)
	default:
		return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="1.7" fill="#8c8c8c">%s</circle>`, x, y, title)
	}
}

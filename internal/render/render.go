// Package render draws delivery plans: an SVG map a person can open and
// read, and GeoJSON for GIS tools. It knows nothing of the planners; they
// fill a Map.
//
// The SVG uses an equirectangular projection of [lon, lat] scaled to the
// plan's bounding box, with longitudes shrunk by cos(latitude) at the
// box's centre so that, at city scale, shapes and the scale bar are true
// to within a fraction of a percent.
package render

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// ErrEmpty is returned when a map has nothing to draw.
var ErrEmpty = errors.New("render: nothing to draw")

// Map is what a plan shows.
type Map struct {
	Title string
	// Notes are short lines printed under the title (totals, savings).
	Notes []string
	// Boundaries are administrative outlines drawn under everything.
	Boundaries []Area
	// Zones are delivery zones, filled translucently.
	Zones []Area
	// Routes are drawn as polylines, one colour per route's vehicle.
	Routes []Line
	// Depots are drawn as squares; DepotLabel names them in the legend
	// ("" means "depot").
	Depots     []Site
	DepotLabel string
	// Marks are points with a kind (hub, station, village, city), written
	// to GeoJSON as the "site" layer; WriteSheetSVG draws their symbols.
	Marks []Mark
	// Palette, when set, colours zones in turn and each route in the
	// colour of the zone named by its Group (OkabeIto is safe for colour
	// blindness); nil means Colour's hues, one per vehicle.
	Palette []string
	// Footer is a line printed at the foot of the map (data credits); the
	// GeoJSON carries it as the collection's "attribution".
	Footer string
}

// OkabeIto is the eight-colour palette of Okabe & Ito, "Color universal
// design" (2008), distinguishable with every common colour-vision
// deficiency; black is replaced by grey so that black depots stand out.
var OkabeIto = []string{"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"}

func (m *Map) depotLabel() string {
	if m.DepotLabel == "" {
		return "depot"
	}
	return m.DepotLabel
}

// Area is a named outline.
type Area struct {
	ID    string
	Shape orb.MultiPolygon
	// Fill, when set, is the area's colour, overriding Map.Palette.
	Fill string
	// Props are extra GeoJSON properties.
	Props map[string]any
}

// Line is one route.
type Line struct {
	Vehicle string
	Group   string // zone, echelon or station, as the plan names it
	Km      float64
	Path    []orb.Point
	Stops   []Site
	// Props are extra GeoJSON properties.
	Props map[string]any
	// Colour, Width and Dash style the line on a Sheet; "" colours it by
	// vehicle.
	Colour string
	Width  float64
	Dash   string
}

// Site is a named point.
type Site struct {
	ID    string
	Point orb.Point
	// Props are extra GeoJSON properties.
	Props map[string]any
}

// Colour returns the i'th colour of a palette of well-separated hues
// (golden-angle steps around the HSL wheel, alternating lightness).
func Colour(i int) string {
	h := math.Mod(float64(i)*137.508, 360)
	l := 38 + 12*float64(i%2)
	return fmt.Sprintf("hsl(%.0f,75%%,%.0f%%)", h, l)
}

// box grows a bound point by point; ok is false until a point is added.
type box struct {
	b  orb.Bound
	ok bool
}

func (x *box) add(p orb.Point) {
	if !x.ok {
		x.b, x.ok = orb.Bound{Min: p, Max: p}, true
		return
	}
	x.b = x.b.Extend(p)
}

func (x *box) addShape(mp orb.MultiPolygon) {
	for _, poly := range mp {
		for _, r := range poly {
			for _, p := range r {
				x.add(p)
			}
		}
	}
}

// bounds is the box of everything but the boundaries, or of the
// boundaries when there is nothing else.
func (m *Map) bounds() (orb.Bound, bool) {
	var x box
	for _, z := range m.Zones {
		x.addShape(z.Shape)
	}
	for _, r := range m.Routes {
		for _, p := range r.Path {
			x.add(p)
		}
	}
	for _, d := range m.Depots {
		x.add(d.Point)
	}
	if !x.ok {
		for _, a := range m.Boundaries {
			x.addShape(a.Shape)
		}
	}
	return x.b, x.ok
}

// WriteSVG draws the map widthPx pixels wide (0 means 1400).
func WriteSVG(w io.Writer, m *Map, widthPx int) error {
	if widthPx <= 0 {
		widthPx = 1400
	}
	b, ok := m.bounds()
	if !ok {
		return ErrEmpty
	}
	// Pad the box by 4% and give degenerate boxes some size.
	padLon := max(b.Max[0]-b.Min[0], 0.01) * 0.04
	padLat := max(b.Max[1]-b.Min[1], 0.01) * 0.04
	b.Min = orb.Point{b.Min[0] - padLon, b.Min[1] - padLat}
	b.Max = orb.Point{b.Max[0] + padLon, b.Max[1] + padLat}
	k := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	const header = 90.0
	W := float64(widthPx)
	scale := W / ((b.Max[0] - b.Min[0]) * k) // px per degree of latitude
	H := (b.Max[1]-b.Min[1])*scale + header
	xy := func(p orb.Point) (float64, float64) {
		return (p[0] - b.Min[0]) * k * scale, (b.Max[1]-p[1])*scale + header
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif">`+"\n", W, H, W, H)
	fmt.Fprintf(&sb, `<rect width="100%%" height="100%%" fill="#fbfaf7"/>`+"\n")
	fmt.Fprintf(&sb, `<svg x="0" y="%.0f" width="%.0f" height="%.0f" viewBox="0 %.0f %.0f %.0f" overflow="hidden">`+"\n", header, W, H-header, header, W, H-header)
	path := func(mp orb.MultiPolygon) string {
		var ps strings.Builder
		for _, poly := range mp {
			for _, r := range poly {
				for i, p := range r {
					x, y := xy(p)
					if i == 0 {
						fmt.Fprintf(&ps, "M%.1f %.1f", x, y)
					} else {
						fmt.Fprintf(&ps, "L%.1f %.1f", x, y)
					}
				}
				ps.WriteString("Z")
			}
		}
		return ps.String()
	}
	sb.WriteString(`<g id="boundaries" fill="#eeeae0" stroke="#8a8070" stroke-width="1.2" stroke-dasharray="6 3">` + "\n")
	for _, a := range m.Boundaries {
		fmt.Fprintf(&sb, `<path d="%s" fill-rule="evenodd"><title>%s</title></path>`+"\n", path(a.Shape), esc(a.ID))
	}
	sb.WriteString("</g>\n")
	sb.WriteString(`<g id="zones" stroke="#555" stroke-width="0.8" fill-opacity="0.22">` + "\n")
	zoneColour := map[string]string{}
	for i, z := range m.Zones {
		c := Colour(i*3 + 1)
		if len(m.Palette) > 0 {
			c = m.Palette[i%len(m.Palette)]
		}
		if z.Fill != "" {
			c = z.Fill
		}
		zoneColour[z.ID] = c
		fmt.Fprintf(&sb, `<path d="%s" fill="%s" fill-rule="evenodd"><title>%s</title></path>`+"\n", path(z.Shape), c, esc(z.ID))
	}
	sb.WriteString("</g>\n")
	sb.WriteString(`<g id="routes" fill="none" stroke-width="1.4" stroke-opacity="0.85" stroke-linejoin="round">` + "\n")
	vehicles := map[string]int{}
	for _, r := range m.Routes {
		ci, ok := vehicles[r.Vehicle]
		if !ok {
			ci = len(vehicles)
			vehicles[r.Vehicle] = ci
		}
		c := Colour(ci)
		if len(m.Palette) > 0 {
			if zc, ok := zoneColour[r.Group]; ok {
				c = zc
			} else {
				c = m.Palette[ci%len(m.Palette)]
			}
		}
		var ps strings.Builder
		for i, p := range r.Path {
			x, y := xy(p)
			if i > 0 {
				ps.WriteString(" ")
			}
			fmt.Fprintf(&ps, "%.1f,%.1f", x, y)
		}
		fmt.Fprintf(&sb, `<polyline points="%s" stroke="%s"><title>%s %s %.1f km, %d stops</title></polyline>`+"\n",
			ps.String(), c, esc(r.Vehicle), esc(r.Group), r.Km, len(r.Stops))
		for _, s := range r.Stops {
			x, y := xy(s.Point)
			fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="1.6" fill="%s" stroke="none"/>`, x, y, c)
		}
		sb.WriteString("\n")
	}
	sb.WriteString("</g>\n")
	sb.WriteString(`<g id="depots" fill="#111" stroke="#fff" stroke-width="1">` + "\n")
	for _, d := range m.Depots {
		x, y := xy(d.Point)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="9" height="9"><title>%s</title></rect>`+"\n", x-4.5, y-4.5, esc(d.ID))
	}
	sb.WriteString("</g>\n")
	// Labels on top: boundary names at their box centres.
	sb.WriteString(`<g id="labels" font-size="13" fill="#5a5040" text-anchor="middle">` + "\n")
	for _, a := range m.Boundaries {
		ab := a.Shape.Bound()
		x, y := xy(ab.Center())
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" stroke="#fbfaf7" stroke-width="3" paint-order="stroke">%s</text>`+"\n", x, y, esc(a.ID))
	}
	sb.WriteString("</g>\n</svg>\n")
	// Header: title, notes, legend; scale bar bottom left.
	fmt.Fprintf(&sb, `<text x="14" y="28" font-size="20" font-weight="bold" fill="#222">%s</text>`+"\n", esc(m.Title))
	for i, n := range m.Notes {
		if i >= 3 {
			break
		}
		fmt.Fprintf(&sb, `<text x="14" y="%d" font-size="13" fill="#333">%s</text>`+"\n", 50+18*i, esc(n))
	}
	// Legend: only what the map shows.
	lx, ly := W-330, 21.0
	sb.WriteString(`<g font-size="12" fill="#333">`)
	if len(m.Zones) > 0 {
		c := Colour(1)
		if len(m.Palette) > 0 {
			c = m.Palette[0]
		}
		fmt.Fprintf(&sb, `<rect x="%.0f" y="%.0f" width="14" height="10" fill="%s" fill-opacity="0.35" stroke="#555"/><text x="%.0f" y="%.0f">delivery zone (H3 cells)</text>`, lx, ly-9, c, lx+20, ly)
		ly += 20
	}
	if len(m.Routes) > 0 && len(m.Palette) > 0 {
		fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="2"/><text x="%.0f" y="%.0f">route from its centre, in its zone's colour (%d)</text>`,
			lx, ly-4, lx+14, ly-4, m.Palette[0], lx+20, ly, len(vehicles))
		ly += 20
	} else if len(m.Routes) > 0 {
		fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="2"/><line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="2"/><text x="%.0f" y="%.0f">route, one colour per vehicle (%d)</text>`,
			lx, ly-6, lx+14, ly-6, Colour(0), lx, ly-2, lx+14, ly-2, Colour(1), lx+20, ly, len(vehicles))
		ly += 20
	}
	if len(m.Depots) > 0 {
		fmt.Fprintf(&sb, `<rect x="%.0f" y="%.0f" width="9" height="9" fill="#111"/><text x="%.0f" y="%.0f">%s</text>`, lx+2, ly-9, lx+20, ly, esc(m.depotLabel()))
		ly += 20
	}
	if len(m.Boundaries) > 0 {
		fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#8a8070" stroke-dasharray="6 3"/><text x="%.0f" y="%.0f">boundary</text>`, lx, ly-4, lx+14, ly-4, lx+20, ly)
	}
	sb.WriteString("</g>\n")
	// Scale bar: a round number of km near a fifth of the width.
	kmPerPx := 111.32 / scale
	target := W / 5 * kmPerPx
	step := math.Pow(10, math.Floor(math.Log10(target)))
	for _, f := range []float64{5, 2, 1} {
		if f*step <= target {
			step *= f
			break
		}
	}
	px := step / kmPerPx
	fmt.Fprintf(&sb, `<g font-size="12" fill="#222"><rect x="14" y="%.0f" width="%.1f" height="6" fill="#222"/><text x="14" y="%.0f">%g km</text></g>`+"\n", H-22, px, H-28, step)
	if m.Footer != "" {
		fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" font-size="11" fill="#555" text-anchor="end" stroke="#fbfaf7" stroke-width="3" paint-order="stroke">%s</text>`+"\n", W-10, H-10, esc(m.Footer))
	}
	sb.WriteString("</svg>\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

func esc(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

// WriteGeoJSON writes the map as an RFC 7946 FeatureCollection: routes as
// LineStrings (properties "layer": "route", vehicle, group, km, stops),
// their stops as Points ("layer": "stop"), zones and boundaries as
// MultiPolygons ("layer": "zone" / "boundary", id) and depots as Points
// ("layer": "depot"), marks as Points ("layer": "site", id, kind).
func WriteGeoJSON(w io.Writer, m *Map) error {
	fc := geojson.NewFeatureCollection()
	for _, a := range m.Boundaries {
		f := geojson.NewFeature(a.Shape)
		f.Properties = geojson.Properties{"layer": "boundary", "id": a.ID}
		fc.Append(f)
	}
	for _, z := range m.Zones {
		f := geojson.NewFeature(z.Shape)
		f.Properties = geojson.Properties{"layer": "zone", "id": z.ID}
		for k, v := range z.Props {
			f.Properties[k] = v
		}
		fc.Append(f)
	}
	for _, r := range m.Routes {
		f := geojson.NewFeature(orb.LineString(r.Path))
		f.Properties = geojson.Properties{"layer": "route", "vehicle": r.Vehicle, "group": r.Group, "km": math.Round(r.Km*1000) / 1000, "stops": len(r.Stops)}
		for k, v := range r.Props {
			f.Properties[k] = v
		}
		fc.Append(f)
		for i, s := range r.Stops {
			sf := geojson.NewFeature(s.Point)
			sf.Properties = geojson.Properties{"layer": "stop", "id": s.ID, "vehicle": r.Vehicle, "sequence": i + 1}
			for k, v := range s.Props {
				sf.Properties[k] = v
			}
			fc.Append(sf)
		}
	}
	for _, d := range m.Depots {
		f := geojson.NewFeature(d.Point)
		f.Properties = geojson.Properties{"layer": "depot", "id": d.ID}
		fc.Append(f)
	}
	for _, mk := range m.Marks {
		f := geojson.NewFeature(mk.Point)
		f.Properties = geojson.Properties{"layer": "site", "id": mk.ID, "kind": mk.Kind}
		for k, v := range mk.Props {
			f.Properties[k] = v
		}
		fc.Append(f)
	}
	if m.Footer != "" {
		fc.ExtraMembers = geojson.Properties{"attribution": m.Footer}
	}
	b, err := fc.MarshalJSON()
	if err != nil {
		return fmt.Errorf("render: geojson: %w", err)
	}
	_, err = w.Write(b)
	return err
}

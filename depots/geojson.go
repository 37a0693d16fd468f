package depots

import (
	"fmt"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// palette holds 20 distinct colours (Kelly 1965, without black and white);
// warehouse w of an allocation gets palette[w mod 20].
var palette = [...]string{
	"#f3c300", "#875692", "#f38400", "#a1caf1", "#be0032", "#c2b280", "#848482",
	"#008856", "#e68fac", "#0067a5", "#f99379", "#604e97", "#f6a600", "#b3446c",
	"#dcd300", "#882d17", "#8db600", "#654522", "#e25822", "#2b3d26",
}

// unservedColour fills places that no warehouse serves.
const unservedColour = "#d0d0d0"

// Colour returns the simplestyle fill colour of the w-th warehouse of an
// allocation. It depends only on w, so maps of the same problem agree.
func Colour(w int) string { return palette[w%len(palette)] }

// GeoJSON returns the allocation as a FeatureCollection for a map: one
// feature per demand place (a polygon per H3 cell, or a point at Location
// for per-zone demand; demand of several categories in one place share a
// feature), coloured by the warehouse that serves most of its volume, and
// one point per warehouse. Place properties: cell or zone, warehouse ("" if
// unserved), volume, served, unserved, reasons, and simplestyle fill,
// stroke and fill-opacity. Warehouse properties: id, volume, share and
// marker-color. p must be the problem the allocation was computed for.
func (a *Allocation) GeoJSON(p *AllocationProblem) (*geojson.FeatureCollection, error) {
	type place struct {
		demand   []int
		volume   float64
		unserved float64
		byW      map[int]float64
		reasons  map[Reason]bool
	}
	wIndex := make(map[ID]int, len(p.Warehouses))
	for w := range p.Warehouses {
		wIndex[p.Warehouses[w].ID] = w
	}
	type key struct {
		cell h3cell.Cell
		zone string
		loc  orb.Point
	}
	keyOf := func(d *Demand) key {
		if d.Cell != 0 {
			return key{cell: d.Cell}
		}
		return key{zone: d.Zone, loc: d.Location}
	}
	places := map[key]*place{}
	var order []key
	for i := range p.Demand {
		k := keyOf(&p.Demand[i])
		pl := places[k]
		if pl == nil {
			pl = &place{byW: map[int]float64{}, reasons: map[Reason]bool{}}
			places[k] = pl
			order = append(order, k)
		}
		pl.demand = append(pl.demand, i)
		pl.volume += p.Demand[i].Volume
	}
	for _, as := range a.Assignments {
		if as.Demand < 0 || as.Demand >= len(p.Demand) {
			return nil, fmt.Errorf("%w: assignment of demand %d, problem has %d", ErrInvalid, as.Demand, len(p.Demand))
		}
		w, ok := wIndex[as.Facility]
		if !ok {
			return nil, fmt.Errorf("%w: assignment to warehouse %q, not in the problem", ErrInvalid, as.Facility)
		}
		places[keyOf(&p.Demand[as.Demand])].byW[w] += as.Volume
	}
	for _, u := range a.Unserved {
		if u.Demand < 0 || u.Demand >= len(p.Demand) {
			return nil, fmt.Errorf("%w: unserved demand %d, problem has %d", ErrInvalid, u.Demand, len(p.Demand))
		}
		pl := places[keyOf(&p.Demand[u.Demand])]
		pl.unserved += u.Volume
		pl.reasons[u.Reason] = true
	}
	fc := geojson.NewFeatureCollection()
	for _, k := range order {
		pl := places[k]
		var g orb.Geometry = k.loc
		if k.cell != 0 {
			poly, err := h3cell.Boundary(k.cell)
			if err != nil {
				return nil, fmt.Errorf("demand %d: %w", pl.demand[0], err)
			}
			g = poly
		}
		top, topV := -1, 0.0
		served := 0.0
		for w := range p.Warehouses { // in order, so ties go to the first
			if v := pl.byW[w]; v > topV {
				top, topV = w, v
			}
			served += pl.byW[w]
		}
		ft := geojson.NewFeature(g)
		if k.cell != 0 {
			ft.Properties["cell"] = k.cell.String()
		} else {
			ft.Properties["zone"] = k.zone
		}
		colour, wid := unservedColour, ""
		if top >= 0 {
			colour, wid = Colour(top), string(p.Warehouses[top].ID)
		}
		ft.Properties["warehouse"] = wid
		ft.Properties["volume"] = pl.volume
		ft.Properties["served"] = served
		ft.Properties["unserved"] = pl.unserved
		if len(pl.reasons) > 0 {
			var rs []string
			for _, r := range []Reason{ReasonSLA, ReasonColdChain, ReasonCategory, ReasonCapacity} {
				if pl.reasons[r] {
					rs = append(rs, string(r))
				}
			}
			ft.Properties["reasons"] = rs
		}
		ft.Properties["fill"] = colour
		ft.Properties["stroke"] = colour
		ft.Properties["fill-opacity"] = 0.6
		fc.Append(ft)
	}
	for w := range p.Warehouses {
		f := &p.Warehouses[w]
		ft := geojson.NewFeature(f.Location)
		ft.Properties["id"] = string(f.ID)
		ft.Properties["kind"] = string(f.Kind)
		if w < len(a.Utilisation) {
			ft.Properties["volume"] = a.Utilisation[w].Volume
			ft.Properties["share"] = a.Utilisation[w].Share
		}
		ft.Properties["marker-color"] = Colour(w)
		ft.Properties["marker-symbol"] = "warehouse"
		fc.Append(ft)
	}
	return fc, nil
}

package depots

import (
	"fmt"

	"github.com/lastmile-dev/lastmile/geo/zone"
	"github.com/lastmile-dev/lastmile/internal/field"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb/geojson"
)

// Network is a set of facilities: warehouses, hubs, stations and pickup
// points. Its JSON form is {"facilities": [...]} with snake_case fields.
type Network struct {
	Facilities []Facility `json:"facilities"`
}

// ValidateOptions says how strictly Network.Validate checks a network.
type ValidateOptions struct {
	// Zones, when set, gives each facility its zone (by name).
	Zones *zone.Index
	// RequireZones rejects a facility that lies outside every zone. It
	// needs Zones.
	RequireZones bool
}

// Validate checks every facility and the network as a whole: ids are unique,
// each facility is valid on its own (see Facility.Validate), parents exist
// and form no cycle,
// and with opts.RequireZones every facility lies in a zone. It fills each
// facility's Cell and, when opts.Zones is set and Zone is empty, its Zone;
// a Zone that disagrees with the facility's location is an error.
// Errors wrap ErrInvalid; one about a facility is a *FieldError whose Path
// starts "facilities[i]".
func (n *Network) Validate(opts ValidateOptions) error {
	if opts.RequireZones && opts.Zones == nil {
		return fmt.Errorf("%w: zones are required but no zone lookup was given", ErrInvalid)
	}
	seen := make(map[ID]int, len(n.Facilities))
	for i := range n.Facilities {
		f := &n.Facilities[i]
		if err := f.Validate(); err != nil {
			return field.Within(fmt.Sprintf("facilities[%d]", i), err)
		}
		if j, dup := seen[f.ID]; dup {
			return field.New(ErrInvalid, fmt.Sprintf("facilities[%d].id", i), "duplicate facility id %q (facilities %d and %d)", f.ID, j, i)
		}
		seen[f.ID] = i
		c, err := h3cell.FromPoint(f.Location, CellResolution)
		if err != nil {
			return field.New(ErrInvalid, fmt.Sprintf("facilities[%d].location", i), "facility %q: %w", f.ID, err)
		}
		f.Cell = c
		if opts.Zones == nil {
			continue
		}
		zi, ok := opts.Zones.Lookup(f.Location)
		zone := ""
		if ok {
			zone = opts.Zones.Zone(zi).Name
		}
		switch {
		case !ok && opts.RequireZones:
			return field.New(ErrInvalid, fmt.Sprintf("facilities[%d].location", i), "facility %q at [%v, %v] lies outside every zone", f.ID, f.Location[0], f.Location[1])
		case ok && f.Zone == "":
			f.Zone = zone
		case ok && f.Zone != zone:
			return field.New(ErrInvalid, fmt.Sprintf("facilities[%d].zone", i), "facility %q: zone %q given, but its location lies in zone %q", f.ID, f.Zone, zone)
		}
	}
	for i := range n.Facilities {
		f := &n.Facilities[i]
		if f.Parent == "" {
			continue
		}
		if f.Parent == f.ID {
			return field.New(ErrInvalid, fmt.Sprintf("facilities[%d].parent", i), "facility %q is its own parent", f.ID)
		}
		if _, ok := seen[f.Parent]; !ok {
			return field.New(ErrInvalid, fmt.Sprintf("facilities[%d].parent", i), "facility %q: parent %q is not in the network", f.ID, f.Parent)
		}
	}
	// Parent chains must end: walk each once, marking the facilities on
	// the current walk (1) and those known to reach a root (2).
	parent := func(j int) int {
		if p := n.Facilities[j].Parent; p != "" {
			return seen[p]
		}
		return -1
	}
	state := make([]uint8, len(n.Facilities))
	for i := range n.Facilities {
		var walk []int
		j := i
		for ; j >= 0 && state[j] == 0; j = parent(j) {
			state[j] = 1
			walk = append(walk, j)
		}
		if j >= 0 && state[j] == 1 {
			return field.New(ErrInvalid, fmt.Sprintf("facilities[%d].parent", j), "facility %q: its parents form a cycle", n.Facilities[j].ID)
		}
		for _, k := range walk {
			state[k] = 2
		}
	}
	return nil
}

// Facility returns the facility with the given id, or an error wrapping
// ErrNotFound. It scans the network: O(n).
func (n *Network) Facility(id ID) (*Facility, error) {
	for i := range n.Facilities {
		if n.Facilities[i].ID == id {
			return &n.Facilities[i], nil
		}
	}
	return nil, fmt.Errorf("%w: facility %q", ErrNotFound, id)
}

// OfKind returns the facilities of kind k, in network order. The pointers
// alias n.Facilities.
func (n *Network) OfKind(k Kind) []*Facility {
	var out []*Facility
	for i := range n.Facilities {
		if n.Facilities[i].Kind == k {
			out = append(out, &n.Facilities[i])
		}
	}
	return out
}

// kindColours gives each facility kind a simplestyle marker colour.
var kindColours = map[Kind]string{
	CloudWarehouse:     "#1f77b4",
	DistributionCentre: "#ff7f0e",
	CountyHub:          "#2ca02c",
	TownshipStation:    "#d62728",
	VillagePoint:       "#9467bd",
	Locker:             "#8c564b",
	ExpressStore:       "#e377c2",
}

// GeoJSON returns the facilities as a FeatureCollection of points, with
// properties id, kind, name, zone, operator, per_day, cold_chain, parent and
// a simplestyle "marker-color" per kind.
func (n *Network) GeoJSON() *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for i := range n.Facilities {
		f := &n.Facilities[i]
		ft := geojson.NewFeature(f.Location)
		ft.ID = string(f.ID)
		ft.Properties["id"] = string(f.ID)
		ft.Properties["kind"] = string(f.Kind)
		ft.Properties["per_day"] = f.Capacity.PerDay
		ft.Properties["marker-color"] = kindColours[f.Kind]
		optional := map[string]string{"name": f.Name, "zone": f.Zone, "operator": f.Operator, "parent": string(f.Parent)}
		for k, v := range optional {
			if v != "" {
				ft.Properties[k] = v
			}
		}
		if f.Cell != 0 {
			ft.Properties["cell"] = f.Cell.String()
		}
		if f.Capacity.ColdChain > 0 {
			ft.Properties["cold_chain"] = f.Capacity.ColdChain
		}
		fc.Append(ft)
	}
	return fc
}

package depots

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/field"
	"github.com/paulmach/orb"
)

// Sentinel errors, matched with errors.Is.
var (
	ErrInvalid  = errors.New("depots: invalid network")
	ErrNotFound = errors.New("depots: not found")
)

// FieldError is a bad field of an input: Path names it as a JSON path such
// as "warehouses[2].capacity" or "demand[5].volume", Reason says what is
// wrong. Validation errors that name a field are *FieldError, found with
// errors.As; they also wrap ErrInvalid for errors.Is.
type FieldError = field.Error

// Kind is the role of a facility in the network.
type Kind string

const (
	CloudWarehouse     Kind = "cloud_warehouse"     // shared storage that orders are allocated to
	DistributionCentre Kind = "distribution_centre" // urban cross-dock for joint delivery
	CountyHub          Kind = "county_hub"          // rural first echelon
	TownshipStation    Kind = "township_station"    // rural second echelon
	VillagePoint       Kind = "village_point"       // village service point
	Locker             Kind = "locker"              // pickup point: parcel locker
	ExpressStore       Kind = "express_store"       // pickup point: staffed store
)

// Kinds lists every facility kind, for validation and documentation.
var Kinds = []Kind{CloudWarehouse, DistributionCentre, CountyHub, TownshipStation, VillagePoint, Locker, ExpressStore}

// IsPickupPoint reports whether customers collect parcels at this kind.
func (k Kind) IsPickupPoint() bool { return k == Locker || k == ExpressStore }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// ID identifies a facility.
type ID string

// Shared is the Operator of a facility used by all carriers.
const Shared = "shared"

// Capacity is what a facility can handle per day. Volumes are parcels (or
// parcel-equivalents) per day.
type Capacity struct {
	PerDay float64 `json:"per_day"`
	// PerCategory caps categories (for example "fresh", "bulky"); a category
	// that is absent is limited only by PerDay. A facility serves only the
	// categories listed here when the map is non-empty.
	PerCategory map[string]float64 `json:"per_category,omitempty"`
	// ColdChain is the part of PerDay that can be kept cold; zero means the
	// facility has no cold chain.
	ColdChain float64 `json:"cold_chain,omitempty"`
	// Compartments is the number of locker compartments (lockers only); a
	// locker's PerDay is compartments × daily turnover.
	Compartments int `json:"compartments,omitempty"`
}

// Scaled returns the capacity with its daily, category and cold-chain
// volumes multiplied by f (for what-if runs: f = 0.3 keeps 30%); the
// category map is a copy and compartments are unchanged.
func (c Capacity) Scaled(f float64) Capacity {
	out := c
	out.PerDay *= f
	out.ColdChain *= f
	if c.PerCategory != nil {
		out.PerCategory = make(map[string]float64, len(c.PerCategory))
		for k, v := range c.PerCategory {
			out.PerCategory[k] = v * f
		}
	}
	return out
}

// Hours is a daily opening interval in seconds after midnight. The zero value
// means open all day.
type Hours struct {
	OpenSeconds  int32 `json:"open_seconds"`
	CloseSeconds int32 `json:"close_seconds"`
}

// UnmarshalJSON decodes a facility, refusing unknown fields (an outer
// decoder's DisallowUnknownFields does not reach a custom unmarshaler) and a
// location that is not exactly [lon, lat].
func (f *Facility) UnmarshalJSON(b []byte) error {
	type plain Facility
	var w struct {
		*plain
		Location *geo.LonLat `json:"location"`
	}
	w.plain = (*plain)(f)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) { // keep the type so the caller's decoder can name the field
			typ.Field = strings.TrimPrefix(strings.TrimPrefix(typ.Field, "plain"), ".")
			return typ
		}
		return err
	}
	if w.Location != nil {
		f.Location = orb.Point(*w.Location)
	}
	return nil
}

// Facility is one node of the logistics network.
type Facility struct {
	ID       ID        `json:"id"`
	Kind     Kind      `json:"kind"`
	Name     string    `json:"name,omitempty"`
	Location orb.Point `json:"location"` // [lon, lat], WGS-84
	// Cell is the facility's H3 cell at CellResolution. Network.Validate
	// derives it from Location, so JSON leaves it out.
	Cell     h3cell.Cell `json:"-"`
	Zone     string      `json:"zone,omitempty"` // zone (district) name, when known
	Capacity Capacity    `json:"capacity"`
	Hours    Hours       `json:"hours"`
	// FixedCost is the daily cost of keeping the facility open; HandlingCost
	// is the cost per parcel handled. Both in currency units.
	FixedCost    float64 `json:"fixed_cost,omitempty"`
	HandlingCost float64 `json:"handling_cost,omitempty"`
	// Operator is Shared or a carrier's id.
	Operator string `json:"operator,omitempty"`
	// Parent is the facility this one is supplied from (station → county hub).
	Parent ID `json:"parent,omitempty"`
}

// CellResolution is the H3 resolution of Facility.Cell (about 170 m edges).
const CellResolution = 9

// Validate checks one facility, without reference to the rest of the
// network. An error is a *FieldError wrapping ErrInvalid whose Path is the
// facility's JSON field, e.g. "capacity.per_day".
func (f *Facility) Validate() error {
	bad := func(path, format string, args ...any) error {
		return field.New(ErrInvalid, path, format, args...)
	}
	if f.ID == "" {
		return bad("id", "facility with empty id")
	}
	if !f.Kind.Valid() {
		return bad("kind", "unknown kind %q", f.Kind)
	}
	lon, lat := f.Location[0], f.Location[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return bad("location", "[%v, %v] is not a valid [lon, lat]", lon, lat)
	}
	c := f.Capacity
	switch {
	case badAmount(c.PerDay):
		return bad("capacity.per_day", "negative or non-finite capacity %v", c.PerDay)
	case badAmount(c.ColdChain):
		return bad("capacity.cold_chain", "negative or non-finite capacity %v", c.ColdChain)
	case c.Compartments < 0:
		return bad("capacity.compartments", "negative count %d", c.Compartments)
	case c.ColdChain > c.PerDay:
		return bad("capacity.cold_chain", "cold-chain capacity %v exceeds daily capacity %v", c.ColdChain, c.PerDay)
	}
	for cat, v := range c.PerCategory {
		if badAmount(v) {
			return bad("capacity.per_category."+cat, "negative or non-finite capacity for category %q", cat)
		}
	}
	if badAmount(f.FixedCost) {
		return bad("fixed_cost", "negative or non-finite cost %v", f.FixedCost)
	}
	if badAmount(f.HandlingCost) {
		return bad("handling_cost", "negative or non-finite cost %v", f.HandlingCost)
	}
	h := f.Hours
	if h.OpenSeconds < 0 || h.CloseSeconds > 24*3600 || (h.CloseSeconds != 0 && h.CloseSeconds <= h.OpenSeconds) {
		return bad("hours", "opening hours %d–%d s are inconsistent", h.OpenSeconds, h.CloseSeconds)
	}
	return nil
}

// badAmount reports whether a capacity or cost is negative, NaN or infinite.
func badAmount(x float64) bool { return x < 0 || math.IsNaN(x) || math.IsInf(x, 0) }

package depots

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/lastmile-dev/lastmile/geo"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/field"
	"github.com/paulmach/orb"
)

// demandJSON is the wire form of Demand: the cell is its hexadecimal
// string, and the location may be left out when a cell is given.
type demandJSON struct {
	Cell           string      `json:"cell,omitempty"`
	Zone           string      `json:"zone,omitempty"`
	Location       *geo.LonLat `json:"location,omitempty"`
	Category       string      `json:"category"`
	Volume         float64     `json:"volume"`
	ColdChain      bool        `json:"cold_chain,omitempty"`
	PromiseSeconds int32       `json:"promise_seconds,omitempty"`
}

// MarshalJSON writes the demand with snake_case fields and the cell in
// hexadecimal.
func (d Demand) MarshalJSON() ([]byte, error) {
	loc := geo.LonLat(d.Location)
	w := demandJSON{Zone: d.Zone, Location: &loc, Category: d.Category, Volume: d.Volume, ColdChain: d.ColdChain, PromiseSeconds: d.PromiseSeconds}
	if d.Cell != 0 {
		w.Cell = d.Cell.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes. Without a location the cell
// centre is used; a demand needs one or the other.
func (d *Demand) UnmarshalJSON(b []byte) error {
	var w demandJSON
	// The outer decoder's DisallowUnknownFields does not reach a custom
	// unmarshaler: a misspelt "promise_second" would silently drop the
	// promise.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("%w: demand: %w", ErrInvalid, err)
	}
	out := Demand{Zone: w.Zone, Category: w.Category, Volume: w.Volume, ColdChain: w.ColdChain, PromiseSeconds: w.PromiseSeconds}
	if w.Cell != "" {
		c, err := h3cell.Parse(w.Cell)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		out.Cell = c
	}
	switch {
	case w.Location != nil:
		out.Location = orb.Point(*w.Location)
	case out.Cell != 0:
		p, err := out.Cell.Point()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		out.Location = p
	default:
		return fmt.Errorf("%w: demand has neither a location nor a cell", ErrInvalid)
	}
	*d = out
	return nil
}

// DecodeAllocationProblem reads an allocation problem from JSON:
//
//	{
//	  "warehouses": [{"id": "wh-1", "kind": "cloud_warehouse", "location": [106.5, 29.6],
//	                  "capacity": {"per_day": 5000, "per_category": {"parcel": 4000, "fresh": 1000}, "cold_chain": 1000},
//	                  "handling_cost": 0.8}],
//	  "demand": [{"cell": "8940d8a4a2fffff", "category": "fresh", "volume": 42.5,
//	              "cold_chain": true, "promise_seconds": 14400}],
//	  "tariff": {"per_parcel_km": 0.05, "per_parcel_hour": 0, "unserved_per_parcel": 0}
//	}
//
// Facilities take the fields of Facility in snake_case; a demand takes
// "location" ([lon, lat]) or "cell" (its centre is used) or both. Unknown
// fields are an error. The problem is validated (as Allocate would) but
// has no Matrix: the caller builds it on Points with a geo.MatrixSource.
// Errors wrap ErrInvalid.
func DecodeAllocationProblem(r io.Reader) (*AllocationProblem, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var p AllocationProblem
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, ErrInvalid) {
			return nil, err
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: allocation problem: empty input, want a JSON object", ErrInvalid)
		}
		return nil, fmt.Errorf("%w: allocation problem: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: allocation problem: data after the JSON object", ErrInvalid)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// validate checks the warehouses, demand and tariff, but not the matrix.
func (p *AllocationProblem) validate() error {
	if err := checkWarehouses(p.Warehouses); err != nil {
		return err
	}
	for i := range p.Demand {
		if err := p.Demand[i].validate(); err != nil {
			return field.Within(fmt.Sprintf("demand[%d]", i), err)
		}
	}
	t := p.Tariff
	if badAmount(t.PerParcelKm) || badAmount(t.PerParcelHour) || badAmount(t.UnservedPerParcel) {
		return field.New(ErrInvalid, "tariff", "negative or non-finite price")
	}
	return nil
}

// CheckCategories returns a *FieldError naming the first demand whose
// category no warehouse can take: every warehouse lists its categories and
// none lists this one. Allocate reports such demand as unserved (reason
// category); a service that takes requests from people calls this first,
// since it is almost always a misspelling ("frehs").
func (p *AllocationProblem) CheckCategories() error {
	known := map[string]bool{}
	for i := range p.Warehouses {
		pc := p.Warehouses[i].Capacity.PerCategory
		if len(pc) == 0 {
			return nil // this warehouse takes every category
		}
		for c := range pc {
			known[c] = true
		}
	}
	if len(p.Warehouses) == 0 {
		return nil
	}
	for i := range p.Demand {
		if c := p.Demand[i].Category; !known[c] {
			names := slices.Sorted(maps.Keys(known))
			return field.New(ErrInvalid, fmt.Sprintf("demand[%d].category", i), "no warehouse takes category %q (they take %s)", c, strings.Join(names, ", "))
		}
	}
	return nil
}

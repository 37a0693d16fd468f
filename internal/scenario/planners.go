package scenario

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/internal/cqgeo"

	"github.com/lastmile-dev/lastmile/routing/rural"
	"github.com/lastmile-dev/lastmile/routing/urban"
)

// UrbanInput returns the urban day as the input of urban.Plan. The input
// shares the scenario's slices; it fails with ErrInvalid when the scenario
// has no day.
func (s *Scenario) UrbanInput() (urban.Input, error) {
	if s == nil || s.Day == nil {
		return urban.Input{}, fmt.Errorf("%w: scenario has no urban day", ErrInvalid)
	}
	d := s.Day
	districts := make([]string, len(d.Districts))
	for i, x := range d.Districts {
		districts[i] = x.ID
	}
	bounds, err := DistrictBoundaries(d.Districts)
	if err != nil {
		return urban.Input{}, err
	}
	return urban.Input{
		Districts: districts, Boundaries: bounds, Carriers: d.Carriers, Facilities: d.Facilities,
		Vehicles: d.Vehicles, Parcels: d.Parcels, VehicleTypes: s.VehicleTypes,
	}, nil
}

// DistrictBoundaries returns the real outlines of the districts that are
// among Chongqing's main-urban ones (matched by Adcode; internal/cqgeo,
// Vonng/adcode, CC BY 4.0), keyed by District.ID, WGS-84. Districts
// without an embedded outline are left out.
func DistrictBoundaries(ds []District) (map[string]orb.MultiPolygon, error) {
	by, err := cqgeo.ByAdcode()
	if err != nil {
		return nil, err
	}
	out := map[string]orb.MultiPolygon{}
	for _, d := range ds {
		if b, ok := by[d.Adcode]; ok {
			out[d.ID] = b.Boundary
		}
	}
	return out, nil
}

// RuralInput returns the rural week as the input of rural.Plan. The input
// shares the scenario's slices; it fails with ErrInvalid when the scenario
// has no week.
func (s *Scenario) RuralInput() (rural.Input, error) {
	if s == nil || s.Week == nil {
		return rural.Input{}, fmt.Errorf("%w: scenario has no rural week", ErrInvalid)
	}
	return rural.Input{Counties: s.Week.Counties, VehicleTypes: s.VehicleTypes, DCs: s.Week.DCs, Trunk: s.Week.Trunk}, nil
}

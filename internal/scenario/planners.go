package scenario

import (
	"fmt"

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
	return urban.Input{
		Districts: districts, Carriers: d.Carriers, Facilities: d.Facilities,
		Vehicles: d.Vehicles, Parcels: d.Parcels, VehicleTypes: s.VehicleTypes,
	}, nil
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

package scenario

import (
	"context"
	"fmt"
	"time"

	"github.com/lastmile-dev/lastmile/routing/urban"
)

// UrbanRequest is an urban joint-delivery run on the generated Chongqing
// day: what `lastmile plan urban` and POST /v1/plans/urban both ask for,
// so that both give the same report for the same request.
type UrbanRequest struct {
	Seed     uint64
	Parcels  int // 0 means DefaultParcels
	Carriers int // 0 means DefaultCarriers
	// Iterations is SISR iterations per parcel of each routing task (0:
	// urban's default); TimeLimit, when set, bounds each plan instead.
	Iterations int
	TimeLimit  time.Duration
	// AcrossDistricts lets zones cross district lines.
	AcrossDistricts bool
	Resolution      int     // H3 resolution of the zones; 0 means 8
	ZoneHours       float64 // target zone and task workload; 0 means 12
	CO2PerKm        float64 // one factor for every type; 0 means per type
	Progress        func(urban.Progress)
}

// UrbanDay generates the request's day: the Chongqing fixture with carrier
// stations (the fair baseline), urban part only.
func (r UrbanRequest) UrbanDay() (*Scenario, error) {
	return Generate(Chongqing(), Options{Seed: r.Seed, Kind: KindUrban, Parcels: r.Parcels, Carriers: r.Carriers, CarrierStations: true})
}

// UrbanOptions returns the planner options of the request for a scenario
// with vehicle types types.
func (r UrbanRequest) UrbanOptions(s *Scenario) urban.Options {
	o := urban.Options{
		Seed: int64(r.Seed), TimeLimit: r.TimeLimit, IterationsPerParcel: r.Iterations,
		RespectDistricts: !r.AcrossDistricts, Resolution: r.Resolution, TargetZoneSeconds: r.ZoneHours * 3600,
		Progress: r.Progress,
	}
	if r.CO2PerKm > 0 {
		o.CO2KgPerKm = map[string]float64{}
		for _, t := range s.VehicleTypes {
			o.CO2KgPerKm[t.ID] = r.CO2PerKm
		}
	}
	return o
}

// PlanUrban generates the request's day and plans it. s, when not nil, is
// planned instead of a generated day.
func PlanUrban(ctx context.Context, r UrbanRequest, s *Scenario) (*Scenario, *urban.Report, error) {
	if s == nil {
		var err error
		if s, err = r.UrbanDay(); err != nil {
			return nil, nil, err
		}
	}
	in, err := s.UrbanInput()
	if err != nil {
		return nil, nil, err
	}
	rep, err := urban.Plan(ctx, in, r.UrbanOptions(s))
	if err != nil {
		return nil, nil, fmt.Errorf("plan urban: %w", err)
	}
	return s, rep, nil
}

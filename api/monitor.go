package api

import (
	"context"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/depots/coverage"
	"github.com/lastmile-dev/lastmile/store"
)

// monitorCoverage runs the scheduled coverage monitoring every
// CoverageEvery until the server shuts down.
func (s *Server) monitorCoverage() {
	t := time.NewTicker(s.cfg.CoverageEvery)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.CoverageEvery)
		if err := s.coverageRun(ctx); err != nil {
			s.log.Warn("coverage monitoring", "err", err)
		}
		cancel()
	}
}

// coverageRun measures the stored demand's coverage by the stored pickup
// points (lockers and express stores) and sets lastmile_coverage_ratio
// for every zone with demand. With no demand or no points it does nothing.
func (s *Server) coverageRun(ctx context.Context) error {
	stored, err := s.store.Demand(ctx)
	if err != nil || len(stored) == 0 {
		return err
	}
	var points []coverage.Point
	for _, k := range []depots.Kind{depots.Locker, depots.ExpressStore} {
		fs, err := s.store.Facilities(ctx, store.FacilityFilter{Kind: k})
		if err != nil {
			return err
		}
		for _, f := range fs {
			points = append(points, coverage.Point{ID: string(f.ID), Name: f.Name, Location: f.Location, CapacityPerDay: f.Capacity.PerDay})
		}
	}
	if len(points) == 0 {
		return nil
	}
	dem := make([]coverage.Demand, len(stored))
	for i, d := range stored {
		dem[i] = coverage.Demand{Location: d.Location, Weight: d.Weight}
	}
	release, err := s.solves.acquire(ctx, false)
	if err != nil {
		return err
	}
	defer release()
	rep, err := coverage.Analyze(ctx, dem, points, coverage.Options{RadiusMeters: s.cfg.CoverageRadiusMeters, ZoneOf: s.cfg.ZoneOf, Workers: 1})
	if err != nil {
		return err
	}
	for _, z := range rep.Zones {
		if z.TotalDemand > 0 {
			s.metrics.SetCoverage(z.Zone, z.CoveredDemand/z.TotalDemand)
		}
	}
	return nil
}

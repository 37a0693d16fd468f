package api

import (
	"fmt"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/routing/instance"
	"github.com/paulmach/orb"
)

// outsideRegion is a 422 naming a point outside the service region, with a
// hint when the point with its coordinates swapped lies inside: the usual
// mistake is [lat, lon] for [lon, lat].
func (s *Server) outsideRegion(path string, p orb.Point) error {
	reason := fmt.Sprintf("[%g, %g] is outside the service region %s", p[0], p[1], s.cfg.RegionName)
	if s.cfg.Region(orb.Point{p[1], p[0]}) {
		reason += fmt.Sprintf("; [%g, %g] is inside: were longitude and latitude swapped? Points are [lon, lat]", p[1], p[0])
	}
	return &statusError{err: errOutsideRegion, detail: path + ": " + reason, params: []invalidParam{{Name: path, Reason: reason}}}
}

// checkRegionPoint refuses p (in datum d) when the server has a service
// region and p lies outside it. Invalid points are left to the decoders.
func (s *Server) checkRegionPoint(path string, p orb.Point, d geo.Datum) error {
	if s.cfg.Region == nil {
		return nil
	}
	w, err := geo.ToWGS84(p, d)
	if err != nil || geo.ValidatePoint(w) != nil {
		// Not a point at all; but if swapping makes it one in the region,
		// say so rather than only "latitude outside [-90, 90]".
		if sw := (orb.Point{p[1], p[0]}); geo.ValidatePoint(sw) == nil && s.cfg.Region(sw) {
			return s.outsideRegion(path, p)
		}
		return nil
	}
	if !s.cfg.Region(w) {
		return s.outsideRegion(path, w)
	}
	return nil
}

// checkRegion checks every coordinate of a problem document: its locations
// and the inline points of vehicles, jobs and shipments.
func (s *Server) checkRegion(doc *instance.Problem) error {
	if s.cfg.Region == nil {
		return nil
	}
	d, err := geo.ParseDatum(doc.Datum)
	if err != nil {
		return nil // FromJSON names the datum
	}
	check := func(path string, l *instance.Location) error {
		if l == nil || l.Point == nil {
			return nil
		}
		return s.checkRegionPoint(path, *l.Point, d)
	}
	for i, p := range doc.Locations {
		if err := s.checkRegionPoint(fmt.Sprintf("locations[%d]", i), orb.Point(p), d); err != nil {
			return err
		}
	}
	for i := range doc.Vehicles {
		v := &doc.Vehicles[i]
		if err := check(fmt.Sprintf("vehicles[%d].start", i), v.Start); err != nil {
			return err
		}
		if err := check(fmt.Sprintf("vehicles[%d].end", i), v.End); err != nil {
			return err
		}
	}
	for i := range doc.Jobs {
		if err := check(fmt.Sprintf("jobs[%d].location", i), &doc.Jobs[i].Location); err != nil {
			return err
		}
	}
	for i := range doc.Shipments {
		sh := &doc.Shipments[i]
		if err := check(fmt.Sprintf("shipments[%d].pickup.location", i), &sh.Pickup.Location); err != nil {
			return err
		}
		if err := check(fmt.Sprintf("shipments[%d].delivery.location", i), &sh.Delivery.Location); err != nil {
			return err
		}
	}
	return nil
}

// Package zone holds named areas (districts, delivery zones) and an index
// that finds a point's zone in O(1).
//
// A Zone is given as polygons or as a set of H3 cells, with a travel class
// (geo.ZoneClass: urban_core, suburban, rural_mountain). NewIndex maps every
// cell at one H3 resolution to its zone, so Index.Lookup is one H3 call and
// one map read, whatever the number or shape of the zones. In the cells a
// zone boundary crosses, Lookup also tests the point against the boundary
// edges near that cell (about 100 for Chongqing's district borders at
// resolution 7, fewer at finer resolutions), so its answer is exact, agreeing
// with ray casting against the full polygons, rather than rounded to cells.
// Index.LookupAll indexes a batch with one cgo call per core.
//
// Zones round-trip through GeoJSON with WriteGeoJSON and ReadGeoJSON; the
// reader converts from a declared datum. Index.Class fits
// geo.GreatCircle.Classify, giving the travel model each point's class.
//
// The package needs cgo (through geo/h3cell); geo itself does not.
package zone

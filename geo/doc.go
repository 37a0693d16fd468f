// Package geo is lastmile's spatial core: points, datum conversion, zone
// travel classes and the travel matrices the solver reads. It is pure Go
// (it builds with CGO_ENABLED=0): the H3 grid's cgo calls live in the
// subpackage geo/h3cell, and the cell-indexed zones that need them in
// geo/zone. It does no I/O of its own beyond the io.Reader and io.Writer it
// is handed.
//
// # Points and datums
//
// A point is an orb.Point, [lon, lat] in WGS-84 degrees, everywhere in
// lastmile. Chinese map providers publish GCJ-02 (Amap, Tencent) or BD-09
// (Baidu) coordinates instead, offset from WGS-84 by several hundred metres
// (440–580 m in Chongqing). Inputs declare their Datum and are converted once,
// at the boundary, with ToWGS84; FromWGS84 converts back for display on those
// maps.
//
// Accuracy: the GCJ-02 forward transform is the widely published
// reconstruction (Krasovsky 1940 ellipsoid) and reproduces the official,
// unpublished offsets only to within a few metres; that bounds every GCJ-02
// conversion. WGS84FromGCJ02 inverts the forward formula iteratively to
// better than 1 cm (converged to 1e-10°, tested at 1 mm round trip). Against
// an independently computed table of 898 Chongqing township points the
// conversion agrees to 0.07 m at worst (tested at 0.2 m; the table is rounded
// to 6 decimals, ±0.06 m). The forward transform matches the pairs published
// with wandergis/coordTransform to 1e-9°. BD-09 ⇄ GCJ-02 is Baidu's published
// formula, inverted iteratively to 1e-10°. Points outside China's box
// (OutOfChina) pass through GCJ-02 conversion unchanged.
//
// # Distances
//
// HaversineMeters is the great-circle distance on the mean-radius sphere
// (within about 0.5% of the ellipsoidal geodesic). The matrix hot loop uses
// the same distance from precomputed unit vectors (FastGreatCircleMeters),
// relative error below 3e-6 up to 1,000 km and exact beyond.
//
// # Zones
//
// A zone's travel class (urban_core, suburban, rural_mountain) is a
// ZoneClass; the zones themselves, indexed by H3 cell for O(1) lookup, are
// in the subpackage geo/zone, which needs cgo.
//
// # Travel matrices
//
// The solver sees only Matrix (flat n·n int32 seconds and metres) through
// the MatrixSource interface. There are three sources:
//
//   - GreatCircle: great-circle distance × a circuity factor, at a speed,
//     both by zone class; needs no road data; builds in parallel without
//     allocating per entry.
//   - osrm.Client (package geo/osrm): the user's own OSRM server's
//     /table/v1 service. It is an HTTP client, so it lives in its own
//     subpackage: geo itself never imports net/http, per the rule that core
//     packages do no network I/O.
//   - UserMatrix: a matrix the user supplies as JSON (ReadMatrixJSON), in
//     OSRM's table shape.
package geo

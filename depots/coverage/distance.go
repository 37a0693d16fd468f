package coverage

import (
	"math"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
)

// earthRadiusMeters is the mean Earth radius (IUGG R1), the one geo uses.
const earthRadiusMeters = geo.EarthRadiusMeters

// DefaultCircuity is the walking circuity used when Options.Circuity is zero:
// the ratio of walked to great-circle distance. Studies of urban pedestrian
// networks find 1.2–1.4 (Levinson & El-Geneidy 2009 report about 1.3 for
// networks; Chongqing's hills push it up), so 1.3 is the default.
const DefaultCircuity = 1.3

// DefaultRuralCircuity is the road circuity used by the rural audit when none
// is given: mountain roads in Chongqing wind far more than city streets.
const DefaultRuralCircuity = 1.6

// site is a point prepared for repeated haversine evaluation: the
// latitude, longitude and cosine of latitude in radians, computed once.
type site struct {
	lat, lon, cosLat float64
}

func prepare(p orb.Point) site {
	lat := p[1] * math.Pi / 180
	return site{lat: lat, lon: p[0] * math.Pi / 180, cosLat: math.Cos(lat)}
}

// hav returns the haversine term h = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2);
// the great-circle distance is 2R·asin(√h), as geo.HaversineMeters
// computes it. Comparing h against a threshold (reachH) decides "within
// reach" without asin or sqrt, and the analysis, site selection and the
// brute-force tests all use this one function, so they agree to the last
// bit.
func hav(a, b site) float64 {
	sLat := math.Sin((b.lat - a.lat) / 2)
	sLon := math.Sin((b.lon - a.lon) / 2)
	return sLat*sLat + a.cosLat*b.cosLat*sLon*sLon
}

// havMeters converts a haversine term to great-circle metres.
func havMeters(h float64) float64 {
	return 2 * earthRadiusMeters * math.Asin(math.Sqrt(min(1, max(0, h))))
}

// reachH is the haversine threshold for a great-circle reach in metres:
// a point is within reach when hav ≤ reachH(reach).
func reachH(reachMeters float64) float64 {
	x := reachMeters / (2 * earthRadiusMeters)
	if x >= math.Pi/2 {
		return 1
	}
	s := math.Sin(x)
	return s * s
}

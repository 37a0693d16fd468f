package geo

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// ErrDatum is returned (wrapped) for an unknown datum name.
var ErrDatum = errors.New("geo: unknown datum")

// Datum names the geodetic system a coordinate is expressed in. Inside
// lastmile every point is WGS-84; inputs declare their datum and are
// converted at the boundary with ToWGS84.
type Datum string

// The datums in use in China. GCJ-02 ("Mars coordinates") is the
// obfuscated datum that Chinese law requires of public maps: Amap (高德),
// Tencent and Google China use it. BD-09 is Baidu's further offset of GCJ-02.
const (
	WGS84 Datum = "wgs84"
	GCJ02 Datum = "gcj02"
	BD09  Datum = "bd09"
)

// ParseDatum returns the datum named by s, case-insensitively, accepting
// the common spellings ("WGS-84", "wgs84", "epsg:4326"; "gcj02", "GCJ-02",
// "amap", "gaode", "tencent"; "bd09", "BD-09", "baidu"). The empty string is
// WGS-84.
func ParseDatum(s string) (Datum, error) {
	switch strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s)) {
	case "", "wgs84", "epsg4326", "epsg:4326", "gps":
		return WGS84, nil
	case "gcj02", "amap", "gaode", "tencent", "mars":
		return GCJ02, nil
	case "bd09", "bd09ll", "baidu":
		return BD09, nil
	}
	return "", fmt.Errorf("%w: %q (want wgs84, gcj02 or bd09)", ErrDatum, s)
}

// UnmarshalText parses a datum with ParseDatum, so a JSON or flag input
// declaring "datum": "GCJ-02" is checked and normalised as it is decoded.
func (d *Datum) UnmarshalText(text []byte) error {
	v, err := ParseDatum(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// String returns the datum's canonical name.
func (d Datum) String() string { return string(d) }

// ToWGS84 converts p from datum d to WGS-84. Points outside China (see
// OutOfChina) are returned unchanged for GCJ-02, as every provider does;
// BD-09 is first undone to GCJ-02 everywhere. The point is validated first.
func ToWGS84(p orb.Point, d Datum) (orb.Point, error) {
	if err := ValidatePoint(p); err != nil {
		return p, err
	}
	switch d {
	case WGS84, "":
		return p, nil
	case GCJ02:
		return WGS84FromGCJ02(p), nil
	case BD09:
		return WGS84FromGCJ02(GCJ02FromBD09(p)), nil
	}
	return p, fmt.Errorf("%w: %q", ErrDatum, string(d))
}

// PointsToWGS84 converts pts from datum d to WGS-84 in place. All points
// are validated first, so on error (naming the first bad index) pts is
// unchanged.
func PointsToWGS84(pts []orb.Point, d Datum) error {
	if _, err := ParseDatum(string(d)); err != nil {
		return err
	}
	if err := ValidatePoints(pts); err != nil {
		return err
	}
	for i, p := range pts {
		pts[i], _ = ToWGS84(p, d) // cannot fail: validated above
	}
	return nil
}

// FromWGS84 converts the WGS-84 point p to datum d; it inverts ToWGS84.
func FromWGS84(p orb.Point, d Datum) (orb.Point, error) {
	if err := ValidatePoint(p); err != nil {
		return p, err
	}
	switch d {
	case WGS84, "":
		return p, nil
	case GCJ02:
		return GCJ02FromWGS84(p), nil
	case BD09:
		return BD09FromGCJ02(GCJ02FromWGS84(p)), nil
	}
	return p, fmt.Errorf("%w: %q", ErrDatum, string(d))
}

// OutOfChina reports whether p lies outside the rectangle
// lon 72.004–137.8347, lat 0.8293–55.8271 in which providers apply the
// GCJ-02 offset. The box is the one used by the widely copied reference
// implementations (e.g. googollee/eviltransform); it is coarse, so points in
// neighbouring countries inside the box are offset as well.
func OutOfChina(p orb.Point) bool {
	lon, lat := p[0], p[1]
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// Parameters of the GCJ-02 transform: the Krasovsky 1940 ellipsoid.
const (
	krasovskyA  = 6378245.0
	krasovskyEE = 0.00669342162296594323 // first eccentricity squared
)

func gcjTransformLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320.0*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func gcjTransformLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// gcjDelta returns the GCJ-02 offset (dLon, dLat) in degrees at a WGS-84 point.
func gcjDelta(lon, lat float64) (dLon, dLat float64) {
	dLat = gcjTransformLat(lon-105.0, lat-35.0)
	dLon = gcjTransformLon(lon-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - krasovskyEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((krasovskyA * (1 - krasovskyEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (krasovskyA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

// GCJ02FromWGS84 applies the GCJ-02 forward transform to a WGS-84 point.
// This is the formula leaked in 2010s and reproduced by every open
// implementation; it matches the official (secret) offsets to within a few
// metres, which is the real accuracy of any GCJ-02 conversion. Points outside
// China are returned unchanged.
func GCJ02FromWGS84(p orb.Point) orb.Point {
	if OutOfChina(p) {
		return p
	}
	dLon, dLat := gcjDelta(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// gcjInverseTol is the convergence tolerance of WGS84FromGCJ02 in degrees
// (1e-10° is about 0.01 mm).
const gcjInverseTol = 1e-10

// WGS84FromGCJ02 inverts GCJ02FromWGS84 by fixed-point iteration
// w ← w − (F(w) − g). The offset's derivative is below 10⁻³, so each step
// gains three or more digits and 2–4 steps reach 0.01 mm; the result
// reproduces g through the forward formula to well under 1 cm. (The simple
// one-step inverse w = 2g − F(g) found in many libraries errs by up to a few
// metres.) Points outside China are returned unchanged.
func WGS84FromGCJ02(g orb.Point) orb.Point {
	if OutOfChina(g) {
		return g
	}
	w := g
	for range 20 {
		f := GCJ02FromWGS84(w)
		ex, ey := f[0]-g[0], f[1]-g[1]
		w[0] -= ex
		w[1] -= ey
		if math.Abs(ex) < gcjInverseTol && math.Abs(ey) < gcjInverseTol {
			break
		}
	}
	return w
}

// bdXPi is Baidu's angular constant π·3000/180.
const bdXPi = math.Pi * 3000.0 / 180.0

// BD09FromGCJ02 applies Baidu's BD-09 offset to a GCJ-02 point (the
// published formula, exact by definition).
func BD09FromGCJ02(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// GCJ02FromBD09 inverts BD09FromGCJ02. The usual closed-form inverse is
// only approximate (errors up to about 10⁻⁶°, 0.1 m), so it is used as a
// starting point and refined by fixed-point iteration to 0.01 mm.
func GCJ02FromBD09(b orb.Point) orb.Point {
	x, y := b[0]-0.0065, b[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	g := orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
	for range 10 {
		f := BD09FromGCJ02(g)
		ex, ey := f[0]-b[0], f[1]-b[1]
		g[0] -= ex
		g[1] -= ey
		if math.Abs(ex) < gcjInverseTol && math.Abs(ey) < gcjInverseTol {
			break
		}
	}
	return g
}

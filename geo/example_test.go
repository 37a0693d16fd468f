package geo_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
)

// A delivery zone around Jiefangbei, Chongqing, and a travel matrix between
// three points whose classes come from that zone.
func Example() {
	core := geo.Zone{
		Name:  "jiefangbei",
		Class: geo.ClassUrbanCore,
		Polygon: orb.MultiPolygon{{{
			{106.56, 29.54}, {106.60, 29.54}, {106.60, 29.57}, {106.56, 29.57}, {106.56, 29.54},
		}}},
	}
	ix, err := geo.NewZoneIndex([]geo.Zone{core}, 9)
	if err != nil {
		fmt.Println(err)
		return
	}
	points := []orb.Point{{106.577, 29.557}, {106.585, 29.548}, {106.70, 29.70}}
	m, err := geo.GreatCircle{Classify: ix.Class}.Matrix(context.Background(), points)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range m.N {
		fmt.Printf("from %d:", i)
		for j := range m.N {
			fmt.Printf(" %5ds %6dm", m.Duration(i, j), m.Distance(i, j))
		}
		fmt.Println()
	}
	// Output:
	// from 0:     0s      0m   279s   1708m  4386s  26803m
	// from 1:   279s   1708m     0s      0m  4469s  27310m
	// from 2:  4386s  26803m  4469s  27310m     0s      0m
}

// Converting an Amap (GCJ-02) coordinate to WGS-84 and back.
func ExampleToWGS84() {
	amap := orb.Point{106.551556, 29.563009} // GCJ-02, as Amap shows it
	w, err := geo.ToWGS84(amap, geo.GCJ02)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, _ := geo.FromWGS84(w, geo.GCJ02)
	fmt.Printf("wgs84 [%.6f, %.6f], offset %.0f m\n", w[0], w[1], geo.HaversineMeters(amap, w))
	fmt.Printf("gcj02 [%.6f, %.6f]\n", back[0], back[1])
	d, _ := geo.ParseDatum("BD-09")
	fmt.Println(d)
	// Output:
	// wgs84 [106.547831, 29.565849], offset 479 m
	// gcj02 [106.551556, 29.563009]
	// bd09
}

// Looking up the zone of a point.
func ExampleZoneIndex_Lookup() {
	zones := []geo.Zone{
		{Name: "west", Class: geo.ClassSuburban, Polygon: orb.MultiPolygon{{{{106.40, 29.50}, {106.50, 29.50}, {106.50, 29.60}, {106.40, 29.60}, {106.40, 29.50}}}}},
		{Name: "east", Class: geo.ClassUrbanCore, Polygon: orb.MultiPolygon{{{{106.50, 29.50}, {106.60, 29.50}, {106.60, 29.60}, {106.50, 29.60}, {106.50, 29.50}}}}},
	}
	ix, err := geo.NewZoneIndex(zones, 8)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range []orb.Point{{106.45, 29.55}, {106.55, 29.55}, {107.5, 30.5}} {
		if zi, ok := ix.Lookup(p); ok {
			fmt.Println(p, ix.Zone(zi).Name, ix.Zone(zi).Class)
		} else {
			fmt.Println(p, "no zone")
		}
	}
	// Output:
	// [106.45 29.55] west suburban
	// [106.55 29.55] east urban_core
	// [107.5 30.5] no zone
}

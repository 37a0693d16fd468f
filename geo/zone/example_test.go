package zone_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/zone"
	"github.com/paulmach/orb"
)

// A delivery zone around Jiefangbei, Chongqing, and a travel matrix between
// three points whose classes come from that zone.
func Example() {
	core := zone.Zone{
		Name:  "jiefangbei",
		Class: geo.ClassUrbanCore,
		Polygon: orb.MultiPolygon{{{
			{106.56, 29.54}, {106.60, 29.54}, {106.60, 29.57}, {106.56, 29.57}, {106.56, 29.54},
		}}},
	}
	ix, err := zone.NewIndex([]zone.Zone{core}, 9)
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

// Looking up the zone of a point.
func ExampleIndex_Lookup() {
	zones := []zone.Zone{
		{Name: "west", Class: geo.ClassSuburban, Polygon: orb.MultiPolygon{{{{106.40, 29.50}, {106.50, 29.50}, {106.50, 29.60}, {106.40, 29.60}, {106.40, 29.50}}}}},
		{Name: "east", Class: geo.ClassUrbanCore, Polygon: orb.MultiPolygon{{{{106.50, 29.50}, {106.60, 29.50}, {106.60, 29.60}, {106.50, 29.60}, {106.50, 29.50}}}}},
	}
	ix, err := zone.NewIndex(zones, 8)
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

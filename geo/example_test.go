package geo_test

import (
	"context"
	"fmt"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/paulmach/orb"
)

// A travel matrix between three Chongqing points, all in the suburban class
// (the default when no Classify is given).
func ExampleGreatCircle_Matrix() {
	points := []orb.Point{{106.577, 29.557}, {106.585, 29.548}, {106.70, 29.70}}
	m, err := geo.GreatCircle{}.Matrix(context.Background(), points)
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
	// from 0:     0s      0m   169s   1645m  2655s  25810m
	// from 1:   169s   1645m     0s      0m  2705s  26298m
	// from 2:  2655s  25810m  2705s  26298m     0s      0m
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

package coverage

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/depots"
)

func TestReadErrorPaths(t *testing.T) {
	const pt = `{"type":"Feature","geometry":{"type":"Point","coordinates":[106,29]},"properties":%s}`
	feature := func(props string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Replace(pt, "%s", props, 1) + `]}`
	}
	tests := []struct {
		name string
		read func() error
		path string
	}{
		{"csv number", func() error {
			_, err := ReadDemandCSV(strings.NewReader("lon,lat,weight\n106.5,29.5,1\n106.5,29.5,x\n"), nil)
			return err
		}, "line 3"},
		{"csv short row", func() error {
			_, err := ReadDemandCSV(strings.NewReader("lon,lat,weight\n106.5,29.5\n"), nil)
			return err
		}, "line 2"},
		{"csv duplicate id", func() error {
			_, err := ReadPointsCSV(strings.NewReader("id,lon,lat\na,106.5,29.5\na,106.6,29.6\n"), nil)
			return err
		}, "line 3"},
		{"geojson radius", func() error {
			_, err := ReadPointsGeoJSON(strings.NewReader(feature(`{"id":"a","radius_m":-3}`)))
			return err
		}, "features[0].properties.radius_m"},
		{"geojson no id", func() error { _, err := ReadPointsGeoJSON(strings.NewReader(feature(`{}`))); return err }, "features[0].properties.id"},
		{"geojson polygon", func() error {
			_, err := ReadPointsGeoJSON(strings.NewReader(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"id":"a"}}]}`))
			return err
		}, "features[0].geometry"},
		{"analyze weight", func() error {
			_, err := Analyze(context.Background(), []Demand{{Location: [2]float64{106, 29}, Weight: -1}}, []Point{{ID: "p", Location: [2]float64{106, 29}}}, Options{RadiusMeters: 300})
			return err
		}, "demand[0].weight"},
		{"analyze duplicate point", func() error {
			_, err := Analyze(context.Background(), []Demand{{Location: [2]float64{106, 29}, Weight: 1}}, []Point{{ID: "p", Location: [2]float64{106, 29}}, {ID: "p", Location: [2]float64{106, 29}}}, Options{RadiusMeters: 300})
			return err
		}, "points[1].id"},
		{"facility", func() error {
			_, err := PointsFromFacilities([]depots.Facility{{ID: "l", Kind: depots.Locker, Location: [2]float64{106, 29}, FixedCost: -1}})
			return err
		}, "facilities[0].fixed_cost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read()
			var fe *depots.FieldError
			if !errors.As(err, &fe) || fe.Path != tt.path {
				t.Errorf("%s: error %v, want a FieldError at %q", tt.name, err, tt.path)
			}
		})
	}
}

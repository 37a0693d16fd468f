package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func testMap() *Map {
	sq := orb.MultiPolygon{{{{106.50, 29.50}, {106.60, 29.50}, {106.60, 29.60}, {106.50, 29.60}, {106.50, 29.50}}}}
	return &Map{
		Title:      "test <plan> & co",
		Notes:      []string{"a note"},
		Boundaries: []Area{{ID: "渝中区", Shape: sq}},
		Zones:      []Area{{ID: "z01", Shape: sq}},
		Routes: []Line{{
			Vehicle: "v1", Group: "z01", Km: 3.2,
			Path:  []orb.Point{{106.55, 29.55}, {106.56, 29.57}, {106.58, 29.52}, {106.55, 29.55}},
			Stops: []Site{{ID: "p1", Point: orb.Point{106.56, 29.57}}, {ID: "p2", Point: orb.Point{106.58, 29.52}}},
			Props: map[string]any{"type": "van"},
		}},
		Depots: []Site{{ID: "dc", Point: orb.Point{106.55, 29.55}}},
	}
}

func TestWriteSVG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSVG(&buf, testMap(), 800); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	elems := map[string]int{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			elems[se.Name.Local]++
		}
	}
	for name, want := range map[string]int{"polyline": 1, "circle": 2, "path": 2} {
		if elems[name] != want {
			t.Errorf("SVG has %d <%s>, want %d", elems[name], name, want)
		}
	}
	if !strings.Contains(buf.String(), "test &lt;plan&gt; &amp; co") {
		t.Error("title not escaped")
	}
	if err := WriteSVG(&buf, &Map{}, 0); !errors.Is(err, ErrEmpty) {
		t.Errorf("WriteSVG(empty) error = %v, want ErrEmpty", err)
	}
}

func TestWriteGeoJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGeoJSON(&buf, testMap()); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	layers := map[string]int{}
	for _, f := range fc.Features {
		layers[fmt.Sprint(f.Properties["layer"])]++
		if f.Properties["layer"] == "route" && (f.Properties["vehicle"] != "v1" || f.Properties["type"] != "van" || f.Geometry.GeoJSONType() != "LineString") {
			t.Errorf("route feature %v", f.Properties)
		}
	}
	want := map[string]int{"boundary": 1, "zone": 1, "route": 1, "stop": 2, "depot": 1}
	if fmt.Sprint(layers) != fmt.Sprint(want) {
		t.Errorf("layers %v, want %v", layers, want)
	}
}

func ExampleColour() {
	for i := range 3 {
		fmt.Println(Colour(i))
	}
	// Output:
	// hsl(0,75%,38%)
	// hsl(138,75%,50%)
	// hsl(275,75%,38%)
}

package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func testSheet() *Sheet {
	sq := orb.MultiPolygon{{{{106.50, 29.50}, {106.60, 29.50}, {106.60, 29.60}, {106.50, 29.60}, {106.50, 29.50}}}}
	marks := []Mark{
		{ID: "hub", Kind: MarkHub, Point: orb.Point{106.55, 29.55}},
		{ID: "st-1", Kind: MarkStation, Point: orb.Point{106.52, 29.57}},
		{ID: "st-2", Kind: MarkColdStation, Point: orb.Point{106.58, 29.52}},
		{ID: "v-1", Kind: MarkVillage, Point: orb.Point{106.53, 29.58}},
		{ID: "dc <city>", Kind: MarkCity, Point: orb.Point{106.70, 29.70}},
	}
	day := func(title string) Panel {
		return Panel{Title: title, Notes: []string{"2 routes"}, Boundaries: []Area{{ID: "county", Shape: sq}}, Marks: marks,
			Routes: []Line{{Vehicle: "truck", Path: []orb.Point{{106.55, 29.55}, {106.52, 29.57}, {106.55, 29.55}}, Colour: "#e08214", Width: 1.6}}}
	}
	return &Sheet{Title: "county & week", Notes: []string{"summary first"}, Columns: 4,
		Panels: []Panel{day("week summary"), day("day 0"), day("day 1")},
		Lines:  []LegendLine{{Label: "branch line", Colour: "#e08214", Width: 1.6}},
		Bound:  orb.Bound{Min: orb.Point{106.50, 29.50}, Max: orb.Point{106.60, 29.60}}}
}

func TestWriteSheetSVG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSheetSVG(&buf, testSheet(), 1200); err != nil {
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
	// Three panels, each clipped, each with its marks: a hub square, two
	// station triangles and a city star, a village circle.
	if elems["clipPath"] != 3 || elems["polyline"] != 3 {
		t.Errorf("clipPaths, polylines = %d, %d; want 3, 3", elems["clipPath"], elems["polyline"])
	}
	svg := buf.String()
	for _, want := range []string{"week summary", "day 1", "county hub", "township station with cold room", "city distribution centre", "village", "boundary", "branch line", "dc &lt;city&gt;", "county &amp; week"} {
		if !strings.Contains(svg, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	if strings.Index(svg, "summary first") > strings.Index(svg, "panel-0") {
		t.Error("the summary notes do not come before the panels")
	}
	if err := WriteSheetSVG(io.Discard, &Sheet{}, 0); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty sheet: %v, want ErrEmpty", err)
	}
}

package urban

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
)

// kmRect is a w × h km rectangle whose south-west corner lies x0, y0 km
// east and north of 106.4° E, 29.5° N.
func kmRect(x0, y0, w, h float64) orb.MultiPolygon {
	k := math.Pi / 180 * earthRadiusMeters
	kx := k * math.Cos(29.5*math.Pi/180)
	p := func(x, y float64) orb.Point { return orb.Point{106.4 + x*1000/kx, 29.5 + y*1000/k} }
	return orb.MultiPolygon{{{p(x0, y0), p(x0+w, y0), p(x0+w, y0+h), p(x0, y0+h), p(x0, y0)}}}
}

// TestDenseDistrictZonedFiner zones a small dense core (5 × 4 km, about 27
// resolution-8 cells, with 3,000 parcels round a few hotspots: a dozen
// zones of two or three cells each) beside a large suburb. At resolution 8
// the core cannot balance; it must be zoned at resolution 9, within the
// city's band, while the suburb stays at 8.
func TestDenseDistrictZonedFiner(t *testing.T) {
	core, suburb := kmRect(0, 0, 5, 4), kmRect(5, -6, 14, 14)
	in := Input{Districts: []string{"core", "suburb"}, Boundaries: map[string]orb.MultiPolygon{"core": core, "suburb": suburb}}
	rng := rand.New(rand.NewPCG(3, 4))
	add := func(d string, mp orb.MultiPolygon, n, hotspots int) {
		b := mp.Bound()
		hubs := make([]orb.Point, hotspots)
		for i := range hubs {
			hubs[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		}
		for i := range n {
			p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
			if rng.Float64() < 0.6 {
				h := hubs[rng.IntN(len(hubs))]
				p = orb.Point{h[0] + 0.004*rng.NormFloat64(), h[1] + 0.004*rng.NormFloat64()}
			}
			in.Parcels = append(in.Parcels, Parcel{ID: fmt.Sprintf("%s%04d", d, i), District: d, Location: p, ServiceSeconds: 60})
		}
	}
	add("core", core, 3000, 4)
	add("suburb", suburb, 2000, 6)
	zones, of, err := Zones(in, Options{Seed: 1, RespectDistricts: true})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := math.Inf(1), 0.0
	zoneOf := map[h3cell.Cell]int{}
	for z := range zones {
		for _, c := range zones[z].Cells {
			zoneOf[c] = z
		}
	}
	// A parcel whose cell at its zone's resolution is zoned is in that
	// cell's zone (the others snapped from outside the outlines).
	parcels := make([]int, len(zones))
	for i, z := range of {
		parcels[z]++
		c, err := h3cell.FromPoint(in.Parcels[i].Location, zones[z].Resolution)
		if err != nil {
			t.Fatal(err)
		}
		if cz, ok := zoneOf[c]; ok && cz != z {
			t.Errorf("parcel %s in zone %s, its cell %v in zone %s", in.Parcels[i].ID, zones[z].ID, c, zones[cz].ID)
		}
	}
	for z, zone := range zones {
		want := map[string]int{"core": 9, "suburb": 8}[zone.Group]
		if zone.Resolution != want || zone.Cells[0].Resolution() != want {
			t.Errorf("zone %s of %s at resolution %d (cells %d), want %d", zone.ID, zone.Group, zone.Resolution, zone.Cells[0].Resolution(), want)
		}
		if parcels[z] != zone.Parcels {
			t.Errorf("zone %s: %d parcels mapped to it, it counts %d", zone.ID, parcels[z], zone.Parcels)
		}
		lo, hi = min(lo, zone.WorkloadSeconds), max(hi, zone.WorkloadSeconds)
		t.Logf("%s: %d cells at %d, %.1f h, compactness %.2f", zone.ID, len(zone.Cells), zone.Resolution, zone.WorkloadSeconds/3600, zone.Compactness)
	}
	if hi/lo > 1.25 {
		t.Errorf("max/min zone workload %.3f, want ≤ 1.25", hi/lo)
	}
	// Every resolution-9 cell of the core's outline is in a core zone.
	cells, err := h3cell.CoverMulti(core, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		if z, ok := zoneOf[c]; !ok || zones[z].Group != "core" {
			t.Errorf("core cell %v in no core zone", c)
		}
	}
}

// TestPartitionResolutionPerArea checks that areas may differ in
// resolution but each area's cells (and its Finer cells) share one.
func TestPartitionResolutionPerArea(t *testing.T) {
	cover := func(mp orb.MultiPolygon, res int) []h3cell.Cell {
		cs, err := h3cell.CoverMulti(mp, res)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	west8, east9, east10 := cover(kmRect(0, 0, 3, 3), 8), cover(kmRect(5, 0, 3, 3), 9), cover(kmRect(5, 0, 3, 3), 10)
	var loads []CellLoad
	for _, c := range append(slices.Clone(west8), east9...) {
		loads = append(loads, CellLoad{Cell: c, Parcels: 1, WorkloadSeconds: 600})
	}
	opts := ZoningOptions{TargetWorkloadSeconds: 3600}
	zones, err := Partition([]DistrictArea{{District: "west", Cells: west8}, {District: "east", Cells: east9}}, loads, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zones {
		if want := map[string]int{"west": 8, "east": 9}[z.Group]; z.Resolution != want {
			t.Errorf("zone %s at resolution %d, want %d", z.ID, z.Resolution, want)
		}
	}
	for _, tc := range []struct {
		name string
		area DistrictArea
	}{
		{"cells", DistrictArea{District: "mixed", Cells: append(slices.Clone(west8), east9...)}},
		{"finer", DistrictArea{District: "mixed", Cells: east9[:1], Finer: append(slices.Clone(east10[:3]), west8[0])}},
	} {
		if _, err := Partition([]DistrictArea{tc.area}, loads, opts); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s of two resolutions: error %v, want ErrInvalid", tc.name, err)
		}
	}
}

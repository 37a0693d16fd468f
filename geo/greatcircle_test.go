package geo

import (
	"context"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
)

// scatter returns n deterministic points over Chongqing's main area
// (lon 105.3–108.3, lat 28.2–31.2).
func scatter(n int) []orb.Point {
	pts := make([]orb.Point, n)
	seed := uint64(7)
	next := func() float64 {
		seed ^= seed >> 12
		seed ^= seed << 25
		seed ^= seed >> 27
		return float64((seed*2685821657736338717)>>11) / (1 << 53)
	}
	for i := range pts {
		pts[i] = orb.Point{105.3 + 3*next(), 28.2 + 3*next()}
	}
	return pts
}

func TestHaversineKnown(t *testing.T) {
	// One degree of latitude on the mean sphere is R·π/180 = 111,195.08 m.
	if d := HaversineMeters(orb.Point{106, 29}, orb.Point{106, 30}); math.Abs(d-111195.08) > 0.01 {
		t.Errorf("1° of latitude = %.2f m, want 111195.08", d)
	}
	// Chongqing Jiangbei airport to Chaotianmen, about 19 km.
	if d := HaversineMeters(orb.Point{106.6417, 29.7192}, orb.Point{106.5862, 29.5647}); math.Abs(d-18046) > 50 {
		t.Errorf("airport–Chaotianmen = %.0f m, want about 18,046", d)
	}
}

// The chord-and-series great circle agrees with haversine to 3e-6 relative.
func TestFastGreatCircle(t *testing.T) {
	pts := scatter(200)
	pts = append(pts, orb.Point{-70, -30}, orb.Point{116, 40}, orb.Point{106, 29.0000001})
	var worst float64
	for _, a := range pts {
		for _, b := range pts {
			h, f := HaversineMeters(a, b), FastGreatCircleMeters(a, b)
			if e := math.Abs(h - f); e > 3e-6*h+1e-6 {
				t.Fatalf("FastGreatCircleMeters(%v, %v) = %f, haversine %f", a, b, f, h)
			}
			if h > 0 {
				worst = max(worst, math.Abs(h-f)/h)
			}
		}
	}
	t.Logf("worst relative error %.2g", worst)
}

func TestGreatCircleMatrix(t *testing.T) {
	coreBox := orb.Bound{Min: orb.Point{106.4, 29.4}, Max: orb.Point{106.7, 29.7}}
	core, sub, hills := orb.Point{106.55, 29.56}, orb.Point{106.9, 29.56}, orb.Point{108.5, 31.0}
	classes := DefaultClassTravel()
	gc := GreatCircle{
		Classify: func(p orb.Point) ZoneClass {
			if p == hills {
				return ClassRuralMountain
			}
			if coreBox.Contains(p) {
				return ClassUrbanCore
			}
			return ""
		},
	}
	pts := []orb.Point{core, sub, hills}
	m, err := gc.Matrix(context.Background(), pts)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		i, j  int
		class ZoneClass
	}{
		{"core→suburb uses core (slower)", 0, 1, ClassUrbanCore},
		{"suburb→hills uses hills", 1, 2, ClassRuralMountain},
		{"hills→core uses core", 2, 0, ClassUrbanCore}, // 1.35/22 > 1.6/30
	} {
		f := classes[tc.class]
		wantM := HaversineMeters(pts[tc.i], pts[tc.j]) * f.Circuity
		wantS := wantM / (f.SpeedKmh / 3.6)
		if got := float64(m.Distance(tc.i, tc.j)); math.Abs(got-wantM) > 1 {
			t.Errorf("%s: metres = %v, want %.0f", tc.name, got, wantM)
		}
		if got := float64(m.Duration(tc.i, tc.j)); math.Abs(got-wantS) > 1 {
			t.Errorf("%s: seconds = %v, want %.0f", tc.name, got, wantS)
		}
		if m.Duration(tc.i, tc.j) != m.Duration(tc.j, tc.i) {
			t.Errorf("%s: not symmetric", tc.name)
		}
	}
	for i := range m.N {
		if m.Duration(i, i) != 0 || m.Distance(i, i) != 0 {
			t.Errorf("diagonal %d = %d s %d m, want 0", i, m.Duration(i, i), m.Distance(i, i))
		}
	}
}

// The parallel build gives the same matrix for any number of workers.
func TestGreatCircleParallelDeterministic(t *testing.T) {
	pts := scatter(301)
	one, err := GreatCircle{Workers: 1}.Matrix(context.Background(), pts)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{2, 3, 8} {
		m, err := GreatCircle{Workers: w}.Matrix(context.Background(), pts)
		if err != nil {
			t.Fatal(err)
		}
		for k := range m.Seconds {
			if m.Seconds[k] != one.Seconds[k] || m.Meters[k] != one.Meters[k] {
				t.Fatalf("workers=%d entry %d differs from workers=1", w, k)
			}
		}
	}
}

func TestGreatCircleErrors(t *testing.T) {
	ctx := context.Background()
	good := scatter(3)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name string
		gc   GreatCircle
		ctx  context.Context
		pts  []orb.Point
		want error
	}{
		{"NaN point", GreatCircle{}, ctx, []orb.Point{{106, 29}, {math.NaN(), 29}}, ErrInvalidPoint},
		{"longitude 200", GreatCircle{}, ctx, []orb.Point{{200, 29}}, ErrInvalidPoint},
		{"unknown class", GreatCircle{Classify: func(orb.Point) ZoneClass { return "moon" }}, ctx, good, ErrMatrix},
		{"circuity below 1", GreatCircle{Classes: map[ZoneClass]ClassTravel{ClassSuburban: {0.9, 30}}}, ctx, good, ErrMatrix},
		{"zero speed", GreatCircle{Classes: map[ZoneClass]ClassTravel{ClassSuburban: {1.2, 0}}}, ctx, good, ErrMatrix},
		{"NaN speed", GreatCircle{Classes: map[ZoneClass]ClassTravel{ClassSuburban: {1.2, math.NaN()}}}, ctx, good, ErrMatrix},
		{"default without factors", GreatCircle{Classes: map[ZoneClass]ClassTravel{ClassUrbanCore: {1.2, 20}}}, ctx, good, ErrMatrix},
		{"canceled", GreatCircle{}, canceled, good, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.gc.Matrix(tc.ctx, tc.pts)
			if !errors.Is(err, tc.want) || m != nil {
				t.Fatalf("Matrix() = %v, %v; want error %v", m, err, tc.want)
			}
		})
	}
	m, err := GreatCircle{}.Matrix(ctx, nil)
	if err != nil || m.N != 0 {
		t.Errorf("Matrix(no points) = %v, %v; want empty matrix", m, err)
	}
}

// Filling a row allocates nothing.
func TestGreatCircleRowAllocs(t *testing.T) {
	pts := scatter(500)
	p, err := GreatCircle{}.plan(pts)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatrix(len(pts))
	i := 0
	if a := testing.AllocsPerRun(100, func() {
		_ = p.row(m, i%len(pts))
		i++
	}); a != 0 {
		t.Fatalf("row allocs = %v, want 0", a)
	}
}

// Rebuilding into an existing matrix allocates only the per-build plan
// (unit vectors, classes, goroutines), never per entry.
func TestGreatCircleMatrixIntoAllocs(t *testing.T) {
	pts := scatter(300)
	m := NewMatrix(len(pts))
	gc := GreatCircle{Workers: 2}
	a := testing.AllocsPerRun(10, func() {
		if err := gc.MatrixInto(context.Background(), m, pts); err != nil {
			t.Fatal(err)
		}
	})
	if a > 40 {
		t.Fatalf("MatrixInto allocs = %v for %d entries, want a small constant", a, len(pts)*len(pts))
	}
}

func BenchmarkMatrixBuild(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 1000} {
		pts := scatter(n)
		b.Run("GreatCircle/n="+strconv.Itoa(n), func(b *testing.B) {
			m := NewMatrix(n)
			b.ReportAllocs()
			for b.Loop() {
				if err := (GreatCircle{}).MatrixInto(ctx, m, pts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n*n), "ns/entry")
		})
	}
	// The baseline: one haversine per entry on one goroutine.
	pts := scatter(1000)
	b.Run("HaversineSerial/n=1000", func(b *testing.B) {
		m := NewMatrix(len(pts))
		f := DefaultClassTravel()[ClassSuburban]
		b.ReportAllocs()
		for b.Loop() {
			for i, p := range pts {
				for j, q := range pts {
					d := HaversineMeters(p, q) * f.Circuity
					m.Meters[i*m.N+j] = int32(d + 0.5)
					m.Seconds[i*m.N+j] = int32(d/(f.SpeedKmh/3.6) + 0.5)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/entry")
	})
}

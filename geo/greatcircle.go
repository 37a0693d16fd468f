package geo

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// ClassTravel is the travel model of one zone class: road distance is the
// great-circle distance times Circuity, and drive time is road distance
// over SpeedKmh.
type ClassTravel struct {
	Circuity float64 // road metres per straight-line metre, >= 1
	SpeedKmh float64 // mean door-to-door driving speed in km/h, > 0
}

// DefaultClassTravel returns the default factors for Chongqing-like hilly
// cities. Circuity: Boscoe, Henry & Zdeb (2012, Prof. Geogr. 64(2)) measure
// 1.42 on average across US counties, lower on dense grids and higher in
// rugged terrain; Ballou, Rahardja & Sakai (2002, Transp. Res. A 36) report
// 1.2–1.4 by country. Chongqing's core is cut by the Yangtze and Jialing
// rivers and steep ridges, so urban trips detour to bridges (1.35); the
// suburbs have newer, straighter arterials (1.30); the mountain counties'
// switchback roads are far longer than the crow flies (1.60). Speeds: mean
// congested urban driving speed in China's large cities is about 20–25 km/h
// (Amap/Gaode traffic reports), hence 22; suburban expressways and arterials
// 35; mountain roads are empty but winding, 30.
func DefaultClassTravel() map[ZoneClass]ClassTravel {
	return map[ZoneClass]ClassTravel{
		ClassUrbanCore:     {Circuity: 1.35, SpeedKmh: 22},
		ClassSuburban:      {Circuity: 1.30, SpeedKmh: 35},
		ClassRuralMountain: {Circuity: 1.60, SpeedKmh: 30},
	}
}

// GreatCircle is the travel model that needs no road data: great-circle
// distance times a circuity factor, at a speed, both chosen by the zone class
// of the endpoints. Between two classes the slower one applies (the larger
// seconds per straight-line metre), since a trip is only as fast as its
// slowest end. It implements MatrixSource.
//
// The zero value treats every point as suburban with DefaultClassTravel.
type GreatCircle struct {
	// Classes maps each class to its factors; nil means DefaultClassTravel.
	Classes map[ZoneClass]ClassTravel
	// Classify gives a point's class, e.g. (*ZoneIndex).Class; nil, or
	// a "" result, means Default.
	Classify func(orb.Point) ZoneClass
	// Default is the class of unclassified points; "" means suburban.
	Default ZoneClass
	// Workers bounds the goroutines building a matrix; 0 means GOMAXPROCS.
	Workers int
}

var _ MatrixSource = GreatCircle{}

// gcPlan is what the hot loop reads: unit vectors, class ids, and per
// class-pair factors in metres and seconds per radian of arc.
type gcPlan struct {
	unit     []unitVec
	class    []uint8
	nClass   int
	mPerRad  []float64 // [ci*nClass+cj] road metres per radian
	sPerRad  []float64 // [ci*nClass+cj] seconds per radian
	maxArcOK float64   // arcs beyond this overflow int32 and are an error
}

func (g GreatCircle) plan(points []orb.Point) (*gcPlan, error) {
	classes := g.Classes
	if classes == nil {
		classes = DefaultClassTravel()
	}
	def := g.Default
	if def == "" {
		def = ClassSuburban
	}
	if _, ok := classes[def]; !ok {
		return nil, fmt.Errorf("%w: default class %q has no travel factors", ErrMatrix, def)
	}
	// Give classes small ids in a fixed order so the result is deterministic.
	names := make([]ZoneClass, 0, len(classes))
	ids := make(map[ZoneClass]uint8, len(classes))
	factors := make([]ClassTravel, 0, len(classes))
	for _, c := range []ZoneClass{ClassUrbanCore, ClassSuburban, ClassRuralMountain} {
		if t, ok := classes[c]; ok {
			ids[c] = uint8(len(names))
			names = append(names, c)
			factors = append(factors, t)
		}
	}
	if len(names) != len(classes) {
		return nil, fmt.Errorf("%w: travel factors given for an unknown class (want urban_core, suburban, rural_mountain)", ErrMatrix)
	}
	for i, t := range factors {
		if !(t.Circuity >= 1) || math.IsInf(t.Circuity, 0) || !(t.SpeedKmh > 0) || math.IsInf(t.SpeedKmh, 0) {
			return nil, fmt.Errorf("%w: class %q: circuity %v must be finite and >= 1, speed %v km/h finite and > 0",
				ErrMatrix, names[i], t.Circuity, t.SpeedKmh)
		}
	}
	n := len(points)
	p := &gcPlan{unit: make([]unitVec, n), class: make([]uint8, n), nClass: len(names)}
	for i, pt := range points {
		if err := ValidatePoint(pt); err != nil {
			return nil, fmt.Errorf("point %d: %w", i, err)
		}
		p.unit[i] = toUnit(pt)
		c := def
		if g.Classify != nil {
			if cc := g.Classify(pt); cc != "" {
				c = cc
			}
		}
		id, ok := ids[c]
		if !ok {
			return nil, fmt.Errorf("%w: point %d has class %q with no travel factors", ErrMatrix, i, c)
		}
		p.class[i] = id
	}
	k := p.nClass
	p.mPerRad = make([]float64, k*k)
	p.sPerRad = make([]float64, k*k)
	maxPerRad := 0.0
	for a := range k {
		for b := range k {
			// The slower class: more seconds per straight-line metre; on a
			// tie the lower id, so that (a, b) and (b, a) agree.
			lo, hi := factors[min(a, b)], factors[max(a, b)]
			t := lo
			if hi.Circuity/hi.SpeedKmh > lo.Circuity/lo.SpeedKmh {
				t = hi
			}
			m := EarthRadiusMeters * t.Circuity
			p.mPerRad[a*k+b] = m
			p.sPerRad[a*k+b] = m / (t.SpeedKmh / 3.6)
			maxPerRad = max(maxPerRad, p.mPerRad[a*k+b], p.sPerRad[a*k+b])
		}
	}
	p.maxArcOK = (math.MaxInt32 - 1) / maxPerRad
	return p, nil
}

// Matrix returns the travel matrix between points, built in parallel over
// blocks of rows. Entries are rounded to whole seconds and metres; the
// diagonal is 0. Invalid points and unknown classes are errors.
func (g GreatCircle) Matrix(ctx context.Context, points []orb.Point) (*Matrix, error) {
	m := NewMatrix(len(points))
	if err := g.MatrixInto(ctx, m, points); err != nil {
		return nil, err
	}
	return m, nil
}

// MatrixInto is Matrix writing into m, which is resized (reusing its
// slices when large enough) to len(points)². On error the contents of m are
// unspecified.
func (g GreatCircle) MatrixInto(ctx context.Context, m *Matrix, points []orb.Point) error {
	p, err := g.plan(points)
	if err != nil {
		return err
	}
	n := len(points)
	m.N = n
	m.Seconds = resize(m.Seconds, n*n)
	m.Meters = resize(m.Meters, n*n)
	workers := g.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Rows are handed out in blocks from a shared counter so a slow core
	// does not hold up the rest; each block is a few thousand entries.
	block := max(1, 4096/max(n, 1))
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	take := func() (int, int) {
		hi := int(next.Add(int64(block)))
		return hi - block, min(hi, n)
	}
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
				lo, hi := take()
				if lo >= n {
					return
				}
				for i := lo; i < hi; i++ {
					if err := p.row(m, i); err != nil {
						errs[w] = err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// row fills row i of m. It does not allocate.
func (p *gcPlan) row(m *Matrix, i int) error {
	n := len(p.unit)
	ui, ci := p.unit[i], int(p.class[i])*p.nClass
	sec, met := m.Seconds[i*n:(i+1)*n], m.Meters[i*n:(i+1)*n]
	for j, uj := range p.unit {
		arc := arcFromChord(chord(ui, uj))
		if arc > p.maxArcOK {
			return fmt.Errorf("%w: entry %d→%d overflows int32", ErrMatrix, i, j)
		}
		k := ci + int(p.class[j])
		met[j] = int32(arc*p.mPerRad[k] + 0.5)
		sec[j] = int32(arc*p.sPerRad[k] + 0.5)
	}
	return nil
}

func resize(s []int32, n int) []int32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int32, n)
}

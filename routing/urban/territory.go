package urban

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo/h3cell"

	"golang.org/x/sync/errgroup"
)

// DistrictArea is a district's territory: every H3 cell of one resolution
// whose centre lies inside the district. District "" is one area.
type DistrictArea struct {
	District string
	Cells    []h3cell.Cell
	// Finer is optionally the same territory at a finer resolution (all
	// its cells of one resolution, their loads among Partition's loads):
	// Partition zones it instead when the zones of Cells miss the
	// workload band or the compactness floor and Finer's do so less.
	Finer []h3cell.Cell
}

// CellLoad is the delivery workload of one H3 cell. Cells of an area
// without a CellLoad carry none.
type CellLoad struct {
	Cell            h3cell.Cell
	Parcels         int
	WorkloadSeconds float64
}

// Zone is a delivery territory: a contiguous set of H3 cells of one
// district.
type Zone struct {
	ID string `json:"id"`
	// Group is the zone's district ("" when zones ignore districts).
	Group string        `json:"district,omitempty"`
	Cells []h3cell.Cell `json:"-"`
	// Resolution is the H3 resolution of the zone's cells, one per
	// district.
	Resolution int `json:"resolution"`
	// Parcels and WorkloadSeconds sum the zone's cells.
	Parcels         int     `json:"parcels"`
	WorkloadSeconds float64 `json:"workload_seconds"`
	// AreaKm2 is the zone's area and Compactness its moment-of-inertia
	// compactness (see Compactness) over the outline of its cells.
	AreaKm2     float64 `json:"area_km2"`
	Compactness float64 `json:"compactness"`
	// Centre is the centroid of the zone's area.
	Centre orb.Point `json:"centre"`
}

// ZoningOptions control Partition.
type ZoningOptions struct {
	// TargetWorkloadSeconds is the workload a zone should carry, where the
	// balance across areas allows (see Partition).
	TargetWorkloadSeconds float64
	// BalanceRatio is the max/min zone workload over all zones that
	// balancing aims at; 0 means 1.2.
	BalanceRatio float64
	// MinCompactness is the compactness every zone should reach: of the
	// numbers of zones the balance allows an area and a few seedings
	// each, the partition that misses it and the balance least is kept;
	// 0 means 0.45.
	MinCompactness float64
	// Seed seeds the choice of zone seeds.
	Seed uint64
}

// Partition divides each district's area into zones balanced by workload
// and compact: every cell of an area lands in exactly one zone, zones
// never cross areas, and every zone is connected (unless its district is
// not: an exclave with no other zone in it stays with its zone). Balance
// holds over all zones of all areas: one band of zone workloads is chosen
// for the city (see zoneBands) and gives each area its number of zones.
// Each area's cells are of one resolution, not necessarily that of the
// other areas; an area with Finer cells may be zoned at theirs (see
// zoneArea), and every zone reports its resolution.
//
// It is a location–allocation heuristic for territory design in the
// manner of Hess et al., "Nonpartisan political redistricting by
// computer" (Operations Research 13(6), 1965), as framed by Kalcsics,
// Nickel & Schröder, "Towards a unified territorial design approach"
// (OR Spectrum 27, 2005): zones are grown about centres, each cell
// allocated to the centre of least squared distance, which minimises the
// zones' moments of inertia; the balance constraint is enforced by
// additive weights on those distances (a power diagram: Aurenhammer,
// Hoffmann & Aronov, "Minkowski-type theorems and least-squares
// clustering", Algorithmica 20, 1998), which are the duals of the
// capacitated allocation; centres then move to their zone's centroid
// (Lloyd's step). Zones cut in pieces by a non-convex district are
// repaired by giving each stray piece to the neighbouring zone it borders
// most, and boundary moves then restore the balance and smooth the
// boundaries, each keeping the donor connected (Ricca & Simeone, "Local
// search algorithms for political districting", EJOR 189(3), 2008);
// where single moves stall outside the band (cells heavy against its
// width), chains of two moves and then simulated annealing take over
// (see rebalance and anneal). A last max–min local search raises the
// least compact zone.
func Partition(areas []DistrictArea, loads []CellLoad, opts ZoningOptions) ([]Zone, error) {
	if !(opts.TargetWorkloadSeconds > 0) || math.IsInf(opts.TargetWorkloadSeconds, 0) {
		return nil, fmt.Errorf("%w: zone target workload %v s must be positive", ErrInvalid, opts.TargetWorkloadSeconds)
	}
	if opts.BalanceRatio == 0 {
		opts.BalanceRatio = 1.2
	}
	if opts.MinCompactness == 0 {
		opts.MinCompactness = 0.45
	}
	load := make(map[h3cell.Cell]CellLoad, len(loads))
	for _, l := range loads {
		if l.WorkloadSeconds < 0 || math.IsNaN(l.WorkloadSeconds) || math.IsInf(l.WorkloadSeconds, 0) {
			return nil, fmt.Errorf("%w: cell %v workload %v", ErrInvalid, l.Cell, l.WorkloadSeconds)
		}
		load[l.Cell] = l
	}
	bands := zoneBands(areaLoads(areas, load), opts.TargetWorkloadSeconds, opts.BalanceRatio)
	seen := map[h3cell.Cell]string{}
	for _, a := range areas {
		for _, cs := range [][]h3cell.Cell{a.Cells, a.Finer} {
			if err := checkCells(a.District, cs, seen); err != nil {
				return nil, err
			}
		}
	}
	// Areas are zoned in parallel, each with its own random stream.
	byArea := make([][]Zone, len(areas))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for ai, a := range areas {
		if len(a.Cells) == 0 {
			continue
		}
		g.Go(func() error {
			zs, err := zoneArea(a, load, opts, bands[ai], uint64(ai))
			byArea[ai] = zs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var zones []Zone
	for _, zs := range byArea {
		zones = append(zones, zs...)
	}
	for i := range zones {
		z := &zones[i]
		z.ID = fmt.Sprintf("z%02d", i+1)
		if z.Group != "" {
			z.ID += "-" + z.Group
		}
		mp, err := h3cell.CellsToMultiPolygon(z.Cells)
		if err != nil {
			return nil, err
		}
		m := momentsOf(mp)
		z.AreaKm2 = m.a / 1e6
		z.Compactness = m.compactness()
	}
	return zones, nil
}

// checkCells checks that an area's cells are valid, of one resolution,
// and in no other area.
func checkCells(district string, cells []h3cell.Cell, seen map[h3cell.Cell]string) error {
	for _, c := range cells {
		if !c.IsValid() {
			return fmt.Errorf("%w: district %q: invalid cell %v", ErrInvalid, district, c)
		}
		if res := cells[0].Resolution(); c.Resolution() != res {
			return fmt.Errorf("%w: district %q: cell %v not at resolution %d", ErrInvalid, district, c, res)
		}
		if d, dup := seen[c]; dup {
			return fmt.Errorf("%w: cell %v in districts %q and %q", ErrInvalid, c, d, district)
		}
		seen[c] = district
	}
	return nil
}

// coarseCellsPerZone is the number of cells per zone below which an
// area's cells may be too coarse for its zones (see zoneArea): a zone of
// 64 hexagons spans about nine across.
const coarseCellsPerZone = 64

// zoneArea partitions one area, at the resolution of its Cells and, when
// those zones fall short (see quality.shortfall), have fewer than
// coarseCellsPerZone cells each and the area has Finer cells, again at
// theirs; it keeps the partition of less shortfall, the coarser on a tie.
//
// Territory design assumes basic units small against territories
// (Kalcsics, Nickel & Schröder 2005), since a zone's workload moves in
// steps of a cell. Whether cells are small enough depends on how the
// workload falls among them, not only on their number: a parcel hotspot
// makes one cell nearly a zone's workload, and a dense core has few cells
// for many zones. So the test is the partition itself: an area whose
// zones miss the band or the compactness floor is zoned again with cells
// a seventh the area. Areas with many cells per zone are left alone: there
// a miss is not the cells' coarseness, and a seven times finer grid would
// cost much more than seven times the time (each boundary move checks its
// zone's connectivity, a search of the zone's cells).
func zoneArea(a DistrictArea, load map[h3cell.Cell]CellLoad, opts ZoningOptions, b band, stream uint64) ([]Zone, error) {
	var best []Zone
	bestShort := math.Inf(1)
	for _, cells := range [][]h3cell.Cell{a.Cells, a.Finer} {
		if len(cells) == 0 || bestShort <= 0 || len(best) > 0 && len(a.Cells) >= coarseCellsPerZone*len(best) {
			break
		}
		t, err := newTerrain(DistrictArea{District: a.District, Cells: cells}, load)
		if err != nil {
			return nil, err
		}
		// Each resolution draws the same stream, so that an area zoned at
		// its first resolution is zoned as without Finer.
		zs, short := t.partition(opts, b, rand.New(rand.NewPCG(opts.Seed, 0x7a6f6e65+stream)))
		if short < bestShort-1e-9 {
			best, bestShort = zs, short
		}
	}
	return best, nil
}

// areaLoads returns the workload of each area.
func areaLoads(areas []DistrictArea, load map[h3cell.Cell]CellLoad) []float64 {
	ws := make([]float64, len(areas))
	for i, a := range areas {
		for _, c := range a.Cells {
			ws[i] += load[c].WorkloadSeconds
		}
	}
	return ws
}

// band is the range of workload every zone of an area should carry, and
// the numbers of zones that can: lo·k ≤ workload ≤ hi·k.
type band struct {
	lo, hi     float64
	kMin, kMax int
}

// zoneBands chooses one workload band [a, ratio·a] for the zones of every
// area, so that zones balance across district lines as well as within
// them, and each area's numbers of zones: an area of workload W can be cut
// into k zones of the band when k·a ≤ W ≤ k·ratio·a. Among the a for
// which every loaded area has such a k, it takes the one whose areas'
// mean zone workloads W/k sit deepest inside the band (the margin left
// for whole cells), with a small preference for a near target. When no a
// fits at ratio, the ratio is widened by 5% at a time up to twice itself;
// failing that each area gets round(W/target) zones and a band of ratio
// about its own mean (balance within districts only).
func zoneBands(ws []float64, target, ratio float64) []band {
	var loaded []float64
	for _, w := range ws {
		if w > 0 {
			loaded = append(loaded, w)
		}
	}
	out := make([]band, len(ws))
	for r := ratio; r <= 2*ratio+1e-9; r *= 1.05 {
		a, ok := bestBand(loaded, target, r)
		if !ok {
			continue
		}
		for i, w := range ws {
			out[i] = band{lo: a, hi: r * a, kMin: max(1, int(math.Ceil(w/(r*a)-1e-9))), kMax: max(1, int(math.Floor(w/a+1e-9)))}
		}
		return out
	}
	for i, w := range ws {
		k := max(1, int(math.Round(w/target)))
		m := w / float64(k)
		out[i] = band{lo: m / math.Sqrt(ratio), hi: m * math.Sqrt(ratio), kMin: k, kMax: k}
	}
	return out
}

// bestBand searches the band's lower bound a on a 0.5% grid from a
// sixteenth of target to target (and no higher than the lightest area's
// workload allows).
func bestBand(ws []float64, target, ratio float64) (float64, bool) {
	if len(ws) == 0 {
		return target / math.Sqrt(ratio), true
	}
	best, bestScore, found := 0.0, math.Inf(-1), false
	for a := target / 16; a <= target; a *= 1.005 {
		margin := math.Inf(1)
		for _, w := range ws {
			m, ok := bestMean(w, a, ratio)
			if !ok {
				margin = math.Inf(-1)
				break
			}
			margin = min(margin, min(m/a, ratio*a/m)-1)
		}
		if margin < 0 {
			continue
		}
		score := min(margin, 0.04) - 0.1*math.Abs(math.Log(a*math.Sqrt(ratio)/target))
		if score > bestScore {
			best, bestScore, found = a, score, true
		}
	}
	return best, found
}

// bestMean returns the mean zone workload W/k, over the k that fit W in
// the band [a, ratio·a], that lies deepest inside it.
func bestMean(w, a, ratio float64) (float64, bool) {
	kLo, kHi := int(math.Ceil(w/(ratio*a)-1e-9)), int(math.Floor(w/a+1e-9))
	best, bestM := math.Inf(-1), 0.0
	for k := max(1, kLo); k <= kHi; k++ {
		m := w / float64(k)
		if s := min(m/a, ratio*a/m); s > best {
			best, bestM = s, m
		}
	}
	return bestM, best > 0
}

// terrain is one district's cells, indexed densely, in a local plane.
type terrain struct {
	district string
	cells    []h3cell.Cell
	x, y     []float64 // metres
	w        []float64 // workload seconds
	n        []int     // parcels
	adj      [][]int32
	pl       plane
}

func newTerrain(a DistrictArea, load map[h3cell.Cell]CellLoad) (*terrain, error) {
	t := &terrain{district: a.District, cells: slices.Clone(a.Cells)}
	slices.Sort(t.cells)
	t.cells = slices.Compact(t.cells)
	n := len(t.cells)
	idx := make(map[h3cell.Cell]int32, n)
	for i, c := range t.cells {
		idx[c] = int32(i)
	}
	pts := make([]orb.Point, n)
	var lon, lat float64
	for i, c := range t.cells {
		p, err := c.Point()
		if err != nil {
			return nil, err
		}
		pts[i] = p
		lon += p[0]
		lat += p[1]
	}
	t.pl = newPlane(orb.Point{lon / float64(n), lat / float64(n)})
	t.x, t.y = make([]float64, n), make([]float64, n)
	t.w, t.n = make([]float64, n), make([]int, n)
	t.adj = make([][]int32, n)
	var ring []h3cell.Cell
	for i, c := range t.cells {
		t.x[i], t.y[i] = t.pl.xy(pts[i])
		t.w[i] = load[c].WorkloadSeconds
		t.n[i] = load[c].Parcels
		var err error
		ring, err = c.AppendRing(ring[:0], 1)
		if err != nil {
			return nil, err
		}
		for _, r := range ring {
			if j, ok := idx[r]; ok {
				t.adj[i] = append(t.adj[i], j)
			}
		}
	}
	return t, nil
}

func (t *terrain) total() float64 {
	s := 0.0
	for _, w := range t.w {
		s += w
	}
	return s
}

// quality scores a partition: how far its zones' workloads leave the
// band, and its least compact zone.
type quality struct {
	outside, minCompact float64
}

// shortfall weighs leaving the band a hundred times a compactness shortfall:
// balance is the harder requirement.
func (q quality) shortfall(o ZoningOptions) float64 {
	return 100*q.outside + max(0, o.MinCompactness-q.minCompact)
}

// outside measures how far workloads leave the band [lo, hi]: the
// heaviest's excess over hi plus the lightest's shortfall under lo, each
// relative; 0 when every load is inside.
func (b band) outside(loads []float64) float64 {
	lo, hi := slices.Min(loads), slices.Max(loads)
	return max(0, hi/b.hi-1) + max(0, 1-lo/b.lo)
}

// partition tries up to three numbers of zones the band allows, a few
// seedings each, and keeps the partition of least shortfall: band and
// compactness. It returns the zones and their shortfall.
func (t *terrain) partition(o ZoningOptions, b band, rng *rand.Rand) ([]Zone, float64) {
	loaded := 0
	for _, w := range t.w {
		if w > 0 {
			loaded++
		}
	}
	limit := min(max(1, loaded), len(t.cells))
	kMin, kMax := min(b.kMin, limit), min(b.kMax, limit)
	// At most three counts, those whose mean zone workload lies deepest
	// inside the band first.
	total := t.total()
	var counts []int
	for kk := kMin; kk <= kMax; kk++ {
		counts = append(counts, kk)
	}
	depth := func(kk int) float64 {
		m := total / float64(kk)
		return min(m/b.lo, b.hi/max(m, 1e-9))
	}
	slices.SortStableFunc(counts, func(x, y int) int { return cmp.Compare(depth(y), depth(x)) })
	counts = counts[:min(len(counts), 3)]
	var best []int
	bestK, bestShort := 0, math.Inf(1)
	for _, kk := range counts {
		if bestShort <= 0 {
			break
		}
		// A few seedings per count: the allocation depends on its seeds.
		for try := range 6 {
			// Seeds alternately from workload alone (an empty hinterland
			// then joins one zone) and from workload and area.
			zone := t.allocate(kk, b, try%2 == 1, rng)
			s := t.quality(zone, kk, b).shortfall(o)
			if best == nil || s < bestShort-1e-9 {
				best, bestK, bestShort = zone, kk, s
			}
			if s == 0 || kk == 1 {
				break
			}
		}
	}
	return t.zones(best, bestK), bestShort
}

// quality measures the band fit and the compactness of a zoning.
func (t *terrain) quality(zone []int, k int, b band) quality {
	loads := t.loads(zone, k)
	q := quality{minCompact: math.Inf(1)}
	if k > 1 {
		q.outside = b.outside(loads)
	}
	for _, z := range t.zones(zone, k) {
		mp, err := h3cell.CellsToMultiPolygon(z.Cells)
		if err != nil {
			return quality{outside: math.Inf(1)}
		}
		q.minCompact = min(q.minCompact, Compactness(mp))
	}
	return q
}

// cellArea is the area of one cell in m², from the spacing of neighbours
// (centres of neighbouring hexagons lie √(2A/√3) apart).
func (t *terrain) cellArea() float64 {
	for i := range t.cells {
		if len(t.adj[i]) > 0 {
			j := t.adj[i][0]
			d2 := (t.x[i]-t.x[j])*(t.x[i]-t.x[j]) + (t.y[i]-t.y[j])*(t.y[i]-t.y[j])
			return d2 * math.Sqrt(3) / 2
		}
	}
	return 1
}

// allocate zones the terrain into k zones (see Partition) and returns
// each cell's zone.
func (t *terrain) allocate(k int, b band, byArea bool, rng *rand.Rand) []int {
	n := len(t.cells)
	zone := make([]int, n)
	if k <= 1 {
		return zone
	}
	cx, cy := t.seeds(k, byArea, rng)
	wt := make([]float64, k)
	total := t.total()
	target := total / float64(k)
	// The weights move in units of a zone's squared radius.
	scale := t.cellArea() * float64(n) / float64(k) / math.Pi
	loads := make([]float64, k)
	// The power weights aim a little inside the band, so that the boundary
	// moves have room.
	inner := band{lo: b.lo * 1.01, hi: b.hi / 1.01}
	if inner.lo > inner.hi {
		inner = b
	}
	for outer := range 30 {
		step := 0.5 * scale
		for it := range 80 {
			t.assign(zone, cx, cy, wt)
			clear(loads)
			for i, z := range zone {
				loads[z] += t.w[i]
			}
			if inner.outside(loads) == 0 {
				break
			}
			for z := range k {
				// Multiplicative on the relative gap, capped, so that a zone
				// with no workload yet grows steadily.
				wt[z] += step * max(-1, min(1, (target-loads[z])/target))
			}
			if it%10 == 9 {
				step *= 0.7
			}
		}
		// Lloyd's step: centres to the centroids of their zones' areas.
		moved := 0.0
		sx, sy, c := make([]float64, k), make([]float64, k), make([]float64, k)
		for i, z := range zone {
			sx[z] += t.x[i]
			sy[z] += t.y[i]
			c[z]++
		}
		for z := range k {
			if c[z] > 0 {
				nx, ny := sx[z]/c[z], sy[z]/c[z]
				moved = max(moved, math.Hypot(nx-cx[z], ny-cy[z]))
				cx[z], cy[z] = nx, ny
			}
		}
		if outer > 3 && moved < 50 {
			break
		}
	}
	t.assign(zone, cx, cy, wt)
	t.repair(zone, k)
	t.balance(zone, k, b)
	t.rebalance(zone, k, b)
	t.anneal(zone, k, b, rng)
	t.smooth(zone, k, b)
	t.trim(zone, k, b)
	t.smooth(zone, k, b)
	t.compact(zone, k, b)
	return zone
}

// assign gives each cell the zone of least power distance.
func (t *terrain) assign(zone []int, cx, cy, wt []float64) {
	for i := range zone {
		best, bd := 0, math.Inf(1)
		for z := range cx {
			dx, dy := t.x[i]-cx[z], t.y[i]-cy[z]
			if d := dx*dx + dy*dy - wt[z]; d < bd {
				best, bd = z, d
			}
		}
		zone[i] = best
	}
}

// seeds picks k centres: the heaviest cell first, then k-means++ style
// (Arthur & Vassilvitskii, SODA 2007) with probability proportional to
// workload (plus, byArea, a little area, so empty land can seed) ×
// squared distance to the nearest centre.
func (t *terrain) seeds(k int, byArea bool, rng *rand.Rand) ([]float64, []float64) {
	n := len(t.cells)
	loaded := 0
	for _, w := range t.w {
		if w > 0 {
			loaded++
		}
	}
	eps := 0.0
	if byArea || loaded < k {
		eps = 0.02 * t.total() / float64(n)
	}
	if eps == 0 && loaded < k {
		eps = 1
	}
	first := 0
	for i := range n {
		if t.w[i] > t.w[first] {
			first = i
		}
	}
	cx, cy := []float64{t.x[first]}, []float64{t.y[first]}
	d2 := make([]float64, n)
	for i := range n {
		d2[i] = (t.x[i]-cx[0])*(t.x[i]-cx[0]) + (t.y[i]-cy[0])*(t.y[i]-cy[0])
	}
	for len(cx) < k {
		sum := 0.0
		for i := range n {
			sum += (t.w[i] + eps) * d2[i]
		}
		pick := n - 1
		r := rng.Float64() * sum
		for i := range n {
			r -= (t.w[i] + eps) * d2[i]
			if r < 0 {
				pick = i
				break
			}
		}
		cx, cy = append(cx, t.x[pick]), append(cy, t.y[pick])
		for i := range n {
			d2[i] = min(d2[i], (t.x[i]-t.x[pick])*(t.x[i]-t.x[pick])+(t.y[i]-t.y[pick])*(t.y[i]-t.y[pick]))
		}
	}
	return cx, cy
}

// components returns the connected pieces of zone z.
func (t *terrain) components(zone []int, z int, mark []int, stamp int) [][]int {
	var out [][]int
	for s := range zone {
		if zone[s] != z || mark[s] == stamp {
			continue
		}
		mark[s] = stamp
		comp := []int{s}
		for q := 0; q < len(comp); q++ {
			for _, j := range t.adj[comp[q]] {
				if zone[j] == z && mark[j] != stamp {
					mark[j] = stamp
					comp = append(comp, int(j))
				}
			}
		}
		out = append(out, comp)
	}
	return out
}

// repair makes zones connected: every piece of a zone but its main one
// (most workload, then most cells) goes to the neighbouring zone it shares
// most edges with. A piece with no neighbouring zone (a district exclave)
// stays.
func (t *terrain) repair(zone []int, k int) {
	mark := make([]int, len(zone))
	stamp := 0
	for range 50 {
		changed := false
		for z := range k {
			stamp++
			comps := t.components(zone, z, mark, stamp)
			if len(comps) < 2 {
				continue
			}
			main, mw := 0, -1.0
			for ci, c := range comps {
				w := 0.0
				for _, i := range c {
					w += t.w[i]
				}
				w = w*1e6 + float64(len(c)) // workload first, then size
				if w > mw {
					main, mw = ci, w
				}
			}
			for ci, c := range comps {
				if ci == main {
					continue
				}
				border := map[int]int{}
				for _, i := range c {
					for _, j := range t.adj[i] {
						if zone[j] != z {
							border[zone[j]]++
						}
					}
				}
				to, most := -1, 0
				for zz, m := range border {
					if m > most || m == most && zz < to {
						to, most = zz, m
					}
				}
				if to < 0 {
					continue
				}
				for _, i := range c {
					zone[i] = to
				}
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

// staysConnected reports whether zone z stays connected without cell drop
// (and is not emptied by it).
func (t *terrain) staysConnected(zone []int, z, drop int, mark []int, stamp int) bool {
	start, size := -1, 0
	for _, j := range t.adj[drop] {
		if zone[j] == z {
			start = int(j)
			break
		}
	}
	if start < 0 {
		return false
	}
	for i := range zone {
		if zone[i] == z && i != drop {
			size++
		}
	}
	mark[start] = stamp
	queue := []int{start}
	for q := 0; q < len(queue); q++ {
		for _, j := range t.adj[queue[q]] {
			if int(j) != drop && zone[j] == z && mark[j] != stamp {
				mark[j] = stamp
				queue = append(queue, int(j))
			}
		}
	}
	return len(queue) == size
}

type move struct {
	cell, to int
	score    float64
}

// centroids returns each zone's centre of area and cell count.
func (t *terrain) centroids(zone []int, k int) (cx, cy, cnt []float64) {
	cx, cy, cnt = make([]float64, k), make([]float64, k), make([]float64, k)
	for i, z := range zone {
		cx[z] += t.x[i]
		cy[z] += t.y[i]
		cnt[z]++
	}
	for z := range k {
		if cnt[z] > 0 {
			cx[z] /= cnt[z]
			cy[z] /= cnt[z]
		}
	}
	return cx, cy, cnt
}

// balance moves loaded boundary cells from heavier to lighter neighbouring
// zones while a zone's workload lies outside the band. A move must lower the
// sum of squared workloads (the receiver ends lighter than the donor
// was), keep the donor connected, and among such moves out of the
// heaviest or into the lightest zone, the one that adds least to the
// moments of inertia is made.
func (t *terrain) balance(zone []int, k int, b band) {
	loads := t.loads(zone, k)
	mark := make([]int, len(zone))
	stamp := 0
	var cands []move
	for range 20 * len(zone) {
		if b.outside(loads) == 0 {
			return
		}
		lo, hi := slices.Min(loads), slices.Max(loads)
		hz, lz := slices.Index(loads, hi), slices.Index(loads, lo)
		cx, cy, _ := t.centroids(zone, k)
		cands = cands[:0]
		for i, from := range zone {
			if t.w[i] <= 0 {
				continue
			}
			for _, j := range t.adj[i] {
				to := zone[j]
				if to == from || loads[to]+t.w[i] >= loads[from] || (from != hz && to != lz) {
					continue
				}
				d := func(z int) float64 { return (t.x[i]-cx[z])*(t.x[i]-cx[z]) + (t.y[i]-cy[z])*(t.y[i]-cy[z]) }
				cands = append(cands, move{i, to, d(to) - d(from)})
			}
		}
		slices.SortFunc(cands, func(a, b move) int {
			if c := cmp.Compare(a.score, b.score); c != 0 {
				return c
			}
			return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.to, b.to))
		})
		moved := false
		for _, m := range cands {
			stamp++
			from := zone[m.cell]
			if !t.staysConnected(zone, from, m.cell, mark, stamp) {
				continue
			}
			zone[m.cell] = m.to
			loads[from] -= t.w[m.cell]
			loads[m.to] += t.w[m.cell]
			moved = true
			break
		}
		if !moved {
			return
		}
	}
}

// loads returns each zone's workload.
func (t *terrain) loads(zone []int, k int) []float64 {
	loads := make([]float64, k)
	for i, z := range zone {
		loads[z] += t.w[i]
	}
	return loads
}

// violation is how far a workload lies outside the band, relative to the
// bound it crosses; 0 inside.
func (b band) violation(load float64) float64 {
	return max(0, load/b.hi-1) + max(0, 1-load/b.lo)
}

// chain is one boundary move, or two in a row: cell i from zone f to g,
// then, when j ≥ 0, cell j from g to h (h may be f: a swap). gain is the
// fall in the zones' summed band violation.
type chain struct {
	i, f, g, j, h int
	gain          float64
}

// rebalance takes over where balance stalls with zones outside the band,
// which happens where cells are heavy against the band's width (a small,
// dense district cut into zones of a few cells each: Yuzhong's 35 cells
// in 8 zones on the default day). It descends on the summed violation of
// all zones, not only the heaviest and lightest: each step makes the
// boundary move between two neighbouring zones that lowers it most or,
// when no single move does, the best chain of two moves, a cell from f to
// g and one from g on to h: an ejection chain (Glover, "Ejection chains,
// reference structures and alternating path methods for traveling
// salesman problems", Discrete Applied Mathematics 65, 1996). Every move
// keeps its donor connected.
func (t *terrain) rebalance(zone []int, k int, b band) {
	loads := t.loads(zone, k)
	mark := make([]int, len(zone))
	stamp := 0
	var cands []chain
	for range 4 * len(zone) {
		if b.outside(loads) == 0 {
			return
		}
		cands = t.chains(cands[:0], zone, loads, b)
		slices.SortFunc(cands, func(x, y chain) int {
			return cmp.Or(cmp.Compare(y.gain, x.gain), cmp.Compare(x.i, y.i), cmp.Compare(x.g, y.g), cmp.Compare(x.j, y.j), cmp.Compare(x.h, y.h))
		})
		moved := false
		for _, c := range cands {
			stamp++
			if !t.staysConnected(zone, c.f, c.i, mark, stamp) {
				continue
			}
			zone[c.i] = c.g
			if c.j >= 0 {
				stamp++
				if !t.staysConnected(zone, c.g, c.j, mark, stamp) {
					zone[c.i] = c.f
					continue
				}
				zone[c.j] = c.h
				loads[c.g] -= t.w[c.j]
				loads[c.h] += t.w[c.j]
			}
			loads[c.f] -= t.w[c.i]
			loads[c.g] += t.w[c.i]
			moved = true
			break
		}
		if !moved {
			return
		}
	}
}

// chains appends the single boundary moves that lower the summed band
// violation or, when there are none, for each first move the second that
// completes the best improving chain of two.
func (t *terrain) chains(dst []chain, zone []int, loads []float64, b band) []chain {
	const eps = 1e-9
	dv := func(z int, delta float64) float64 { return b.violation(loads[z]+delta) - b.violation(loads[z]) }
	for i, f := range zone {
		if t.w[i] <= 0 {
			continue
		}
		for _, n := range t.adj[i] {
			if g := zone[n]; g != f {
				if gain := -dv(f, -t.w[i]) - dv(g, t.w[i]); gain > eps {
					dst = append(dst, chain{i: i, f: f, g: g, j: -1, h: -1, gain: gain})
				}
			}
		}
	}
	if len(dst) > 0 {
		return dst
	}
	members := make([][]int, len(loads)) // each zone's loaded cells
	for i, z := range zone {
		if t.w[i] > 0 {
			members[z] = append(members[z], i)
		}
	}
	for i, f := range zone {
		if t.w[i] <= 0 {
			continue
		}
		for _, n := range t.adj[i] {
			g := zone[n]
			if g == f {
				continue
			}
			best := chain{gain: eps}
			for _, j := range members[g] {
				for _, m := range t.adj[j] {
					h := zone[m]
					if h == g || int(m) == i { // i has joined g
						continue
					}
					var gain float64
					if h == f {
						d := t.w[j] - t.w[i]
						gain = -dv(f, d) - dv(g, -d)
					} else {
						gain = -dv(f, -t.w[i]) - dv(g, t.w[i]-t.w[j]) - dv(h, t.w[j])
					}
					if gain > best.gain {
						best = chain{i: i, f: f, g: g, j: j, h: h, gain: gain}
					}
				}
			}
			if best.gain > eps {
				dst = append(dst, best)
			}
		}
	}
	return dst
}

// Annealing schedule of anneal: steps, and the temperature, in units of
// summed relative band violation, falling geometrically from first to
// last.
const (
	annealSteps     = 100_000
	annealFirstTemp = 0.1
	annealLastTemp  = 1e-4
)

// anneal is the last resort where rebalance too leaves zones outside the
// band: simulated annealing (Kirkpatrick, Gelatt & Vecchi, "Optimization
// by simulated annealing", Science 220, 1983) on the summed band
// violation, by single boundary moves that keep the donor connected,
// drawn from rng; the best zoning seen is kept.
func (t *terrain) anneal(zone []int, k int, b band, rng *rand.Rand) {
	loads := t.loads(zone, k)
	total := 0.0
	for _, l := range loads {
		total += b.violation(l)
	}
	if total == 0 {
		return
	}
	best, bestTotal := slices.Clone(zone), total
	mark := make([]int, len(zone))
	stamp := 0
	temp := annealFirstTemp
	cool := math.Pow(annealLastTemp/annealFirstTemp, 1.0/annealSteps)
	for range annealSteps {
		temp *= cool
		i := rng.IntN(len(zone))
		if t.w[i] <= 0 || len(t.adj[i]) == 0 {
			continue
		}
		f, g := zone[i], zone[t.adj[i][rng.IntN(len(t.adj[i]))]]
		if g == f {
			continue
		}
		d := b.violation(loads[f]-t.w[i]) + b.violation(loads[g]+t.w[i]) - b.violation(loads[f]) - b.violation(loads[g])
		if d > 0 && rng.Float64() >= math.Exp(-d/temp) {
			continue
		}
		stamp++
		if !t.staysConnected(zone, f, i, mark, stamp) {
			continue
		}
		zone[i] = g
		loads[f] -= t.w[i]
		loads[g] += t.w[i]
		total += d
		if total < bestTotal-1e-12 {
			bestTotal = total
			copy(best, zone)
			if bestTotal <= 1e-12 {
				break
			}
		}
	}
	copy(zone, best)
}

// smooth moves boundary cells to the neighbouring zone whose centre is
// nearer, lowering the sum of moments of inertia, as long as the
// workloads stay inside the band (or leave it no further) and the donor
// stays connected: it trims the tendrils balancing and repair leave.
func (t *terrain) smooth(zone []int, k int, b band) {
	loads := t.loads(zone, k)
	mark := make([]int, len(zone))
	stamp := 0
	for range 40 {
		cx, cy, cnt := t.centroids(zone, k)
		movedAny := false
		for i := range zone {
			from := zone[i]
			if cnt[from] <= 1 {
				continue
			}
			best, bestGain := -1, 0.0
			dFrom := (t.x[i]-cx[from])*(t.x[i]-cx[from]) + (t.y[i]-cy[from])*(t.y[i]-cy[from])
			for _, j := range t.adj[i] {
				to := zone[j]
				if to == from {
					continue
				}
				// Exact change of Σ cnt·var for moving a point between
				// groups: Δ = cnt_to/(cnt_to+1)·d_to² − cnt_from/(cnt_from−1)·d_from².
				dTo := (t.x[i]-cx[to])*(t.x[i]-cx[to]) + (t.y[i]-cy[to])*(t.y[i]-cy[to])
				gain := cnt[from]/(cnt[from]-1)*dFrom - cnt[to]/(cnt[to]+1)*dTo
				if gain > bestGain {
					best, bestGain = to, gain
				}
			}
			if best < 0 {
				continue
			}
			before := b.outside(loads)
			loads[from] -= t.w[i]
			loads[best] += t.w[i]
			after := b.outside(loads)
			stamp++
			if (after > 0 && after > before) || !t.staysConnected(zone, from, i, mark, stamp) {
				loads[from] += t.w[i]
				loads[best] -= t.w[i]
				continue
			}
			// Update the two centroids incrementally.
			cx[from] = (cx[from]*cnt[from] - t.x[i]) / (cnt[from] - 1)
			cy[from] = (cy[from]*cnt[from] - t.y[i]) / (cnt[from] - 1)
			cx[best] = (cx[best]*cnt[best] + t.x[i]) / (cnt[best] + 1)
			cy[best] = (cy[best]*cnt[best] + t.y[i]) / (cnt[best] + 1)
			cnt[from]--
			cnt[best]++
			zone[i] = best
			movedAny = true
		}
		if !movedAny {
			return
		}
	}
}

// trim moves corridors: a cell whose loss would cut its zone in pieces
// moves together with the pieces that carry no workload (an empty
// hinterland reached through a corridor) to a neighbouring zone, when that
// lowers the zones' summed moments of inertia and keeps the workloads
// inside the band (or takes them no further out). Both zones stay connected:
// the pieces hang on the moved cell.
func (t *terrain) trim(zone []int, k int, b band) {
	cnt, sx, sy := make([]float64, k), make([]float64, k), make([]float64, k)
	loads := make([]float64, k)
	for i, z := range zone {
		cnt[z]++
		sx[z] += t.x[i]
		sy[z] += t.y[i]
		loads[z] += t.w[i]
	}
	mark := make([]int, len(zone))
	stamp := 0
	for range 4 {
		moved := false
		for i := range zone {
			from := zone[i]
			stamp++
			if t.staysConnected(zone, from, i, mark, stamp) {
				continue
			}
			// The pieces of the zone without i; all but the one with the
			// most workload (then cells) must be empty to move.
			zone[i] = -1
			stamp++
			comps := t.components(zone, from, mark, stamp)
			zone[i] = from
			main, mw := -1, -1.0
			for ci, c := range comps {
				w := 0.0
				for _, j := range c {
					w += t.w[j]
				}
				if v := w*1e6 + float64(len(c)); v > mw {
					main, mw = ci, v
				}
			}
			set := []int{i}
			ok := true
			for ci, c := range comps {
				if ci == main {
					continue
				}
				for _, j := range c {
					if t.w[j] > 0 {
						ok = false
					}
				}
				set = append(set, c...)
			}
			if !ok || len(set) >= int(cnt[from]) {
				continue
			}
			var c, x, y float64
			for _, j := range set {
				c++
				x += t.x[j]
				y += t.y[j]
			}
			best, bestDelta := -1, -1e-6
			for _, j := range t.adj[i] {
				to := zone[j]
				if to == from {
					continue
				}
				d := (sx[from]*sx[from]+sy[from]*sy[from])/cnt[from] + (sx[to]*sx[to]+sy[to]*sy[to])/cnt[to] -
					((sx[from]-x)*(sx[from]-x)+(sy[from]-y)*(sy[from]-y))/(cnt[from]-c) -
					((sx[to]+x)*(sx[to]+x)+(sy[to]+y)*(sy[to]+y))/(cnt[to]+c)
				if d < bestDelta {
					best, bestDelta = to, d
				}
			}
			if best < 0 {
				continue
			}
			before := b.outside(loads)
			loads[from] -= t.w[i]
			loads[best] += t.w[i]
			if after := b.outside(loads); after > 0 && after > before {
				loads[from] += t.w[i]
				loads[best] -= t.w[i]
				continue
			}
			for _, j := range set {
				zone[j] = best
			}
			cnt[from] -= c
			cnt[best] += c
			sx[from] -= x
			sx[best] += x
			sy[from] -= y
			sy[best] += y
			moved = true
		}
		if !moved {
			return
		}
	}
}

// hexCompactness is the compactness of one regular hexagon, which a cell
// stands for in a zone's moments.
const hexCompactness = 0.9924

// zoneMoments are a zone's cell count and the sums of its cells' centres
// and squared distances from the origin, which give its moment of
// inertia: each cell a hexagon of area a about its centre.
type zoneMoments struct{ n, sx, sy, sq float64 }

func (m zoneMoments) with(x, y, sign float64) zoneMoments {
	return zoneMoments{m.n + sign, m.sx + sign*x, m.sy + sign*y, m.sq + sign*(x*x+y*y)}
}

// compactness is A²/(2πJ) with J the cells' own moments plus their
// centres' spread about the zone's centroid.
func (m zoneMoments) compactness(a float64) float64 {
	if m.n <= 0 {
		return 0
	}
	spread := max(0, m.sq-(m.sx*m.sx+m.sy*m.sy)/m.n)
	j := a*spread + m.n*a*a/(2*math.Pi*hexCompactness)
	return (m.n * a) * (m.n * a) / (2 * math.Pi * j)
}

// compact raises the least compact zone's compactness by boundary moves
// (a max–min local search): a cell of the zone goes to a neighbouring
// zone, or a neighbouring zone's cell comes to it, when the less compact
// of the two zones ends more compact than the less compact was, both
// stay connected, and the workloads stay inside the band (or go no
// further out). It stops when the least compact zone has no such move or
// reaches 0.55.
func (t *terrain) compact(zone []int, k int, b band) {
	a := t.cellArea()
	m := make([]zoneMoments, k)
	loads := make([]float64, k)
	for i, z := range zone {
		m[z] = m[z].with(t.x[i], t.y[i], 1)
		loads[z] += t.w[i]
	}
	c := make([]float64, k)
	for z := range k {
		c[z] = m[z].compactness(a)
	}
	mark := make([]int, len(zone))
	stamp := 0
	var cands []move
	for range len(zone) {
		worst := 0
		for z := range k {
			if c[z] < c[worst] {
				worst = z
			}
		}
		if c[worst] >= 0.55 {
			return
		}
		cands = cands[:0]
		for i, from := range zone {
			for _, j := range t.adj[i] {
				to := zone[j]
				if to == from || (from != worst && to != worst) || m[from].n <= 1 {
					continue
				}
				cf, ct := m[from].with(t.x[i], t.y[i], -1).compactness(a), m[to].with(t.x[i], t.y[i], 1).compactness(a)
				if gain := min(cf, ct) - min(c[from], c[to]); gain > 1e-6 {
					cands = append(cands, move{i, to, -gain})
				}
			}
		}
		slices.SortFunc(cands, func(x, y move) int {
			return cmp.Or(cmp.Compare(x.score, y.score), cmp.Compare(x.cell, y.cell), cmp.Compare(x.to, y.to))
		})
		moved := false
		for _, mv := range cands {
			i, from, to := mv.cell, zone[mv.cell], mv.to
			before := b.outside(loads)
			loads[from] -= t.w[i]
			loads[to] += t.w[i]
			stamp++
			if after := b.outside(loads); (after > 0 && after > before) || !t.staysConnected(zone, from, i, mark, stamp) {
				loads[from] += t.w[i]
				loads[to] -= t.w[i]
				continue
			}
			zone[i] = to
			m[from], m[to] = m[from].with(t.x[i], t.y[i], -1), m[to].with(t.x[i], t.y[i], 1)
			c[from], c[to] = m[from].compactness(a), m[to].compactness(a)
			moved = true
			break
		}
		if !moved {
			return
		}
	}
}

// zones turns a cell→zone assignment into Zones (IDs, area and
// compactness are filled by Partition).
func (t *terrain) zones(zone []int, k int) []Zone {
	zs := make([]Zone, k)
	sx, sy := make([]float64, k), make([]float64, k)
	for i, z := range zone {
		zs[z].Cells = append(zs[z].Cells, t.cells[i])
		zs[z].Parcels += t.n[i]
		zs[z].WorkloadSeconds += t.w[i]
		sx[z] += t.x[i]
		sy[z] += t.y[i]
	}
	out := zs[:0]
	for z := range zs {
		if len(zs[z].Cells) == 0 {
			continue
		}
		zs[z].Group = t.district
		zs[z].Resolution = t.cells[0].Resolution()
		c := float64(len(zs[z].Cells))
		zs[z].Centre = t.pl.point(sx[z]/c, sy[z]/c)
		out = append(out, zs[z])
	}
	return out
}

func (p plane) point(x, y float64) orb.Point {
	const k = math.Pi / 180 * earthRadiusMeters
	return orb.Point{p.lon0 + x/(k*p.kx), p.lat0 + y/k}
}

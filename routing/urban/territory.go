package urban

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
)

// DistrictArea is a district's territory: every H3 cell of one resolution
// whose centre lies inside the district. District "" is one area.
type DistrictArea struct {
	District string
	Cells    []h3cell.Cell
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
	// TargetWorkloadSeconds is the workload a zone should carry: a district
	// gets round(workload/target) zones, at least one.
	TargetWorkloadSeconds float64
	// BalanceRatio is the max/min zone workload within a district that
	// balancing aims at; 0 means 1.2.
	BalanceRatio float64
	// MinCompactness is the compactness every zone should reach: a district
	// whose zones miss it, or BalanceRatio, is tried with up to three more
	// zones, and the best partition is kept; 0 means 0.45.
	MinCompactness float64
	// Seed seeds the choice of zone seeds.
	Seed uint64
}

// Partition divides each district's area into zones balanced by workload
// and compact: every cell of an area lands in exactly one zone, zones
// never cross areas, and every zone is connected (unless its district is
// not: an exclave with no other zone in it stays with its zone).
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
// search algorithms for political districting", EJOR 189(3), 2008).
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
	opts.TargetWorkloadSeconds = commonTarget(areas, load, opts.TargetWorkloadSeconds)
	seen := map[h3cell.Cell]string{}
	res := -1
	rng := rand.New(rand.NewPCG(opts.Seed, 0x7a6f6e65))
	var zones []Zone
	for _, a := range areas {
		for _, c := range a.Cells {
			if !c.IsValid() {
				return nil, fmt.Errorf("%w: district %q: invalid cell %v", ErrInvalid, a.District, c)
			}
			if res < 0 {
				res = c.Resolution()
			}
			if c.Resolution() != res {
				return nil, fmt.Errorf("%w: district %q: cell %v not at resolution %d", ErrInvalid, a.District, c, res)
			}
			if d, dup := seen[c]; dup {
				return nil, fmt.Errorf("%w: cell %v in districts %q and %q", ErrInvalid, c, d, a.District)
			}
			seen[c] = a.District
		}
		if len(a.Cells) == 0 {
			continue
		}
		t, err := newTerrain(a, load)
		if err != nil {
			return nil, err
		}
		zs, err := t.partition(opts, rng)
		if err != nil {
			return nil, err
		}
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

// commonTarget returns the zone workload, within 0.6–1.25 times target,
// at which round(district workload / it) zones per district come out most
// alike across districts, so that zones balance across district lines as
// well as within them.
func commonTarget(areas []DistrictArea, load map[h3cell.Cell]CellLoad, target float64) float64 {
	var ls []float64
	for _, a := range areas {
		s := 0.0
		for _, c := range a.Cells {
			s += load[c].WorkloadSeconds
		}
		if s > 0 {
			ls = append(ls, s)
		}
	}
	if len(ls) < 2 {
		return target
	}
	best, bestRatio := target, math.Inf(1)
	for f := 1.0; f >= 0.6-1e-9; f -= 0.01 {
		for _, g := range []float64{f, 2 - f} {
			if g > 1.25 {
				continue
			}
			tt := target * g
			lo, hi := math.Inf(1), 0.0
			for _, l := range ls {
				z := l / max(1, math.Round(l/tt))
				lo, hi = min(lo, z), max(hi, z)
			}
			if r := hi / lo; r < bestRatio-1e-3 {
				best, bestRatio = tt, r
			}
		}
	}
	return best
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

// quality scores a partition: the worse of its balance and compactness
// shortfalls against the targets, 0 when both are met.
type quality struct {
	ratio, minCompact float64
}

func (q quality) shortfall(o ZoningOptions) float64 {
	return max(0, q.ratio/o.BalanceRatio-1) + max(0, o.MinCompactness-q.minCompact)
}

// partition tries k zones and, while the targets are missed, up to three
// more, keeping the best.
func (t *terrain) partition(o ZoningOptions, rng *rand.Rand) ([]Zone, error) {
	total := t.total()
	loaded := 0
	for _, w := range t.w {
		if w > 0 {
			loaded++
		}
	}
	k := max(1, int(math.Round(total/o.TargetWorkloadSeconds)))
	k = min(k, max(1, loaded), len(t.cells))
	var best []int
	bestK, bestShort := 0, math.Inf(1)
	for kk := k; kk <= min(k+3, max(1, loaded), len(t.cells)) && bestShort > 0; kk++ {
		// A few seedings per count: the allocation depends on its seeds.
		for range 3 {
			zone := t.allocate(kk, o, rng)
			q := t.quality(zone, kk)
			s := q.shortfall(o)
			if best == nil || s < bestShort-1e-9 {
				best, bestK, bestShort = zone, kk, s
			}
			if s == 0 || kk == 1 {
				break
			}
		}
	}
	return t.zones(best, bestK), nil
}

// quality measures balance and the point-mass compactness of a zoning.
func (t *terrain) quality(zone []int, k int) quality {
	loads := make([]float64, k)
	for i, z := range zone {
		loads[z] += t.w[i]
	}
	q := quality{ratio: 1, minCompact: math.Inf(1)}
	lo, hi := slices.Min(loads), slices.Max(loads)
	if k > 1 {
		if lo <= 0 {
			q.ratio = math.Inf(1)
			if hi <= 0 {
				q.ratio = 1
			}
		} else {
			q.ratio = hi / lo
		}
	}
	for _, z := range t.zones(zone, k) {
		mp, err := h3cell.CellsToMultiPolygon(z.Cells)
		if err != nil {
			return quality{ratio: math.Inf(1)}
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
func (t *terrain) allocate(k int, o ZoningOptions, rng *rand.Rand) []int {
	n := len(t.cells)
	zone := make([]int, n)
	if k <= 1 {
		return zone
	}
	cx, cy := t.seeds(k, rng)
	wt := make([]float64, k)
	total := t.total()
	target := total / float64(k)
	// The weights move in units of a zone's squared radius.
	scale := t.cellArea() * float64(n) / float64(k) / math.Pi
	loads := make([]float64, k)
	for outer := range 30 {
		step := 0.5 * scale
		for inner := range 80 {
			t.assign(zone, cx, cy, wt)
			clear(loads)
			for i, z := range zone {
				loads[z] += t.w[i]
			}
			lo, hi := slices.Min(loads), slices.Max(loads)
			if lo > 0 && hi/lo <= o.BalanceRatio*0.97 {
				break
			}
			for z := range k {
				// Multiplicative on the relative gap, capped, so that a zone
				// with no workload yet grows steadily.
				wt[z] += step * max(-1, min(1, (target-loads[z])/target))
			}
			if inner%10 == 9 {
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
	t.balance(zone, k, o.BalanceRatio)
	t.smooth(zone, k, o.BalanceRatio)
	t.trim(zone, k, o.BalanceRatio)
	t.smooth(zone, k, o.BalanceRatio)
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
// workload (plus a little area, so empty land can seed) × squared distance
// to the nearest centre.
func (t *terrain) seeds(k int, rng *rand.Rand) ([]float64, []float64) {
	n := len(t.cells)
	eps := 0.02 * t.total() / float64(n)
	if eps == 0 {
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
// zones while the max/min workload exceeds ratio. A move must lower the
// sum of squared workloads (the receiver ends lighter than the donor
// was), keep the donor connected, and among such moves out of the
// heaviest or into the lightest zone, the one that adds least to the
// moments of inertia is made.
func (t *terrain) balance(zone []int, k int, ratio float64) {
	loads := make([]float64, k)
	for i, z := range zone {
		loads[z] += t.w[i]
	}
	mark := make([]int, len(zone))
	stamp := 0
	var cands []move
	for range 20 * len(zone) {
		lo, hi := slices.Min(loads), slices.Max(loads)
		if lo > 0 && hi/lo <= ratio {
			return
		}
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

// smooth moves boundary cells to the neighbouring zone whose centre is
// nearer, lowering the sum of moments of inertia, as long as the
// workload ratio stays within ratio (or does not grow) and the donor stays
// connected: it trims the tendrils balancing and repair leave.
func (t *terrain) smooth(zone []int, k int, ratio float64) {
	loads := make([]float64, k)
	for i, z := range zone {
		loads[z] += t.w[i]
	}
	ratioOf := func() float64 {
		lo, hi := slices.Min(loads), slices.Max(loads)
		if lo <= 0 {
			return math.Inf(1)
		}
		return hi / lo
	}
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
			before := ratioOf()
			loads[from] -= t.w[i]
			loads[best] += t.w[i]
			after := ratioOf()
			stamp++
			if (after > ratio && after > before) || !t.staysConnected(zone, from, i, mark, stamp) {
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
// lowers the zones' summed moments of inertia and keeps the workload
// ratio within ratio (or does not raise it). Both zones stay connected:
// the pieces hang on the moved cell.
func (t *terrain) trim(zone []int, k int, ratio float64) {
	cnt, sx, sy := make([]float64, k), make([]float64, k), make([]float64, k)
	loads := make([]float64, k)
	for i, z := range zone {
		cnt[z]++
		sx[z] += t.x[i]
		sy[z] += t.y[i]
		loads[z] += t.w[i]
	}
	ratioOf := func() float64 {
		lo, hi := slices.Min(loads), slices.Max(loads)
		if lo <= 0 {
			return math.Inf(1)
		}
		return hi / lo
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
			before := ratioOf()
			loads[from] -= t.w[i]
			loads[best] += t.w[i]
			if after := ratioOf(); after > ratio && after > before {
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

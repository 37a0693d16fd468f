package urban

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
)

// CellLoad is the delivery workload of one H3 cell: what zoning partitions.
type CellLoad struct {
	Cell h3cell.Cell
	// Group is the district the cell belongs to when zones respect
	// districts; cells of different groups never share a zone. "" is one
	// group.
	Group           string
	Parcels         int
	WorkloadSeconds float64
}

// Zone is a delivery zone: a contiguous set of H3 cells of one resolution.
type Zone struct {
	ID string `json:"id"`
	// Group is the district of the zone when zoning respects districts.
	Group string        `json:"district,omitempty"`
	Cells []h3cell.Cell `json:"-"`
	// Parcels and WorkloadSeconds sum the zone's cells. Bridge cells (added
	// to join a group's separate clusters of parcels into one contiguous
	// area) carry no load.
	Parcels         int       `json:"parcels"`
	WorkloadSeconds float64   `json:"workload_seconds"`
	Centre          orb.Point `json:"centre"` // workload-weighted centre
}

// ZoningOptions control Partition.
type ZoningOptions struct {
	// TargetWorkloadSeconds is the workload a zone should carry; a group of
	// cells gets round(load/target) zones, at least one.
	TargetWorkloadSeconds float64
	// MaxZones caps the total number of zones (the target grows by 10%
	// steps until the count fits); 0 means no cap.
	MaxZones int
	// BalanceRatio is the max/min workload ratio within a group at which
	// boundary moves stop; 0 means 1.15.
	BalanceRatio float64
	// Seed seeds the choice of zone seeds.
	Seed uint64
	// Restarts is how many seedings are tried per area, keeping the most
	// balanced; 0 means 6.
	Restarts int
}

// ratioOf is max/min workload of zones (+Inf when a zone is empty).
func ratioOf(zs []Zone) float64 {
	lo, hi := math.Inf(1), 0.0
	for _, z := range zs {
		lo, hi = min(lo, z.WorkloadSeconds), max(hi, z.WorkloadSeconds)
	}
	if lo <= 0 {
		return math.Inf(1)
	}
	return hi / lo
}

// maxBridgeVisits bounds the breadth-first search that joins two clusters
// of a group through empty cells.
const maxBridgeVisits = 200_000

// Partition splits cells into contiguous zones balanced by workload.
//
// Per group it first joins the group's clusters of cells into one
// connected area through empty cells (a breadth-first search through
// cells no other group owns; bridge cells carry no load), then grows k
// zones from seeds picked k-means++ style on workload (Arthur &
// Vassilvitskii, "k-means++: the advantages of careful seeding", SODA
// 2007): the zone with the smallest workload claims its nearest frontier
// cell next, so zones fill at the pace of their deficit. Boundary moves
// then shift a cell from a heavier zone to a lighter neighbouring zone
// (with any piece of the donor that the cell alone connected, found by
// breadth-first search, so zones stay contiguous) while the receiver
// stays lighter than the donor was, until the group's max/min workload is
// within BalanceRatio or no move helps; every such move lowers the sum of
// squared workloads, so the descent ends. Empty bridge cells also move
// down the load order to let zones grow along bridges. The best of
// Restarts seedings is kept. This is the region-growing and
// local-search scheme of political and sales-territory districting
// (Ricca & Simeone, "Local search algorithms for political districting",
// EJOR 189(3), 2008).
//
// A group whose clusters cannot be joined (no path within
// maxBridgeVisits cells) is partitioned per cluster. Every zone is one
// connected component of the H3 grid.
func Partition(cells []CellLoad, opts ZoningOptions) ([]Zone, error) {
	if !(opts.TargetWorkloadSeconds > 0) || math.IsInf(opts.TargetWorkloadSeconds, 0) {
		return nil, fmt.Errorf("%w: zone target workload %v s must be positive", ErrInvalid, opts.TargetWorkloadSeconds)
	}
	if opts.BalanceRatio == 0 {
		opts.BalanceRatio = 1.15
	}
	if len(cells) == 0 {
		return nil, nil
	}
	res := cells[0].Cell.Resolution()
	owner := make(map[h3cell.Cell]string, len(cells))
	for i, c := range cells {
		if !c.Cell.IsValid() || c.Cell.Resolution() != res {
			return nil, fmt.Errorf("%w: cell %d (%v) invalid or not at resolution %d", ErrInvalid, i, c.Cell, res)
		}
		if g, dup := owner[c.Cell]; dup {
			return nil, fmt.Errorf("%w: cell %v given twice (groups %q and %q)", ErrInvalid, c.Cell, g, c.Group)
		}
		if c.WorkloadSeconds < 0 || math.IsNaN(c.WorkloadSeconds) || math.IsInf(c.WorkloadSeconds, 0) {
			return nil, fmt.Errorf("%w: cell %v workload %v", ErrInvalid, c.Cell, c.WorkloadSeconds)
		}
		owner[c.Cell] = c.Group
	}
	g := &grid{nb: map[h3cell.Cell][]h3cell.Cell{}, owner: owner}
	groups := map[string][]CellLoad{}
	var names []string
	for _, c := range cells {
		if _, ok := groups[c.Group]; !ok {
			names = append(names, c.Group)
		}
		groups[c.Group] = append(groups[c.Group], c)
	}
	slices.Sort(names)

	// Join clusters first: the zone counts depend on the areas.
	var areas []*area
	for _, name := range names {
		as, err := g.connect(name, groups[name])
		if err != nil {
			return nil, err
		}
		areas = append(areas, as...)
	}
	target := opts.TargetWorkloadSeconds
	counts := make([]int, len(areas))
	for {
		total := 0
		for i, a := range areas {
			counts[i] = max(1, min(a.loaded(), int(math.Round(a.load()/target))))
			total += counts[i]
		}
		if opts.MaxZones <= 0 || total <= opts.MaxZones || total == len(areas) {
			break
		}
		target *= 1.1
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x7a6f6e65))
	restarts := opts.Restarts
	if restarts <= 0 {
		restarts = 6
	}
	var zones []Zone
	for i, a := range areas {
		// Keep the most balanced of a few seedings.
		var best []Zone
		bestRatio := math.Inf(1)
		for range restarts {
			zs, err := a.partition(counts[i], opts.BalanceRatio, rng)
			if err != nil {
				return nil, err
			}
			if r := ratioOf(zs); r < bestRatio {
				best, bestRatio = zs, r
			}
			if bestRatio <= opts.BalanceRatio {
				break
			}
		}
		zones = append(zones, best...)
	}
	for i := range zones {
		z := &zones[i]
		if z.Group != "" {
			z.ID = fmt.Sprintf("z%02d-%s", i+1, z.Group)
		} else {
			z.ID = fmt.Sprintf("z%02d", i+1)
		}
	}
	return zones, nil
}

// grid caches H3 neighbours so each cell crosses into C once.
type grid struct {
	nb    map[h3cell.Cell][]h3cell.Cell
	owner map[h3cell.Cell]string
}

func (g *grid) neighbours(c h3cell.Cell) ([]h3cell.Cell, error) {
	if n, ok := g.nb[c]; ok {
		return n, nil
	}
	n, err := c.Ring(1)
	if err != nil {
		return nil, err
	}
	g.nb[c] = n
	return n, nil
}

// area is one connected set of cells of a group, indexed densely.
type area struct {
	group  string
	cells  []h3cell.Cell
	w      []float64
	n      []int
	centre []orb.Point
	adj    [][]int32
	// scratch of cutOff, reused so boundary moves do not allocate
	comps [][2]int
	loads []float64
}

func (a *area) load() float64 {
	s := 0.0
	for _, w := range a.w {
		s += w
	}
	return s
}

// loaded counts cells with parcels: a zone needs at least one.
func (a *area) loaded() int {
	k := 0
	for i, w := range a.w {
		if w > 0 || a.n[i] > 0 {
			k++
		}
	}
	return k
}

// connect joins a group's cells into as few connected areas as it can.
func (g *grid) connect(name string, cls []CellLoad) ([]*area, error) {
	in := make(map[h3cell.Cell]CellLoad, len(cls))
	for _, c := range cls {
		in[c.Cell] = c
	}
	for {
		comps, err := g.components(in)
		if err != nil {
			return nil, err
		}
		if len(comps) == 1 {
			break
		}
		path, err := g.bridge(name, in, comps[0])
		if err != nil {
			return nil, err
		}
		if path == nil { // cannot join: each component is its own area
			var out []*area
			for _, comp := range comps {
				sub := make(map[h3cell.Cell]CellLoad, len(comp))
				for _, c := range comp {
					sub[c] = in[c]
				}
				a, err := g.newArea(name, sub)
				if err != nil {
					return nil, err
				}
				out = append(out, a)
			}
			return out, nil
		}
		for _, c := range path {
			in[c] = CellLoad{Cell: c, Group: name}
			g.owner[c] = name
		}
	}
	a, err := g.newArea(name, in)
	if err != nil {
		return nil, err
	}
	return []*area{a}, nil
}

// components returns the connected components of in, the heaviest first,
// each sorted, so the result does not depend on map order.
func (g *grid) components(in map[h3cell.Cell]CellLoad) ([][]h3cell.Cell, error) {
	keys := make([]h3cell.Cell, 0, len(in))
	for c := range in {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	seen := make(map[h3cell.Cell]bool, len(in))
	var comps [][]h3cell.Cell
	var loads []float64
	for _, s := range keys {
		if seen[s] {
			continue
		}
		seen[s] = true
		comp := []h3cell.Cell{s}
		load := 0.0
		for q := 0; q < len(comp); q++ {
			load += in[comp[q]].WorkloadSeconds
			nb, err := g.neighbours(comp[q])
			if err != nil {
				return nil, err
			}
			for _, x := range nb {
				if _, ok := in[x]; ok && !seen[x] {
					seen[x] = true
					comp = append(comp, x)
				}
			}
		}
		slices.Sort(comp)
		comps = append(comps, comp)
		loads = append(loads, load)
	}
	idx := make([]int, len(comps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(loads[b], loads[a]) })
	out := make([][]h3cell.Cell, len(comps))
	for i, k := range idx {
		out[i] = comps[k]
	}
	return out, nil
}

// bridge finds the shortest path of free cells from comp to another cell of
// the group, or nil when none is found within maxBridgeVisits cells.
func (g *grid) bridge(name string, in map[h3cell.Cell]CellLoad, comp []h3cell.Cell) ([]h3cell.Cell, error) {
	from := make(map[h3cell.Cell]h3cell.Cell, 4*len(comp))
	inComp := make(map[h3cell.Cell]bool, len(comp))
	queue := append([]h3cell.Cell(nil), comp...)
	for _, c := range comp {
		inComp[c] = true
		from[c] = 0
	}
	for q := 0; q < len(queue) && len(from) < maxBridgeVisits; q++ {
		c := queue[q]
		nb, err := g.neighbours(c)
		if err != nil {
			return nil, err
		}
		for _, x := range nb {
			if _, seen := from[x]; seen {
				continue
			}
			if _, ok := in[x]; ok && !inComp[x] {
				var path []h3cell.Cell
				for p := c; !inComp[p]; p = from[p] {
					path = append(path, p)
				}
				return path, nil
			}
			if o, owned := g.owner[x]; owned && o != name {
				continue
			}
			from[x] = c
			queue = append(queue, x)
		}
	}
	return nil, nil
}

func (g *grid) newArea(name string, in map[h3cell.Cell]CellLoad) (*area, error) {
	a := &area{group: name}
	for c := range in {
		a.cells = append(a.cells, c)
	}
	slices.Sort(a.cells)
	idx := make(map[h3cell.Cell]int32, len(a.cells))
	for i, c := range a.cells {
		idx[c] = int32(i)
	}
	a.w = make([]float64, len(a.cells))
	a.n = make([]int, len(a.cells))
	a.centre = make([]orb.Point, len(a.cells))
	a.adj = make([][]int32, len(a.cells))
	for i, c := range a.cells {
		a.w[i] = in[c].WorkloadSeconds
		a.n[i] = in[c].Parcels
		p, err := c.Point()
		if err != nil {
			return nil, err
		}
		a.centre[i] = p
		nb, err := g.neighbours(c)
		if err != nil {
			return nil, err
		}
		for _, x := range nb {
			if j, ok := idx[x]; ok {
				a.adj[i] = append(a.adj[i], j)
			}
		}
	}
	return a, nil
}

// partition grows k zones in the area and balances them.
func (a *area) partition(k int, ratio float64, rng *rand.Rand) ([]Zone, error) {
	n := len(a.cells)
	k = max(1, min(k, a.loaded()))
	seeds := a.seeds(k, rng)
	zone := make([]int, n)
	for i := range zone {
		zone[i] = -1
	}
	load := make([]float64, k)
	fronts := make([]frontier, k)
	for z, s := range seeds {
		zone[s] = z
		load[z] = a.w[s]
		for _, j := range a.adj[s] {
			heap.Push(&fronts[z], item{int(j), geo.HaversineMeters(a.centre[j], a.centre[s])})
		}
	}
	left := n - k
	for left > 0 {
		best := -1
		for z := range k {
			for fronts[z].Len() > 0 && zone[fronts[z][0].cell] >= 0 {
				heap.Pop(&fronts[z])
			}
			if fronts[z].Len() > 0 && (best < 0 || load[z] < load[best]) {
				best = z
			}
		}
		if best < 0 {
			return nil, fmt.Errorf("%w: zoning left %d cells unreachable in a connected area", ErrInvalid, left)
		}
		c := heap.Pop(&fronts[best]).(item).cell
		zone[c] = best
		load[best] += a.w[c]
		left--
		for _, j := range a.adj[c] {
			if zone[j] < 0 {
				heap.Push(&fronts[best], item{int(j), geo.HaversineMeters(a.centre[j], a.centre[seeds[best]])})
			}
		}
	}
	a.balance(zone, load, ratio)
	zs := make([]Zone, k)
	for z := range zs {
		zs[z].Group = a.group
	}
	var sumLon, sumLat = make([]float64, k), make([]float64, k)
	for i, z := range zone {
		zs[z].Cells = append(zs[z].Cells, a.cells[i])
		zs[z].Parcels += a.n[i]
		zs[z].WorkloadSeconds += a.w[i]
		sumLon[z] += a.w[i] * a.centre[i][0]
		sumLat[z] += a.w[i] * a.centre[i][1]
	}
	for z := range zs {
		if zs[z].WorkloadSeconds > 0 {
			zs[z].Centre = orb.Point{sumLon[z] / zs[z].WorkloadSeconds, sumLat[z] / zs[z].WorkloadSeconds}
		} else {
			zs[z].Centre = a.centre[seeds[z]]
		}
	}
	return zs, nil
}

// seeds picks k loaded cells: the heaviest first, then each next with
// probability proportional to workload × squared distance to the nearest
// seed (k-means++ D² weighting, weighted by workload).
func (a *area) seeds(k int, rng *rand.Rand) []int {
	n := len(a.cells)
	first := 0
	for i := range n {
		if a.w[i] > a.w[first] {
			first = i
		}
	}
	seeds := []int{first}
	d2 := make([]float64, n)
	for i := range n {
		d := geo.HaversineMeters(a.centre[i], a.centre[first])
		d2[i] = d * d
	}
	for len(seeds) < k {
		total := 0.0
		for i := range n {
			total += a.w[i] * d2[i]
		}
		pick := -1
		if total > 0 {
			r := rng.Float64() * total
			for i := range n {
				r -= a.w[i] * d2[i]
				if r < 0 && a.w[i]*d2[i] > 0 {
					pick = i
					break
				}
			}
		}
		if pick < 0 { // all load sits on seeds: take any unused loaded cell
			for i := range n {
				if a.w[i] > 0 && !slices.Contains(seeds, i) {
					pick = i
					break
				}
			}
			if pick < 0 {
				break
			}
		}
		seeds = append(seeds, pick)
		for i := range n {
			d := geo.HaversineMeters(a.centre[i], a.centre[pick])
			d2[i] = min(d2[i], d*d)
		}
	}
	return seeds
}

// balance moves boundary cells from heavier to lighter neighbouring zones.
// A move takes a cell and, if its removal splits the donor, the pieces
// cut off from the donor's heaviest part (they stay connected through the
// moved cell), and is made when the receiver stays lighter than the donor
// was: every such move lowers the sum of squared loads. When no loaded
// move is left, empty cells move from heavier to lighter zones, which
// reshapes zones along bridges without changing loads; an empty cell only
// moves down the load order, so this ends too.
func (a *area) balance(zone []int, load []float64, ratio float64) {
	k := len(load)
	if k < 2 {
		return
	}
	type move struct {
		cell, to int
		score    float64
		empty    bool
	}
	var cands []move
	mark := make([]int, len(zone))
	stamp := 0
	var tail []int
	for range 50 * len(zone) {
		lo, hi := slices.Min(load), slices.Max(load)
		if lo > 0 && hi/lo <= ratio {
			return
		}
		cands = cands[:0]
		for c, from := range zone {
			for _, j := range a.adj[c] {
				to := zone[j]
				if to == from || load[to]+a.w[c] >= load[from] {
					continue
				}
				// Best first: the heaviest donor, then the lowest new pair
				// maximum; empty cells last, lightest receiver first.
				empty := a.w[c] <= 0
				score := -load[from]*1e3 + max(load[from]-a.w[c], load[to]+a.w[c])
				if empty {
					score = -load[from]*1e3 + load[to]
				}
				cands = append(cands, move{c, to, score, empty})
			}
		}
		slices.SortFunc(cands, func(x, y move) int {
			if x.empty != y.empty {
				if x.empty {
					return 1
				}
				return -1
			}
			if c := cmp.Compare(x.score, y.score); c != 0 {
				return c
			}
			if c := cmp.Compare(x.cell, y.cell); c != 0 {
				return c
			}
			return cmp.Compare(x.to, y.to)
		})
		moved := false
		for _, m := range cands {
			from := zone[m.cell]
			stamp++
			var w float64
			var ok bool
			tail, w, ok = a.cutOff(zone, from, m.cell, mark, stamp, tail[:0])
			if !ok {
				continue
			}
			w += a.w[m.cell]
			if m.empty && w > 0 || !m.empty && load[m.to]+w >= load[from] {
				continue // the cut-off pieces make the move a loss
			}
			zone[m.cell] = m.to
			for _, c := range tail {
				zone[c] = m.to
			}
			load[from] -= w
			load[m.to] += w
			moved = true
			break
		}
		if !moved {
			return
		}
	}
}

// cutOff finds what zone z loses besides cell drop when drop leaves it:
// the components of z without drop other than the heaviest, appended to
// dst with their load. ok is false when nothing of z would be left.
func (a *area) cutOff(zone []int, z, drop int, mark []int, stamp int, dst []int) ([]int, float64, bool) {
	comps, loads := a.comps[:0], a.loads[:0] // [start, end) in order; load
	defer func() { a.comps, a.loads = comps, loads }()
	order := dst
	for c, zz := range zone {
		if zz != z || c == drop || mark[c] == stamp {
			continue
		}
		start := len(order)
		mark[c] = stamp
		order = append(order, c)
		w := 0.0
		for q := start; q < len(order); q++ {
			w += a.w[order[q]]
			for _, j := range a.adj[order[q]] {
				if int(j) != drop && zone[j] == z && mark[j] != stamp {
					mark[j] = stamp
					order = append(order, int(j))
				}
			}
		}
		comps = append(comps, [2]int{start, len(order)})
		loads = append(loads, w)
	}
	if len(comps) == 0 {
		return dst, 0, false
	}
	keep := 0
	for i := range loads {
		if loads[i] > loads[keep] {
			keep = i
		}
	}
	out := dst[:0]
	total := 0.0
	for i, cp := range comps {
		if i == keep {
			continue
		}
		out = append(out, order[cp[0]:cp[1]]...)
		total += loads[i]
	}
	return out, total, true
}

type item struct {
	cell int
	dist float64
}

type frontier []item

func (f frontier) Len() int { return len(f) }
func (f frontier) Less(i, j int) bool {
	if f[i].dist != f[j].dist {
		return f[i].dist < f[j].dist
	}
	return f[i].cell < f[j].cell
}
func (f frontier) Swap(i, j int) { f[i], f[j] = f[j], f[i] }
func (f *frontier) Push(x any)   { *f = append(*f, x.(item)) }
func (f *frontier) Pop() any {
	old := *f
	x := old[len(old)-1]
	*f = old[:len(old)-1]
	return x
}

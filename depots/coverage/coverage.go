package coverage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	fielderr "github.com/lastmile-dev/lastmile/internal/field" // the package has a func field
	"github.com/paulmach/orb"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalid marks bad input: NaN or out-of-range coordinates, a
	// negative weight, radius or capacity, an empty input.
	ErrInvalid = errors.New("coverage: invalid input")
	// ErrInfeasible marks a coverage target that no choice of candidates
	// can reach.
	ErrInfeasible = errors.New("coverage: target cannot be reached")
)

// Demand is a demand point or an aggregated demand cell.
type Demand struct {
	Location orb.Point // [lon, lat], WGS-84
	// Weight is the demand in parcels per day (or population); ≥ 0.
	Weight float64
}

// Point is a pickup point (parcel locker, express store), an existing one or
// a candidate site.
type Point struct {
	ID       string
	Name     string    // optional, for reports
	Location orb.Point // [lon, lat], WGS-84
	// RadiusMeters is the service radius in walking metres; 0 means
	// Options.RadiusMeters.
	RadiusMeters float64
	// CapacityPerDay is how much demand (in Demand.Weight units per day) the
	// point can serve: compartments × daily turnover for a locker. 0 means
	// no capacity limit.
	CapacityPerDay float64
	// Cost is the cost of opening a candidate site, used by LSCP; 0 means 1,
	// so that LSCP counts sites.
	Cost float64
}

// Options tune Analyze and the site selection.
type Options struct {
	// RadiusMeters is the default service radius in walking metres, for
	// points whose RadiusMeters is 0.
	RadiusMeters float64
	// Circuity is walking distance / great-circle distance, ≥ 1. 0 means
	// DefaultCircuity; 1 means pure great-circle.
	Circuity float64
	// Resolution is the H3 resolution of the demand index and of the cells
	// reported; 0 chooses it from the largest radius with
	// h3cell.ResolutionForRadius.
	Resolution int
	// ZoneOf returns the zone (district) of a point and false outside every
	// zone; nil puts all demand in one zone, "all". It is called
	// concurrently. A zone.Index method value fits.
	ZoneOf func(p orb.Point) (string, bool)
	// HotSpots is how many uncovered hot spots to report; 0 means 20.
	HotSpots int
	// MaxPairs caps, per demand point, how many of its nearest reachable
	// points the capacity assignment considers; 0 means 32. Report.Truncated
	// counts the demand points that had more.
	MaxPairs int
	// Assignment chooses how demand is assigned within capacity.
	Assignment Assignment
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called (concurrently) with the number of demand
	// cells analysed so far and their total.
	Progress func(done, total int)
}

// Assignment is a method of assigning demand to points within capacity.
type Assignment int

const (
	// AssignAuto uses AssignMinCost when every weight is a whole number and
	// there are at most MinCostMaxPairs (demand, point) pairs, and
	// AssignGreedy otherwise.
	AssignAuto Assignment = iota
	// AssignGreedy is nearest-first greedy: pairs in increasing distance,
	// each given as much as both sides have left. Fast at any scale, but it
	// may serve less than the most possible.
	AssignGreedy
	// AssignMinCost solves the assignment as a min-cost flow
	// (depots/flow): the most demand served within capacity, and among
	// such assignments the least total walking distance. Weights must be
	// whole numbers.
	AssignMinCost
)

// MinCostMaxPairs is the largest number of (demand, point) pairs for which
// AssignAuto uses the min-cost flow.
const MinCostMaxPairs = 500_000

// NoZone is the zone of demand outside every zone, or of all demand when
// Options.ZoneOf is nil ("all").
const (
	NoZone  = "(none)"
	AllZone = "all"
)

// Report is the result of a coverage analysis. Demand is "covered" when it
// lies within reach of some point, ignoring capacity, and "served" when it
// is also assigned to a point within that point's capacity.
type Report struct {
	TotalDemand         float64 `json:"total_demand"`
	CoveredDemand       float64 `json:"covered_demand"`
	CoveredWithCapacity float64 `json:"covered_with_capacity"`
	DemandPoints        int     `json:"demand_points"`
	CoveredPoints       int     `json:"covered_points"` // demand points within reach
	// Assignment names the capacity assignment used.
	Assignment string `json:"assignment"`
	// Truncated counts demand points with more than Options.MaxPairs points
	// within reach; the assignment considered only their nearest ones.
	Truncated  int           `json:"truncated"`
	Resolution int           `json:"resolution"`
	DiskK      int           `json:"disk_k"` // H3 disk radius searched around each cell
	Points     []PointResult `json:"points"`
	Zones      []ZoneResult  `json:"zones"`
	Cells      []CellResult  `json:"-"`
	HotSpots   []CellResult  `json:"hot_spots"`

	// Nearest[i] is the index of the nearest point within reach of demand
	// point i, or -1; Served[i] is the demand of point i assigned within
	// capacity.
	Nearest []int32   `json:"-"`
	Served  []float64 `json:"-"`
}

// PointResult is one pickup point's share of the demand.
type PointResult struct {
	ID string `json:"id"`
	// ReachableDemand is all demand within the point's reach.
	ReachableDemand float64 `json:"reachable_demand"`
	// AssignedDemand is the demand assigned to the point within capacity.
	AssignedDemand float64 `json:"assigned_demand"`
	// CapacityPerDay is the point's capacity, 0 when unlimited.
	CapacityPerDay float64 `json:"capacity_per_day"`
}

// ZoneResult is the coverage of one zone.
type ZoneResult struct {
	Zone                string  `json:"zone"`
	TotalDemand         float64 `json:"total_demand"`
	CoveredDemand       float64 `json:"covered_demand"`
	CoveredWithCapacity float64 `json:"covered_with_capacity"`
}

// Cell statuses.
const (
	StatusCovered   = "covered"   // all demand within reach and served
	StatusCapacity  = "capacity"  // all demand within reach, some not served
	StatusPartial   = "partial"   // some demand within reach
	StatusUncovered = "uncovered" // no demand within reach
)

// CellResult aggregates the demand of one H3 cell, for maps and hot spots.
// Aggregates are computed from the exact per-point results.
type CellResult struct {
	Cell   h3cell.Cell `json:"-"`
	ID     string      `json:"cell"`
	Centre orb.Point   `json:"centre"`
	Demand float64     `json:"demand"`
	// Covered is the demand within reach, Served the part served within
	// capacity, Uncovered = Demand − Covered.
	Covered   float64 `json:"covered"`
	Served    float64 `json:"served"`
	Uncovered float64 `json:"uncovered"`
	Status    string  `json:"status"`
	// ServingPoint is the id of the point serving most of the cell's
	// demand, "" when none.
	ServingPoint string `json:"serving_point,omitempty"`
}

func (o *Options) circuity() float64 {
	if o.Circuity == 0 {
		return DefaultCircuity
	}
	return o.Circuity
}

func checkCoord(p orb.Point) bool {
	return p[1] >= -90 && p[1] <= 90 && p[0] >= -180 && p[0] <= 180 // false for NaN
}

// MaxCircuity bounds Options.Circuity: real walking routes are rarely more
// than three times the straight line, and a larger factor only hides a
// mistake.
const MaxCircuity = 10

func finiteNonNeg(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }

// validate checks opts, demand and points, and returns each point's
// great-circle reach in metres.
func validate(opts *Options, demand []Demand, points []Point, what string) ([]float64, error) {
	c := opts.Circuity
	if c != 0 && !(c >= 1 && c <= MaxCircuity) {
		return nil, fielderr.New(ErrInvalid, "circuity", "%v must be between 1 and %v", c, MaxCircuity)
	}
	if !finiteNonNeg(opts.RadiusMeters) {
		return nil, fielderr.New(ErrInvalid, "radius_meters", "%v m must be a finite number ≥ 0", opts.RadiusMeters)
	}
	if opts.Resolution < 0 || opts.Resolution > h3cell.MaxResolution {
		return nil, fielderr.New(ErrInvalid, "resolution", "%d outside 0..%d", opts.Resolution, h3cell.MaxResolution)
	}
	for i, d := range demand {
		if !checkCoord(d.Location) {
			return nil, fielderr.New(ErrInvalid, fmt.Sprintf("demand[%d].location", i), "[%v, %v] is not a valid [lon, lat]", d.Location[0], d.Location[1])
		}
		if !finiteNonNeg(d.Weight) {
			return nil, fielderr.New(ErrInvalid, fmt.Sprintf("demand[%d].weight", i), "%v must be a finite number ≥ 0", d.Weight)
		}
	}
	reach := make([]float64, len(points))
	circ := opts.circuity()
	seen := make(map[string]int, len(points))
	// The list's name in a path: "points", "candidates", "existing_points".
	list := strings.ReplaceAll(what, " ", "_") + "s"
	for i, p := range points {
		bad := func(name, format string, args ...any) error {
			return fielderr.New(ErrInvalid, fmt.Sprintf("%s[%d]%s", list, i, name), format, args...)
		}
		if p.ID == "" {
			return nil, bad(".id", "%s %d has an empty id", what, i)
		}
		if prev, dup := seen[p.ID]; dup {
			return nil, bad(".id", "%ss %d and %d share the id %q", what, prev, i, p.ID)
		}
		seen[p.ID] = i
		if !checkCoord(p.Location) {
			return nil, bad(".location", "%s %q: [%v, %v] is not a valid [lon, lat]", what, p.ID, p.Location[0], p.Location[1])
		}
		if !finiteNonNeg(p.RadiusMeters) {
			return nil, bad(".radius_meters", "%s %q: radius %v m must be a finite number ≥ 0", what, p.ID, p.RadiusMeters)
		}
		if !(p.CapacityPerDay >= 0) { // +Inf is a legal "no limit"
			return nil, bad(".capacity_per_day", "%s %q: capacity %v must be ≥ 0", what, p.ID, p.CapacityPerDay)
		}
		if !finiteNonNeg(p.Cost) {
			return nil, bad(".cost", "%s %q: cost %v must be a finite number ≥ 0", what, p.ID, p.Cost)
		}
		r := p.RadiusMeters
		if r == 0 {
			r = opts.RadiusMeters
		}
		if r == 0 {
			return nil, bad(".radius_meters", "%s %q has no radius and no default radius was given", what, p.ID)
		}
		reach[i] = r / circ
	}
	return reach, nil
}

// resolution returns opts.Resolution or the one chosen for the largest reach.
func resolution(opts *Options, reach []float64) (int, error) {
	if opts.Resolution != 0 {
		return opts.Resolution, nil
	}
	m := 0.0
	for _, r := range reach {
		m = max(m, r)
	}
	if m == 0 {
		m = opts.RadiusMeters / opts.circuity()
	}
	if m == 0 {
		return 9, nil
	}
	return h3cell.ResolutionForRadius(m)
}

func capacity(p Point) float64 {
	if p.CapacityPerDay == 0 {
		return math.Inf(1)
	}
	return p.CapacityPerDay
}

func locations(points []Point) []orb.Point {
	out := make([]orb.Point, len(points))
	for i, p := range points {
		out[i] = p.Location
	}
	return out
}

func demandLocations(demand []Demand) []orb.Point {
	out := make([]orb.Point, len(demand))
	for i, d := range demand {
		out[i] = d.Location
	}
	return out
}

// Analyze computes the coverage of demand by points: which demand lies within
// walking reach of a point, and how much of it the points can serve within
// capacity, overall, per point, per zone and per H3 cell, and the uncovered
// hot spots.
//
// Demand is indexed by H3 cell at a resolution chosen from the radius; for
// each demand cell one H3 disk, wide enough to hold every point within reach
// (see diskRadius), gives the candidate points, and each demand point is
// then checked exactly against them (haversine × circuity). Cell aggregates
// are built from the exact per-point results afterwards.
//
// Capacity assignment follows opts.Assignment: a min-cost flow (the most
// demand served, then the least walking) or nearest-first greedy, where all
// (demand, point) pairs within reach are taken in increasing distance and
// each gets as much as both sides have left. With no capacities every
// covered demand point is served by its nearest point.
func Analyze(ctx context.Context, demand []Demand, points []Point, opts Options) (*Report, error) {
	if len(demand) == 0 {
		return nil, fmt.Errorf("%w: no demand points", ErrInvalid)
	}
	if len(points) == 0 {
		return nil, fmt.Errorf("%w: no pickup points", ErrInvalid)
	}
	reach, err := validate(&opts, demand, points, "point")
	if err != nil {
		return nil, err
	}
	res, err := resolution(&opts, reach)
	if err != nil {
		return nil, err
	}
	ix, err := newPointIndex(locations(points), reach, res)
	if err != nil {
		return nil, err
	}
	dpts := demandLocations(demand)
	dc, err := groupDemand(ctx, dpts, res)
	if err != nil {
		return nil, err
	}
	return analyze(ctx, demand, dpts, points, ix, dc, &opts)
}

// pair is a (demand, point) pair within reach, keyed by distance for the
// radix sort: key is the bit pattern of the haversine term, which orders
// like the distance because the term is non-negative.
type pair struct {
	key    uint64
	demand int32
	point  int32
}

type analyzeVisitor struct {
	nearest   []int32
	weight    []Demand
	reachable []float64 // this worker's scratch: per-point reachable demand in the chunk
	touched   *[]int32  // this worker's scratch: points with reachable > 0
	sums      *[]share  // this chunk's per-point reachable demand, flushed at its end
	pairs     *[]pair   // this chunk's pairs, nil when no capacity applies
	maxPairs  int
	truncated *int
}

// chunkDone moves the chunk's reachable demand from the worker's scratch
// to the chunk's own list, so that the totals are summed in chunk order
// whatever the schedule, and come out the same on every run.
func (v *analyzeVisitor) chunkDone() {
	for _, j := range *v.touched {
		*v.sums = append(*v.sums, share{site: j, amt: v.reachable[j]})
		v.reachable[j] = 0
	}
	*v.touched = (*v.touched)[:0]
}

func (v *analyzeVisitor) visit(di int32, hits []hit) {
	w := v.weight[di].Weight
	if len(hits) == 0 {
		v.nearest[di] = -1
		return
	}
	best := 0
	for i := range hits {
		j := hits[i].point
		if v.reachable[j] == 0 && w > 0 {
			*v.touched = append(*v.touched, j)
		}
		v.reachable[j] += w
		if hits[i].h < hits[best].h || (hits[i].h == hits[best].h && hits[i].point < hits[best].point) {
			best = i
		}
	}
	v.nearest[di] = hits[best].point
	if v.pairs == nil || w == 0 {
		return
	}
	if len(hits) > v.maxPairs {
		slices.SortFunc(hits, cmpHit)
		hits = hits[:v.maxPairs]
		*v.truncated++
	}
	for _, h := range hits {
		*v.pairs = append(*v.pairs, pair{key: math.Float64bits(h.h), demand: di, point: h.point})
	}
}

func cmpHit(a, b hit) int {
	switch {
	case a.h < b.h:
		return -1
	case a.h > b.h:
		return 1
	}
	return int(a.point - b.point)
}

func analyze(ctx context.Context, demand []Demand, dpts []orb.Point, points []Point, ix *pointIndex, dc *demandCells, opts *Options) (*Report, error) {
	workers := numWorkers(opts.Workers)
	maxPairs := opts.MaxPairs
	if maxPairs <= 0 {
		maxPairs = 32
	}
	capped := false
	for _, p := range points {
		capped = capped || !math.IsInf(capacity(p), 1)
	}
	rep := &Report{
		DemandPoints: len(demand),
		Resolution:   ix.res,
		DiskK:        ix.k,
		Nearest:      make([]int32, len(demand)),
		Served:       make([]float64, len(demand)),
	}
	nChunks := dc.chunks()
	chunkPairs := make([][]pair, nChunks)
	truncated := make([]int, nChunks)
	reachable := make([][]float64, workers)
	touched := make([][]int32, workers)
	for w := range reachable {
		reachable[w] = make([]float64, len(points))
	}
	sums := make([][]share, nChunks)
	err := ix.scan(ctx, dpts, dc, workers, opts.Progress, func(worker, chunk int) visitor {
		v := &analyzeVisitor{nearest: rep.Nearest, weight: demand, reachable: reachable[worker],
			touched: &touched[worker], sums: &sums[chunk], maxPairs: maxPairs, truncated: &truncated[chunk]}
		if capped {
			v.pairs = &chunkPairs[chunk]
		}
		return v
	})
	if err != nil {
		return nil, err
	}
	for _, t := range truncated {
		rep.Truncated += t
	}
	assigned := make([]float64, len(points))
	primary := rep.Nearest // the point serving (most of) each demand point
	if capped {
		method, err := chooseAssignment(opts.Assignment, demand, chunkPairs, rep.Truncated)
		if err != nil {
			return nil, err
		}
		if method == AssignMinCost {
			rep.Assignment = "min-cost flow"
			primary, err = assignMinCost(ctx, demand, points, chunkPairs, rep.Served, assigned, opts.circuity())
		} else {
			rep.Assignment = "nearest-first greedy"
			primary = assignGreedy(demand, points, chunkPairs, rep.Served, assigned)
		}
		if err != nil {
			return nil, err
		}
	} else {
		rep.Assignment = "nearest (no capacities)"
		for i, j := range rep.Nearest {
			if j >= 0 {
				rep.Served[i] = demand[i].Weight
				assigned[j] += demand[i].Weight
			}
		}
	}
	rep.Points = make([]PointResult, len(points))
	for _, c := range sums {
		for _, s := range c {
			rep.Points[s.site].ReachableDemand += s.amt
		}
	}
	for j, p := range points {
		r := PointResult{ID: p.ID, AssignedDemand: assigned[j], CapacityPerDay: p.CapacityPerDay,
			ReachableDemand: rep.Points[j].ReachableDemand}
		if math.IsInf(r.CapacityPerDay, 1) {
			r.CapacityPerDay = 0
		}
		rep.Points[j] = r
	}
	for i, d := range demand {
		rep.TotalDemand += d.Weight
		if rep.Nearest[i] >= 0 {
			rep.CoveredDemand += d.Weight
			rep.CoveredPoints++
		}
		rep.CoveredWithCapacity += rep.Served[i]
	}
	if err := rep.zones(ctx, demand, opts); err != nil {
		return nil, err
	}
	if err := rep.cells(demand, points, dc, primary); err != nil {
		return nil, err
	}
	rep.hotSpots(opts.HotSpots)
	return rep, nil
}

// assignGreedy serves demand nearest-first within capacity and returns, for
// each demand point, the point that took its first (nearest) share, or -1.
func assignGreedy(demand []Demand, points []Point, chunkPairs [][]pair, served, assigned []float64) []int32 {
	all := sortPairs(chunkPairs)
	for c := range chunkPairs {
		chunkPairs[c] = nil // sorted copy made; let the chunks go
	}
	left := make([]float64, len(points))
	for j, p := range points {
		left[j] = capacity(p)
	}
	primary := make([]int32, len(demand))
	for i := range primary {
		primary[i] = -1
	}
	for _, pr := range all {
		need := demand[pr.demand].Weight - served[pr.demand]
		a := min(need, left[pr.point])
		if a <= 0 {
			continue
		}
		served[pr.demand] += a
		left[pr.point] -= a
		assigned[pr.point] += a
		if primary[pr.demand] < 0 {
			primary[pr.demand] = pr.point
		}
	}
	return primary
}

// sortPairs returns the pairs of all chunks, in chunk order, sorted stably
// by key: an LSD radix sort with four 16-bit passes, linear in the number of
// pairs where a comparison sort of millions of pairs would dominate the
// analysis. The first pass reads the chunks directly, so the pairs are
// copied into only two buffers.
func sortPairs(chunks [][]pair) []pair {
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	a, b := make([]pair, n), make([]pair, n)
	count := make([]int, 1<<16+1)
	for pass, shift := 0, uint(0); shift < 64; pass, shift = pass+1, shift+16 {
		clear(count)
		scatter := func(src []pair) {
			for _, p := range src {
				count[(p.key>>shift)&0xffff+1]++
			}
		}
		if pass == 0 {
			for _, c := range chunks {
				scatter(c)
			}
		} else {
			scatter(a)
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		place := func(src []pair) {
			for _, p := range src {
				k := (p.key >> shift) & 0xffff
				b[count[k]] = p
				count[k]++
			}
		}
		if pass == 0 {
			for _, c := range chunks {
				place(c)
			}
		} else {
			place(a)
		}
		a, b = b, a
	}
	return a
}

func (rep *Report) zones(ctx context.Context, demand []Demand, opts *Options) error {
	if opts.ZoneOf == nil {
		rep.Zones = []ZoneResult{{Zone: AllZone, TotalDemand: rep.TotalDemand,
			CoveredDemand: rep.CoveredDemand, CoveredWithCapacity: rep.CoveredWithCapacity}}
		return nil
	}
	names := make([]string, len(demand))
	err := parallelChunks(ctx, len(demand), 1024, opts.Workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			z, ok := opts.ZoneOf(demand[i].Location)
			if !ok {
				z = NoZone
			}
			names[i] = z
		}
	})
	if err != nil {
		return err
	}
	byName := make(map[string]int)
	for i, d := range demand {
		k, ok := byName[names[i]]
		if !ok {
			k = len(rep.Zones)
			byName[names[i]] = k
			rep.Zones = append(rep.Zones, ZoneResult{Zone: names[i]})
		}
		z := &rep.Zones[k]
		z.TotalDemand += d.Weight
		if rep.Nearest[i] >= 0 {
			z.CoveredDemand += d.Weight
		}
		z.CoveredWithCapacity += rep.Served[i]
	}
	slices.SortFunc(rep.Zones, func(a, b ZoneResult) int { return cmpString(a.Zone, b.Zone) })
	return nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (rep *Report) cells(demand []Demand, points []Point, dc *demandCells, primary []int32) error {
	rep.Cells = make([]CellResult, len(dc.cells))
	type share struct {
		point int32
		w     float64
	}
	var shares []share
	for c, cell := range dc.cells {
		centre, err := cell.Point()
		if err != nil {
			return err
		}
		r := CellResult{Cell: cell, ID: cell.String(), Centre: centre}
		shares = shares[:0]
		members := dc.order[dc.start[c]:dc.start[c+1]]
		nCovered := 0
		for _, di := range members {
			w := demand[di].Weight
			r.Demand += w
			if rep.Nearest[di] >= 0 {
				r.Covered += w
				nCovered++
			}
			r.Served += rep.Served[di]
			if p := primary[di]; p >= 0 {
				k := slices.IndexFunc(shares, func(s share) bool { return s.point == p })
				if k < 0 {
					shares = append(shares, share{point: p})
					k = len(shares) - 1
				}
				shares[k].w += rep.Served[di]
			}
		}
		r.Uncovered = max(0, r.Demand-r.Covered)
		best := -1
		for k, s := range shares {
			if best < 0 || s.w > shares[best].w || (s.w == shares[best].w && s.point < shares[best].point) {
				best = k
			}
		}
		if best >= 0 {
			r.ServingPoint = points[shares[best].point].ID
		}
		const eps = 1e-9
		switch {
		case nCovered == 0:
			r.Status = StatusUncovered
		case nCovered < len(members):
			r.Status = StatusPartial
		case r.Covered-r.Served > eps*max(1, r.Covered):
			r.Status = StatusCapacity
		default:
			r.Status = StatusCovered
		}
		rep.Cells[c] = r
	}
	return nil
}

func (rep *Report) hotSpots(n int) {
	if n <= 0 {
		n = 20
	}
	hs := []CellResult{} // JSON [] when everything is covered, not null
	for _, c := range rep.Cells {
		if c.Uncovered > 0 {
			hs = append(hs, c)
		}
	}
	slices.SortFunc(hs, func(a, b CellResult) int {
		switch {
		case a.Uncovered > b.Uncovered:
			return -1
		case a.Uncovered < b.Uncovered:
			return 1
		}
		return cmpString(a.ID, b.ID)
	})
	if len(hs) > n {
		hs = hs[:n]
	}
	rep.HotSpots = hs
}

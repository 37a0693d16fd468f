package coverage

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

// Grid geometry safety factors. H3 cells are not regular hexagons: across the
// globe a cell's area is within about a factor two of the average at its
// resolution, so linear sizes are within about √2. The factors below are
// deliberately looser than that, and one more ring is added on top, so that
// the disk search never misses a point within reach (the brute-force tests
// check this on random instances).
const (
	circumFactor  = 1.5 // max centre-to-vertex distance / average edge length
	spacingFactor = 0.7 // min neighbour-centre distance / (√3 · average edge length)
)

// maxDiskK bounds the disk radius: a disk of k rings holds 3k(k+1)+1 cells.
const maxDiskK = 100

// hit is one pickup point within reach of a demand point, with the haversine
// term of their distance (smaller is nearer).
type hit struct {
	point int32
	h     float64
}

// pointIndex holds pickup points bucketed by H3 cell, with the disk radius
// that guarantees every point within reach of a demand cell is found.
type pointIndex struct {
	res    int
	k      int     // disk radius in grid steps
	padM   float64 // circumscribed radius bound of a cell, metres
	sites  []site
	hmax   []float64 // per point: haversine threshold of its reach
	dlat   []float64 // per point: latitude difference (radians) beyond which it is surely out of reach
	hpad   []float64 // per point: threshold of reach + padM, to prune by cell centre
	bucket map[h3cell.Cell][2]int32
	order  []int32 // point indices grouped by cell; bucket gives ranges
}

// diskRadius returns the number of grid steps k such that every point within
// reachM great-circle metres of a point in a cell lies in a cell at most k
// steps away. Two cell centres are at most reach + 2·circumradius apart, and
// in a hexagonal lattice with centre spacing s two centres k steps apart are
// at least k·s·√3/2 apart; one ring is added for distortion.
func diskRadius(reachM float64, res int) (k int, padM float64, err error) {
	e, err := h3cell.EdgeLengthMeters(res)
	if err != nil {
		return 0, 0, err
	}
	padM = circumFactor * e
	// No two points are further apart than half a great circle: a larger
	// reach (a huge --radius) covers the whole globe and needs no more rings.
	reachM = min(reachM, math.Pi*earthRadiusMeters)
	s := spacingFactor * math.Sqrt(3) * e
	k = int(math.Ceil((reachM+2*padM)/(s*math.Sqrt(3)/2))) + 1
	if k > maxDiskK {
		return 0, 0, fmt.Errorf("%w: a reach of %.0f m needs an H3 disk of %d rings at resolution %d; use a coarser resolution", ErrInvalid, reachM, k, res)
	}
	return k, padM, nil
}

// newPointIndex indexes pts, each with its great-circle reach in metres, at
// resolution res. It makes one cgo call per point.
func newPointIndex(pts []orb.Point, reachM []float64, res int) (*pointIndex, error) {
	maxReach := 0.0
	for _, r := range reachM {
		maxReach = max(maxReach, r)
	}
	k, pad, err := diskRadius(maxReach, res)
	if err != nil {
		return nil, err
	}
	ix := &pointIndex{
		res: res, k: k, padM: pad,
		sites:  make([]site, len(pts)),
		hmax:   make([]float64, len(pts)),
		dlat:   make([]float64, len(pts)),
		hpad:   make([]float64, len(pts)),
		bucket: make(map[h3cell.Cell][2]int32),
		order:  make([]int32, len(pts)),
	}
	cells := make([]h3cell.Cell, len(pts))
	count := make(map[h3cell.Cell]int32)
	for i, p := range pts {
		c, err := h3cell.FromPoint(p, res)
		if err != nil {
			return nil, fmt.Errorf("point %d: %w", i, err)
		}
		cells[i] = c
		count[c]++
		ix.sites[i] = prepare(p)
		ix.hmax[i] = reachH(reachM[i])
		// hav ≥ sin²(Δφ/2), so |Δφ| above the reach angle is out of reach;
		// the margin keeps the shortcut from ever deciding a borderline
		// case that hav alone would decide the other way.
		ix.dlat[i] = reachM[i]/earthRadiusMeters*(1+1e-9) + 1e-12
		ix.hpad[i] = reachH(reachM[i] + pad)
	}
	// Counting sort by cell, in first-seen order so the index is deterministic.
	var next int32
	for _, c := range cells {
		if _, ok := ix.bucket[c]; !ok {
			ix.bucket[c] = [2]int32{next, next}
			next += count[c]
		}
	}
	for i, c := range cells {
		r := ix.bucket[c]
		ix.order[r[1]] = int32(i)
		r[1]++
		ix.bucket[c] = r
	}
	return ix, nil
}

// reachable appends to dst the points among cand within reach of s, and
// returns the extended slice. It is the inner loop of every analysis: it
// allocates nothing when dst has room.
func (ix *pointIndex) reachable(dst []hit, s site, cand []int32) []hit {
	for _, j := range cand {
		if math.Abs(s.lat-ix.sites[j].lat) > ix.dlat[j] {
			continue
		}
		if h := hav(s, ix.sites[j]); h <= ix.hmax[j] {
			dst = append(dst, hit{point: j, h: h})
		}
	}
	return dst
}

// demandCells groups demand points by H3 cell.
type demandCells struct {
	cells  []h3cell.Cell
	start  []int32 // cell c holds order[start[c]:start[c+1]]
	order  []int32 // demand indices grouped by cell, ascending within a cell
	cellOf []int32 // demand index → cell number
}

// groupDemand computes the cell of every demand point at res and groups the
// points by cell (cells numbered in first-seen order).
func groupDemand(ctx context.Context, pts []orb.Point, res int) (*demandCells, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// One cgo call per batch, spread over GOMAXPROCS by h3cell.
	raw, err := h3cell.FromPoints(nil, pts, res)
	if err != nil {
		return nil, fmt.Errorf("demand: %w", err)
	}
	id := make(map[h3cell.Cell]int32, len(pts)/16+1)
	dc := &demandCells{cellOf: make([]int32, len(pts)), order: make([]int32, len(pts))}
	var counts []int32
	for i, c := range raw {
		n, ok := id[c]
		if !ok {
			n = int32(len(dc.cells))
			id[c] = n
			dc.cells = append(dc.cells, c)
			counts = append(counts, 0)
		}
		dc.cellOf[i] = n
		counts[n]++
	}
	dc.start = make([]int32, len(dc.cells)+1)
	for c, n := range counts {
		dc.start[c+1] = dc.start[c] + n
	}
	fill := append([]int32(nil), dc.start[:len(dc.cells)]...)
	for i, c := range dc.cellOf {
		dc.order[fill[c]] = int32(i)
		fill[c]++
	}
	return dc, nil
}

// chunkCells is the number of demand cells in a scan chunk: the unit of
// parallel work and of per-chunk result storage.
const chunkCells = 64

// chunks returns the number of scan chunks.
func (dc *demandCells) chunks() int { return (len(dc.cells) + chunkCells - 1) / chunkCells }

// visitor receives, for one demand point, every pickup point within reach.
// hits is only valid during the call.
type visitor interface {
	visit(demand int32, hits []hit)
}

// chunkDoner is implemented by visitors that want to know when their chunk
// is finished.
type chunkDoner interface{ chunkDone() }

// scan finds, for every demand point, the pickup points within reach, and
// calls the chunk's visitor with them. Cells are split into fixed chunks;
// newVisitor(chunk) is called once per chunk, so a visitor that writes into
// per-chunk storage yields results in a deterministic order whatever the
// goroutine schedule; worker (0 ≤ worker < workers) lets a visitor keep
// per-goroutine accumulators. One disk (one cgo call) is computed per
// demand cell.
func (ix *pointIndex) scan(ctx context.Context, pts []orb.Point, dc *demandCells, workers int,
	progress func(done, total int), newVisitor func(worker, chunk int) visitor) error {
	nCells := len(dc.cells)
	nChunks := dc.chunks()
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	fail := func(err error) { once.Do(func() { firstErr = err }) }
	err := parallelChunks(ctx, nChunks, 1, workers, func(worker, lo, hi int) {
		var disk []h3cell.Cell
		var cand []int32
		hits := make([]hit, 0, 64)
		for ch := lo; ch < hi; ch++ {
			v := newVisitor(worker, ch)
			for c := ch * chunkCells; c < min(nCells, (ch+1)*chunkCells); c++ {
				cell := dc.cells[c]
				centre, err := cell.Point()
				if err != nil {
					fail(err)
					return
				}
				cs := prepare(centre)
				disk, err = cell.AppendDisk(disk[:0], ix.k)
				if err != nil {
					fail(err)
					return
				}
				cand = cand[:0]
				for _, d := range disk {
					r, ok := ix.bucket[d]
					if !ok {
						continue
					}
					for _, j := range ix.order[r[0]:r[1]] {
						if hav(cs, ix.sites[j]) <= ix.hpad[j] {
							cand = append(cand, j)
						}
					}
				}
				for _, di := range dc.order[dc.start[c]:dc.start[c+1]] {
					hits = ix.reachable(hits[:0], prepare(pts[di]), cand)
					v.visit(di, hits)
				}
			}
			if d, ok := v.(chunkDoner); ok {
				d.chunkDone()
			}
			n := done.Add(int64(min(nCells, (ch+1)*chunkCells) - ch*chunkCells))
			if progress != nil {
				progress(int(n), nCells)
			}
		}
	})
	if err != nil {
		return err
	}
	return firstErr
}

// numWorkers returns workers, or GOMAXPROCS when workers ≤ 0.
func numWorkers(workers int) int {
	if workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return workers
}

// parallelChunks runs fn over [0, n) in chunks of size chunk on
// numWorkers(workers) goroutines, checking ctx between chunks. fn receives
// its goroutine's number.
func parallelChunks(ctx context.Context, n, chunk, workers int, fn func(worker, lo, hi int)) error {
	workers = numWorkers(workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(w, lo, min(n, lo+chunk))
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

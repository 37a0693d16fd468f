package coverage

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// instance is a covering problem over candidate sites: demand merged into
// units by coverage signature (the exact set of candidates within reach of
// each demand point), after removing the demand the existing points already
// cover or serve.
type instance struct {
	total       float64 // all demand
	base        float64 // demand covered (or served, capacitated) by existing points
	uncoverable float64 // residual demand no candidate reaches
	weight      []float64
	unitStart   []int32 // unit u is covered by candidates unitCand[unitStart[u]:unitStart[u+1]]
	unitCand    []int32
	candStart   []int32 // candidate j covers units candUnit[candStart[j]:candStart[j+1]]
	candUnit    []int32
	cost        []float64
	capacity    []float64 // +Inf when unlimited
	integral    bool      // every unit weight is an integer
}

func (in *instance) units() int           { return len(in.weight) }
func (in *instance) candidates() int      { return len(in.cost) }
func (in *instance) covers(j int) []int32 { return in.candUnit[in.candStart[j]:in.candStart[j+1]] }
func (in *instance) coveredBy(u int) []int32 {
	return in.unitCand[in.unitStart[u]:in.unitStart[u+1]]
}

// signatureVisitor records, for every demand point of a chunk, the sorted
// candidates within reach.
type signatureVisitor struct {
	demand []int32
	start  []int32
	cands  []int32
}

func (v *signatureVisitor) visit(di int32, hits []hit) {
	if len(v.start) == 0 {
		v.start = append(v.start, 0)
	}
	v.demand = append(v.demand, di)
	first := len(v.cands)
	for _, h := range hits {
		v.cands = append(v.cands, h.point)
	}
	slices.Sort(v.cands[first:])
	v.start = append(v.start, int32(len(v.cands)))
}

// newInstance builds the covering instance. residual[i] is the demand of
// point i still to be covered by new sites.
func newInstance(ctx context.Context, demand []Demand, residual []float64, candidates []Point, reach []float64,
	res int, opts *Options) (*instance, error) {
	in := &instance{
		cost:     make([]float64, len(candidates)),
		capacity: make([]float64, len(candidates)),
		integral: true,
	}
	for j, c := range candidates {
		in.cost[j] = c.Cost
		if in.cost[j] == 0 {
			in.cost[j] = 1
		}
		in.capacity[j] = capacity(c)
	}
	var pts []orb.Point
	var idx []int32 // position in pts → demand index
	for i, d := range demand {
		in.total += d.Weight
		in.base += d.Weight - residual[i]
		if residual[i] > 0 {
			pts = append(pts, d.Location)
			idx = append(idx, int32(i))
		}
	}
	in.unitStart = []int32{0}
	if len(pts) == 0 {
		in.finish()
		return in, nil
	}
	ix, err := newPointIndex(locations(candidates), reach, res)
	if err != nil {
		return nil, err
	}
	dc, err := groupDemand(ctx, pts, res)
	if err != nil {
		return nil, err
	}
	chunks := make([]*signatureVisitor, dc.chunks())
	err = ix.scan(ctx, pts, dc, opts.Workers, opts.Progress, func(_, chunk int) visitor {
		chunks[chunk] = &signatureVisitor{}
		return chunks[chunk]
	})
	if err != nil {
		return nil, err
	}
	// Merge demand points with equal signatures into units, in chunk order.
	seed := maphash.MakeSeed()
	byHash := make(map[uint64][]int32)
	for _, v := range chunks {
		if v == nil {
			continue
		}
		for k, di := range v.demand {
			sig := v.cands[v.start[k]:v.start[k+1]]
			w := residual[idx[di]]
			if len(sig) == 0 {
				in.uncoverable += w
				continue
			}
			h := hashSig(seed, sig)
			u := -1
			for _, c := range byHash[h] {
				if slices.Equal(in.coveredBy(int(c)), sig) {
					u = int(c)
					break
				}
			}
			if u < 0 {
				u = len(in.weight)
				in.weight = append(in.weight, 0)
				in.unitCand = append(in.unitCand, sig...)
				in.unitStart = append(in.unitStart, int32(len(in.unitCand)))
				byHash[h] = append(byHash[h], int32(u))
			}
			in.weight[u] += w
		}
	}
	in.finish()
	return in, nil
}

// finish computes integrality and the candidate → units lists from the
// unit → candidates lists.
func (in *instance) finish() {
	for _, w := range in.weight {
		in.integral = in.integral && w == math.Trunc(w)
	}
	nc := in.candidates()
	in.candStart = make([]int32, nc+1)
	for _, j := range in.unitCand {
		in.candStart[j+1]++
	}
	for j := range nc {
		in.candStart[j+1] += in.candStart[j]
	}
	in.candUnit = make([]int32, len(in.unitCand))
	fill := slices.Clone(in.candStart[:nc])
	for u := range in.weight {
		for _, j := range in.coveredBy(u) {
			in.candUnit[fill[j]] = int32(u)
			fill[j]++
		}
	}
}

// newInstanceFromSets builds an instance from explicit coverage sets:
// unit u of weight weights[u] is covered by the candidates sets[u] (sorted).
// Units no candidate covers count as uncoverable.
func newInstanceFromSets(weights []float64, sets [][]int32, candidates []Point) *instance {
	in := &instance{cost: make([]float64, len(candidates)), capacity: make([]float64, len(candidates)),
		integral: true, unitStart: []int32{0}}
	for j, c := range candidates {
		in.cost[j] = c.Cost
		if in.cost[j] == 0 {
			in.cost[j] = 1
		}
		in.capacity[j] = capacity(c)
	}
	for u, w := range weights {
		in.total += w
		if len(sets[u]) == 0 {
			in.uncoverable += w
			continue
		}
		in.weight = append(in.weight, w)
		in.unitCand = append(in.unitCand, sets[u]...)
		in.unitStart = append(in.unitStart, int32(len(in.unitCand)))
	}
	in.finish()
	return in
}

func hashSig(seed maphash.Seed, sig []int32) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var b [4]byte
	for _, j := range sig {
		b[0], b[1], b[2], b[3] = byte(j), byte(j>>8), byte(j>>16), byte(j>>24)
		h.Write(b[:])
	}
	return h.Sum64()
}

// coverState tracks, for a set of chosen candidates, how many chosen sites
// cover each unit and (through the sum of their indices) which one when only
// one does.
type coverState struct {
	in      *instance
	chosen  []bool
	count   []int32
	sum     []int64
	covered float64
}

func newCoverState(in *instance) *coverState {
	return &coverState{in: in, chosen: make([]bool, in.candidates()),
		count: make([]int32, in.units()), sum: make([]int64, in.units())}
}

func (s *coverState) add(j int) {
	s.chosen[j] = true
	for _, u := range s.in.covers(j) {
		if s.count[u] == 0 {
			s.covered += s.in.weight[u]
		}
		s.count[u]++
		s.sum[u] += int64(j)
	}
}

func (s *coverState) remove(j int) {
	s.chosen[j] = false
	for _, u := range s.in.covers(j) {
		s.count[u]--
		s.sum[u] -= int64(j)
		if s.count[u] == 0 {
			s.covered -= s.in.weight[u]
		}
	}
}

// gain is the weight of uncovered units j would cover.
func (s *coverState) gain(j int) float64 {
	g := 0.0
	for _, u := range s.in.covers(j) {
		if s.count[u] == 0 {
			g += s.in.weight[u]
		}
	}
	return g
}

// loss is the weight of units only j covers.
func (s *coverState) loss(j int) float64 {
	l := 0.0
	for _, u := range s.in.covers(j) {
		if s.count[u] == 1 {
			l += s.in.weight[u]
		}
	}
	return l
}

// exactCovered recomputes the covered weight from scratch, free of the
// rounding drift of incremental updates.
func (s *coverState) exactCovered() float64 {
	c := 0.0
	for u, n := range s.count {
		if n > 0 {
			c += s.in.weight[u]
		}
	}
	return c
}

// errorf wraps ErrInvalid.
func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

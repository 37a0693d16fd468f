package coverage

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// model is the covering problem SelectSites solves over candidate sites:
// demand merged into units by coverage signature (the exact set of
// candidates within reach of each demand point), after removing the demand
// the existing points already cover or serve.
type model struct {
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

func (m *model) units() int           { return len(m.weight) }
func (m *model) candidates() int      { return len(m.cost) }
func (m *model) covers(j int) []int32 { return m.candUnit[m.candStart[j]:m.candStart[j+1]] }
func (m *model) coveredBy(u int) []int32 {
	return m.unitCand[m.unitStart[u]:m.unitStart[u+1]]
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

// newModel builds the covering model. residual[i] is the demand of
// point i still to be covered by new sites.
func newModel(ctx context.Context, demand []Demand, residual []float64, candidates []Point, reach []float64,
	res int, opts *Options) (*model, error) {
	m := &model{
		cost:     make([]float64, len(candidates)),
		capacity: make([]float64, len(candidates)),
		integral: true,
	}
	for j, c := range candidates {
		m.cost[j] = c.Cost
		if m.cost[j] == 0 {
			m.cost[j] = 1
		}
		m.capacity[j] = capacity(c)
	}
	var pts []orb.Point
	var idx []int32 // position in pts → demand index
	for i, d := range demand {
		m.total += d.Weight
		m.base += d.Weight - residual[i]
		if residual[i] > 0 {
			pts = append(pts, d.Location)
			idx = append(idx, int32(i))
		}
	}
	m.unitStart = []int32{0}
	if len(pts) == 0 {
		m.finish()
		return m, nil
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
				m.uncoverable += w
				continue
			}
			h := hashSig(seed, sig)
			u := -1
			for _, c := range byHash[h] {
				if slices.Equal(m.coveredBy(int(c)), sig) {
					u = int(c)
					break
				}
			}
			if u < 0 {
				u = len(m.weight)
				m.weight = append(m.weight, 0)
				m.unitCand = append(m.unitCand, sig...)
				m.unitStart = append(m.unitStart, int32(len(m.unitCand)))
				byHash[h] = append(byHash[h], int32(u))
			}
			m.weight[u] += w
		}
	}
	m.finish()
	return m, nil
}

// finish computes integrality and the candidate → units lists from the
// unit → candidates lists.
func (m *model) finish() {
	for _, w := range m.weight {
		m.integral = m.integral && w == math.Trunc(w)
	}
	nc := m.candidates()
	m.candStart = make([]int32, nc+1)
	for _, j := range m.unitCand {
		m.candStart[j+1]++
	}
	for j := range nc {
		m.candStart[j+1] += m.candStart[j]
	}
	m.candUnit = make([]int32, len(m.unitCand))
	fill := slices.Clone(m.candStart[:nc])
	for u := range m.weight {
		for _, j := range m.coveredBy(u) {
			m.candUnit[fill[j]] = int32(u)
			fill[j]++
		}
	}
}

// newModelFromSets builds a model from explicit coverage sets:
// unit u of weight weights[u] is covered by the candidates sets[u] (sorted).
// Units no candidate covers count as uncoverable.
func newModelFromSets(weights []float64, sets [][]int32, candidates []Point) *model {
	m := &model{cost: make([]float64, len(candidates)), capacity: make([]float64, len(candidates)),
		integral: true, unitStart: []int32{0}}
	for j, c := range candidates {
		m.cost[j] = c.Cost
		if m.cost[j] == 0 {
			m.cost[j] = 1
		}
		m.capacity[j] = capacity(c)
	}
	for u, w := range weights {
		m.total += w
		if len(sets[u]) == 0 {
			m.uncoverable += w
			continue
		}
		m.weight = append(m.weight, w)
		m.unitCand = append(m.unitCand, sets[u]...)
		m.unitStart = append(m.unitStart, int32(len(m.unitCand)))
	}
	m.finish()
	return m
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
	m       *model
	chosen  []bool
	count   []int32
	sum     []int64
	covered float64
}

func newCoverState(m *model) *coverState {
	return &coverState{m: m, chosen: make([]bool, m.candidates()),
		count: make([]int32, m.units()), sum: make([]int64, m.units())}
}

func (s *coverState) add(j int) {
	s.chosen[j] = true
	for _, u := range s.m.covers(j) {
		if s.count[u] == 0 {
			s.covered += s.m.weight[u]
		}
		s.count[u]++
		s.sum[u] += int64(j)
	}
}

func (s *coverState) remove(j int) {
	s.chosen[j] = false
	for _, u := range s.m.covers(j) {
		s.count[u]--
		s.sum[u] -= int64(j)
		if s.count[u] == 0 {
			s.covered -= s.m.weight[u]
		}
	}
}

// gain is the weight of uncovered units j would cover.
func (s *coverState) gain(j int) float64 {
	g := 0.0
	for _, u := range s.m.covers(j) {
		if s.count[u] == 0 {
			g += s.m.weight[u]
		}
	}
	return g
}

// loss is the weight of units only j covers.
func (s *coverState) loss(j int) float64 {
	l := 0.0
	for _, u := range s.m.covers(j) {
		if s.count[u] == 1 {
			l += s.m.weight[u]
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
			c += s.m.weight[u]
		}
	}
	return c
}

// errorf wraps ErrInvalid.
func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

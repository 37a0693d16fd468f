package location

import (
	"errors"
	"math"
	"slices"

	"github.com/lastmile-dev/lastmile/depots/flow"
)

// Pricing open sets for SolveCFLP: exactly, by a transportation problem,
// or by a lower bound that spares one.

// eval returns the cost of opening exactly the facilities in open and
// serving all demand optimally, +Inf if that is infeasible, and updates
// the incumbent.
func (s *cflpSearch) eval(open []bool) float64 {
	key := boolKey(open)
	if e, ok := s.cache[key]; ok {
		return e.cost
	}
	var capOpen int64
	fixed := 0.0
	for i, o := range open {
		s.supply[i] = 0
		if o {
			s.supply[i] = s.p.Capacity[i]
			capOpen += s.p.Capacity[i]
			fixed += s.p.Fixed[i]
		}
	}
	c := math.Inf(1)
	var price []float64
	if capOpen >= s.demand && fixed < s.ub {
		tr, err := flow.Transport(s.ctx, s.supply, s.p.Demand, s.unit, flow.TransportOptions{})
		switch {
		case err == nil:
			c = fixed + tr.Cost
			price = tr.Price
			if c < s.ub {
				s.ub, s.best, s.bestTr = c, slices.Clone(open), tr
			}
		case errors.Is(err, flow.ErrInfeasible):
		case s.ctx.Err() != nil:
			// Cancelled: the search stops at its next clock check and
			// returns the incumbent; this set stays unpriced.
			return c
		default:
			if s.err == nil {
				s.err = err
			}
		}
	}
	s.cache[key] = evalEntry{cost: c, price: price}
	return c
}

func boolKey(open []bool) string {
	b := make([]byte, (len(open)+7)/8)
	for i, o := range open {
		if o {
			b[i/8] |= 1 << (i % 8)
		}
	}
	return string(b)
}

// hopeless reports whether the incumbent's capacity prices show that
// open set o cannot beat the incumbent.
func (s *cflpSearch) hopeless(o []bool) bool {
	if s.best == nil {
		return false
	}
	if _, ok := s.cache[boolKey(o)]; ok {
		return false // already priced: eval is free
	}
	price := s.cache[boolKey(s.best)].price
	return price != nil && s.pruned(s.dualBound(o, price))
}

// dualBound is a lower bound on the cost of open set o from the capacity
// prices of a priced set (weak LP duality, see flow.Transportation.Price;
// facilities that set did not open count at price 0). It costs O(N·|o|)
// instead of a transportation problem.
func (s *cflpSearch) dualBound(o []bool, price []float64) float64 {
	p, n := s.p, s.n
	lb := 0.0
	open := s.openBuf[:0]
	for i, on := range o {
		if on && p.Capacity[i] > 0 {
			open = append(open, i)
			lb += p.Fixed[i] - float64(p.Capacity[i])*price[i]
		}
	}
	s.openBuf = open
	for j := 0; j < n; j++ {
		d := p.Demand[j]
		if d == 0 {
			continue
		}
		best := math.Inf(1)
		for _, i := range open {
			best = min(best, s.unit[i*n+j]+price[i])
		}
		lb += float64(d) * best
	}
	return lb
}

// screened reports whether the Lagrangian bound of open set o shows it
// cannot cost less than c, so it need not be priced.
func (s *cflpSearch) screened(o []bool, c float64) bool {
	if s.lastV == nil {
		return false
	}
	lb := s.lastLam
	for i, on := range o {
		if on {
			lb += s.lastV[i]
		}
	}
	return lb >= c-pruneTol*math.Abs(c)
}

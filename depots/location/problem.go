package location

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrFormat reports an instance file that does not parse.
	ErrFormat = errors.New("location: bad instance format")
	// ErrInvalid reports a problem that is inconsistent: wrong lengths,
	// negative or non-finite data, p out of range.
	ErrInvalid = errors.New("location: invalid problem")
	// ErrInfeasible reports a problem with no feasible solution, such as
	// total capacity below total demand.
	ErrInfeasible = errors.New("location: infeasible problem")
)

// CFLP is a capacitated facility location problem with fixed costs: open
// a subset of M candidate facilities and serve the demand of N customers
// from them, within capacities, minimising fixed plus allocation cost.
type CFLP struct {
	// Capacity[i] is what facility i can serve, in demand units.
	Capacity []int64
	// Fixed[i] is the cost of opening facility i.
	Fixed []float64
	// Demand[j] is customer j's demand, in the same units.
	Demand []int64
	// Cost[i*N+j] is the cost of serving ALL of customer j's demand from
	// facility i (the OR-Library convention); serving a share x of it
	// costs x·Cost[i*N+j]. +Inf forbids the pair.
	Cost []float64
}

// M returns the number of candidate facilities.
func (p *CFLP) M() int { return len(p.Capacity) }

// N returns the number of customers.
func (p *CFLP) N() int { return len(p.Demand) }

// Validate checks lengths and values.
func (p *CFLP) Validate() error {
	m, n := p.M(), p.N()
	if m == 0 {
		return fmt.Errorf("%w: no facilities", ErrInvalid)
	}
	if len(p.Fixed) != m {
		return fmt.Errorf("%w: %d fixed costs for %d facilities", ErrInvalid, len(p.Fixed), m)
	}
	if len(p.Cost) != m*n {
		return fmt.Errorf("%w: %d costs for %d×%d", ErrInvalid, len(p.Cost), m, n)
	}
	var capTotal, demTotal int64
	for i := 0; i < m; i++ {
		if p.Capacity[i] < 0 {
			return fmt.Errorf("%w: facility number %d (index %d) capacity %d < 0", ErrInvalid, i+1, i, p.Capacity[i])
		}
		if f := p.Fixed[i]; math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return fmt.Errorf("%w: facility number %d (index %d) fixed cost %v", ErrInvalid, i+1, i, f)
		}
		capTotal += p.Capacity[i]
	}
	for j := 0; j < n; j++ {
		if p.Demand[j] < 0 {
			return fmt.Errorf("%w: customer number %d (index %d) demand %d < 0", ErrInvalid, j+1, j, p.Demand[j])
		}
		demTotal += p.Demand[j]
	}
	for k, c := range p.Cost {
		if math.IsNaN(c) || math.IsInf(c, -1) || c < 0 {
			return fmt.Errorf("%w: cost[%d] = %v", ErrInvalid, k, c)
		}
	}
	if capTotal < demTotal {
		return fmt.Errorf("%w: capacity %d < demand %d", ErrInfeasible, capTotal, demTotal)
	}
	return nil
}

// PMedian is a p-median problem: choose P of M candidate facilities to
// minimise the total distance from each of N customers to its nearest
// chosen facility.
type PMedian struct {
	N, M, P int
	// Dist[j*M+i] is the distance from customer j to facility i. For the
	// OR-Library instances customers and facilities are the same
	// vertices, so N == M and Dist is the shortest-path matrix; a
	// geo.Matrix's Seconds can be used as is. To weight customers (by
	// parcels a day, say), multiply row j by customer j's weight.
	Dist []int32
}

// Validate checks sizes and values.
func (p *PMedian) Validate() error {
	if p.N <= 0 || p.M <= 0 {
		return fmt.Errorf("%w: %d customers, %d facilities", ErrInvalid, p.N, p.M)
	}
	if p.P <= 0 || p.P > p.M {
		return fmt.Errorf("%w: p = %d with %d facilities", ErrInvalid, p.P, p.M)
	}
	if len(p.Dist) != p.N*p.M {
		return fmt.Errorf("%w: %d distances for %d×%d", ErrInvalid, len(p.Dist), p.N, p.M)
	}
	for k, d := range p.Dist {
		if d < 0 {
			return fmt.Errorf("%w: dist[%d] = %d < 0", ErrInvalid, k, d)
		}
	}
	return nil
}

// CPMP is a capacitated p-median problem: choose P of M candidate
// facilities and assign each customer wholly to one of them (single
// source) within capacities, minimising the total distance.
type CPMP struct {
	N, M, P int
	// Capacity[i] is what facility i can serve, in demand units.
	Capacity []int64
	// Demand[j] is customer j's demand.
	Demand []int64
	// Dist[j*M+i] is the cost of assigning customer j to facility i.
	Dist []int32
}

// Validate checks sizes and values.
func (p *CPMP) Validate() error {
	if p.N <= 0 || p.M <= 0 {
		return fmt.Errorf("%w: %d customers, %d facilities", ErrInvalid, p.N, p.M)
	}
	if p.P <= 0 || p.P > p.M {
		return fmt.Errorf("%w: p = %d with %d facilities", ErrInvalid, p.P, p.M)
	}
	if len(p.Dist) != p.N*p.M || len(p.Capacity) != p.M || len(p.Demand) != p.N {
		return fmt.Errorf("%w: inconsistent lengths", ErrInvalid)
	}
	for k, d := range p.Dist {
		if d < 0 {
			return fmt.Errorf("%w: dist[%d] = %d < 0", ErrInvalid, k, d)
		}
	}
	for i, c := range p.Capacity {
		if c < 0 {
			return fmt.Errorf("%w: facility number %d (index %d) capacity %d < 0", ErrInvalid, i+1, i, c)
		}
	}
	var dem int64
	for j, d := range p.Demand {
		if d < 0 {
			return fmt.Errorf("%w: customer number %d (index %d) demand %d < 0", ErrInvalid, j+1, j, d)
		}
		dem += d
	}
	// Necessary, not sufficient: the P largest capacities must hold it.
	caps := append([]int64(nil), p.Capacity...)
	sortDesc(caps)
	var top int64
	for _, c := range caps[:p.P] {
		top += c
	}
	if top < dem {
		return fmt.Errorf("%w: the %d largest capacities total %d < demand %d", ErrInfeasible, p.P, top, dem)
	}
	return nil
}

func sortDesc(a []int64) {
	for i := 1; i < len(a); i++ {
		for k := i; k > 0 && a[k] > a[k-1]; k-- {
			a[k], a[k-1] = a[k-1], a[k]
		}
	}
}

package depots

import (
	"errors"
	"fmt"
	"math"
)

// ErrBadAllocation is returned (wrapped) by Allocation.Verify.
var ErrBadAllocation = errors.New("depots: allocation breaks a constraint")

// Verify checks the allocation against the problem it was computed for,
// independently of how it was found: every assignment keeps its demand's
// promise, category and cold chain; no warehouse exceeds its daily,
// category or cold-chain capacity (to within 1e-6 parcel); each demand's
// served plus unserved volume is its volume (to within 0.001 parcel, the
// flow's unit); single-source allocations use one warehouse per demand;
// costs add up; and the bound is below the objective. The first breach is
// returned, wrapping ErrBadAllocation.
func (a *Allocation) Verify(p *AllocationProblem) error {
	const tol = 1e-6
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadAllocation}, args...)...)
	}
	W, D := len(p.Warehouses), len(p.Demand)
	if p.Matrix == nil || p.Matrix.N != W+D {
		return fmt.Errorf("%w: travel matrix does not match the problem", ErrInvalid)
	}
	wIndex := make(map[ID]int, W)
	for w := range p.Warehouses {
		wIndex[p.Warehouses[w].ID] = w
	}
	served := make([]float64, D)
	sources := make([]int, D)
	day := make([]float64, W)
	cold := make([]float64, W)
	cat := make([]map[string]float64, W)
	for w := range cat {
		cat[w] = map[string]float64{}
	}
	cost := 0.0
	for _, as := range a.Assignments {
		w, ok := wIndex[as.Facility]
		if !ok {
			return bad("assignment to unknown warehouse %q", as.Facility)
		}
		if as.Demand < 0 || as.Demand >= D {
			return bad("assignment of demand %d, problem has %d", as.Demand, D)
		}
		d, f := &p.Demand[as.Demand], &p.Warehouses[w]
		if !(as.Volume > 0) {
			return bad("demand %d from %s: volume %v", as.Demand, f.ID, as.Volume)
		}
		secs := p.Matrix.Seconds[w*p.Matrix.N+W+as.Demand]
		if d.PromiseSeconds > 0 && secs > d.PromiseSeconds {
			return bad("demand %d from %s takes %d s, promise %d s", as.Demand, f.ID, secs, d.PromiseSeconds)
		}
		if d.ColdChain && f.Capacity.ColdChain <= 0 {
			return bad("cold demand %d from %s, which has no cold chain", as.Demand, f.ID)
		}
		if _, ok := f.Capacity.PerCategory[d.Category]; len(f.Capacity.PerCategory) > 0 && !ok {
			return bad("demand %d of category %q from %s, which does not take it", as.Demand, d.Category, f.ID)
		}
		want := f.HandlingCost + p.Tariff.PerParcelKm*float64(p.Matrix.Meters[w*p.Matrix.N+W+as.Demand])/1000 + p.Tariff.PerParcelHour*float64(secs)/3600
		if math.Abs(as.CostPerParcel-want) > 1e-9*math.Max(1, want) {
			return bad("demand %d from %s: cost per parcel %v, tariff gives %v", as.Demand, f.ID, as.CostPerParcel, want)
		}
		served[as.Demand] += as.Volume
		sources[as.Demand]++
		day[w] += as.Volume
		cat[w][d.Category] += as.Volume
		if d.ColdChain {
			cold[w] += as.Volume
		}
		cost += as.Volume * as.CostPerParcel
	}
	for w := range p.Warehouses {
		f := &p.Warehouses[w]
		c := f.Capacity
		if day[w] > c.PerDay+tol {
			return bad("%s handles %v parcels, capacity %v", f.ID, day[w], c.PerDay)
		}
		if cold[w] > c.ColdChain+tol {
			return bad("%s handles %v cold parcels, cold-chain capacity %v", f.ID, cold[w], c.ColdChain)
		}
		for k, v := range cat[w] {
			if limit, ok := c.PerCategory[k]; ok && v > limit+tol {
				return bad("%s handles %v parcels of %q, cap %v", f.ID, v, k, limit)
			}
		}
	}
	unserved := make([]float64, D)
	for _, u := range a.Unserved {
		if u.Demand < 0 || u.Demand >= D || !(u.Volume > 0) {
			return bad("unserved entry %+v", u)
		}
		unserved[u.Demand] += u.Volume
	}
	for i := range p.Demand {
		if got := served[i] + unserved[i]; math.Abs(got-p.Demand[i].Volume) > 1.0/volumeScale {
			return bad("demand %d: served %v + unserved %v, volume %v", i, served[i], unserved[i], p.Demand[i].Volume)
		}
		if a.SingleSource && sources[i] > 1 {
			return bad("single-source demand %d has %d warehouses", i, sources[i])
		}
	}
	if math.Abs(cost-a.Cost) > 1e-6*math.Max(1, cost) || math.Abs(a.Cost-a.TransportCost-a.HandlingCost) > 1e-6*math.Max(1, cost) {
		return bad("cost %v (transport %v + handling %v), assignments give %v", a.Cost, a.TransportCost, a.HandlingCost, cost)
	}
	if a.LowerBound > a.Objective+1e-9*math.Max(1, a.Objective) || a.Gap < 0 {
		return bad("lower bound %v above objective %v", a.LowerBound, a.Objective)
	}
	return nil
}

package depots

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
)

func warehouse(id ID, perDay, handling float64) Facility {
	return Facility{ID: id, Kind: CloudWarehouse, Location: chongqingCentre, Capacity: Capacity{PerDay: perDay}, HandlingCost: handling, Operator: Shared}
}

func withCold(f Facility, cold float64) Facility { f.Capacity.ColdChain = cold; return f }

func withCategories(f Facility, caps map[string]float64) Facility {
	f.Capacity.PerCategory = caps
	return f
}

func demand(category string, volume float64) Demand {
	return Demand{Location: chongqingCentre, Category: category, Volume: volume}
}

func coldDemand(volume float64) Demand { d := demand("fresh", volume); d.ColdChain = true; return d }

func promised(d Demand, s int32) Demand { d.PromiseSeconds = s; return d }

// TestAllocateHandChecked solves small cases whose optimum was worked out by
// hand, splittable and single-source.
func TestAllocateHandChecked(t *testing.T) {
	tests := []struct {
		name       string
		warehouses []Facility
		demand     []Demand
		secs       [][]int32
		tariff     Tariff
		// wantSplit and wantSingle are the optimal costs; unserved volume
		// by reason is the same for both.
		wantSplit, wantSingle float64
		wantUnserved          map[Reason]float64
	}{
		{
			name:       "cheap warehouse fills, the rest goes to the dear one",
			warehouses: []Facility{warehouse("A", 10, 1), warehouse("B", 100, 3)},
			demand:     []Demand{demand("parcel", 6), demand("parcel", 8)},
			secs:       [][]int32{{100, 100}, {100, 100}},
			wantSplit:  10*1 + 4*3, // A full, B takes 4
			wantSingle: 8*1 + 6*3,  // the larger demand takes A
		},
		{
			name:       "promise excludes the cheap warehouse",
			warehouses: []Facility{warehouse("A", 100, 1), warehouse("B", 100, 2)},
			demand:     []Demand{promised(demand("parcel", 5), 600)},
			secs:       [][]int32{{900}, {300}},
			wantSplit:  10, wantSingle: 10,
		},
		{
			name:       "cold demand needs a cold chain",
			warehouses: []Facility{warehouse("A", 100, 1), withCold(warehouse("B", 100, 2), 50)},
			demand:     []Demand{coldDemand(5), demand("parcel", 5)},
			secs:       [][]int32{{10, 10}, {10, 10}},
			wantSplit:  5*2 + 5*1, wantSingle: 5*2 + 5*1,
		},
		{
			name:       "category cap",
			warehouses: []Facility{withCategories(warehouse("A", 100, 1), map[string]float64{"parcel": 100, "bulky": 2}), warehouse("B", 100, 2)},
			demand:     []Demand{demand("bulky", 5)},
			secs:       [][]int32{{10}, {10}},
			wantSplit:  2*1 + 3*2, wantSingle: 5 * 2,
		},
		{
			name:       "category not taken",
			warehouses: []Facility{withCategories(warehouse("A", 100, 1), map[string]float64{"parcel": 100})},
			demand:     []Demand{demand("bulky", 5), demand("parcel", 1)},
			secs:       [][]int32{{10, 10}},
			wantSplit:  1, wantSingle: 1,
			wantUnserved: map[Reason]float64{ReasonCategory: 5},
		},
		{
			name:       "cold chain capacity caps cold volume",
			warehouses: []Facility{withCold(warehouse("A", 100, 1), 3)},
			demand:     []Demand{coldDemand(5), demand("parcel", 4)},
			secs:       [][]int32{{10, 10}},
			tariff:     Tariff{UnservedPerParcel: 100},
			wantSplit:  3 + 4, wantSingle: 3 + 4, // the cold demand is topped up to 3
			wantUnserved: map[Reason]float64{ReasonCapacity: 2},
		},
		{
			name:       "more demand than capacity",
			warehouses: []Facility{warehouse("A", 10, 1)},
			demand:     []Demand{demand("parcel", 8), demand("parcel", 6)},
			secs:       [][]int32{{10, 10}},
			tariff:     Tariff{UnservedPerParcel: 100},
			wantSplit:  10, wantSingle: 10,
			wantUnserved: map[Reason]float64{ReasonCapacity: 4},
		},
		{
			name:         "no warehouse within the promise",
			warehouses:   []Facility{warehouse("A", 10, 1)},
			demand:       []Demand{promised(demand("parcel", 8), 60)},
			secs:         [][]int32{{100}},
			wantUnserved: map[Reason]float64{ReasonSLA: 8},
		},
		{
			name:         "no cold warehouse within the promise",
			warehouses:   []Facility{warehouse("A", 10, 1), withCold(warehouse("B", 10, 1), 10)},
			demand:       []Demand{promised(coldDemand(2), 60)},
			secs:         [][]int32{{10}, {100}},
			wantUnserved: map[Reason]float64{ReasonColdChain: 2},
		},
		{
			name:       "transport priced per km and hour",
			warehouses: []Facility{warehouse("A", 10, 0), warehouse("B", 10, 0)},
			demand:     []Demand{demand("parcel", 10)},
			secs:       [][]int32{{3600}, {1800}},
			tariff:     Tariff{PerParcelKm: 0.1, PerParcelHour: 1},
			wantSplit:  10 * (0.1*20 + 0.5), wantSingle: 10 * (0.1*20 + 0.5), // B: 20 km, half an hour
		},
	}
	for _, tt := range tests {
		metres := make([][]int32, len(tt.secs))
		for w := range metres {
			metres[w] = make([]int32, len(tt.secs[w]))
			for d := range metres[w] {
				metres[w][d] = 20000
			}
		}
		p := &AllocationProblem{Warehouses: tt.warehouses, Demand: tt.demand, Matrix: matrixFor(tt.secs, metres), Tariff: tt.tariff}
		for _, single := range []bool{false, true} {
			name, want := tt.name+"/splittable", tt.wantSplit
			if single {
				name, want = tt.name+"/single", tt.wantSingle
			}
			t.Run(name, func(t *testing.T) {
				a, err := Allocate(context.Background(), p, AllocateOptions{SingleSource: single})
				if err != nil {
					t.Fatalf("Allocate: %v", err)
				}
				checkAllocation(t, name, p, a)
				if math.Abs(a.Cost-want) > 1e-9 {
					t.Errorf("cost = %v, want %v", a.Cost, want)
				}
				got := map[Reason]float64{}
				for _, u := range a.Unserved {
					got[u.Reason] += u.Volume
				}
				for r, v := range tt.wantUnserved {
					if math.Abs(got[r]-v) > 1e-9 {
						t.Errorf("unserved for %s = %v, want %v", r, got[r], v)
					}
				}
				for r, v := range got {
					if _, ok := tt.wantUnserved[r]; !ok {
						t.Errorf("unserved for %s = %v, want none", r, v)
					}
				}
				if !single && a.Gap != 0 {
					t.Errorf("splittable gap = %v, want 0", a.Gap)
				}
			})
		}
	}
}

func TestAllocateErrors(t *testing.T) {
	good := func() *AllocationProblem {
		return &AllocationProblem{
			Warehouses: []Facility{warehouse("A", 10, 1)},
			Demand:     []Demand{demand("parcel", 1)},
			Matrix:     matrixFor([][]int32{{10}}, nil),
		}
	}
	tests := []struct {
		name   string
		mutate func(p *AllocationProblem)
	}{
		{"no matrix", func(p *AllocationProblem) { p.Matrix = nil }},
		{"matrix of the wrong size", func(p *AllocationProblem) { p.Matrix = geo.NewMatrix(3) }},
		{"negative matrix entry", func(p *AllocationProblem) { p.Matrix.Seconds[1] = -1 }},
		{"negative volume", func(p *AllocationProblem) { p.Demand[0].Volume = -1 }},
		{"NaN volume", func(p *AllocationProblem) { p.Demand[0].Volume = math.NaN() }},
		{"bad location", func(p *AllocationProblem) { p.Demand[0].Location[1] = 91 }},
		{"negative promise", func(p *AllocationProblem) { p.Demand[0].PromiseSeconds = -1 }},
		{"bad cell", func(p *AllocationProblem) { p.Demand[0].Cell = 12345 }},
		{"negative tariff", func(p *AllocationProblem) { p.Tariff.PerParcelKm = -1 }},
		{"infinite penalty", func(p *AllocationProblem) { p.Tariff.UnservedPerParcel = math.Inf(1) }},
		{"negative capacity", func(p *AllocationProblem) { p.Warehouses[0].Capacity.PerDay = -1 }},
		{"duplicate warehouse", func(p *AllocationProblem) {
			p.Warehouses = append(p.Warehouses, p.Warehouses[0])
			p.Matrix = geo.NewMatrix(3)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good()
			tt.mutate(p)
			_, err := Allocate(context.Background(), p, AllocateOptions{})
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Allocate(%s) error = %v, want ErrInvalid", tt.name, err)
			}
		})
	}
	if _, err := Allocate(context.Background(), good(), AllocateOptions{}); err != nil {
		t.Errorf("Allocate(good) error = %v", err)
	}
}

func TestAllocateCancelled(t *testing.T) {
	p := syntheticDay(t, 3, 200, 4, 0.7)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, single := range []bool{false, true} {
		if _, err := Allocate(ctx, p, AllocateOptions{SingleSource: single}); !errors.Is(err, context.Canceled) {
			t.Errorf("Allocate(cancelled, single=%v) error = %v, want context.Canceled", single, err)
		}
	}
}

// TestSingleSourceBoundOverDemand: one demand of 120 parcels and two
// warehouses of 80 and 50. Single-sourced, the best plan serves 80 from the
// first and leaves 40 unserved; the splittable LP serves all 120, so only a
// bound that knows one warehouse takes at most 80 proves the plan optimal.
func TestSingleSourceBoundOverDemand(t *testing.T) {
	p := &AllocationProblem{
		Warehouses: []Facility{warehouse("big", 80, 1), warehouse("small", 50, 1)},
		Demand:     []Demand{demand("parcel", 120)},
		Tariff:     Tariff{UnservedPerParcel: 10},
		Matrix:     matrixFor([][]int32{{600}, {600}}, nil),
	}
	a, err := Allocate(context.Background(), p, AllocateOptions{SingleSource: true})
	if err != nil {
		t.Fatal(err)
	}
	checkAllocation(t, "over-demand", p, a)
	// 80 parcels at handling 1, 40 at the penalty 10.
	if want := 80*1.0 + 40*10.0; math.Abs(a.Objective-want) > 1e-9 || math.Abs(a.LowerBound-want) > 1e-9 {
		t.Errorf("Allocate(over-demand) objective %v, lower bound %v; want both %v", a.Objective, a.LowerBound, want)
	}
}

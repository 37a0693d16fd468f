package depots

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb"
)

func TestAllocationGeoJSON(t *testing.T) {
	p := syntheticDay(t, 2, 60, 3, 0.5)
	p.Demand = append(p.Demand, Demand{Zone: "far", Location: orb.Point{108.5, 31.0}, Category: "parcel", Volume: 5, PromiseSeconds: 600})
	p = withMatrix(t, p, 30)
	a, err := Allocate(context.Background(), p, AllocateOptions{SingleSource: true})
	if err != nil {
		t.Fatal(err)
	}
	fc, err := a.GeoJSON(p)
	if err != nil {
		t.Fatal(err)
	}
	// 60 cells, the per-zone point and 3 warehouses.
	if want := 60 + 1 + 3; len(fc.Features) != want {
		t.Fatalf("GeoJSON has %d features, want %d", len(fc.Features), want)
	}
	main := map[string]string{} // cell → warehouse serving most of it
	for _, ft := range fc.Features[:61] {
		wid, _ := ft.Properties["warehouse"].(string)
		fill, _ := ft.Properties["fill"].(string)
		switch g := ft.Geometry.(type) {
		case orb.Polygon:
			if len(g) != 1 || len(g[0]) < 7 {
				t.Errorf("cell feature has polygon %v, want one hexagon ring", g)
			}
			c, _ := ft.Properties["cell"].(string)
			main[c] = wid
		case orb.Point:
			if ft.Properties["zone"] != "far" || wid != "" || fill != unservedColour || ft.Properties["unserved"] != 5.0 {
				t.Errorf("per-zone feature = %v, want the unserved far zone in grey", ft.Properties)
			}
			continue
		}
		want := unservedColour
		for w := range p.Warehouses {
			if string(p.Warehouses[w].ID) == wid {
				want = Colour(w)
			}
		}
		if fill != want {
			t.Errorf("cell of %q filled %s, want %s", wid, fill, want)
		}
	}
	// Single-source: every demand of a cell category is served by the
	// warehouse the feature names, or another one only for another category.
	for _, as := range a.Assignments {
		c := p.Demand[as.Demand].Cell.String()
		if _, ok := main[c]; !ok {
			t.Errorf("assignment to cell %s has no feature", c)
		}
	}
	for w, ft := range fc.Features[61:] {
		if ft.Properties["id"] != string(p.Warehouses[w].ID) || ft.Properties["marker-color"] != Colour(w) {
			t.Errorf("warehouse feature %d = %v", w, ft.Properties)
		}
	}
	bad := *a
	bad.Assignments = append([]Assignment{{Demand: 0, Facility: "nowhere", Volume: 1}}, a.Assignments...)
	if _, err := bad.GeoJSON(p); !errors.Is(err, ErrInvalid) {
		t.Errorf("GeoJSON with an unknown warehouse: error %v, want ErrInvalid", err)
	}
}

func TestVerifyCatchesBreaches(t *testing.T) {
	p := &AllocationProblem{
		Warehouses: []Facility{warehouse("A", 10, 1), withCold(warehouse("B", 10, 2), 5)},
		Demand:     []Demand{promised(demand("parcel", 6), 600), coldDemand(3)},
		Matrix:     matrixFor([][]int32{{100, 100}, {900, 100}}, nil),
	}
	a, err := Allocate(context.Background(), p, AllocateOptions{SingleSource: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Verify(p); err != nil {
		t.Fatalf("Verify(good) = %v", err)
	}
	tests := []struct {
		name   string
		mutate func(a *Allocation)
	}{
		{"broken promise", func(a *Allocation) { a.Assignments[0].Facility = "B"; a.Assignments[0].CostPerParcel = 2 }},
		{"cold without cold chain", func(a *Allocation) { a.Assignments[1].Facility = "A"; a.Assignments[1].CostPerParcel = 1 }},
		{"over capacity", func(a *Allocation) {
			a.Assignments[0].Volume = 16
		}},
		{"volume lost", func(a *Allocation) { a.Assignments[0].Volume = 5 }},
		{"two sources", func(a *Allocation) {
			a.Assignments[0].Volume = 5
			a.Assignments = append(a.Assignments, Assignment{Demand: 0, Facility: "A", Volume: 1, CostPerParcel: 1})
		}},
		{"wrong cost", func(a *Allocation) { a.Cost += 1 }},
		{"bound above objective", func(a *Allocation) { a.LowerBound = a.Objective + 1 }},
		{"unknown warehouse", func(a *Allocation) { a.Assignments[0].Facility = "Z" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := *a
			b.Assignments = append([]Assignment(nil), a.Assignments...)
			b.Unserved = append([]Unserved(nil), a.Unserved...)
			tt.mutate(&b)
			if err := b.Verify(p); !errors.Is(err, ErrBadAllocation) {
				t.Errorf("Verify(%s) = %v, want ErrBadAllocation", tt.name, err)
			}
		})
	}
}

// TestMixedCategoryCap covers a category with both cold and ambient demand
// at a capped warehouse, which the flow cannot model exactly: the cap must
// hold for both together, and the bound must stay below the result.
func TestMixedCategoryCap(t *testing.T) {
	w := withCategories(withCold(warehouse("A", 100, 1), 50), map[string]float64{"food": 10})
	cold := coldDemand(8)
	cold.Category = "food"
	p := &AllocationProblem{
		Warehouses: []Facility{w, warehouse("B", 100, 5)},
		Demand:     []Demand{demand("food", 8), cold},
		Matrix:     matrixFor([][]int32{{10, 10}, {10, 10}}, nil),
		Tariff:     Tariff{UnservedPerParcel: 50},
	}
	for _, single := range []bool{false, true} {
		a, err := Allocate(context.Background(), p, AllocateOptions{SingleSource: single})
		if err != nil {
			t.Fatal(err)
		}
		checkAllocation(t, "mixed", p, a)
		// A takes 10 food parcels at 1; the other 6 go: ambient to B at
		// 5, cold unserved at 50 (B has no cold chain). The optimum keeps
		// the cold food at A: 8 cold + 2 ambient at A, 6 ambient at B.
		if want := 10.0 + 6*5; !single && math.Abs(a.Objective-want) > 1e-6 {
			t.Errorf("splittable objective = %v, want %v", a.Objective, want)
		}
		if a.LowerBound > a.Objective {
			t.Errorf("bound %v above objective %v", a.LowerBound, a.Objective)
		}
	}
}

func TestAggregateByCell(t *testing.T) {
	a, b := orb.Point{106.5775, 29.5575}, orb.Point{106.5776, 29.5576} // same res-8 cell
	far := orb.Point{106.45, 29.60}
	points := []Demand{
		{Zone: "yuzhong", Location: a, Category: "general", Volume: 1, PromiseSeconds: 7200},
		{Zone: "yuzhong", Location: b, Category: "general", Volume: 2, PromiseSeconds: 7200},
		{Zone: "yuzhong", Location: b, Category: "fresh", Volume: 1, ColdChain: true, PromiseSeconds: 2700},
		{Zone: "shapingba", Location: far, Category: "general", Volume: 4, PromiseSeconds: 7200},
	}
	got, err := AggregateByCell(points, 8)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := h3cell.FromPoint(a, 8)
	if len(got) != 3 || got[0].Cell != ca || got[0].Volume != 3 || got[1].Volume != 1 || !got[1].ColdChain || got[2].Volume != 4 || got[2].Zone != "shapingba" {
		t.Fatalf("AggregateByCell = %+v", got)
	}
	if centre, _ := ca.Point(); got[0].Location != centre {
		t.Errorf("location = %v, want the cell centre %v", got[0].Location, centre)
	}
	if _, err := AggregateByCell([]Demand{{Location: orb.Point{0, 100}, Volume: 1}}, 8); !errors.Is(err, ErrInvalid) {
		t.Errorf("AggregateByCell(bad point) error = %v, want ErrInvalid", err)
	}
}

// TestMovesDoNotAllocate guards the local search and the Lagrangian
// bound, the hot loops of single sourcing.
func TestMovesDoNotAllocate(t *testing.T) {
	p := syntheticDay(t, 4, 80, 4, 0.7)
	in, err := newModel(p)
	if err != nil {
		t.Fatal(err)
	}
	s := newSingleState(in)
	s.regret(in.cost)
	mult, use := make([]float64, in.W*(in.K+2)), make([]float64, in.W*(in.K+2))
	checks := map[string]func(){
		"shift":      func() { s.shift(3) },
		"swap":       func() { s.swap(1, 7) },
		"swapAny":    func() { s.swapAny(5) },
		"eject":      func() { s.eject(9) },
		"lagrangian": func() { in.lagrangian(mult, use) },
		"objective":  func() { s.objective() },
	}
	for name, f := range checks {
		if a := testing.AllocsPerRun(50, f); a != 0 {
			t.Errorf("%s allocs = %v, want 0", name, a)
		}
	}
}

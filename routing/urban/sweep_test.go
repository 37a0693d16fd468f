package urban

import (
	"slices"
	"testing"
)

func TestSweepGroups(t *testing.T) {
	tests := []struct {
		name     string
		bearings []float64 // of items 0, 1, …
		weights  []float64
		g        int
		heaviest float64 // the lightest heaviest run
	}{
		{"one group", []float64{0, 1, 2}, []float64{1, 1, 1}, 1, 3},
		{"even split", []float64{0, 1, 2, 3}, []float64{1, 1, 1, 1}, 2, 2},
		{"heavy ends", []float64{-3, -2, 2, 3}, []float64{5, 1, 1, 5}, 2, 6},
		{"one item each", []float64{0.5, 0.1, 0.3}, []float64{2, 7, 4}, 3, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := make([]int, len(tt.bearings))
			for i := range items {
				items[i] = i
			}
			groups := sweepGroups(items, func(i int) float64 { return tt.bearings[i] }, tt.weights, tt.g)
			if len(groups) != tt.g {
				t.Fatalf("%d groups, want %d", len(groups), tt.g)
			}
			var seen []int
			heaviest := 0.0
			for _, grp := range groups {
				w := 0.0
				for _, i := range grp {
					w += tt.weights[i]
				}
				heaviest = max(heaviest, w)
				seen = append(seen, grp...)
			}
			slices.Sort(seen)
			if !slices.Equal(seen, items) {
				t.Errorf("groups %v do not hold every item once", groups)
			}
			if heaviest != tt.heaviest {
				t.Errorf("groups %v: heaviest %v, want %v", groups, heaviest, tt.heaviest)
			}
		})
	}
}

package api

import (
	"maps"
	"testing"
)

func TestArrayLengths(t *testing.T) {
	paths := []string{"jobs", "vehicles", "matrix.durations", "matrices.*.durations", "matrix"}
	for _, tc := range []struct {
		name, body string
		want       map[string]int
	}{
		{"empty", `{}`, map[string]int{}},
		{"counts", `{"jobs":[{"id":"a","delivery":[1,2]},{"id":"b"}],"vehicles":[]}`, map[string]int{"jobs": 2, "vehicles": 0}},
		{"scalars", `{"jobs":[1, 2.5e3, "x,]", null, true]}`, map[string]int{"jobs": 5}},
		{"nested matrix", `{"matrix":{"durations":[[],[1,2],[]]}}`, map[string]int{"matrix.durations": 3}},
		{"vroom matrix", `{"matrix":[[0,1],[1,0]]}`, map[string]int{"matrix": 2}},
		{"profiles", `{"matrices":{"car":{"durations":[[0],[0],[0],[0]]}}}`, map[string]int{"matrices.*.durations": 4}},
		{"escaped quote in key and value", `{"a\"b":"jobs","jobs":["\"]",[]]}`, map[string]int{"jobs": 2}},
		{"not nested in arrays", `{"x":[{"jobs":[1,2,3]}]}`, map[string]int{}},
		{"deeper keys ignored", `{"vehicles":[{"jobs":[1]}]}`, map[string]int{"vehicles": 1}},
		{"truncated", `{"jobs":[{"id":"a"},{"id"`, map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := arrayLengths([]byte(tc.body), paths...); !maps.Equal(got, tc.want) {
				t.Errorf("arrayLengths(%s) = %v, want %v", tc.body, got, tc.want)
			}
		})
	}
}

func FuzzArrayLengths(f *testing.F) {
	f.Add([]byte(`{"jobs":[{"id":"a"}],"matrix":{"durations":[[0]]}}`))
	f.Add([]byte(`{"jobs":"[[["}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for k, n := range arrayLengths(body, "jobs", "matrix.durations", "matrices.*.durations") {
			if n < 0 || n > len(body) {
				t.Errorf("%s: %d elements in %d bytes", k, n, len(body))
			}
		}
	})
}

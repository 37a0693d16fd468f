package geo

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestReadMatrixJSON(t *testing.T) {
	m, err := ReadMatrixJSON(strings.NewReader(`{"code":"Ok","durations":[[0,120.4],[130.5,0]],"distances":[[0,900],[950,0]],"sources":[{}],"destinations":[{}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 2 || m.Duration(0, 1) != 120 || m.Duration(1, 0) != 131 || m.Distance(1, 0) != 950 {
		t.Errorf("ReadMatrixJSON = %+v, want 2×2 with 120 s, 131 s, 950 m", m)
	}
	var buf bytes.Buffer
	if err := WriteMatrixJSON(&buf, m); err != nil {
		t.Fatal(err)
	}
	again, err := ReadMatrixJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for k := range m.Seconds {
		if again.Seconds[k] != m.Seconds[k] || again.Meters[k] != m.Meters[k] {
			t.Fatalf("round trip entry %d differs", k)
		}
	}
}

func TestReadMatrixJSONErrors(t *testing.T) {
	for _, tc := range []struct{ name, json, path string }{
		{"empty", ``, ""},
		{"not an object", `[1,2]`, ""},
		{"no durations", `{"distances":[[0]]}`, "durations"},
		{"no distances", `{"durations":[[0]]}`, "distances"},
		{"not square", `{"durations":[[0,1]],"distances":[[0,1]]}`, "durations[0]"},
		{"ragged", `{"durations":[[0,1],[1]],"distances":[[0,1],[1,0]]}`, "durations[1]"},
		{"size mismatch", `{"durations":[[0]],"distances":[[0,1],[1,0]]}`, "distances"},
		{"negative", `{"durations":[[0,-1],[1,0]],"distances":[[0,1],[1,0]]}`, "durations[0][1]"},
		{"null entry", `{"durations":[[0,null],[1,0]],"distances":[[0,1],[1,0]]}`, "durations[0][1]"},
		{"too large", `{"durations":[[0,1e12],[1,0]],"distances":[[0,1],[1,0]]}`, "durations[0][1]"},
		{"bad distance", `{"durations":[[0,1],[1,0]],"distances":[[0,1],[-1,0]]}`, "distances[1][0]"},
		{"string", `{"durations":[[0,"1"],[1,0]],"distances":[[0,1],[1,0]]}`, ""},
		{"osrm error", `{"code":"NoTable","message":"no table"}`, "code"},
		{"trailing", `{"durations":[[0]],"distances":[[0]]} {}`, ""},
		{"trailing bracket", `{"durations":[[0]],"distances":[[0]]} ]`, ""},
		{"null", `null`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadMatrixJSON(strings.NewReader(tc.json))
			if !errors.Is(err, ErrMatrix) {
				t.Fatalf("ReadMatrixJSON(%s) error = %v, want ErrMatrix", tc.json, err)
			}
			var fe *FieldError
			if got := errors.As(err, &fe); got != (tc.path != "") {
				t.Fatalf("ReadMatrixJSON(%s) error %v: FieldError %v, want %v", tc.json, err, got, tc.path != "")
			}
			if fe != nil && fe.Path != tc.path {
				t.Errorf("ReadMatrixJSON(%s) error path = %q, want %q", tc.json, fe.Path, tc.path)
			}
		})
	}
}

func TestUserMatrix(t *testing.T) {
	m, err := ReadMatrixJSON(strings.NewReader(`{"durations":[[0,60],[70,0]],"distances":[[0,500],[600,0]]}`))
	if err != nil {
		t.Fatal(err)
	}
	src := UserMatrix{M: m}
	pts := []orb.Point{{106.5, 29.5}, {106.6, 29.6}}
	got, err := src.Matrix(context.Background(), pts)
	if err != nil || got.Duration(1, 0) != 70 {
		t.Fatalf("Matrix() = %v, %v", got, err)
	}
	got.Seconds[1] = 1 // a copy: the source is unchanged
	if m.Seconds[1] != 60 {
		t.Error("UserMatrix.Matrix returned the shared matrix, want a copy")
	}
	if _, err := src.Matrix(context.Background(), pts[:1]); !errors.Is(err, ErrMatrix) {
		t.Errorf("Matrix(1 point) for a 2×2 matrix: error %v, want ErrMatrix", err)
	}
}

func FuzzReadMatrixJSON(f *testing.F) {
	f.Add([]byte(`{"durations":[[0,60],[70,0]],"distances":[[0,500],[600,0]]}`))
	f.Add([]byte(`{"code":"Ok","durations":[[0.4]],"distances":[[0.6]]}`))
	f.Add([]byte(`{"durations":[[0,null],[1,0]],"distances":[[0,1],[1,0]]}`))
	f.Add([]byte(`{"durations":[],"distances":[]}`))
	f.Add([]byte(`{"durations":[[0,-1e400]],"distances":[[1]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMatrixJSON(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrMatrix) {
				t.Fatalf("error %v does not wrap ErrMatrix", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("ReadMatrixJSON accepted an invalid matrix: %v", err)
		}
		var buf bytes.Buffer
		if err := WriteMatrixJSON(&buf, m); err != nil {
			t.Fatal(err)
		}
		again, err := ReadMatrixJSON(&buf)
		if err != nil || again.N != m.N {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// A document of many empty rows is refused before the n² matrix is
// allocated.
func TestReadMatrixJSONEmptyRowsBomb(t *testing.T) {
	const n = MaxUserMatrixSize
	doc := `{"durations":[` + strings.Repeat("[],", n-1) + `[]],"distances":[` + strings.Repeat("[],", n-1) + `[]]}`
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadMatrixJSON(strings.NewReader(doc))
	runtime.ReadMemStats(&after)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "durations[0]" {
		t.Fatalf("ReadMatrixJSON(%d empty rows) = %v, want a field error at durations[0]", n, err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("allocated %d MB refusing a %d KB document", got>>20, len(doc)>>10)
	}
}

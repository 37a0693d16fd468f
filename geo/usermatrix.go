package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/internal/field"
)

// MaxUserMatrixSize bounds the number of locations ReadMatrixJSON accepts
// (a 20,000² matrix is 3.2 GB of int32s).
const MaxUserMatrixSize = 20000

// matrixJSON is the shape of OSRM's /table response; other fields of a
// pasted OSRM response (sources, destinations) are ignored.
type matrixJSON struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Durations [][]*float64 `json:"durations"`
	Distances [][]*float64 `json:"distances"`
}

// ReadMatrixJSON reads a user-supplied travel matrix:
//
//	{"durations": [[0, 120], [130, 0]], "distances": [[0, 900], [950, 0]]}
//
// durations in seconds and distances in metres, row i being the trips from
// location i: the shape of OSRM's /table response, so one can be pasted
// whole. Both arrays are required, square and of the same size; entries
// must be finite, non-negative, non-null numbers that fit in int32, and are
// rounded to the nearest integer. A "code" other than "Ok" is an error.
func ReadMatrixJSON(r io.Reader) (*Matrix, error) {
	var mj *matrixJSON
	dec := json.NewDecoder(r)
	if err := dec.Decode(&mj); err != nil {
		return nil, fmt.Errorf("%w: decode JSON: %w", ErrMatrix, err)
	}
	if mj == nil {
		return nil, fmt.Errorf("%w: null instead of a matrix object", ErrMatrix)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after the matrix object", ErrMatrix)
	}
	if mj.Code != "" && mj.Code != "Ok" {
		return nil, field.New(ErrMatrix, "code", "response code %q: %s", mj.Code, mj.Message)
	}
	if mj.Durations == nil {
		return nil, field.New(ErrMatrix, "durations", "missing array")
	}
	if mj.Distances == nil {
		return nil, field.New(ErrMatrix, "distances", "missing array (with OSRM, ask for annotations=duration,distance)")
	}
	n := len(mj.Durations)
	if len(mj.Distances) != n {
		return nil, field.New(ErrMatrix, "distances", "%d rows, but durations has %d", len(mj.Distances), n)
	}
	if n > MaxUserMatrixSize {
		return nil, field.New(ErrMatrix, "durations", "%d locations, at most %d", n, MaxUserMatrixSize)
	}
	// Check the shape before the n² allocation: 20,000 empty rows are a
	// 60 KB document that would otherwise ask for 3.2 GB.
	for _, rows := range []struct {
		name string
		rows [][]*float64
	}{{"durations", mj.Durations}, {"distances", mj.Distances}} {
		for i, row := range rows.rows {
			if len(row) != n {
				return nil, field.New(ErrMatrix, fmt.Sprintf("%s[%d]", rows.name, i), "%d entries, want %d (matrix must be square)", len(row), n)
			}
		}
	}
	m := NewMatrix(n)
	if err := fillRows(m.Seconds, mj.Durations, n, "durations", "seconds"); err != nil {
		return nil, err
	}
	if err := fillRows(m.Meters, mj.Distances, n, "distances", "metres"); err != nil {
		return nil, err
	}
	return m, nil
}

func fillRows(dst []int32, rows [][]*float64, n int, name, unit string) error {
	for i, row := range rows {
		for j, v := range row {
			if v == nil {
				return field.New(ErrMatrix, fmt.Sprintf("%s[%d][%d]", name, i, j), "null (no route)")
			}
			x := math.Round(*v)
			if !(x >= 0) || x > math.MaxInt32 {
				return field.New(ErrMatrix, fmt.Sprintf("%s[%d][%d]", name, i, j), "%v %s, want 0..%d", *v, unit, math.MaxInt32)
			}
			dst[i*n+j] = int32(x)
		}
	}
	return nil
}

// WriteMatrixJSON writes m in the form ReadMatrixJSON reads.
func WriteMatrixJSON(w io.Writer, m *Matrix) error {
	if err := m.Validate(); err != nil {
		return err
	}
	rows := func(v []int32) [][]int32 {
		out := make([][]int32, m.N)
		for i := range out {
			out[i] = v[i*m.N : (i+1)*m.N]
		}
		return out
	}
	return json.NewEncoder(w).Encode(struct {
		Durations [][]int32 `json:"durations"`
		Distances [][]int32 `json:"distances"`
	}{rows(m.Seconds), rows(m.Meters)})
}

// UserMatrix is a MatrixSource that serves a matrix the user supplied, for
// exactly the points it was built for, in the same order.
type UserMatrix struct {
	M *Matrix
}

var _ MatrixSource = UserMatrix{}

// Matrix returns a copy of the user's matrix. It is an error if the number
// of points differs from the matrix size: a silent mismatch would route on
// the wrong distances.
func (u UserMatrix) Matrix(ctx context.Context, points []orb.Point) (*Matrix, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := u.M.Validate(); err != nil {
		return nil, err
	}
	if len(points) != u.M.N {
		return nil, fmt.Errorf("%w: user matrix is %d×%d but there are %d points", ErrMatrix, u.M.N, u.M.N, len(points))
	}
	if err := ValidatePoints(points); err != nil {
		return nil, err
	}
	return &Matrix{N: u.M.N, Seconds: append([]int32(nil), u.M.Seconds...), Meters: append([]int32(nil), u.M.Meters...)}, nil
}

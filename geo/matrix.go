package geo

import (
	"context"
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/lastmile-dev/lastmile/internal/field"
)

// ErrMatrix is returned (wrapped) when a travel matrix is malformed.
var ErrMatrix = errors.New("geo: bad travel matrix")

// FieldError is a bad field of a decoded document: Path names it as a JSON
// path such as "durations[2][7]", Reason says what is wrong. ReadMatrixJSON's
// errors that name an entry or an array are *FieldError, found with
// errors.As; they also wrap ErrMatrix for errors.Is.
type FieldError = field.Error

// Matrix is a dense travel matrix between N indexed locations.
// Entry (i, j) is stored at i*N+j. It is not necessarily symmetric.
type Matrix struct {
	N       int
	Seconds []int32 // drive time from i to j in seconds
	Meters  []int32 // drive distance from i to j in metres
}

// NewMatrix returns a zeroed n×n matrix.
func NewMatrix(n int) *Matrix {
	return &Matrix{N: n, Seconds: make([]int32, n*n), Meters: make([]int32, n*n)}
}

// Duration returns the drive time from i to j in seconds.
func (m *Matrix) Duration(i, j int) Seconds { return Seconds(m.Seconds[i*m.N+j]) }

// Distance returns the drive distance from i to j in metres.
func (m *Matrix) Distance(i, j int) Meters { return Meters(m.Meters[i*m.N+j]) }

// Validate checks the matrix shape and that no entry is negative.
func (m *Matrix) Validate() error {
	if m == nil || m.N < 0 {
		return fmt.Errorf("%w: nil or negative size", ErrMatrix)
	}
	if len(m.Seconds) != m.N*m.N || len(m.Meters) != m.N*m.N {
		return fmt.Errorf("%w: want %d entries, have %d seconds and %d metres",
			ErrMatrix, m.N*m.N, len(m.Seconds), len(m.Meters))
	}
	for k := range m.Seconds {
		if m.Seconds[k] < 0 || m.Meters[k] < 0 {
			return fmt.Errorf("%w: negative entry at row %d column %d", ErrMatrix, k/m.N, k%m.N)
		}
	}
	return nil
}

// MatrixSource builds travel matrices between points ([lon, lat], WGS-84).
// Implementations: the great-circle model, the OSRM table client and
// user-supplied matrices.
type MatrixSource interface {
	Matrix(ctx context.Context, points []orb.Point) (*Matrix, error)
}

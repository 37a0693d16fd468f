package h3cell

/*
#cgo noescape lm_cells
#cgo nocallback lm_cells
#cgo noescape gridDisk
#cgo nocallback gridDisk
#include <stdint.h>

// H3's LatLng (radians) and latLngToCell, as declared in h3api.h. The
// definition is the C library compiled into github.com/uber/h3-go/v4 (built
// without H3_PREFIX), which this package links against anyway; declaring it
// here lets a whole batch cross into C once instead of once per point.
typedef struct { double lat; double lng; } lmLatLng;
extern uint32_t latLngToCell(const lmLatLng *g, int res, uint64_t *out);
// out must be zero-filled and hold 3k(k+1)+1 cells.
extern uint32_t gridDisk(uint64_t origin, int k, uint64_t *out);

// lm_cells indexes n points given as [lon, lat] degree pairs. It converts
// to radians with the caller's factor (h3-go's DegsToRads) so the cells are
// bit-identical to h3-go's. On an H3 error it stores the point's index in
// *bad and returns the error code.
static uint32_t lm_cells(const double *lonlat, long n, int res, double rad, uint64_t *out, long *bad) {
	for (long i = 0; i < n; i++) {
		lmLatLng g;
		g.lat = lonlat[2*i+1] * rad;
		g.lng = lonlat[2*i] * rad;
		uint32_t e = latLngToCell(&g, res, &out[i]);
		if (e != 0) {
			*bad = i;
			return e;
		}
	}
	return 0;
}
*/
import "C"

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// fromPointUnchecked is the single cgo call behind FromPoint; the caller
// has validated p and res. Unlike h3.LatLngToCell it does not allocate
// (lm_cells is declared noescape), which keeps ZoneIndex.Lookup at zero
// allocations.
func fromPointUnchecked(p orb.Point, res int) (Cell, error) {
	var out [1]Cell
	pts := [1]orb.Point{p}
	if err := fillCells(out[:], pts[:], res); err != nil {
		return 0, err
	}
	return out[0], nil
}

// appendDisk appends the disk of radius k around the valid cell c to dst
// with one cgo call into the caller's buffer; with capacity to spare it does
// not allocate.
func appendDisk(dst []Cell, c Cell, k int) ([]Cell, error) {
	size := 3*k*(k+1) + 1
	start := len(dst)
	dst = slices.Grow(dst, size)[:start+size]
	buf := dst[start:]
	clear(buf) // gridDisk requires a zero-filled output
	if e := C.gridDisk(C.uint64_t(c), C.int(k), (*C.uint64_t)(unsafe.Pointer(&buf[0]))); e != 0 {
		return dst[:start], fmt.Errorf("%w: disk of %v: H3 error code %d", ErrInvalid, c, uint32(e))
	}
	// Near a pentagon some slots stay zero; squeeze them out in place.
	n := start
	for _, x := range buf {
		if x != 0 {
			dst[n] = x
			n++
		}
	}
	return dst[:n], nil
}

// fillCells writes the cells of pts (validated by the caller) to out with a
// single cgo call: no per-point call overhead and no allocation.
func fillCells(out []Cell, pts []orb.Point, res int) error {
	if len(pts) == 0 {
		return nil
	}
	var bad C.long
	e := C.lm_cells(
		(*C.double)(unsafe.Pointer(&pts[0][0])), C.long(len(pts)), C.int(res), C.double(h3.DegsToRads),
		(*C.uint64_t)(unsafe.Pointer(&out[0])), &bad)
	if e != 0 {
		p := pts[bad]
		return fmt.Errorf("%w: point %d [%v, %v]: H3 error code %d", ErrInvalid, int(bad), p[0], p[1], uint32(e))
	}
	return nil
}

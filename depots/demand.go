package depots

import (
	"fmt"

	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/field"
)

// AggregateByCell sums point demand (for example one Demand per parcel) per
// H3 cell at resolution res, category, cold chain and promise. Each result
// has Cell set, Location at the cell centre and Zone kept when all its
// points share one (else ""). Results come in order of first appearance,
// so the same input gives the same output. Errors wrap ErrInvalid.
func AggregateByCell(points []Demand, res int) ([]Demand, error) {
	type key struct {
		cell     h3cell.Cell
		category string
		cold     bool
		promise  int32
	}
	index := map[key]int{}
	var out []Demand
	for i := range points {
		d := &points[i]
		if err := d.validate(); err != nil {
			return nil, field.Within(fmt.Sprintf("demand[%d]", i), err)
		}
		c, err := h3cell.FromPoint(d.Location, res)
		if err != nil {
			return nil, fmt.Errorf("%w: demand %d: %w", ErrInvalid, i, err)
		}
		k := key{c, d.Category, d.ColdChain, d.PromiseSeconds}
		j, ok := index[k]
		if !ok {
			centre, err := c.Point()
			if err != nil {
				return nil, fmt.Errorf("%w: demand %d: %w", ErrInvalid, i, err)
			}
			j = len(out)
			index[k] = j
			out = append(out, Demand{Cell: c, Zone: d.Zone, Location: centre, Category: d.Category, ColdChain: d.ColdChain, PromiseSeconds: d.PromiseSeconds})
		}
		if out[j].Zone != d.Zone {
			out[j].Zone = ""
		}
		out[j].Volume += d.Volume
	}
	return out, nil
}

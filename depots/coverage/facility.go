package coverage

import (
	"fmt"

	"github.com/lastmile-dev/lastmile/depots"
	fielderr "github.com/lastmile-dev/lastmile/internal/field" // the package has a func field
)

// PointsFromFacilities returns the pickup points (parcel lockers and express
// stores) of a depots network as coverage points, in network order: id,
// name, location, daily capacity (Capacity.PerDay, 0 for no limit) and
// fixed cost as the site cost. Other kinds are skipped. Facilities are
// validated first, so a bad one is an error wrapping depots.ErrInvalid, not
// a point with a NaN capacity. Service radii are not part of the network
// model: they come from Options.RadiusMeters.
func PointsFromFacilities(fs []depots.Facility) ([]Point, error) {
	var out []Point
	for i := range fs {
		f := &fs[i]
		if !f.Kind.IsPickupPoint() {
			continue
		}
		if err := f.Validate(); err != nil {
			return nil, fielderr.Within(fmt.Sprintf("facilities[%d]", i), err)
		}
		out = append(out, Point{ID: string(f.ID), Name: f.Name, Location: f.Location,
			CapacityPerDay: f.Capacity.PerDay, Cost: f.FixedCost})
	}
	return out, nil
}

package instance

import (
	"errors"
	"fmt"

	"github.com/lastmile-dev/lastmile/internal/field"
)

// ErrTooLarge is wrapped by Size.Check when a document asks for more than
// the limits allow.
var ErrTooLarge = errors.New("instance: problem too large")

// Size is what a JSON document asks the solver to hold, counted from the
// decoded document before any travel matrix is built, so that a service can
// refuse a problem before it allocates for it.
type Size struct {
	// Locations is the side of the travel matrix: the locations plus every
	// inline point, or the matrix rows.
	Locations int
	// Tasks counts jobs, and shipments twice (pickup and delivery).
	Tasks    int
	Vehicles int
	// SpeedProfiles counts the distinct vehicle speed factors other than
	// 1: the solver keeps one scaled copy of the duration matrix for each.
	SpeedProfiles int
}

// Size counts doc's locations, tasks, vehicles and speed profiles.
func (doc *Problem) Size() Size {
	s := Size{Vehicles: len(doc.Vehicles), Tasks: len(doc.Jobs) + 2*len(doc.Shipments)}
	s.Locations = len(doc.Locations)
	if doc.Matrix != nil {
		s.Locations = max(s.Locations, len(doc.Matrix.Durations))
	}
	inline := func(l *Location) {
		if l != nil && l.Point != nil {
			s.Locations++
		}
	}
	speeds := map[float64]bool{}
	for i := range doc.Vehicles {
		v := &doc.Vehicles[i]
		inline(v.Start)
		inline(v.End)
		if v.SpeedFactor != 0 && v.SpeedFactor != 1 {
			speeds[v.SpeedFactor] = true
		}
	}
	for i := range doc.Jobs {
		inline(&doc.Jobs[i].Location)
	}
	for i := range doc.Shipments {
		inline(&doc.Shipments[i].Pickup.Location)
		inline(&doc.Shipments[i].Delivery.Location)
	}
	s.SpeedProfiles = len(speeds)
	return s
}

// Bytes estimates the memory the solver needs for a problem of this size.
// The travel matrices dominate: durations and distances, 4 bytes an entry
// each, one more duration copy per speed profile; then the task-vehicle
// compatibility table and a few hundred bytes per task and vehicle.
func (s Size) Bytes() int64 {
	n := int64(s.Locations)
	matrices := n * n * 4 * int64(2+s.SpeedProfiles)
	return matrices + int64(s.Tasks)*int64(s.Vehicles) + 512*int64(s.Tasks+s.Vehicles+s.Locations)
}

// Limits bound the problems a service accepts. A zero field is no limit.
type Limits struct {
	MaxLocations int
	MaxBytes     int64
}

// Check returns a *FieldError wrapping ErrTooLarge, naming the part of the
// document that breaks a limit and the limit itself, or nil.
func (s Size) Check(l Limits) error {
	if l.MaxLocations > 0 && s.Locations > l.MaxLocations {
		return field.New(ErrTooLarge, "locations", "%d locations (with inline points and matrix rows), the limit is %d", s.Locations, l.MaxLocations)
	}
	if b := s.Bytes(); l.MaxBytes > 0 && b > l.MaxBytes {
		path := "locations"
		if s.Locations*s.Locations < s.Tasks*s.Vehicles {
			path = "vehicles"
		}
		if s.SpeedProfiles > 1 {
			path = "vehicles"
		}
		return field.New(ErrTooLarge, path, "the solver would need about %s (%d locations, %d tasks, %d vehicles, %d speed profiles), the limit is %s",
			mib(b), s.Locations, s.Tasks, s.Vehicles, s.SpeedProfiles, mib(l.MaxBytes))
	}
	return nil
}

func mib(b int64) string { return fmt.Sprintf("%d MiB", (b+(1<<20)-1)>>20) }

package geo

import (
	"errors"
	"fmt"
)

// ErrZoneClass is returned (wrapped) for an unknown zone class.
var ErrZoneClass = errors.New("geo: unknown zone class")

// ZoneClass is the travel class of a zone: it selects the circuity factor
// and speed of the great-circle travel model.
type ZoneClass string

// The travel classes. The empty class means "unclassified": the travel
// model gives such points its default class.
const (
	ClassUrbanCore     ZoneClass = "urban_core"
	ClassSuburban      ZoneClass = "suburban"
	ClassRuralMountain ZoneClass = "rural_mountain"
)

// ParseZoneClass returns the class named s; "" is the unclassified class.
func ParseZoneClass(s string) (ZoneClass, error) {
	switch c := ZoneClass(s); c {
	case "", ClassUrbanCore, ClassSuburban, ClassRuralMountain:
		return c, nil
	}
	return "", fmt.Errorf("%w %q (want urban_core, suburban or rural_mountain)", ErrZoneClass, s)
}

// UnmarshalText parses a class with ParseZoneClass, so decoding JSON
// rejects unknown classes.
func (c *ZoneClass) UnmarshalText(text []byte) error {
	v, err := ParseZoneClass(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

package instance

import (
	"encoding/json"
	"io"
	"strconv"
)

// Solution is the JSON solution lastmile writes (the CLI's `lastmile solve`
// output, and the API's solve response). Costs and lengths are in the
// instance's own units and convention, as recomputed by package check:
// Euclidean units for benchmark files, metres, seconds and currency units
// for JSON problems.
type Solution struct {
	Name     string  `json:"name,omitempty"`
	Cost     float64 `json:"cost"`
	Distance float64 `json:"distance"`
	Duration float64 `json:"duration"`
	// Vehicles is the number of routes used.
	Vehicles   int              `json:"vehicles"`
	Routes     []RouteJSON      `json:"routes"`
	Unassigned []UnassignedJSON `json:"unassigned"`
	// Feasible is the independent checker's verdict; Violations lists what
	// it found wrong, if anything.
	Feasible   bool     `json:"feasible"`
	Violations []string `json:"violations,omitempty"`
	TimeMS     int64    `json:"time_ms"`
	Seed       int64    `json:"seed"`
}

// RouteJSON is one vehicle's route.
type RouteJSON struct {
	Vehicle string `json:"vehicle"`
	// Jobs are the task ids in visiting order, depot omitted: job ids and
	// shipment pickup and delivery ids; for benchmark files the file's own
	// node numbers. A multi-trip route shows "<reload>" between trips.
	Jobs     []TaskID `json:"jobs"`
	Distance float64  `json:"distance"`
	Duration float64  `json:"duration"`
}

// UnassignedJSON is a task no route serves, with the solver's reason.
type UnassignedJSON struct {
	ID     TaskID `json:"id"`
	Reason string `json:"reason"`
}

// TaskID is a task id that is written as a JSON number when it is a node
// number of a benchmark file, and as a string otherwise.
type TaskID struct {
	ID      string
	Numeric bool
}

// TaskIDOf returns the TaskID of id in the instance.
func (in *Instance) TaskIDOf(id string) TaskID {
	v, err := strconv.ParseInt(id, 10, 64)
	return TaskID{ID: id, Numeric: in.NumericIDs() && err == nil && strconv.FormatInt(v, 10) == id}
}

// MarshalJSON writes the id as a number or a string.
func (t TaskID) MarshalJSON() ([]byte, error) {
	if t.Numeric {
		return []byte(t.ID), nil
	}
	return json.Marshal(t.ID)
}

// EncodeSolutionJSON writes s as indented JSON followed by a newline.
func EncodeSolutionJSON(w io.Writer, s *Solution) error {
	if s.Routes == nil {
		s.Routes = []RouteJSON{}
	}
	if s.Unassigned == nil {
		s.Unassigned = []UnassignedJSON{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

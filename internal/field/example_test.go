package field_test

import (
	"errors"
	"fmt"

	"github.com/lastmile-dev/lastmile/internal/field"
)

var errInvalid = errors.New("shop: invalid order")

// A nested decoder reports the field it knows; its caller adds where that
// sits, and the reporter reads path and reason with errors.As.
func Example() {
	window := func(start, end int) error {
		if end < start {
			return field.New(errInvalid, "time_windows[0]", "end %d before start %d", end, start)
		}
		return nil
	}
	err := field.Within("jobs[3]", window(200, 100))

	var fe *field.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Path)
		fmt.Println(fe.Reason)
	}
	fmt.Println(errors.Is(err, errInvalid))
	fmt.Println(err)
	// Output:
	// jobs[3].time_windows[0]
	// end 100 before start 200
	// true
	// shop: invalid order: jobs[3].time_windows[0]: end 100 before start 200
}

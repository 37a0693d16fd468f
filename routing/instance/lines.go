package instance

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxLine bounds one input line, so that a corrupt file cannot make a reader
// buffer without limit.
const maxLine = 1 << 20

// lines reads a text file line by line, counting lines for error messages.
type lines struct {
	s    *bufio.Scanner
	line int
	text string
}

func newLines(r io.Reader) *lines {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 4096), maxLine)
	return &lines{s: s}
}

// next advances to the next line that is not blank and returns its fields.
func (l *lines) next() ([]string, bool) {
	for l.s.Scan() {
		l.line++
		l.text = strings.TrimSpace(l.s.Text())
		if l.text != "" {
			return strings.Fields(l.text), true
		}
	}
	return nil, false
}

// err returns the scanner's error, wrapped with the line it stopped at.
func (l *lines) err() error {
	if err := l.s.Err(); err != nil {
		return fmt.Errorf("%w: line %d: %w", ErrFormat, l.line+1, err)
	}
	return nil
}

// errorf reports a problem on the current line.
func (l *lines) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: line %d: %s", ErrFormat, l.line, fmt.Sprintf(format, args...))
}

// fieldErr reports a bad value in a named field of the current line.
func (l *lines) fieldErr(field, value, want string) error {
	return l.errorf("field %s: %q is not %s", field, value, want)
}

func (l *lines) int(field, s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Some files write integers as 10.0.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, l.fieldErr(field, s, "an integer")
		}
		v = int64(f)
	}
	return v, nil
}

func (l *lines) float(field, s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e9 {
		return 0, l.fieldErr(field, s, "a finite number")
	}
	return v, nil
}

// row parses the fields of the current line into the named columns: int64
// for *int64 targets, float64 for *float64 ones. Extra fields are an error.
func (l *lines) row(fields []string, names []string, dst ...any) error {
	if len(fields) != len(names) {
		return l.errorf("want %d fields (%s), have %d", len(names), strings.Join(names, " "), len(fields))
	}
	for i, d := range dst {
		var err error
		switch p := d.(type) {
		case *int64:
			*p, err = l.int(names[i], fields[i])
		case *float64:
			*p, err = l.float(names[i], fields[i])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Package sharedtest locates ../shared, the benchmark instances and the
// Chongqing gazetteer that lie beside the checkout and are never copied into
// it, for tests.
//
// A test that needs a shared file calls Path. Outside CI a missing file
// skips the test, so a checkout without ../shared still tests; in CI (CI set
// to a non-empty value other than "false") it fails the test, so a CI run
// never passes by skipping what it was meant to measure.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir is the shared folder's name beside the repository root.
const Dir = "shared"

// Path returns the path of parts inside ../shared, seen from the module root
// (the nearest folder above the working directory holding go.mod). It skips
// tb when the file is absent, or fails it when running in CI.
func Path(tb testing.TB, parts ...string) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		missing(tb, err)
		return ""
	}
	p := filepath.Join(append([]string{filepath.Dir(root), Dir}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		missing(tb, err)
	}
	return p
}

// InCI reports whether the tests run in CI, where shared files must exist.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

func missing(tb testing.TB, err error) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("shared fixture missing in CI: %v", err)
	}
	tb.Skipf("shared fixture absent: %v", err)
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

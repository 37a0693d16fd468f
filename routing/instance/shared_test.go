package instance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
)

// sharedDir is the benchmark data folder, outside the repository: absent,
// it skips the test, or fails it in CI.
func sharedDir(tb testing.TB) string {
	tb.Helper()
	return sharedtest.Path(tb, "benchmarks")
}

// TestReadShared reads every shared benchmark file of the routing sets.
func TestReadShared(t *testing.T) {
	dir := sharedDir(t)
	sets := []struct {
		glob string
		read func(f *os.File) (*Instance, error)
	}{
		{"solomon/*.txt", func(f *os.File) (*Instance, error) { return ReadSolomon(f) }},
		{"solomon/25/*.txt", func(f *os.File) (*Instance, error) { return ReadSolomonConvention(f, ConventionTruncated) }},
		{"lilim/*.txt", func(f *os.File) (*Instance, error) { return ReadLiLim(f) }},
		{"cvrp/*/*.vrp", func(f *os.File) (*Instance, error) { return ReadVRPLIB(f) }},
		{"vrpb/*.vrpb", func(f *os.File) (*Instance, error) { return ReadVRPB(f) }},
	}
	for _, s := range sets {
		files, _ := filepath.Glob(filepath.Join(dir, s.glob))
		if len(files) == 0 {
			t.Errorf("no files for %s", s.glob)
		}
		for _, path := range files {
			if strings.Contains(path, "bks") {
				continue
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			in, err := s.read(f)
			f.Close()
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if len(in.Problem.Jobs)+len(in.Problem.Shipments) == 0 {
				t.Errorf("%s: no tasks", path)
			}
		}
	}
}

// TestFleetSize checks the fleet rule of ReadVRPLIB on the shared files:
// k for the classic sets, k plus slack for X.
func TestFleetSize(t *testing.T) {
	dir := sharedDir(t)
	tests := []struct {
		file string
		want int
	}{
		{"cvrp/A/A-n32-k5.vrp", 5},
		{"cvrp/P/P-n55-k15.vrp", 15},
		{"cvrp/E/E-n101-k8.vrp", 8},
		{"cvrp/X/X-n101-k25.vrp", 30},
	}
	for _, tc := range tests {
		f, err := os.Open(filepath.Join(dir, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		in, err := ReadVRPLIB(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := len(in.Problem.Vehicles); got != tc.want {
			t.Errorf("ReadVRPLIB(%s) fleet = %d, want %d", tc.file, got, tc.want)
		}
	}
}

package routing_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/check"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

// A van at the depot (location 0) delivers to two shops. Travel is a
// matrix in seconds and metres; shop-b must be reached by 1000 s.
const problem = `{
  "matrix": {"durations": [[0, 600, 900], [600, 0, 300], [900, 300, 0]],
             "distances": [[0, 5000, 8000], [5000, 0, 3000], [8000, 3000, 0]]},
  "vehicles": [{"id": "van", "start": 0, "end": 0, "capacity": [10], "shift": [0, 7200]}],
  "jobs": [{"id": "shop-a", "location": 1, "delivery": [4], "service": 120},
           {"id": "shop-b", "location": 2, "delivery": [5], "service": 120, "time_windows": [[0, 1000]]}]
}`

// Example_readAndSolve reads a problem, solves it and re-checks the
// solution independently: the README's "Use as a library" program.
func Example_readAndSolve() {
	// Or instance.ReadSolomon, ReadVRPLIB, ReadLiLim, ReadVRPB on a file.
	in, err := instance.DecodeJSON(strings.NewReader(problem))
	if err != nil {
		log.Fatal(err)
	}
	sol, err := routing.Solve(context.Background(), in.Problem, routing.Options{Seed: 1, Iterations: 200})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range sol.Routes {
		fmt.Print(in.Problem.Vehicles[r.Vehicle].ID, ":")
		for _, s := range r.Stops {
			if s.Kind == routing.KindJob {
				fmt.Print(" ", in.Problem.Jobs[s.Task].ID)
			}
		}
		fmt.Println()
	}
	rep, err := check.Solution(in, sol)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.0f m, %.0f s, feasible: %t\n", rep.Distance, rep.Duration, rep.Complete())
	// Output:
	// van: shop-b shop-a
	// 16000 m, 2040 s, feasible: true
}

// TestReadmeLibraryExample keeps the README's "Use as a library" program
// the same as Example_readAndSolve above, whose output go test checks.
func TestReadmeLibraryExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("library_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "## Use as a library")
	if ok {
		_, block, ok = strings.Cut(block, "```go\n")
	}
	if ok {
		block, _, ok = strings.Cut(block, "```")
	}
	if !ok {
		t.Fatal("README.md has no Go block under \"## Use as a library\"")
	}
	_, want, _ := strings.Cut(string(self), "// A van")
	want, _, _ = strings.Cut(want, "\n\n// TestReadmeLibraryExample")
	header := "// Example_readAndSolve reads a problem, solves it and re-checks the\n" +
		"// solution independently: the README's \"Use as a library\" program.\n" +
		"func Example_readAndSolve() {"
	want = strings.Replace(want, header, "func main() {", 1)
	if _, got, _ := strings.Cut(block, "// A van"); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("README.md's library program differs from Example_readAndSolve in library_example_test.go:\n%s\nwant:\n%s", got, want)
	}
}

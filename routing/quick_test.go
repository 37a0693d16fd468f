package routing

import (
	"context"
	"testing"
	"time"
)

func TestQuickSolomon(t *testing.T) {
	for _, name := range []string{"C101", "R101", "RC201"} {
		p := loadSolomon(t, name)
		start := time.Now()
		sol, err := Solve(context.Background(), p, Options{Seed: 1, Iterations: 20000})
		if err != nil {
			t.Fatal(err)
		}
		checkSolution(t, p, sol)
		t.Logf("%s: cost %.2f routes %d unassigned %d in %v", name, float64(sol.Cost)/1000, len(sol.Routes), len(sol.Unassigned), time.Since(start))
	}
}

package routing

import (
	"context"
	"testing"
	"time"
)

func TestSpeedProbe(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	for _, name := range []string{"R110", "C201", "RC208"} {
		p := loadSolomon(t, name)
		start := time.Now()
		sol, _ := Solve(context.Background(), p, Options{Seed: 1, Iterations: 5000})
		t.Logf("%s: %.2f in %v (%.0f it/s)", name, float64(sol.Cost)/1000, time.Since(start), 5000/time.Since(start).Seconds())
	}
}

package benchset

import (
	"context"
	"regexp"
	"testing"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

// Iteration-limited benchmarks over a representative subset of each set:
// deterministic, so benchstat compares solver versions on quality (gap%)
// and speed together. The full measured tables come from `lastmile bench`
// with time limits (docs/benchmarks.md).

func BenchmarkSolomon(b *testing.B) {
	benchSet(b, "solomon", `^(C101|C201|R101|R201|RC101|RC201)$`, 2000)
}

func BenchmarkCVRP(b *testing.B) {
	benchSet(b, "cvrp-a", `^(A-n32-k5|A-n60-k9|A-n80-k10)$`, 2000)
	benchSet(b, "cvrp-p", `^(P-n50-k10|P-n101-k4)$`, 2000)
}

func BenchmarkX(b *testing.B) {
	benchSet(b, "x", `^(X-n101-k25|X-n148-k46|X-n200-k36)$`, 2000)
}

func BenchmarkLiLim(b *testing.B) {
	benchSet(b, "lilim", `^(lc101|lr101|lrc101|lr201)$`, 2000)
}

func BenchmarkVRPB(b *testing.B) {
	benchSet(b, "vrpb", `^(X-n101-50-k13|X-n153-80-k19)$`, 2000)
}

func benchSet(b *testing.B, set, filter string, iterations int) {
	dir := dataDir(b)
	s, err := Lookup(set)
	if err != nil {
		b.Fatal(err)
	}
	entries, err := s.Entries(dir, regexp.MustCompile(filter))
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		b.Run(e.Name, func(b *testing.B) {
			in, err := Load(s, e)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var sol *routing.Solution
			for b.Loop() {
				if sol, err = routing.Solve(context.Background(), in.Problem, routing.Options{Seed: 1, Iterations: iterations}); err != nil {
					b.Fatal(err)
				}
			}
			report(b, in, e, sol)
		})
	}
}

// report re-checks the solution independently and reports its quality.
func report(b *testing.B, in *instance.Instance, e Entry, sol *routing.Solution) {
	r, err := Evaluate(in, e, sol)
	if err != nil {
		b.Fatal(err)
	}
	if !r.Feasible {
		b.Errorf("%s: infeasible or incomplete: %d unassigned, %q", e.Name, r.Unassigned, r.Violations)
	}
	if r.DistanceMismatch {
		b.Errorf("%s: solver distance %.4f, checker %.4f", e.Name, r.SolverDistance, r.Cost)
	}
	b.ReportMetric(float64(r.Gap), "gap%")
	b.ReportMetric(r.Cost, "cost")
	b.ReportMetric(float64(r.Routes), "routes")
	b.Logf("%s: BKS %.2f cost %.2f gap %.2f%% routes %d (BKS %d)", e.Name, float64(r.BKS), r.Cost, float64(r.Gap), r.Routes, r.BKSVehicles)
}

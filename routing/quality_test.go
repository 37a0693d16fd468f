package routing

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// Quality benchmarks: each solves a whole benchmark set once per b.N and
// reports the mean and worst gap to the best-known solutions. Run one set at
// a time, e.g.
//
//	go test ./routing -run '^$' -bench 'Quality/solomon' -benchtime 1x -quality.time 10s
//
// -quality.filter restricts the instances (a regular expression).
var (
	qualityTime    = flag.Duration("quality.time", time.Second, "time limit per instance for quality benchmarks")
	qualityFilter  = flag.String("quality.filter", "", "regexp of instance names for quality benchmarks")
	qualityVerbose = flag.Bool("quality.v", false, "log every instance's gap")
)

type qualityCase struct {
	name string
	load func(testing.TB) *Problem
	bks  float64
}

func qualitySet(b *testing.B, set string) []qualityCase {
	var cases []qualityCase
	re := regexp.MustCompile(*qualityFilter)
	add := func(name string, load func(testing.TB) *Problem, bks float64) {
		if re.MatchString(name) {
			cases = append(cases, qualityCase{name, load, bks})
		}
	}
	switch set {
	case "solomon":
		tab := bks(b, "solomon", "bks_distance_real.tsv")
		for _, name := range sortedKeys(tab) {
			add(name, func(tb testing.TB) *Problem { return loadSolomon(tb, name) }, tab[name])
		}
	case "cvrpABP", "cvrpX":
		tab := bks(b, "cvrp", "bks.tsv")
		for _, name := range sortedKeys(tab) {
			dir := name[:1]
			if (set == "cvrpX") != (dir == "X") || dir == "E" {
				continue
			}
			if dir == "X" && (strings.HasPrefix(name, "X-n502") || strings.HasPrefix(name, "X-n1001")) {
				continue
			}
			path := filepath.Join(benchDir, "cvrp", dir, name+".vrp")
			add(name, func(tb testing.TB) *Problem { return loadCVRP(tb, path, false) }, tab[name])
		}
	case "lilim":
		tab := bks(b, "lilim", "bks.tsv")
		for _, name := range sortedKeys(tab) {
			add(name, func(tb testing.TB) *Problem { return loadLiLim(tb, name) }, tab[name])
		}
	case "vrpb":
		tab := bks(b, "vrpb", "bks.tsv")
		for _, name := range sortedKeys(tab) {
			path := filepath.Join(benchDir, "vrpb", name+".vrpb")
			add(name, func(tb testing.TB) *Problem { return loadCVRP(tb, path, true) }, tab[name])
		}
	}
	return cases
}

func sortedKeys(m map[string]float64) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func BenchmarkQuality(b *testing.B) {
	for _, set := range []string{"solomon", "cvrpABP", "cvrpX", "lilim", "vrpb"} {
		b.Run(set, func(b *testing.B) {
			cases := qualitySet(b, set)
			if len(cases) == 0 {
				b.Skip("no instances")
			}
			b.ReportAllocs()
			var mean, worst float64
			var iters int
			for b.Loop() {
				mean, worst, iters = 0, -1e9, 0
				for _, c := range cases {
					p := c.load(b)
					scale := float64(max(p.Scale, 1))
					var lastIter int
					sol, err := Solve(context.Background(), p, Options{Seed: 1, TimeLimit: *qualityTime,
						Progress: func(pr Progress) { lastIter = pr.Iteration }})
					if err != nil {
						b.Fatal(err)
					}
					if err := verify(p, sol); err != nil {
						b.Fatalf("%s: %v", c.name, err)
					}
					if len(sol.Unassigned) > 0 {
						b.Errorf("%s: %d unassigned", c.name, len(sol.Unassigned))
					}
					gap := 100 * (float64(sol.Cost)/scale - c.bks) / c.bks
					mean += gap
					worst = max(worst, gap)
					iters += lastIter
					if *qualityVerbose {
						fmt.Fprintf(os.Stderr, "%-16s %10.2f %10.2f %6.2f%% routes %d\n", c.name, float64(sol.Cost)/scale, c.bks, gap, len(sol.Routes))
					}
				}
				mean /= float64(len(cases))
			}
			b.ReportMetric(mean, "gap%")
			b.ReportMetric(worst, "maxgap%")
			b.ReportMetric(float64(len(cases)), "instances")
		})
	}
}

package routing_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/benchset"
	"github.com/lastmile-dev/lastmile/internal/sharedtest"
	"github.com/lastmile-dev/lastmile/routing"
)

// Quality benchmarks solve a whole published set once per b.N, re-check
// every solution with the independent checker (package check, through
// benchset) and report the mean and worst gap to the best-known solutions:
//
//	go test ./routing -run '^$' -bench 'Quality/solomon$' -benchtime 1x -quality.time 10s
//
// -quality.filter restricts the instances (a regular expression) and
// -quality.v prints one line per instance. They skip when the data folder
// ../shared/benchmarks is absent.
var (
	qualityTime    = flag.Duration("quality.time", time.Second, "time limit per instance for quality benchmarks")
	qualityFilter  = flag.String("quality.filter", "", "regexp of instance names for quality benchmarks")
	qualityVerbose = flag.Bool("quality.v", false, "print every instance's gap")
)

func BenchmarkQuality(b *testing.B) {
	dir := sharedtest.Path(b, "benchmarks")
	var filter *regexp.Regexp
	if *qualityFilter != "" {
		filter = regexp.MustCompile(*qualityFilter)
	}
	for _, name := range []string{"solomon", "cvrp-a", "cvrp-b", "cvrp-p", "x", "lilim", "vrpb"} {
		b.Run(name, func(b *testing.B) {
			set, err := benchset.Lookup(name)
			if err != nil {
				b.Fatal(err)
			}
			entries, err := set.Entries(dir, filter)
			if err != nil || len(entries) == 0 {
				b.Skipf("no instances: %v", err)
			}
			b.ReportAllocs()
			var sum benchset.Summary
			for b.Loop() {
				var rs []benchset.Result
				for _, e := range entries {
					r, err := benchset.Run(context.Background(), set, e, routing.Options{Seed: 1, TimeLimit: *qualityTime, Effort: routing.EffortLevel(5)})
					if err != nil {
						b.Fatalf("%s: %v", e.Name, err)
					}
					if !r.Feasible {
						b.Errorf("%s: infeasible or incomplete: %v", e.Name, r.Violations)
					}
					if *qualityVerbose {
						fmt.Fprintf(os.Stderr, "%-16s %10.2f %10.2f %6.2f%% routes %d\n", r.Instance, r.Cost, float64(r.BKS), float64(r.Gap), r.Routes)
					}
					rs = append(rs, r)
				}
				sum = benchset.Summarize(rs)
			}
			b.ReportMetric(float64(sum.MeanGap), "gap%")
			b.ReportMetric(float64(sum.MaxGap), "maxgap%")
			b.ReportMetric(float64(sum.Instances), "instances")
		})
	}
}

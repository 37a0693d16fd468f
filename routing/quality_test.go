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

// BenchmarkThreads is the threads target side by side: on each X instance
// (all of n101–n200 unless -quality.filter says otherwise) one thread runs
// for twice -quality.time, then two threads for -quality.time, and the
// benchmark reports both mean gaps and the iterations two threads made
// per iteration of one thread's first half (the speed-up):
//
//	go test ./routing -run '^$' -bench Threads -benchtime 1x -quality.time 30s
func BenchmarkThreads(b *testing.B) {
	dir := sharedtest.Path(b, "benchmarks")
	filter := regexp.MustCompile(`^X-n(1[0-9][0-9]|200)-`)
	if *qualityFilter != "" {
		filter = regexp.MustCompile(*qualityFilter)
	}
	set, err := benchset.Lookup("x")
	if err != nil {
		b.Fatal(err)
	}
	entries, err := set.Entries(dir, filter)
	if err != nil || len(entries) == 0 {
		b.Fatalf("no instances: %v", err)
	}
	run := func(e benchset.Entry, threads int, limit time.Duration) benchset.Result {
		r, err := benchset.Run(context.Background(), set, e, routing.Options{Seed: 1, TimeLimit: limit, Effort: routing.EffortLevel(5), Threads: threads})
		if err != nil {
			b.Fatalf("%s: %v", e.Name, err)
		}
		if !r.Feasible {
			b.Errorf("%s: infeasible or incomplete: %v", e.Name, r.Violations)
		}
		return r
	}
	var one, two []benchset.Result
	b.ReportAllocs()
	for b.Loop() {
		one, two = one[:0], two[:0]
		for _, e := range entries {
			r1, r2 := run(e, 1, 2**qualityTime), run(e, 2, *qualityTime)
			if *qualityVerbose {
				fmt.Fprintf(os.Stderr, "%-16s 1 thread %6.2f%% %9d iterations, 2 threads %6.2f%% %9d\n", e.Name, float64(r1.Gap), r1.Iterations, float64(r2.Gap), r2.Iterations)
			}
			one, two = append(one, r1), append(two, r2)
		}
	}
	s1, s2 := benchset.Summarize(one), benchset.Summarize(two)
	it1, it2 := 0, 0
	for i := range one {
		it1, it2 = it1+one[i].Iterations, it2+two[i].Iterations
	}
	b.ReportMetric(float64(s1.MeanGap), "gap1t%")
	b.ReportMetric(float64(s2.MeanGap), "gap2t%")
	b.ReportMetric(float64(s1.MedianGap), "median1t%")
	b.ReportMetric(float64(s2.MedianGap), "median2t%")
	b.ReportMetric(2*float64(it2)/float64(it1), "speedup")
}

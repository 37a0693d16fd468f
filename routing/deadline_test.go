package routing_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/benchset"
	"github.com/lastmile-dev/lastmile/internal/sharedtest"
	"github.com/lastmile-dev/lastmile/routing"
)

var (
	deadlineLimit = flag.Duration("deadline.limit", time.Second, "time limit for BenchmarkDeadline")
	deadlineLoad  = flag.Int("deadline.load", 0, "busy goroutines competing for the CPU in BenchmarkDeadline (0: GOMAXPROCS)")
)

// BenchmarkDeadline solves large instances (X-n1001-k43, X-n502-k39,
// Solomon RC208) at -deadline.limit (1 s) with the whole time limit in use
// (effort 5), with one thread and two, alone and with busy goroutines
// competing for every core, and reports the worst overshoot of the wall
// time over the limit, in per cent and in ms. The target is ≤ 5% and
// ≤ 50 ms more than the limit:
//
//	go test ./routing -run '^$' -bench Deadline -benchtime 1x
func BenchmarkDeadline(b *testing.B) {
	dir := sharedtest.Path(b, "benchmarks")
	for _, c := range []struct{ set, name string }{{"x", "X-n1001-k43"}, {"x", "X-n502-k39"}, {"solomon", "RC208"}} {
		set, err := benchset.Lookup(c.set)
		if err != nil {
			b.Fatal(err)
		}
		entries, err := set.Entries(dir, regexp.MustCompile("^"+c.name+"$"))
		if err != nil || len(entries) != 1 {
			b.Skipf("%s: %v", c.name, err)
		}
		in, err := benchset.Load(set, entries[0])
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range []struct {
			threads   int
			contended bool
		}{{1, false}, {1, true}, {2, false}, {2, true}} {
			contended := r.contended
			b.Run(fmt.Sprintf("%s/threads=%d/contended=%v", c.name, r.threads, contended), func(b *testing.B) {
				stop := make(chan struct{})
				var wg sync.WaitGroup
				if contended {
					n := *deadlineLoad
					if n == 0 {
						n = runtime.GOMAXPROCS(0)
					}
					var sink atomic.Int64
					for range n {
						wg.Add(1)
						go func() {
							defer wg.Done()
							x := int64(0)
							for {
								select {
								case <-stop:
									sink.Add(x)
									return
								default:
								}
								for i := range 100_000 {
									x += int64(i) ^ x>>3
								}
							}
						}()
					}
				}
				var worst time.Duration
				for b.Loop() {
					start := time.Now()
					if _, err := routing.Solve(context.Background(), in.Problem, routing.Options{Seed: 1, TimeLimit: *deadlineLimit, Effort: routing.EffortLevel(5), Threads: r.threads}); err != nil {
						b.Fatal(err)
					}
					worst = max(worst, time.Since(start)-*deadlineLimit)
				}
				close(stop)
				wg.Wait()
				b.ReportMetric(float64(worst.Microseconds())/1000, "overshoot-ms")
				b.ReportMetric(100*float64(worst)/float64(*deadlineLimit), "overshoot%")
				if worst > *deadlineLimit/20+50*time.Millisecond {
					fmt.Fprintf(os.Stderr, "%s: overshoot %v over the margin\n", c.name, worst)
				}
			})
		}
	}
}

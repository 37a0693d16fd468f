package location

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/sharedtest"
)

// bks reads a bks.tsv table: instance → best-known objective.
func bks(b *testing.B, set string) map[string]float64 {
	b.Helper()
	f, err := os.Open(sharedtest.Path(b, "benchmarks", set, "bks.tsv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 {
			continue
		}
		if v, err := strconv.ParseFloat(fields[1], 64); err == nil {
			out[fields[0]] = v
		}
	}
	return out
}

func gapPercent(cost, best float64) float64 { return 100 * (cost - best) / best }

// BenchmarkCFLP solves every OR-Library CFLP instance (multi-source),
// capa/b/c at each capacity of capopt, and reports the gap to the
// optimum, the gap of the lower bound and whether optimality was proven.
func BenchmarkCFLP(b *testing.B) {
	table := bks(b, "cflp")
	names := []string{}
	for _, g := range []string{"4", "5", "6", "7", "8", "9", "10", "11", "12", "13"} {
		for k := 1; k <= 4; k++ {
			if g == "5" && k > 1 {
				continue
			}
			names = append(names, fmt.Sprintf("cap%s%d", g, k))
		}
	}
	for _, c := range []string{"capa-8000", "capa-10000", "capa-12000", "capa-14000", "capb-5000", "capb-6000", "capb-7000", "capb-8000", "capc-5000", "capc-5750", "capc-6500", "capc-7250"} {
		names = append(names, c)
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			file, capacity := name, int64(0)
			limit := time.Second
			if k := strings.IndexByte(name, '-'); k > 0 {
				file = name[:k]
				capacity, _ = strconv.ParseInt(name[k+1:], 10, 64)
				limit = 10 * time.Second
			}
			f := openBench(b, "cflp", file+".txt")
			p, err := ReadCFLP(f, capacity)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var sol *CFLPSolution
			for b.Loop() {
				if sol, err = SolveCFLP(context.Background(), p, Options{Seed: 1, TimeLimit: limit}); err != nil {
					b.Fatal(err)
				}
			}
			checkCFLP(b, p, sol, false)
			best := table[name]
			b.ReportMetric(gapPercent(sol.Cost, best), "gap%")
			b.ReportMetric(gapPercent(best, sol.LowerBound), "lbgap%")
			b.ReportMetric(boolMetric(sol.Optimal), "proven")
		})
	}
}

// BenchmarkPMedian solves pmed1 to pmed40 with a 10 s limit each.
func BenchmarkPMedian(b *testing.B) {
	table := bks(b, "pmedian")
	for k := 1; k <= 40; k++ {
		name := fmt.Sprintf("pmed%d", k)
		b.Run(name, func(b *testing.B) {
			f := openBench(b, "pmedian", name+".txt")
			p, err := ReadPMedian(f)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var sol *PMedianSolution
			for b.Loop() {
				if sol, err = SolvePMedian(context.Background(), p, Options{Seed: 1, TimeLimit: 10 * time.Second, Iterations: 1 << 30}); err != nil {
					b.Fatal(err)
				}
			}
			checkPMedian(b, p, sol)
			best := table[name]
			b.ReportMetric(gapPercent(float64(sol.Cost), best), "gap%")
			b.ReportMetric(gapPercent(best, sol.LowerBound), "lbgap%")
			b.ReportMetric(boolMetric(sol.Optimal), "proven")
		})
	}
}

// BenchmarkCPMP solves pmedcap01 to pmedcap20 with a 10 s limit each.
func BenchmarkCPMP(b *testing.B) {
	table := bks(b, "cpmp")
	for k := 1; k <= 20; k++ {
		name := fmt.Sprintf("pmedcap%02d", k)
		b.Run(name, func(b *testing.B) {
			f := openBench(b, "cpmp", name+".txt")
			p, err := ReadCPMP(f)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var sol *PMedianSolution
			for b.Loop() {
				if sol, err = SolveCPMP(context.Background(), &p.CPMP, Options{Seed: 1, TimeLimit: 10 * time.Second, Iterations: 1 << 30}); err != nil {
					b.Fatal(err)
				}
			}
			checkCPMP(b, &p.CPMP, sol)
			best := table[name]
			b.ReportMetric(gapPercent(float64(sol.Cost), best), "gap%")
			b.ReportMetric(gapPercent(best, sol.LowerBound), "lbgap%")
			b.ReportMetric(boolMetric(sol.Optimal), "proven")
		})
	}
}

func boolMetric(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

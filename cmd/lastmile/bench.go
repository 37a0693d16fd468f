package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lastmile-dev/lastmile/internal/benchset"
	"github.com/lastmile-dev/lastmile/routing"
)

const benchSummary = `Solve every instance of a published benchmark set, re-check each solution
with the independent checker, and print per instance the best-known solution
(BKS), the cost, the gap to the BKS in percent, the routes, the time and
whether the solution is feasible and complete; then the mean, median and
maximum gap over the feasible instances.

--filter takes instance names, comma-separated, with the globs * (any
text), ? (one character) and [...] (one of a set): "C1*" is every C1
instance, "R101,RC101" exactly those two, "X-n1[0-4]?-*" X-n100 to X-n149.
A name matches whole instance names only: C101 does not select RC101.

The data folder is --data, else $LASTMILE_BENCHMARKS, else
../shared/benchmarks (relative to the working directory).`

func runBench(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "bench", "", benchSummary)
	set := fs.String("set", "solomon", "benchmark set: "+strings.Join(benchset.Names(), ", "))
	timeLimit := fs.Duration("time-limit", 10*time.Second, "time limit per instance (default 10s, or none with --iterations)")
	iterations := fs.Int("iterations", 0, "iteration limit per instance (deterministic with --seed)")
	seed := seedFlag(fs, "random seed")
	threads := fs.Int("threads", 1, "solver threads sharing one search (more than 1: not reproducible)")
	effort := fs.Int("effort", 5, "exploration level 0-5; 5 searches until the time or iteration limit")
	minVehicles := fs.Bool("min-vehicles", false, "minimise the number of vehicles first, then cost (vehicles-first BKS)")
	filter := fs.String("filter", "", "only these `NAMES`: comma-separated, with globs * ? [...] (C1*, R101,RC101)")
	data := fs.String("data", "", "benchmark data folder")
	asJSON := jsonFlag(fs)
	quiet := fs.Bool("quiet", false, "no progress line on stderr")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	s, err := benchset.Lookup(*set)
	if err != nil {
		return fmt.Errorf("%w: --set: %w", errUsage, err)
	}
	var re *regexp.Regexp
	if *filter != "" {
		if re, err = nameFilter(*filter); err != nil {
			return fmt.Errorf("%w: --filter: %w", errUsage, err)
		}
	}
	if *threads < 1 || *iterations < 0 || *timeLimit < 0 {
		return fmt.Errorf("%w: --threads must be ≥ 1, --iterations and --time-limit ≥ 0", errUsage)
	}
	if *iterations > 0 && !flagSet(fs, "time-limit") {
		*timeLimit = 0
	}
	if *iterations == 0 && *timeLimit == 0 {
		return fmt.Errorf("%w: give --time-limit or --iterations, or the runs never end", errUsage)
	}
	dir, err := benchset.Dir(*data)
	if err != nil {
		return err
	}
	entries, err := s.Entries(dir, re)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("%w: --filter %q matches no instance of %s", errUsage, *filter, s.Name)
	}

	prog := newProgress(env.Stderr, "bench "+s.Name, len(entries), *quiet)
	var results []benchset.Result
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			break
		}
		prog.Set(i, e.Name)
		opts := routing.Options{Seed: int64(*seed), Iterations: *iterations, TimeLimit: *timeLimit, Threads: *threads,
			Effort: routing.EffortLevel(*effort), MinimizeVehicles: *minVehicles}
		r, err := benchset.Run(ctx, s, e, opts)
		if err != nil {
			prog.Done()
			return err
		}
		results = append(results, r)
		prog.Set(i+1, fmt.Sprintf("%s gap %.2f%%", e.Name, r.Gap))
	}
	prog.Done()
	sum := benchset.Summarize(results)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Set       string            `json:"set"`
			Objective string            `json:"objective"`
			TimeLimit string            `json:"time_limit"`
			Iters     int               `json:"iterations"`
			Seed      uint64            `json:"seed"`
			Results   []benchset.Result `json:"results"`
			Summary   benchset.Summary  `json:"summary"`
		}{s.Name, s.Objective, timeLimit.String(), *iterations, *seed, results, sum})
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "instance\tBKS\tcost\tgap %\troutes\tBKS routes\ttime\tfeasible\t")
	for _, r := range results {
		feasible := "yes"
		if !r.Feasible {
			feasible = fmt.Sprintf("NO (%d unassigned, %d violations)", r.Unassigned, len(r.Violations))
		}
		bks := num(float64(r.BKS))
		if r.Bounded {
			bks += "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\t%d\t%s\t%.1fs\t%s\t\n", r.Instance, bks, r.Cost,
			num(float64(r.Gap)), r.Routes, count(r.BKSVehicles), float64(r.TimeMS)/1000, feasible)
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "\n%s (%s): %d instances, %d feasible; gap %% mean %s, median %s, max %s (%s); %.0fs total\n",
		s.Name, s.Objective, sum.Instances, sum.Feasible, num(float64(sum.MeanGap)), num(float64(sum.MedianGap)),
		num(float64(sum.MaxGap)), sum.MaxGapOf, float64(sum.TotalMS)/1000)
	for _, r := range results {
		if r.Bounded {
			fmt.Fprintf(env.Stdout, "%s: * the BKS is a proven lower bound, the published value lying below it (see docs/benchmarks.md)\n", r.Instance)
		}
	}
	if sum.WithinBKSRoutes > 0 {
		fmt.Fprintf(env.Stdout, "%d feasible instances use no more routes than the BKS; their gap %% mean %s\n",
			sum.WithinBKSRoutes, num(float64(sum.MeanGapWithinBKSRoutes)))
	}
	for _, r := range results {
		if r.DistanceMismatch {
			fmt.Fprintf(env.Stdout, "%s: the solver reports distance %.4f, the checker %.4f\n", r.Instance, r.SolverDistance, r.Cost)
		}
		for _, v := range r.Violations {
			fmt.Fprintf(env.Stdout, "%s: %s\n", r.Instance, v)
		}
	}
	return nil
}

// nameFilter turns --filter's comma-separated names, with the globs *, ?
// and [...] ([!...] negated), into a regular expression anchored at both
// ends, so a name never matches inside another.
func nameFilter(s string) (*regexp.Regexp, error) {
	var alts []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("empty name in %q", s)
		}
		var re strings.Builder
		for i := 0; i < len(name); i++ {
			switch c := name[i]; c {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			case '[':
				end := strings.IndexByte(name[i+1:], ']')
				if end < 1 {
					return nil, fmt.Errorf("%q: [ without a closing ]", name)
				}
				class := name[i+1 : i+1+end]
				if class[0] == '!' {
					class = "^" + class[1:]
				}
				re.WriteString("[" + class + "]")
				i += end + 1
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		alts = append(alts, re.String())
	}
	return regexp.Compile(`^(?:` + strings.Join(alts, "|") + `)$`)
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	if math.Abs(v) < 0.005 {
		v = 0 // no "-0.00" for a cost a hair under a BKS rounded to 2 decimals
	}
	return fmt.Sprintf("%.2f", v)
}

func count(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

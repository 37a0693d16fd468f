package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/depots/location"
)

const locateSummary = `Choose which facilities to open and print the solution on stdout: the
cost, the solver's lower bound and the open facilities, or with --json one
JSON solution.

FILE is an OR-Library instance ("-" reads stdin):
  orlib-cap   capacitated warehouse location (cap41..cap134, capa/b/c);
              demand may be split unless --single-source
  orlib-pmed  uncapacitated p-median on a graph (pmed1..pmed40)
  orlib-cpmp  capacitated p-median (pmedcap1 set), single source

The JSON has "cost" in the file's convention, "open" (the file's 1-based
facility numbers), "flows" [{customer, facility, amount}] for CFLP,
"assignment" (each customer's median, in file order) for p-median, and
"lower_bound" and "optimal" from the solver's bound.`

// locateFlow is one shipment in the JSON output, 1-based.
type locateFlow struct {
	Customer int   `json:"customer"`
	Facility int   `json:"facility"`
	Amount   int64 `json:"amount"`
}

// locateOutput is the JSON written by locate.
type locateOutput struct {
	Format     string       `json:"format"`
	Cost       float64      `json:"cost"`
	Open       []int        `json:"open"`
	Flows      []locateFlow `json:"flows,omitempty"`
	Assignment []int        `json:"assignment,omitempty"`
	LowerBound float64      `json:"lower_bound"`
	Optimal    bool         `json:"optimal"`
	Seconds    float64      `json:"seconds"`
}

func runLocate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "locate", "FILE", locateSummary)
	format := fs.String("format", "", "input format: orlib-cap, orlib-pmed or orlib-cpmp (required)")
	capacity := fs.Int64("capacity", 0, "capacity substituted for the word \"capacity\" (capa, capb, capc)")
	timeLimit := fs.Duration("time-limit", 10*time.Second, "stop after this long (0: no limit)")
	iterations := fs.Int("iterations", 0, "solver budget: VNS iterations or branch-and-bound nodes (0: default)")
	seed := seedFlag(fs, "random seed")
	single := fs.Bool("single-source", false, "orlib-cap: serve each customer from one facility")
	quiet := fs.Bool("quiet", false, "no progress line on stderr")
	asJSON := jsonFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one FILE, have %d arguments", errUsage, len(pos))
	}
	name := pos[0]
	if *timeLimit < 0 || *iterations < 0 || *capacity < 0 {
		return fmt.Errorf("%w: --time-limit, --iterations and --capacity must be ≥ 0", errUsage)
	}
	switch *format {
	case "orlib-cap", "orlib-pmed", "orlib-cpmp":
	case "":
		return fmt.Errorf("%w: --format is required", errUsage)
	default:
		return fmt.Errorf("%w: unknown --format %q", errUsage, *format)
	}
	in := env.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	prog := newProgress(env.Stderr, "locate "+name, 0, *quiet)
	opts := location.Options{TimeLimit: *timeLimit, Seed: *seed, Iterations: *iterations,
		Progress: func(p location.Progress) {
			prog.Set(p.Iteration, fmt.Sprintf("best %.3f, bound %.3f", p.Best, p.LowerBound))
		}}
	start := time.Now()
	out := locateOutput{Format: *format}
	switch *format {
	case "orlib-cap":
		data, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		if *capacity > 0 && !bytes.Contains(data, []byte("capacity")) {
			fmt.Fprintf(env.Stderr, "lastmile locate: note: --capacity %d ignored, the file gives every capacity as a number\n", *capacity)
		}
		p, err := location.ReadCFLP(bytes.NewReader(data), *capacity)
		if err != nil {
			return err
		}
		solve := location.SolveCFLP
		if *single {
			solve = location.SolveSSCFLP
		}
		sol, err := solve(ctx, p, opts)
		if err != nil {
			return err
		}
		out.Cost, out.LowerBound, out.Optimal = sol.Cost, sol.LowerBound, sol.Optimal
		out.Open = oneBased(sol.Open)
		for _, f := range sol.Flows {
			out.Flows = append(out.Flows, locateFlow{Customer: f.Customer + 1, Facility: f.Facility + 1, Amount: f.Amount})
		}
	case "orlib-pmed":
		p, err := location.ReadPMedian(in)
		if err != nil {
			return err
		}
		sol, err := location.SolvePMedian(ctx, p, opts)
		if err != nil {
			return err
		}
		out.Cost, out.LowerBound, out.Optimal = float64(sol.Cost), sol.LowerBound, sol.Optimal
		out.Open, out.Assignment = oneBased(sol.Open), oneBased(sol.Assign)
	case "orlib-cpmp":
		p, err := location.ReadCPMP(in)
		if err != nil {
			return err
		}
		sol, err := location.SolveCPMP(ctx, &p.CPMP, opts)
		if err != nil {
			return err
		}
		out.Cost, out.LowerBound, out.Optimal = float64(sol.Cost), sol.LowerBound, sol.Optimal
		out.Open, out.Assignment = oneBased(sol.Open), oneBased(sol.Assign)
	}
	prog.Done()
	out.Seconds = time.Since(start).Seconds()
	if *asJSON {
		return writeJSON(env.Stdout, out)
	}
	return writeLocate(env.Stdout, name, &out)
}

// writeLocate prints a location solution as text: cost, bound and gap, the
// open facilities, and how many customers each serves.
func writeLocate(w io.Writer, name string, out *locateOutput) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): cost %.3f, lower bound %.3f", name, out.Format, out.Cost, out.LowerBound)
	switch {
	case out.Optimal:
		b.WriteString(", proven optimal")
	case out.Cost > 0:
		fmt.Fprintf(&b, ", gap at most %.3f%%", 100*(out.Cost-out.LowerBound)/out.Cost)
	}
	fmt.Fprintf(&b, "; %.2f s\n", out.Seconds)
	served := map[int]int{}
	for _, f := range out.Flows {
		served[f.Facility]++
	}
	for _, f := range out.Assignment {
		served[f]++
	}
	fmt.Fprintf(&b, "%d open facilities (file numbers, customers served):\n", len(out.Open))
	for i, f := range out.Open {
		sep := "  "
		if i > 0 && i%8 == 0 {
			sep = "\n  "
		} else if i > 0 {
			sep = ", "
		}
		fmt.Fprintf(&b, "%s%d (%d)", sep, f, served[f])
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func oneBased(xs []int) []int {
	out := make([]int, len(xs))
	for k, x := range xs {
		out[k] = x + 1
	}
	return out
}

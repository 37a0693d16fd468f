package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/check"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

const solveSummary = `Solve a vehicle-routing problem and print the solution on stdout: the
cost, the checker's verdict and each route, or with --json one JSON
solution (cost, distance, duration, routes, unassigned, feasible).

FILE is a Solomon VRPTW file, a CVRPLIB .vrp file, a Li & Lim PDPTW file,
a Queiroga VRPB .vrpb file or a lastmile JSON problem ("-" reads stdin).
The format is guessed from the extension and content unless --format is
given. The cost is recomputed by an independent checker in the instance's
own convention: unrounded Euclidean for Solomon and Li & Lim, arcs rounded
to the nearest integer for CVRPLIB and VRPB.`

func runSolve(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "solve", "FILE", solveSummary)
	format := fs.String("format", "", "input format: solomon, vrplib, lilim, vrpb or json (default: guessed)")
	convention := fs.String("convention", "", "Solomon objective: real (default) or trunc1 (arcs truncated to one decimal)")
	timeLimit := fs.Duration("time-limit", 10*time.Second, "stop after this long (default 10s, or none with --iterations)")
	iterations := fs.Int("iterations", 0, "stop after this many iterations (deterministic with --seed)")
	seed := seedFlag(fs, "random seed")
	threads := fs.Int("threads", 1, "solver threads sharing one search (more than 1: not reproducible)")
	quiet := fs.Bool("quiet", false, "no progress line on stderr")
	asJSON := jsonFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one FILE, have %d arguments", errUsage, len(pos))
	}
	if *threads < 1 || *iterations < 0 || *timeLimit < 0 {
		return fmt.Errorf("%w: --threads must be ≥ 1, --iterations and --time-limit ≥ 0", errUsage)
	}
	if *iterations > 0 && !flagSet(fs, "time-limit") {
		*timeLimit = 0
	}
	in, err := loadInstance(env, pos[0], *format, *convention)
	if err != nil {
		return err
	}
	prog := newProgress(env.Stderr, "solve "+in.Name, 0, *quiet)
	opts := routing.Options{Seed: int64(*seed), Iterations: *iterations, TimeLimit: *timeLimit, Threads: *threads}
	// The progress line redraws on every call when there is no total, so
	// improvements are shown at most every 100 ms, and the last at the end.
	var last time.Time
	var note string
	opts.Progress = func(pr routing.Progress) {
		note = fmt.Sprintf("best %.2f, %d routes, %d unassigned, iteration %d",
			float64(pr.BestCost)/in.CostUnit(), pr.Routes, pr.Unassigned, pr.Iteration)
		if now := time.Now(); now.Sub(last) >= 100*time.Millisecond {
			last = now
			prog.Set(0, note)
		}
	}
	start := time.Now()
	sol, err := routing.Solve(ctx, in.Problem, opts)
	elapsed := time.Since(start)
	if note != "" {
		last = time.Time{}
		prog.Set(0, note)
	}
	prog.Done()
	if err != nil {
		return fmt.Errorf("solving %s: %w", in.Name, err)
	}
	out, err := solutionJSON(in, sol)
	if err != nil {
		return err
	}
	out.TimeMS = elapsed.Milliseconds()
	out.Seed = int64(*seed) // the solver's seed is the flag's 64 bits
	w := bufio.NewWriter(env.Stdout)
	if *asJSON {
		err = instance.EncodeSolutionJSON(w, out)
	} else {
		err = writeSolution(w, out, *seed)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// writeSolution prints a solution as text: the totals and the checker's
// verdict, one line per route, then what is unassigned or violated.
func writeSolution(w io.Writer, s *instance.Solution, seed uint64) error {
	verdict := "feasible"
	if !s.Feasible {
		verdict = fmt.Sprintf("NOT feasible (%d violations)", len(s.Violations))
	}
	fmt.Fprintf(w, "%s: cost %.4f, distance %.4f, duration %.4f; %d routes, %d unassigned; %s (independent checker)\n",
		s.Name, s.Cost, s.Distance, s.Duration, s.Vehicles, len(s.Unassigned), verdict)
	fmt.Fprintf(w, "seed %d, %.3f s\n", seed, float64(s.TimeMS)/1000)
	for _, r := range s.Routes {
		ids := make([]string, len(r.Jobs))
		for i, j := range r.Jobs {
			ids[i] = j.ID
		}
		fmt.Fprintf(w, "  vehicle %s (distance %.4f, duration %.4f): %s\n", r.Vehicle, r.Distance, r.Duration, strings.Join(ids, " "))
	}
	for _, u := range s.Unassigned {
		fmt.Fprintf(w, "  unassigned %s: %s\n", u.ID.ID, u.Reason)
	}
	for _, v := range s.Violations {
		fmt.Fprintf(w, "  violation: %s\n", v)
	}
	return nil // w is buffered: write errors surface at Flush
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// loadInstance opens path ("-" for stdin) and reads it in the given or
// guessed format. A Solomon file may take a convention.
func loadInstance(env *Env, path, format, convention string) (*instance.Instance, error) {
	var r io.Reader = env.Stdin
	name := "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
		name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	br := bufio.NewReader(r)
	if format == "" {
		format = guessFormat(path, br)
	}
	conv := instance.ConventionReal
	if convention != "" {
		c, err := instance.ParseConvention(convention)
		if err != nil {
			return nil, fmt.Errorf("%w: --convention: %w", errUsage, err)
		}
		if format != string(instance.FormatSolomon) {
			return nil, fmt.Errorf("%w: --convention applies to Solomon files only", errUsage)
		}
		conv = c
	}
	var in *instance.Instance
	var err error
	switch instance.Format(format) {
	case instance.FormatSolomon:
		in, err = instance.ReadSolomonConvention(br, conv)
	case instance.FormatVRPLIB:
		in, err = instance.ReadVRPLIB(br)
	case instance.FormatLiLim:
		in, err = instance.ReadLiLim(br)
	case instance.FormatVRPB:
		in, err = instance.ReadVRPB(br)
	case instance.FormatJSON:
		in, err = instance.DecodeJSON(br)
	default:
		return nil, fmt.Errorf("%w: --format %q (want solomon, vrplib, lilim, vrpb or json)", errUsage, format)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if in.Name == "" {
		in.Name = name
	}
	return in, nil
}

// guessFormat picks a format from the file extension, then from the first
// bytes: "{" is JSON, a first line of three numbers is Li & Lim, KEYWORD :
// value lines are VRPLIB, anything else Solomon. VRPB files need their
// .vrpb extension or --format vrpb.
func guessFormat(path string, br *bufio.Reader) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".vrp":
		return string(instance.FormatVRPLIB)
	case ".vrpb":
		return string(instance.FormatVRPB)
	case ".json":
		return string(instance.FormatJSON)
	}
	head, _ := br.Peek(4096)
	s := strings.TrimSpace(string(head))
	first, _, _ := strings.Cut(s, "\n")
	switch {
	case strings.HasPrefix(s, "{"):
		return string(instance.FormatJSON)
	case strings.Contains(first, ":"):
		return string(instance.FormatVRPLIB)
	case len(strings.Fields(first)) == 3 && isNumber(strings.Fields(first)[0]):
		return string(instance.FormatLiLim)
	}
	return string(instance.FormatSolomon)
}

func isNumber(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// solutionJSON checks sol independently and builds the JSON solution, with
// costs and lengths from the checker, not from the solver's integers.
func solutionJSON(in *instance.Instance, sol *routing.Solution) (*instance.Solution, error) {
	routes, unassigned, err := check.Routes(in.Problem, sol)
	if err != nil {
		return nil, err
	}
	rep, err := check.Check(in, routes, unassigned)
	if err != nil {
		return nil, err
	}
	out := &instance.Solution{
		Name: in.Name, Cost: rep.Cost, Distance: rep.Distance, Duration: rep.Duration,
		Vehicles: rep.Routes, Feasible: rep.Feasible, Violations: rep.Violations,
	}
	for i, r := range routes {
		if len(r.Stops) == 0 {
			continue
		}
		rj := instance.RouteJSON{Vehicle: in.Problem.Vehicles[r.Vehicle].ID,
			Distance: rep.RouteDistance[i], Duration: rep.RouteDuration[i]}
		for _, id := range r.Stops {
			rj.Jobs = append(rj.Jobs, in.TaskIDOf(id))
		}
		out.Routes = append(out.Routes, rj)
	}
	for i, u := range sol.Unassigned {
		out.Unassigned = append(out.Unassigned, instance.UnassignedJSON{ID: in.TaskIDOf(unassigned[i]), Reason: string(u.Reason)})
	}
	return out, nil
}

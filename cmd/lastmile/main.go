package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand. run receives the arguments after the
// subcommand's name and writes results to stdout, diagnostics to stderr.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a subcommand may touch: its streams. Tests swap them.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// commands lists the subcommands; each lives in its own file.
var commands = map[string]command{
	"allocate": {"allocate demand to cloud warehouses (splittable or single-source), with unserved reasons", runAllocate},
	"matrix":   {"build a travel matrix between points (great-circle by zone class, OSRM, or a JSON matrix)", runMatrix},
	"locate":   {"choose facilities to open (OR-Library CFLP, p-median, capacitated p-median)", runLocate},
	"version":  {"print the version", runVersion},
	"scenario": {"generate a seeded Chongqing test scenario (urban day, rural week) as JSON", runScenario},
	"serve":    {"serve the JSON API over HTTP (in-memory demo by default, PostgreSQL with --database-url)", runServe},
	"solve":    {"solve a routing problem (benchmark file or JSON) and print the solution", runSolve},
	"bench":    {"run a routing benchmark set and report gaps to best-known solutions", runBench},
	"plan":     {"plan urban joint delivery (pooled vs separate, cost shares) or a rural two-echelon week", runPlan},
	"cover":    {"analyse pickup-point coverage of demand, or audit rural villages (--rural)", runCover},
	"import":   {"import facilities or demand points in bulk from CSV or GeoJSON (all or nothing)", runImport},
	"keys":     {"add, list and revoke API keys kept (hashed) in the store", runKeys},
	"worker":   {"run asynchronous jobs from the shared PostgreSQL database, without the HTTP API", runWorker},
	"site":     {"choose new pickup-point sites: MCLP (--add K), LSCP (--target SHARE), capacitated", runSite},
}

// errUsage marks an error in the command line; it exits with status 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// Run runs the command line args and returns the process exit status:
// 0 on success, 1 on failure, 2 on a usage error.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				_ = c.run(ctx, env, []string{"-h"})
				return 0
			}
		}
		usage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "lastmile: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	err := c.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "lastmile %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "lastmile %s: %v\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "lastmile: logistics and last-mile coordination engine")
	fmt.Fprintln(w, "\nUsage: lastmile COMMAND [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'lastmile help COMMAND' or 'lastmile COMMAND -h' for a command's flags.")
	fmt.Fprint(w, "\n"+conventions)
}

// conventions is the command-line convention every subcommand follows,
// printed by 'lastmile help' (and repeated in doc.go).
const conventions = `Conventions (every command):
  - flags may come before, between or after the arguments; -- ends the flags
  - results go to stdout as text; --json prints them as JSON instead
  - progress lines, notes and "wrote FILE" lines go to stderr; --quiet
    silences progress
  - --seed is an unsigned 64-bit integer; the same seed and flags give the
    same result
  - --out is always a directory, created if missing; other file outputs
    name their file (--geojson FILE, --csv DIR)
  - exit status 0 on success, 1 on failure, 2 on a usage error
`

// newFlagSet returns a flag set that reports errors instead of exiting, with
// a usage line naming the command. Every subcommand uses it, so all share
// -h and the same error wording.
func newFlagSet(env *Env, name, argsUsage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: lastmile %s [flags] %s\n\n%s\n\nFlags:\n", name, argsUsage, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses args with fs and returns the positional arguments.
// Flags may come before, between or after them: the flag package stops at
// the first argument that is not a flag, so parsing resumes after each
// one. After "--" everything is positional. A bad flag is a usage error.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noArgs is parseArgs for a command that takes no positional arguments.
func noArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, pos)
	}
	return nil
}

// jsonUsage describes --json, the same on every command.
const jsonUsage = "print the result as JSON on stdout instead of text"

// jsonFlag registers --json.
func jsonFlag(fs *flag.FlagSet) *bool { return fs.Bool("json", false, jsonUsage) }

// seedFlag registers --seed, an unsigned 64-bit integer on every command.
func seedFlag(fs *flag.FlagSet, usage string) *uint64 {
	return fs.Uint64("seed", 1, usage)
}

// wrote tells, on stderr, which files a command wrote, one line each.
func wrote(env *Env, paths ...string) {
	for _, p := range paths {
		fmt.Fprintf(env.Stderr, "wrote %s\n", p)
	}
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "version", "", "Print the lastmile version.")
	asJSON := jsonFlag(fs)
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env.Stdout, struct {
			Version string `json:"version"`
		}{version})
	}
	fmt.Fprintf(env.Stdout, "lastmile %s\n", version)
	return nil
}

// Package benchset runs the published routing benchmark sets and measures
// the solver against their best-known solutions (BKS). Every solution is
// re-checked by package check, independently of the solver's own
// evaluation, before its cost is reported.
//
// The data are not part of the repository: they live in a folder laid out
// as ../shared/benchmarks (see its README.md), with one bks.tsv table per
// set. Each Set names its files, its table and the objective convention the
// table uses, so that a gap compares like with like.
//
// # Example
//
//	set, _ := benchset.Lookup("solomon")
//	entries, _ := set.Entries(dir, nil)
//	for _, e := range entries {
//		r, _ := benchset.Run(ctx, set, e, routing.Options{Seed: 1, TimeLimit: time.Second})
//		fmt.Println(r.Instance, r.Cost, r.Gap)
//	}
package benchset

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/routing"
	"github.com/lastmile-dev/lastmile/routing/check"
	"github.com/lastmile-dev/lastmile/routing/instance"
)

// ErrData is returned (wrapped) when the benchmark folder, a file or a BKS
// table is missing or malformed.
var ErrData = errors.New("benchset: benchmark data")

// DefaultDir is the benchmark folder relative to the repository root.
const DefaultDir = "../shared/benchmarks"

// EnvDir is the environment variable that overrides DefaultDir.
const EnvDir = "LASTMILE_BENCHMARKS"

// Set is one benchmark set.
type Set struct {
	Name string
	// Glob selects the instance files, relative to the data folder.
	Glob string
	// BKS is the best-known-solution table, relative to the data folder.
	BKS string
	// Objective describes the convention of the BKS table.
	Objective string
	read      func(io.Reader) (*instance.Instance, error)
}

// Read reads one instance file of the set.
func (s Set) Read(r io.Reader) (*instance.Instance, error) { return s.read(r) }

// Sets returns the benchmark sets, in a fixed order.
func Sets() []Set {
	solomon := func(c instance.Convention) func(io.Reader) (*instance.Instance, error) {
		return func(r io.Reader) (*instance.Instance, error) { return instance.ReadSolomonConvention(r, c) }
	}
	const nint = "total distance, arcs rounded to the nearest integer"
	return []Set{
		// bks_distance_real.tsv marks R109 and RC103 optimal=lower_bound:
		// their published values lie below the proven truncated-arc optima,
		// which bound the real-arc optimum from below and are listed instead.
		{"solomon", "solomon/*.txt", "solomon/bks_distance_real.tsv", "total distance, unrounded (no vehicle term)", solomon(instance.ConventionReal)},
		{"solomon-50", "solomon/50/*.txt", "solomon/50/bks.tsv", "total distance, arcs truncated to one decimal", solomon(instance.ConventionTruncated)},
		{"solomon-25", "solomon/25/*.txt", "solomon/25/bks.tsv", "total distance, arcs truncated to one decimal", solomon(instance.ConventionTruncated)},
		{"cvrp-a", "cvrp/A/*.vrp", "cvrp/bks.tsv", nint, instance.ReadVRPLIB},
		{"cvrp-b", "cvrp/B/*.vrp", "cvrp/bks.tsv", nint, instance.ReadVRPLIB},
		{"cvrp-e", "cvrp/E/*.vrp", "cvrp/bks.tsv", nint, instance.ReadVRPLIB},
		{"cvrp-p", "cvrp/P/*.vrp", "cvrp/bks.tsv", nint, instance.ReadVRPLIB},
		{"x", "cvrp/X/*.vrp", "cvrp/bks.tsv", nint, instance.ReadVRPLIB},
		{"lilim", "lilim/*.txt", "lilim/bks.tsv", "hierarchical BKS (vehicles, then unrounded distance); gap on distance only", instance.ReadLiLim},
		{"vrpb", "vrpb/*.vrpb", "vrpb/bks.tsv", nint + ", linehauls before backhauls", instance.ReadVRPB},
	}
}

// Names returns the set names.
func Names() []string {
	var names []string
	for _, s := range Sets() {
		names = append(names, s.Name)
	}
	return names
}

// Lookup returns the set called name.
func Lookup(name string) (Set, error) {
	for _, s := range Sets() {
		if s.Name == name {
			return s, nil
		}
	}
	return Set{}, fmt.Errorf("benchset: unknown set %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// Dir resolves the data folder: flag if not empty, else $LASTMILE_BENCHMARKS,
// else DefaultDir. It fails clearly when the folder is absent.
func Dir(flag string) (string, error) {
	dir := flag
	if dir == "" {
		dir = os.Getenv(EnvDir)
	}
	if dir == "" {
		dir = DefaultDir
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return "", fmt.Errorf("%w: folder %s not found (give --data or set %s)", ErrData, dir, EnvDir)
	}
	return dir, nil
}

// Entry is one instance of a set with its best-known solution.
type Entry struct {
	Name        string
	Path        string
	BKS         float64 // NaN when the table has no row
	BKSVehicles int     // 0 when unknown
	// Bounded is set when the table marks the row optimal=lower_bound:
	// BKS is a proven lower bound, the published value being below it.
	Bounded bool
}

// Entries lists the set's instances under dir, sorted by name, keeping
// those whose name matches filter (nil keeps all).
func (s Set) Entries(dir string, filter *regexp.Regexp) ([]Entry, error) {
	files, err := filepath.Glob(filepath.Join(dir, s.Glob))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("%w: no files match %s under %s", ErrData, s.Glob, dir)
	}
	bks, err := readBKS(filepath.Join(dir, s.BKS))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if filter != nil && !filter.MatchString(name) {
			continue
		}
		e := Entry{Name: name, Path: f, BKS: math.NaN()}
		if row, ok := bks[name]; ok {
			e.BKS, e.BKSVehicles, e.Bounded = row.value, row.vehicles, row.lowerBound
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return lessNatural(out[i].Name, out[j].Name) })
	return out, nil
}

// lessNatural orders names with embedded numbers numerically, so that
// X-n101 comes before X-n1001.
func lessNatural(a, b string) bool {
	na, nb := numbers.FindAllString(a, -1), numbers.FindAllString(b, -1)
	pa, pb := numbers.ReplaceAllString(a, "#"), numbers.ReplaceAllString(b, "#")
	if pa != pb {
		return a < b
	}
	for i := range min(len(na), len(nb)) {
		x, _ := strconv.Atoi(na[i])
		y, _ := strconv.Atoi(nb[i])
		if x != y {
			return x < y
		}
	}
	return a < b
}

var numbers = regexp.MustCompile(`\d+`)

type bksRow struct {
	value    float64
	vehicles int
	// lowerBound is set when the optimal column says lower_bound: the
	// value is a proven lower bound, not a solution's cost.
	lowerBound bool
}

// readBKS reads a bks.tsv table: header "instance bks_objective vehicles
// optimal source", tab-separated. The optimal column is yes, unknown, no
// or lower_bound.
func readBKS(path string) (map[string]bksRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	defer f.Close()
	out := map[string]bksRow{}
	s := bufio.NewScanner(f)
	line := 0
	for s.Scan() {
		line++
		cols := strings.Split(strings.TrimRight(s.Text(), "\r"), "\t")
		if line == 1 || len(cols) < 2 || cols[0] == "" {
			continue
		}
		v, err := strconv.ParseFloat(cols[1], 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: bks_objective %q: %w", ErrData, path, line, cols[1], err)
		}
		row := bksRow{value: v}
		if len(cols) > 2 {
			row.vehicles, _ = strconv.Atoi(cols[2])
		}
		row.lowerBound = len(cols) > 3 && cols[3] == "lower_bound"
		out[cols[0]] = row
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrData, path, err)
	}
	return out, nil
}

// Result is one instance's outcome.
type Result struct {
	Instance    string `json:"instance"`
	BKS         Float  `json:"bks"`
	BKSVehicles int    `json:"bks_vehicles,omitempty"`
	// Bounded: BKS is a proven lower bound (the table's optimal=lower_bound).
	Bounded    bool    `json:"bks_is_bound,omitempty"`
	Cost       float64 `json:"cost"`
	Gap        Float   `json:"gap_percent"` // 100 (cost − BKS) / BKS
	Routes     int     `json:"routes"`
	Unassigned int     `json:"unassigned"`
	TimeMS     int64   `json:"time_ms"`
	// Iterations is the solver's ruin-and-recreate iterations, over all
	// its threads.
	Iterations int      `json:"iterations"`
	Feasible   bool     `json:"feasible"` // checked feasible and complete
	Violations []string `json:"violations,omitempty"`
	// SolverDistance is the solver's own total distance over Problem.Scale.
	// It should equal the checker's within rounding (half a matrix unit per
	// arc); DistanceMismatch flags when it does not, a sign that the
	// solver's evaluation and the instance disagree.
	SolverDistance   float64 `json:"solver_distance"`
	DistanceMismatch bool    `json:"distance_mismatch,omitempty"`
}

// Load reads the entry's instance.
func Load(s Set, e Entry) (*instance.Instance, error) {
	f, err := os.Open(e.Path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	defer f.Close()
	in, err := s.Read(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Path, err)
	}
	if in.Name == "" {
		in.Name = e.Name
	}
	return in, nil
}

// Run solves one instance with opts and checks the solution.
func Run(ctx context.Context, s Set, e Entry, opts routing.Options) (Result, error) {
	in, err := Load(s, e)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	sol, err := routing.Solve(ctx, in.Problem, opts)
	elapsed := time.Since(start)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", e.Name, err)
	}
	r, err := Evaluate(in, e, sol)
	r.TimeMS, r.Iterations = elapsed.Milliseconds(), sol.Iterations
	return r, err
}

// Evaluate checks sol with package check and compares it with the BKS.
func Evaluate(in *instance.Instance, e Entry, sol *routing.Solution) (Result, error) {
	rep, err := check.Solution(in, sol)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", e.Name, err)
	}
	arcs := len(in.Problem.Jobs) + 2*len(in.Problem.Shipments) + len(sol.Routes)
	solverDist := float64(sol.Distance) / in.Scale()
	return Result{
		Instance: e.Name, BKS: Float(e.BKS), BKSVehicles: e.BKSVehicles, Bounded: e.Bounded,
		Cost: rep.Cost, Gap: Float(GapPercent(rep.Cost, e.BKS)),
		Routes: rep.Routes, Unassigned: rep.Unassigned,
		Feasible: rep.Complete(), Violations: rep.Violations,
		SolverDistance:   solverDist,
		DistanceMismatch: math.Abs(solverDist-rep.Distance) > 0.5*float64(arcs)/in.Scale()+1e-9,
	}, nil
}

// GapPercent returns 100 (cost − bks) / bks, or NaN without a BKS. Gaps
// below 1e-7 % are float noise from summing arcs and read as 0.
func GapPercent(cost, bks float64) float64 {
	if math.IsNaN(bks) || bks == 0 {
		return math.NaN()
	}
	g := 100 * (cost - bks) / bks
	if math.Abs(g) < 1e-7 {
		return 0
	}
	return g
}

// Summary aggregates results. Gaps are over the feasible results that have
// a BKS.
type Summary struct {
	Instances int    `json:"instances"`
	Feasible  int    `json:"feasible"`
	MeanGap   Float  `json:"mean_gap_percent"`
	MedianGap Float  `json:"median_gap_percent"`
	MaxGap    Float  `json:"max_gap_percent"`
	MaxGapOf  string `json:"max_gap_instance,omitempty"`
	// WithinBKSRoutes counts the feasible results with a BKS route count
	// that use no more routes than it, and MeanGapWithinBKSRoutes is their
	// mean gap. For hierarchical BKS (Li & Lim) this is the fair distance
	// comparison: an extra vehicle often buys a shorter total distance.
	WithinBKSRoutes        int   `json:"within_bks_routes"`
	MeanGapWithinBKSRoutes Float `json:"mean_gap_within_bks_routes_percent"`
	TotalMS                int64 `json:"total_ms"`
}

// Summarize aggregates results.
func Summarize(rs []Result) Summary {
	s := Summary{Instances: len(rs), MeanGap: Float(math.NaN()), MedianGap: Float(math.NaN()), MaxGap: Float(math.NaN()),
		MeanGapWithinBKSRoutes: Float(math.NaN())}
	var gaps []float64
	within := 0.0
	for _, r := range rs {
		s.TotalMS += r.TimeMS
		if !r.Feasible {
			continue
		}
		s.Feasible++
		g := float64(r.Gap)
		if math.IsNaN(g) {
			continue
		}
		gaps = append(gaps, g)
		if r.BKSVehicles > 0 && r.Routes <= r.BKSVehicles {
			s.WithinBKSRoutes++
			within += g
		}
		if math.IsNaN(float64(s.MaxGap)) || r.Gap > s.MaxGap {
			s.MaxGap, s.MaxGapOf = r.Gap, r.Instance
		}
	}
	if len(gaps) == 0 {
		return s
	}
	sum := 0.0
	for _, g := range gaps {
		sum += g
	}
	s.MeanGap = Float(sum / float64(len(gaps)))
	if s.WithinBKSRoutes > 0 {
		s.MeanGapWithinBKSRoutes = Float(within / float64(s.WithinBKSRoutes))
	}
	slices.Sort(gaps)
	if n := len(gaps); n%2 == 1 {
		s.MedianGap = Float(gaps[n/2])
	} else {
		s.MedianGap = Float((gaps[n/2-1] + gaps[n/2]) / 2)
	}
	return s
}

// Float is a float64 that encodes NaN (no BKS, no feasible result) as JSON
// null.
type Float float64

// MarshalJSON writes the number, or null for NaN and infinities.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'f', -1, 64), nil
}

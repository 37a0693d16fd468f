package main

import (
	"context"
	"fmt"
	"time"

	"github.com/lastmile-dev/lastmile/depots/coverage"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/paulmach/orb/geojson"
)

const siteSummary = `Choose new pickup-point sites, keeping the existing points.

--add K solves the maximal covering problem (MCLP): the K candidates that
cover the most demand. --target SHARE solves the set covering problem
(LSCP): the fewest candidates (or the cheapest, with a cost column) that
bring covered demand to SHARE of the total (1.0 = all). --capacitated
limits every point to its capacity. Candidates come from --candidates FILE
(CSV id,lon,lat[,radius_m,capacity,cost] or GeoJSON Points) or are the
centres of the H3 cells holding demand at --candidate-cells RES.

The plan comes with a bound: an upper bound on the demand any K sites can
cover (MCLP), or a lower bound on the cost of reaching the target (LSCP),
so the gap shows how far from optimal the plan can be. --demand and
--points read as in 'lastmile cover'. --geojson writes the demand cells
with their coverage status and serving point once the chosen sites are
open, the existing points and the chosen sites (with their rank).`

func runSite(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "site", "", siteSummary)
	var c coverFlags
	c.register(fs, "existing pickup points `FILE` (optional): CSV id,lon,lat[,radius_m,capacity] or GeoJSON")
	candidates := fs.String("candidates", "", "candidate sites `FILE`: CSV id,lon,lat[,radius_m,capacity,cost] or GeoJSON Points")
	cellRes := fs.Int("candidate-cells", 0, "use the centres of the H3 cells holding demand at this `RES`olution as candidates")
	add := fs.Int("add", 0, "MCLP: number of sites to add")
	target := fs.Float64("target", 0, "LSCP: share of all demand to cover, 0 < SHARE ≤ 1")
	capacitated := fs.Bool("capacitated", false, "respect point and candidate capacities")
	iterations := fs.Int("iterations", 1000, "subgradient iterations for the bound (more: tighter bound, often a better plan)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	switch {
	case c.demand == "":
		return fmt.Errorf("%w: --demand is required", errUsage)
	case (*candidates == "") == (*cellRes == 0):
		return fmt.Errorf("%w: give one of --candidates FILE and --candidate-cells RES", errUsage)
	case *cellRes < 0 || *cellRes > h3cell.MaxResolution:
		return fmt.Errorf("%w: --candidate-cells %d outside 1..15", errUsage, *cellRes)
	case flagSet(fs, "add") && flagSet(fs, "target"):
		return fmt.Errorf("%w: give one of --add K (MCLP) and --target SHARE (LSCP), not both", errUsage)
	case flagSet(fs, "add") && *add < 1:
		return fmt.Errorf("%w: --add %d: want at least 1 site", errUsage, *add)
	case flagSet(fs, "target") && !(*target > 0 && *target <= 1):
		return fmt.Errorf("%w: --target %v: want a share of the demand with 0 < SHARE ≤ 1 (1.0 = all)", errUsage, *target)
	case !flagSet(fs, "add") && !flagSet(fs, "target"):
		return fmt.Errorf("%w: give one of --add K (MCLP) and --target SHARE (LSCP)", errUsage)
	case *iterations < 1:
		return fmt.Errorf("%w: --iterations must be ≥ 1", errUsage)
	}
	datum, err := geo.ParseDatum(c.datum)
	if err != nil {
		return fmt.Errorf("%w: --datum: %w", errUsage, err)
	}
	demand, err := loadDemand(c.demand, datum)
	if err != nil {
		return err
	}
	var existing []coverage.Point
	if c.points != "" {
		if existing, err = loadPoints(c.points, datum, nil); err != nil {
			return err
		}
	}
	var cands []coverage.Point
	if *candidates != "" {
		cands, err = loadPoints(*candidates, datum, nil)
	} else {
		cands, err = coverage.CellCandidates(demand, *cellRes)
	}
	if err != nil {
		return err
	}
	prog := newProgress(env.Stderr, "site", 0, c.quiet)
	opts := coverage.SiteOptions{
		Options: coverage.Options{RadiusMeters: c.radius, Circuity: c.circuity, Resolution: c.res,
			Workers: c.workers, Progress: progressFunc(prog, "")},
		Add: *add, Target: *target, Capacitated: *capacitated, Iterations: *iterations,
	}
	start := time.Now()
	plan, err := coverage.SelectSites(ctx, demand, existing, cands, opts)
	prog.Done()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if c.geojson != "" {
		// The map shows the plan in place: the demand cells with their
		// coverage status and serving point once the chosen sites are open.
		chosen := make([]coverage.Point, len(plan.ChosenIndex))
		for k, j := range plan.ChosenIndex {
			chosen[k] = cands[j]
		}
		all := append(append([]coverage.Point(nil), existing...), chosen...)
		rep, err := coverage.Analyze(ctx, demand, all, opts.Options)
		if err != nil {
			return err
		}
		fc, err := coverage.CellsGeoJSON(rep.Cells)
		if err != nil {
			return err
		}
		coverage.PointsGeoJSON(fc, withRadius(existing, c.radius), "existing", func(i int) geojson.Properties {
			return geojson.Properties{"assigned_demand": rep.Points[i].AssignedDemand}
		})
		coverage.PointsGeoJSON(fc, withRadius(chosen, c.radius), "chosen", func(k int) geojson.Properties {
			return geojson.Properties{"rank": k + 1, "assigned_demand": rep.Points[len(existing)+k].AssignedDemand}
		})
		if err := writeGeoJSON(c.geojson, fc); err != nil {
			return err
		}
		wrote(env, c.geojson)
	}
	if c.json {
		return writeJSON(env.Stdout, plan)
	}
	w := env.Stdout
	pct := func(x float64) float64 { return 100 * x / max(plan.TotalDemand, 1e-300) }
	fmt.Fprintf(w, "%s: %d demand points (%d units), %d existing points, %d candidates; radius %g m, circuity %g; %s\n",
		plan.Model, len(demand), plan.Units, len(existing), len(cands), c.radius, c.circuity, elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-24s %14.1f %8.2f%%\n", "existing points cover", plan.ExistingCovered, pct(plan.ExistingCovered))
	fmt.Fprintf(w, "%-24s %14.1f %8.2f%%\n", fmt.Sprintf("with %d new sites", len(plan.Chosen)), plan.CoveredDemand, pct(plan.CoveredDemand))
	if *add > 0 {
		fmt.Fprintf(w, "%-24s %14.1f %8.2f%%; gap %.2f%%%s\n", "upper bound", plan.UpperBound, pct(plan.UpperBound), plan.GapPercent, optimality(plan))
		if len(plan.Chosen) < *add {
			fmt.Fprintf(w, "only %d of the %d sites asked for add coverage; more would cover nothing new\n", len(plan.Chosen), *add)
		}
	} else {
		fmt.Fprintf(w, "cost %g; lower bound %g; gap %.2f%%%s\n", plan.Cost, plan.CostLowerBound, plan.GapPercent, optimality(plan))
	}
	if plan.Uncoverable > 0 {
		fmt.Fprintf(w, "unreachable by any point or candidate: %.1f (%.2f%%)\n", plan.Uncoverable, pct(plan.Uncoverable))
	}
	fmt.Fprintln(w, "chosen:")
	for k, j := range plan.ChosenIndex {
		if k == 50 {
			fmt.Fprintf(w, "  … and %d more (see --json)\n", len(plan.Chosen)-50)
			break
		}
		p := cands[j]
		fmt.Fprintf(w, "  %3d  %-16s %.6f %.6f\n", k+1, p.ID, p.Location[0], p.Location[1])
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/h3cell"
	"github.com/lastmile-dev/lastmile/internal/scenario"
)

const allocateSummary = `Allocate demand to cloud warehouses: each warehouse within its daily,
category and cold-chain capacity, the drive from warehouse to demand within
the promise, at the least transport plus handling cost.

By default the demand is the generated Chongqing day (--seed, --parcels):
its parcels summed per H3 cell (--res) and category, fresh food promised
within --fresh-promise of the warehouse and the rest within --promise,
served from the day's cloud warehouses (their capacities times
--capacity-scale), priced by --per-km and --per-hour per parcel. With
--scenario FILE.json the problem is read from a file instead:

  {"warehouses": [{"id": "wh-1", "kind": "cloud_warehouse", "location": [106.5, 29.6],
                   "capacity": {"per_day": 5000, "per_category": {"general": 4000, "fresh": 800},
                                "cold_chain": 800}, "handling_cost": 0.8}],
   "demand": [{"cell": "8840d8a4a3fffff", "category": "fresh", "volume": 42,
               "cold_chain": true, "promise_seconds": 2700},
              {"location": [106.55, 29.56], "zone": "yuzhong", "category": "general", "volume": 120}],
   "tariff": {"per_parcel_km": 0.03, "per_parcel_hour": 0.6}}

Travel comes from the great-circle model (geo.GreatCircle). Demand is
splittable between warehouses unless --single-source; then each demand has
one warehouse and the result carries a lower bound and the gap to it.
Demand that cannot be served is reported with its reason (sla, cold_chain,
category, capacity), never as a failure.`

func runAllocate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "allocate", "", allocateSummary)
	single := fs.Bool("single-source", false, "serve each demand from one warehouse (heuristic with a lower bound)")
	source := fs.String("scenario", "chongqing", "`chongqing` (generated day) or a problem FILE.json")
	seed := seedFlag(fs, "scenario seed")
	parcels := fs.Int("parcels", scenario.DefaultParcels, "parcels on the generated day")
	res := fs.Int("res", 8, "H3 `RES`olution of the demand cells of the generated day")
	promise := fs.Duration("promise", 2*time.Hour, "promise for general and bulky parcels (generated day)")
	freshPromise := fs.Duration("fresh-promise", 45*time.Minute, "promise for fresh (cold-chain) parcels (generated day)")
	scale := fs.Float64("capacity-scale", 1, "multiply the generated warehouses' capacities by this `FACTOR`")
	perKm := fs.Float64("per-km", 0.03, "transport price per parcel-km (generated day)")
	perHour := fs.Float64("per-hour", 0.6, "transport price per parcel-hour (generated day)")
	iterations := fs.Int("iterations", 200, "subgradient iterations of the Lagrangian bound (--single-source)")
	geojsonOut := fs.String("geojson", "", "write the demand cells coloured by warehouse to `FILE` (GeoJSON)")
	jsonOut := jsonFlag(fs)
	quiet := fs.Bool("quiet", false, "no progress line")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *res < 0 || *res > h3cell.MaxResolution:
		return fmt.Errorf("%w: --res %d outside 0..15", errUsage, *res)
	case *promise < 0 || *freshPromise < 0 || *promise > 596*time.Hour || *freshPromise > 596*time.Hour:
		return fmt.Errorf("%w: promises must be between 0 and 596h", errUsage)
	case !(*scale >= 0) || !(*perKm >= 0) || !(*perHour >= 0):
		return fmt.Errorf("%w: --capacity-scale, --per-km and --per-hour must be ≥ 0", errUsage)
	case *iterations < 1:
		return fmt.Errorf("%w: --iterations must be ≥ 1", errUsage)
	}
	prog := newProgress(env.Stderr, "allocate", 0, *quiet)
	var p *depots.AllocationProblem
	var err error
	if *source == "chongqing" {
		prog.Set(0, "generating the Chongqing day")
		p, err = chongqingAllocation(*seed, *parcels, *res, *promise, *freshPromise, *scale, depots.Tariff{PerParcelKm: *perKm, PerParcelHour: *perHour})
		if errors.Is(err, scenario.ErrInvalid) {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
	} else {
		p, err = readAllocationProblem(*source)
	}
	if err != nil {
		return err
	}
	prog.Set(0, fmt.Sprintf("travel matrix of %d points", len(p.Warehouses)+len(p.Demand)))
	if p.Matrix, err = (geo.GreatCircle{}).Matrix(ctx, p.Points()); err != nil {
		return err
	}
	prog.Set(0, "allocating")
	a, err := depots.Allocate(ctx, p, depots.AllocateOptions{SingleSource: *single, Iterations: *iterations})
	prog.Done()
	if err != nil {
		return err
	}
	if *geojsonOut != "" {
		fc, err := a.GeoJSON(p)
		if err != nil {
			return err
		}
		if err := writeGeoJSON(*geojsonOut, fc); err != nil {
			return err
		}
		wrote(env, *geojsonOut)
	}
	if *jsonOut {
		return writeJSON(env.Stdout, a)
	}
	return writeAllocation(env.Stdout, p, a)
}

// chongqingAllocation builds the allocation problem of the generated
// Chongqing day, without its matrix.
func chongqingAllocation(seed uint64, parcels, res int, promise, freshPromise time.Duration, scale float64, t depots.Tariff) (*depots.AllocationProblem, error) {
	sc, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: seed, Kind: scenario.KindUrban, Parcels: parcels})
	if err != nil {
		return nil, err
	}
	points := make([]depots.Demand, len(sc.Day.Parcels))
	for i, pc := range sc.Day.Parcels {
		pr := promise
		if pc.ColdChain {
			pr = freshPromise
		}
		points[i] = depots.Demand{Zone: pc.District, Location: pc.Location, Category: string(pc.Category), Volume: 1, ColdChain: pc.ColdChain, PromiseSeconds: int32(pr / time.Second)}
	}
	p := &depots.AllocationProblem{Tariff: t}
	if p.Demand, err = depots.AggregateByCell(points, res); err != nil {
		return nil, err
	}
	for _, f := range sc.Day.ByKind(depots.CloudWarehouse) {
		w := *f
		w.Capacity = w.Capacity.Scaled(scale)
		p.Warehouses = append(p.Warehouses, w)
	}
	return p, nil
}

func readAllocationProblem(path string) (*depots.AllocationProblem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := depots.DecodeAllocationProblem(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The API may fill in its stored network; a file must bring its own.
	if len(p.Warehouses) == 0 || len(p.Demand) == 0 {
		return nil, fmt.Errorf("%s: %w: the file has %d warehouses and %d demand; want at least one of each",
			path, depots.ErrInvalid, len(p.Warehouses), len(p.Demand))
	}
	return p, nil
}

// writeAllocation prints a readable summary: totals, the bound, a
// utilisation table and the unserved volume by reason.
func writeAllocation(w io.Writer, p *depots.AllocationProblem, a *depots.Allocation) error {
	mode := "splittable"
	if a.SingleSource {
		mode = "single-source"
	}
	total := a.ServedVolume + a.UnservedVolume
	share := 0.0
	if total > 0 {
		share = 100 * a.ServedVolume / total
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Allocation (%s) of %d demand (cell × category) to %d warehouses\n", mode, len(p.Demand), len(p.Warehouses))
	fmt.Fprintf(&b, "  demand    %12.1f parcels/day\n", total)
	fmt.Fprintf(&b, "  served    %12.1f (%.1f%%)\n", a.ServedVolume, share)
	fmt.Fprintf(&b, "  unserved  %12.1f\n", a.UnservedVolume)
	fmt.Fprintf(&b, "  cost      %12.2f = transport %.2f + handling %.2f\n", a.Cost, a.TransportCost, a.HandlingCost)
	if a.PenaltyCost > 0 {
		fmt.Fprintf(&b, "  penalty   %12.2f (%.2f per parcel unserved for capacity)\n", a.PenaltyCost, a.UnservedPerParcel)
	}
	fmt.Fprintf(&b, "  objective %12.2f, lower bound %.2f, gap %.3f%%\n\n", a.Objective, a.LowerBound, 100*a.Gap)

	cats := map[string]bool{}
	for _, d := range p.Demand {
		cats[d.Category] = true
	}
	names := make([]string, 0, len(cats))
	for c := range cats {
		names = append(names, c)
	}
	slices.Sort(names)
	fmt.Fprintf(&b, "%-22s %10s %10s %7s %15s", "warehouse", "volume", "capacity", "share", "cold/capacity")
	for _, c := range names {
		fmt.Fprintf(&b, " %10s", c)
	}
	b.WriteByte('\n')
	for _, u := range a.Utilisation {
		fmt.Fprintf(&b, "%-22s %10.1f %10.1f %6.1f%% %15s", u.Facility, u.Volume, u.Capacity, 100*u.Share, fmt.Sprintf("%.0f/%.0f", u.Cold, u.ColdCapacity))
		for _, c := range names {
			fmt.Fprintf(&b, " %10.1f", u.PerCategory[c])
		}
		b.WriteByte('\n')
	}
	if len(a.Unserved) > 0 {
		vol := map[depots.Reason]float64{}
		count := map[depots.Reason]int{}
		for _, u := range a.Unserved {
			vol[u.Reason] += u.Volume
			count[u.Reason]++
		}
		b.WriteString("\nunserved by reason\n")
		for _, r := range []depots.Reason{depots.ReasonSLA, depots.ReasonColdChain, depots.ReasonCategory, depots.ReasonCapacity} {
			if count[r] > 0 {
				fmt.Fprintf(&b, "  %-12s %10.1f parcels/day in %d demand\n", r, vol[r], count[r])
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/lastmile-dev/lastmile/geo/zone"

	"github.com/lastmile-dev/lastmile/depots/coverage"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

const coverSummary = `Analyse how well pickup points cover demand.

--demand is a CSV file with a header and the columns lon,lat,weight (or a
GeoJSON FeatureCollection of Points with a "weight" property); --points is a
CSV with id,lon,lat and optional radius_m and capacity (or GeoJSON Points
with those properties). A demand point is covered when its walking distance
(great-circle × --circuity) to a point is within that point's radius (or
--radius); demand is then assigned to points within capacity, by a
min-cost flow (the most demand served, then the least walking) or nearest
first at large scale (--assign). Prints a summary with per-zone figures
(--zones) and the uncovered hot spots, or JSON with --json; --geojson
writes the H3 cells with their status and serving point, and the points.

With --rural, audits villages instead: which lie within --km of road
(great-circle × --circuity, default 1.6) of a township station or village
service point, and the fewest villages to equip as service points so that
all are within reach. --townships and --villages default to the Chongqing
gazetteer in ../shared/geo when present (Vonng/adcode, CC BY 4.0), and to
the bundled scenario's rural week otherwise.`

// coverFlags are the input flags cover and site share.
type coverFlags struct {
	demand, points, datum  string
	radius, circuity       float64
	zones, zonesDatum      string
	geojson                string
	json, quiet            bool
	workers, res, hotspots int
}

// register adds the shared flags to fs; pointsUsage describes --points.
func (c *coverFlags) register(fs *flag.FlagSet, pointsUsage string) {
	fs.StringVar(&c.demand, "demand", "", "demand `FILE`: CSV lon,lat,weight or GeoJSON Points")
	fs.StringVar(&c.points, "points", "", pointsUsage)
	fs.StringVar(&c.datum, "datum", "wgs84", "datum of the input coordinates: wgs84, gcj02 or bd09")
	fs.Float64Var(&c.radius, "radius", 500, "default service radius in walking `METRES`")
	fs.Float64Var(&c.circuity, "circuity", coverage.DefaultCircuity, "walking distance / great-circle distance (1 = great-circle)")
	fs.StringVar(&c.geojson, "geojson", "", "write GeoJSON to `FILE`")
	fs.BoolVar(&c.json, "json", false, jsonUsage)
	fs.BoolVar(&c.quiet, "quiet", false, "no progress line on stderr")
	fs.IntVar(&c.workers, "workers", 0, "goroutines (default GOMAXPROCS)")
	fs.IntVar(&c.res, "res", 0, "H3 resolution of the demand index and cells (default: from the radius)")
}

func (c *coverFlags) check() error {
	if c.radius < 0 || c.radius != c.radius {
		return fmt.Errorf("%w: --radius %v must be ≥ 0", errUsage, c.radius)
	}
	if !(c.circuity >= 1) {
		return fmt.Errorf("%w: --circuity %v must be ≥ 1", errUsage, c.circuity)
	}
	if c.res < 0 || c.res > 15 {
		return fmt.Errorf("%w: --res %d outside 0..15", errUsage, c.res)
	}
	if c.workers < 0 {
		return fmt.Errorf("%w: --workers must be ≥ 0", errUsage)
	}
	return nil
}

func runCover(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "cover", "", coverSummary)
	var c coverFlags
	c.register(fs, "pickup points `FILE`: CSV id,lon,lat[,radius_m,capacity] or GeoJSON Points")
	fs.StringVar(&c.zones, "zones", "", "zones (districts) GeoJSON `FILE` for the per-zone report")
	fs.StringVar(&c.zonesDatum, "zones-datum", "wgs84", "datum of the zones file: wgs84, gcj02 or bd09")
	zonesRes := fs.Int("zones-res", 7, "H3 resolution of the zone lookup: 7 (≈1.2 km edges) places demand in districts quickly; 9 follows boundaries to ≈0.2 km but indexes a municipality slowly")
	fs.IntVar(&c.hotspots, "hotspots", 20, "number of uncovered hot spots to list")
	assign := fs.String("assign", "auto", "capacity assignment: auto, mincost (min-cost flow) or greedy (nearest first)")
	rural := fs.Bool("rural", false, "audit villages against township stations (see above)")
	townships := fs.String("townships", "", "township stations `FILE` (CSV id/code,lon,lat; default ../shared/geo)")
	villages := fs.String("villages", "", "villages `FILE` (CSV id/code,lon,lat[,cost]; default ../shared/geo)")
	servicePoints := fs.String("service-points", "", "existing village service points `FILE` (CSV id,lon,lat)")
	km := fs.Float64("km", 5, "rural reach in `KM` of road")
	noPlan := fs.Bool("no-plan", false, "rural: only audit, do not plan new service points")
	matrix := fs.String("matrix", "", "rural: road distances `FILE` (JSON matrix over townships, service points, villages in file order) instead of great-circle × circuity")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	if *rural {
		if !flagSet(fs, "circuity") {
			c.circuity = coverage.DefaultRuralCircuity
		}
		if err := c.check(); err != nil {
			return err
		}
		return runRural(ctx, env, &c, *townships, *villages, *servicePoints, *matrix, *km, !*noPlan)
	}
	if err := c.check(); err != nil {
		return err
	}
	if c.demand == "" || c.points == "" {
		return fmt.Errorf("%w: --demand and --points are required", errUsage)
	}
	if c.hotspots < 0 {
		return fmt.Errorf("%w: --hotspots must be ≥ 0", errUsage)
	}
	datum, err := geo.ParseDatum(c.datum)
	if err != nil {
		return fmt.Errorf("%w: --datum: %w", errUsage, err)
	}
	demand, err := loadDemand(c.demand, datum)
	if err != nil {
		return err
	}
	points, err := loadPoints(c.points, datum, nil)
	if err != nil {
		return err
	}
	opts := coverage.Options{RadiusMeters: c.radius, Circuity: c.circuity, Resolution: c.res,
		HotSpots: max(1, c.hotspots), Workers: c.workers}
	switch *assign {
	case "auto":
		opts.Assignment = coverage.AssignAuto
	case "mincost":
		opts.Assignment = coverage.AssignMinCost
	case "greedy":
		opts.Assignment = coverage.AssignGreedy
	default:
		return fmt.Errorf("%w: --assign %q: want auto, mincost or greedy", errUsage, *assign)
	}
	if c.zones != "" {
		if *zonesRes < 0 || *zonesRes > 15 {
			return fmt.Errorf("%w: --zones-res %d outside 0..15", errUsage, *zonesRes)
		}
		if opts.ZoneOf, err = loadZones(c.zones, c.zonesDatum, *zonesRes); err != nil {
			return err
		}
	}
	prog := newProgress(env.Stderr, "cover", 0, c.quiet)
	opts.Progress = progressFunc(prog, "demand cells")
	start := time.Now()
	rep, err := coverage.Analyze(ctx, demand, points, opts)
	prog.Done()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if c.hotspots == 0 {
		rep.HotSpots = []coverage.CellResult{}
	}
	if c.geojson != "" {
		fc, err := coverage.CellsGeoJSON(rep.Cells)
		if err != nil {
			return err
		}
		coverage.PointsGeoJSON(fc, withRadius(points, c.radius), "point", func(i int) geojson.Properties {
			return geojson.Properties{"assigned_demand": rep.Points[i].AssignedDemand, "reachable_demand": rep.Points[i].ReachableDemand}
		})
		if err := writeGeoJSON(c.geojson, fc); err != nil {
			return err
		}
		wrote(env, c.geojson)
	}
	if c.json {
		return writeJSON(env.Stdout, rep)
	}
	printCover(env.Stdout, rep, len(points), &c, elapsed)
	return nil
}

func printCover(w io.Writer, rep *coverage.Report, nPoints int, c *coverFlags, elapsed time.Duration) {
	pct := func(x float64) float64 { return 100 * x / max(rep.TotalDemand, 1e-300) }
	fmt.Fprintf(w, "coverage: %d demand points, %d pickup points; default radius %g m walking, circuity %g; H3 resolution %d (disk k=%d); %s\n",
		rep.DemandPoints, nPoints, c.radius, c.circuity, rep.Resolution, rep.DiskK, elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "%-24s %14.1f\n", "total demand", rep.TotalDemand)
	fmt.Fprintf(w, "%-24s %14.1f %8.2f%%\n", "covered (within reach)", rep.CoveredDemand, pct(rep.CoveredDemand))
	fmt.Fprintf(w, "%-24s %14.1f %8.2f%%\n", "covered with capacity", rep.CoveredWithCapacity, pct(rep.CoveredWithCapacity))
	full, unused := 0, 0
	for _, p := range rep.Points {
		if p.CapacityPerDay > 0 && p.AssignedDemand >= p.CapacityPerDay-1e-9 {
			full++
		}
		if p.ReachableDemand == 0 {
			unused++
		}
	}
	fmt.Fprintf(w, "points at full capacity: %d; points with no demand within reach: %d\n", full, unused)
	fmt.Fprintf(w, "assignment: %s", rep.Assignment)
	if rep.Truncated > 0 {
		fmt.Fprintf(w, " (%d demand points had more points within reach than considered)", rep.Truncated)
	}
	fmt.Fprintln(w)
	if len(rep.Zones) > 1 || rep.Zones[0].Zone != coverage.AllZone {
		// District names are Chinese, two columns per character on a
		// terminal, which tabwriter does not know: pad by display width.
		width := displayWidth("zone")
		for _, z := range rep.Zones {
			width = max(width, displayWidth(z.Zone))
		}
		pad := func(s string) string { return s + strings.Repeat(" ", width-displayWidth(s)) }
		fmt.Fprintln(w, "\nper zone:")
		fmt.Fprintf(w, "  %s %12s %9s %14s\n", pad("zone"), "demand", "covered", "with capacity")
		for _, z := range rep.Zones {
			d := max(z.TotalDemand, 1e-300)
			fmt.Fprintf(w, "  %s %12.1f %8.2f%% %13.2f%%\n", pad(z.Zone), z.TotalDemand, 100*z.CoveredDemand/d, 100*z.CoveredWithCapacity/d)
		}
	}
	if len(rep.HotSpots) > 0 {
		fmt.Fprintln(w, "\nuncovered hot spots (H3 cells by uncovered demand):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "cell\tlon\tlat\tuncovered\tdemand\t")
		for _, h := range rep.HotSpots {
			fmt.Fprintf(tw, "%s\t%.5f\t%.5f\t%.1f\t%.1f\t\n", h.ID, h.Centre[0], h.Centre[1], h.Uncovered, h.Demand)
		}
		tw.Flush()
	}
}

func runRural(ctx context.Context, env *Env, c *coverFlags, townships, villages, servicePoints, matrix string, km float64, plan bool) error {
	if !(km > 0) {
		return fmt.Errorf("%w: --km %v must be positive", errUsage, km)
	}
	source := ""
	if townships == "" && villages == "" {
		townships = sharedGeo("chongqing_townships.csv")
		villages = sharedGeo("chongqing_villages_with_points.csv")
		source = "Chongqing gazetteer, Vonng/adcode (CC BY 4.0)"
	}
	if (townships == "") != (villages == "") {
		return fmt.Errorf("%w: give both --townships and --villages", errUsage)
	}
	datum, err := geo.ParseDatum(c.datum)
	if err != nil {
		return fmt.Errorf("%w: --datum: %w", errUsage, err)
	}
	var skippedT, skippedV []int
	var st, vs []coverage.Point
	communities := 0 // urban communities (社区) left out of the villages
	if townships == "" {
		// No gazetteer: the bundled scenario's rural week (real townships,
		// synthetic villages).
		if st, vs, err = scenarioRural(); err != nil {
			return err
		}
		source = "bundled scenario, seed 1: real townships, synthetic villages"
	} else {
		if st, err = loadPoints(townships, datum, &skippedT); err != nil {
			return err
		}
		if vs, err = loadPoints(villages, datum, &skippedV); err != nil {
			return err
		}
		if vs, communities, err = ruralOnly(villages, vs); err != nil {
			return err
		}
	}
	var sp []coverage.Point
	if servicePoints != "" {
		if sp, err = loadPoints(servicePoints, datum, nil); err != nil {
			return err
		}
	}
	ro := coverage.RuralOptions{ReachMeters: km * 1000, Circuity: c.circuity, Plan: plan, Workers: c.workers}
	travel := fmt.Sprintf("great-circle × %g", c.circuity)
	if matrix != "" {
		f, err := os.Open(matrix)
		if err != nil {
			return err
		}
		m, err := geo.ReadMatrixJSON(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", matrix, err)
		}
		ro.Travel = geo.UserMatrix{M: m}
		travel = "road distances from " + matrix
	}
	prog := newProgress(env.Stderr, "rural", 0, c.quiet)
	ro.Progress = progressFunc(prog, "")
	rep, err := coverage.RuralAudit(ctx, st, sp, vs, ro)
	prog.Done()
	if err != nil {
		return err
	}
	if c.geojson != "" {
		fc := geojson.NewFeatureCollection()
		// radius_m is the reach in road metres here, that of a village
		// once it is equipped as a service point.
		reachM := km * 1000
		coverage.PointsGeoJSON(fc, withRadius(st, reachM), "township_station", nil)
		coverage.PointsGeoJSON(fc, withRadius(sp, reachM), "village_service_point", nil)
		outside := make(map[int]bool)
		for _, i := range rep.OutsideIndex {
			outside[i] = true
		}
		chosen := make(map[int]bool)
		if rep.Plan != nil {
			for _, j := range rep.Plan.ChosenIndex {
				chosen[j] = true
			}
		}
		coverage.PointsGeoJSON(fc, withRadius(vs, reachM), "village", func(i int) geojson.Properties {
			return geojson.Properties{"within_reach": !outside[i], "new_service_point": chosen[i]}
		})
		if err := writeGeoJSON(c.geojson, fc); err != nil {
			return err
		}
		wrote(env, c.geojson)
	}
	if c.json {
		return writeJSON(env.Stdout, rep)
	}
	w := env.Stdout
	fmt.Fprintf(w, "rural audit: %d township stations, %d village service points, %d villages; reach %g km of road (%s)\n",
		len(st), len(sp), len(vs), km, travel)
	if source != "" {
		fmt.Fprintf(w, "data: %s\n", source)
	}
	if len(skippedT)+len(skippedV) > 0 {
		fmt.Fprintf(w, "skipped rows without coordinates: %d townships, %d villages\n", len(skippedT), len(skippedV))
	}
	if communities > 0 {
		fmt.Fprintf(w, "left out: %d urban communities (社区, urban–rural code 1xx); villages are code 2xx\n", communities)
	}
	fmt.Fprintf(w, "villages within reach: %d of %d (%.1f%%); out of reach: %d\n", rep.Within, rep.Villages, 100*rep.Share, len(rep.Outside))
	if p := rep.Plan; p != nil {
		fmt.Fprintf(w, "to reach 100%%: equip %d villages as service points (cost %g; lower bound %g, gap %.2f%%%s)\n",
			len(p.Chosen), p.Cost, p.CostLowerBound, p.GapPercent, optimality(p))
		names := make(map[string]string)
		for _, v := range vs {
			names[v.ID] = v.Name
		}
		for i, id := range p.Chosen {
			if i == 20 {
				fmt.Fprintf(w, "  … and %d more (see --json)\n", len(p.Chosen)-20)
				break
			}
			fmt.Fprintf(w, "  %s %s\n", id, names[id])
		}
	}
	return nil
}

// ruralOnly drops the urban communities (社区, NBS urban–rural code 1xx)
// from vs when the villages file at path is a gazetteer with a ur_code
// column (as chongqing_villages_with_points.csv), and returns how many it
// dropped; other files are kept whole.
func ruralOnly(path string, vs []coverage.Point) ([]coverage.Point, int, error) {
	if path == "-" || isGeoJSON(path) {
		return vs, 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	recs, err := scenario.ReadVillages(f)
	if err != nil {
		return vs, 0, nil // not a gazetteer file: no urban–rural codes
	}
	urban := map[string]bool{}
	for _, r := range recs {
		if !r.Rural() {
			urban[r.Code] = true
		}
	}
	out := vs[:0]
	for _, v := range vs {
		if !urban[v.ID] {
			out = append(out, v)
		}
	}
	return out, len(vs) - len(out), nil
}

// scenarioRural returns the township stations and villages of the bundled
// scenario's rural week.
func scenarioRural() (stations, villages []coverage.Point, err error) {
	sc, err := scenario.Generate(scenario.Chongqing(), scenario.Options{Seed: 1, Kind: scenario.KindRural})
	if err != nil {
		return nil, nil, err
	}
	if sc.Week == nil {
		return nil, nil, fmt.Errorf("scenario has no rural week")
	}
	for _, c := range sc.Week.Counties {
		for _, s := range c.Stations {
			stations = append(stations, coverage.Point{ID: string(s.ID), Name: s.Name, Location: s.Location})
		}
		for _, v := range c.Villages {
			villages = append(villages, coverage.Point{ID: v.ID, Name: v.Name, Location: v.Location})
		}
	}
	return stations, villages, nil
}

// optimality notes when a plan is proven optimal.
func optimality(p *coverage.Plan) string {
	if p.Exact || p.GapPercent == 0 {
		return "; proven optimal"
	}
	return ""
}

// sharedGeo returns the path of a file of the shared Chongqing geography
// (../shared/geo beside the repository, or beside the working directory's
// ancestors), or "" when absent.
func sharedGeo(name string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for range 6 {
		p := filepath.Join(dir, "..", "shared", "geo", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

func isGeoJSON(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".geojson" || ext == ".json"
}

func openInput(path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	return os.Open(path)
}

func loadDemand(path string, datum geo.Datum) ([]coverage.Demand, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var d []coverage.Demand
	if isGeoJSON(path) {
		d, err = coverage.ReadDemandGeoJSON(f)
	} else {
		d, err = coverage.ReadDemandCSV(f, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range d {
		if d[i].Location, err = geo.ToWGS84(d[i].Location, datum); err != nil {
			return nil, fmt.Errorf("%s: demand point %d: %w", path, i, err)
		}
	}
	return d, nil
}

// loadPoints reads points; with skipped non-nil, rows without coordinates
// are skipped and their line numbers recorded.
func loadPoints(path string, datum geo.Datum, skipped *[]int) ([]coverage.Point, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pts []coverage.Point
	if isGeoJSON(path) {
		pts, err = coverage.ReadPointsGeoJSON(f)
	} else {
		o := &coverage.ReadOptions{SkipMissing: skipped != nil}
		pts, err = coverage.ReadPointsCSV(f, o)
		if skipped != nil {
			*skipped = o.Skipped
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range pts {
		if pts[i].Location, err = geo.ToWGS84(pts[i].Location, datum); err != nil {
			return nil, fmt.Errorf("%s: point %q: %w", path, pts[i].ID, err)
		}
	}
	return pts, nil
}

func loadZones(path, datum string, res int) (func(orb.Point) (string, bool), error) {
	d, err := geo.ParseDatum(datum)
	if err != nil {
		return nil, fmt.Errorf("%w: --zones-datum: %w", errUsage, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zones, err := zone.ReadGeoJSON(f, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ix, err := zone.NewIndex(zones, res)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return func(p orb.Point) (string, bool) {
		i, ok := ix.Lookup(p)
		if !ok {
			return "", false
		}
		return ix.Zone(i).Name, true
	}, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeGeoJSON(path string, fc *geojson.FeatureCollection) error {
	data, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// progressFunc adapts a library progress callback (done, total; called
// concurrently) to the progress line.
func progressFunc(p *progress, unit string) func(done, total int) {
	if p == nil {
		return nil
	}
	var mu sync.Mutex
	var last time.Time
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || done == total {
			last = now
			p.Set(0, fmt.Sprintf("%d/%d %s", done, total, unit))
		}
	}
}

// withRadius returns a copy of points in which a point without its own
// radius has the default one, so that maps show the reach used.
func withRadius(points []coverage.Point, radiusMeters float64) []coverage.Point {
	out := slices.Clone(points)
	for i := range out {
		if out[i].RadiusMeters == 0 {
			out[i].RadiusMeters = radiusMeters
		}
	}
	return out
}

// displayWidth is the number of terminal columns s takes: two for East
// Asian wide characters (CJK, Hangul, full-width forms), one otherwise.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}

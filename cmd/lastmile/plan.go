package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lastmile-dev/lastmile/geo/zone"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/cqgeo"
	"github.com/lastmile-dev/lastmile/internal/render"
	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/routing/rural"
	"github.com/lastmile-dev/lastmile/routing/urban"
)

const planSummary = `Plan a delivery mode on a scenario and print a report.

  urban  joint delivery: the day's parcels of several carriers pooled by
         district zones (H3 cells) and routed from shared centres with the
         shared fleet, against each carrier delivering alone; vehicle-km,
         vehicles, driver hours and CO2 per district, and each carrier's
         share of the pooled cost (Shapley value, or proportional when the
         Shapley value is not individually rational).
  rural  consolidated delivery over a week in every county with rural
         townships, timed as a chain: trunk lines from the city's
         distribution centres to each county hub (parcels down, produce up,
         cold and ambient apart), branch lines to the township stations,
         village rounds (or pickup at the station) once the parcels are in;
         cold rooms sited at stations (facility location, with a bound);
         the shared county fleet with duty limits; coverage of villages
         (村, not 社区) per county.

SCENARIO is "chongqing" (the generated Chongqing fixture: --seed, --parcels,
--carriers) or a scenario FILE.json written by 'lastmile scenario'.
--out DIR writes report.json, routes.geojson and map.svg (rural: the
municipality's overview, and map-COUNTY.svg per county: small multiples,
the week's summary then each day).`

func runPlan(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "plan", "urban|rural [SCENARIO]", planSummary)
	seed := seedFlag(fs, "scenario and search seed")
	parcels := fs.Int("parcels", scenario.DefaultParcels, "urban parcels on the generated day")
	carriers := fs.Int("carriers", scenario.DefaultCarriers, "carriers on the generated day")
	timeLimit := fs.Duration("time-limit", 0, "urban: wall-clock budget of each plan (pooled, separate); rural: of each routing task; 0 means iteration limits only")
	iterations := fs.Int("iterations", 0, "urban: SISR iterations per parcel of each task (default 20 without --time-limit); rural: per task (default 1000)")
	respect := fs.Bool("respect-districts", true, "urban: keep zones inside districts")
	res := fs.Int("res", 8, "urban: H3 resolution of the zone cells")
	zoneHours := fs.Float64("zone-hours", 12, "urban: target workload of a zone and of a pooled routing task in vehicle-hours")
	co2 := fs.Float64("co2-per-km", 0, "urban: one CO2 factor in kg/km for every vehicle type (default: per type)")
	radius := fs.Float64("pickup-radius", 2000, "rural: villages within this many metres of their station are served by pickup there")
	counties := fs.String("counties", "", "rural: plan only these counties of the generated week (comma-separated IDs, e.g. rongchang,youyang); default every county")
	districts := fs.String("districts", "", "draw these boundaries (GeoJSON `FILE`, GCJ-02) instead of the embedded outlines (main-urban districts for urban, counties for rural)")
	outDir := fs.String("out", "", "write report.json, routes.geojson and map.svg to `DIR`")
	jsonOut := jsonFlag(fs)
	quiet := fs.Bool("quiet", false, "no progress bar")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || len(pos) > 2 {
		return fmt.Errorf("%w: want urban or rural and an optional SCENARIO", errUsage)
	}
	mode := pos[0]
	source := "chongqing"
	if len(pos) == 2 {
		source = pos[1]
	}
	switch {
	case mode != "urban" && mode != "rural":
		return fmt.Errorf("%w: mode %q is not urban or rural", errUsage, mode)
	case *timeLimit < 0 || *iterations < 0:
		return fmt.Errorf("%w: --time-limit and --iterations must be ≥ 0", errUsage)
	case *res < 1 || *res > 15:
		return fmt.Errorf("%w: --res %d outside 1..15", errUsage, *res)
	case !(*zoneHours > 0) || !(*co2 >= 0):
		return fmt.Errorf("%w: --zone-hours must be > 0 and --co2-per-km ≥ 0", errUsage)
	}
	var only []string
	if *counties != "" {
		only = strings.Split(*counties, ",")
	}
	s, err := loadPlanScenario(source, mode, *seed, *parcels, *carriers, only)
	if err != nil {
		return err
	}
	var bounds []render.Area
	if *districts == "" && mode == "rural" {
		// The rural maps draw the real county boundaries when ../shared
		// is beside the module, as in development; else county outlines.
		if _, err := os.Stat(sharedDistricts); err == nil {
			*districts = sharedDistricts
		}
	}
	switch {
	case *districts != "":
		if bounds, err = readBoundaries(*districts); err != nil {
			return err
		}
	case mode == "rural":
		// No ../shared: the embedded, simplified county outlines.
		if bounds, err = municipalityCounties(); err != nil {
			return err
		}
	case s.Day != nil && mode == "urban":
		real, err := scenario.DistrictBoundaries(s.Day.Districts)
		if err != nil {
			return err
		}
		for i := range s.Day.Districts {
			d := &s.Day.Districts[i]
			shape, ok := real[d.ID]
			if !ok {
				shape = orb.MultiPolygon{d.Boundary()}
			}
			bounds = append(bounds, render.Area{ID: d.ID, Shape: shape})
		}
	}
	if mode == "urban" {
		req := scenario.UrbanRequest{Seed: *seed, Parcels: *parcels, Carriers: *carriers, Iterations: *iterations, TimeLimit: *timeLimit,
			AcrossDistricts: !*respect, Resolution: *res, ZoneHours: *zoneHours, CO2PerKm: *co2}
		if source == "chongqing" {
			s = nil // generated by the request, as the API does
		}
		return planUrban(ctx, env, s, req, bounds, *outDir, *jsonOut, *quiet)
	}
	o := rural.Options{Seed: int64(*seed), TimeLimit: *timeLimit, IterationsPerTask: *iterations, PickupRadiusMeters: *radius}
	if *radius == 0 {
		o.PickupRadiusMeters = -1
	}
	return planRural(ctx, env, s, o, bounds, *outDir, *jsonOut, *quiet)
}

// municipalityCounties reads the county outlines of the embedded base map
// (internal/cqgeo, about 250 m, WGS-84).
func municipalityCounties() ([]render.Area, error) {
	fc, err := geojson.UnmarshalFeatureCollection(cqgeo.MunicipalityGeoJSON())
	if err != nil {
		return nil, fmt.Errorf("embedded county outlines: %w", err)
	}
	var out []render.Area
	for _, f := range fc.Features {
		if f.Properties.MustString("layer", "") != "county" {
			continue
		}
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.MultiPolygon:
			mp = g
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		default:
			continue
		}
		out = append(out, render.Area{ID: f.Properties.MustString("name", ""), Shape: mp})
	}
	return out, nil
}

// sharedDistricts is where the county boundaries are when ../shared is
// beside the working directory.
var sharedDistricts = filepath.Join("..", "shared", "geo", "chongqing_districts_gcj02.geojson")

func loadPlanScenario(source, mode string, seed uint64, parcels, carriers int, counties []string) (*scenario.Scenario, error) {
	if source == "chongqing" {
		kind := scenario.KindUrban
		if mode == "rural" {
			kind = scenario.KindRural
		}
		s, err := scenario.Generate(scenario.Chongqing(), scenario.Options{
			Seed: seed, Kind: kind, Parcels: parcels, Carriers: carriers, CarrierStations: true, Counties: counties,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errUsage, err)
		}
		return s, nil
	}
	b, err := os.ReadFile(source)
	if err != nil {
		return nil, err
	}
	var s scenario.Scenario
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", source, err)
	}
	if (mode == "urban" && s.Day == nil) || (mode == "rural" && s.Week == nil) {
		return nil, fmt.Errorf("%w: scenario %s has no %s part", errUsage, source, mode)
	}
	return &s, nil
}

// readBoundaries reads district outlines from GCJ-02 GeoJSON.
func readBoundaries(path string) ([]render.Area, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zones, err := zone.ReadGeoJSON(f, geo.GCJ02)
	if err != nil {
		return nil, fmt.Errorf("districts %s: %w", path, err)
	}
	out := make([]render.Area, 0, len(zones))
	for _, z := range zones {
		out = append(out, render.Area{ID: z.Name, Shape: z.Polygon})
	}
	return out, nil
}

func planUrban(ctx context.Context, env *Env, s *scenario.Scenario, req scenario.UrbanRequest, bounds []render.Area, outDir string, jsonOut, quiet bool) error {
	// The bar counts stages: pooled, separate, coalitions.
	prog := newProgress(env.Stderr, "plan urban", 3, quiet)
	stages := map[string]bool{}
	req.Progress = func(p urban.Progress) {
		main, _, _ := strings.Cut(p.Stage, " ") // "pooled vans", "coalition zto+sf" …
		stages[strings.TrimSuffix(main, "s")] = true
		prog.Set(len(stages)-1, fmt.Sprintf("%s: %d/%d", p.Stage, p.Done, p.Total))
	}
	s, rep, err := scenario.PlanUrban(ctx, req, s)
	prog.Done()
	if err != nil {
		return err
	}
	if outDir != "" {
		m, err := rep.Map(fmt.Sprintf("Joint urban delivery, %s seed %d: pooled routes by zone", s.Fixture, s.Seed))
		if err != nil {
			return err
		}
		m.Boundaries = bounds
		m.Footer = cqgeo.Attribution
		files, err := writePlanFiles(outDir, rep, m)
		if err != nil {
			return err
		}
		wrote(env, files...)
	}
	if jsonOut {
		return writeJSON(env.Stdout, rep)
	}
	return writeUrbanReport(env.Stdout, rep)
}

func writeUrbanReport(w io.Writer, r *urban.Report) error {
	fmt.Fprintf(w, "urban joint delivery: %d parcels, %d carriers, %d zones\n\n", r.Parcels, len(r.Carriers), len(r.Zoning.Zones))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "plan\tvehicle-km\tvehicles\tdriver-hours\tCO2 kg\tcost yuan\tunassigned\t")
	for _, row := range []struct {
		name string
		t    urban.Totals
	}{{"pooled", r.Pooled}, {"separate", r.Separate}} {
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%.1f\t%.1f\t%.0f\t%d\t\n", row.name, row.t.VehicleKm, row.t.Vehicles, row.t.DriverHours, row.t.CO2Kg, row.t.CostYuan, row.t.Unassigned)
	}
	tw.Flush()
	fmt.Fprintf(w, "\npooled delivery saves %.1f%% of vehicle-km (%.1f of %.1f km)\n%s\n", r.SavingPercent, r.Separate.VehicleKm-r.Pooled.VehicleKm, r.Separate.VehicleKm, r.Comparison)
	for _, c := range r.BudgetExhausted {
		fmt.Fprintf(w, "budget exhausted: %s plan, %d searches cut short\n", c.Plan, len(c.Tasks))
	}
	for _, f := range r.FleetShortfall {
		fmt.Fprintf(w, "fleet shortfall: %s needs %d more %s for %d parcels\n", f.Centre, f.Vehicles, f.Type, f.Parcels)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "district\tparcels\tpooled km\tseparate km\tpooled veh\tseparate veh\tpooled h\tseparate h\tpooled CO2\tseparate CO2\t")
	for _, d := range r.Districts {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", d.District, d.Pooled.Parcels, d.Pooled.VehicleKm, d.Separate.VehicleKm,
			d.Pooled.Vehicles, d.Separate.Vehicles, d.Pooled.DriverHours, d.Separate.DriverHours, d.Pooled.CO2Kg, d.Separate.CO2Kg)
	}
	tw.Flush()
	rational := "individually rational: no carrier pays more than alone"
	if !r.IndividuallyRational {
		rational = "not individually rational: some carrier would pay less alone"
	}
	fmt.Fprintf(w, "\ncost sharing: %s (%s)\n\n", r.CostRule, rational)
	fmt.Fprintln(tw, "carrier\tparcels\tallocated yuan\tstandalone yuan\tshapley\t± std err\tproportional\t")
	for _, c := range r.Carriers {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t\n", c.ID, c.Parcels, c.AllocatedCost, c.StandaloneCost, c.Shapley, c.ShapleyStdErr, c.Proportional)
	}
	tw.Flush()
	if r.InCore != nil {
		if *r.InCore {
			fmt.Fprintln(w, "the allocation is in the core: no coalition pays more than its own pooled plan")
		} else {
			fmt.Fprintf(w, "the allocation is not in the core: %d coalitions pay more than their own plan\n", len(r.CoreViolations))
		}
	}
	fmt.Fprintf(w, "\nzones: %d at H3 resolution %d or finer, max/min workload %.2f within districts, %.2f overall; compactness min %.2f, median %.2f\n",
		len(r.Zoning.Zones), r.Zoning.Resolution, r.Zoning.MaxMinWithinDistrict, r.Zoning.MaxMinWorkload, r.Zoning.MinCompactness, r.Zoning.MedianCompactness)
	fmt.Fprintln(tw, "zone\tdistrict\tres\tparcels\tworkload h\tkm²\tcompactness\t")
	for _, z := range r.Zoning.Zones {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%.0f\t%.2f\t\n", z.ID, z.Group, z.Resolution, z.Parcels, z.WorkloadSeconds/3600, z.AreaKm2, z.Compactness)
	}
	tw.Flush()
	if len(r.Unassigned) > 0 {
		reasons := map[string]int{}
		for _, u := range r.Unassigned {
			reasons[u.Reason]++
		}
		fmt.Fprintf(w, "pooled unassigned: %d (%s); parcels listed in --json and report.json\n", len(r.Unassigned), countList(reasons))
	}
	if len(r.SeparateUnassigned) > 0 {
		reasons := map[string]int{}
		for _, u := range r.SeparateUnassigned {
			reasons[u.Reason]++
		}
		fmt.Fprintf(w, "separate unassigned: %d (%s)\n", len(r.SeparateUnassigned), countList(reasons))
	}
	return nil
}

func planRural(ctx context.Context, env *Env, s *scenario.Scenario, o rural.Options, bounds []render.Area, outDir string, jsonOut, quiet bool) error {
	in, err := s.RuralInput()
	if err != nil {
		return err
	}
	prog := newProgress(env.Stderr, "plan rural", rural.DaysPerWeek*len(in.Counties), quiet)
	o.Progress = func(p rural.Progress) { prog.Set(p.Done, "county-days routed") }
	rep, err := rural.Plan(ctx, in, o)
	prog.Done()
	if err != nil {
		return err
	}
	if outDir != "" {
		m := rep.Map(in, fmt.Sprintf("Rural consolidated delivery, %s seed %d: the week's routes", s.Fixture, s.Seed), "", -1)
		m.Boundaries = bounds
		files, err := writePlanFiles(outDir, rep, m)
		if err != nil {
			return err
		}
		// map.svg is the municipality's overview; then one sheet of
		// small multiples per county: the week's summary, then each day.
		over := rural.OverviewSheet(in, rep, bounds)
		if err := writeFile(files[2], func(w io.Writer) error { return render.WriteSheetSVG(w, over, 1400) }); err != nil {
			return err
		}
		for _, c := range in.Counties {
			sh, err := rural.CountySheet(in, rep, c.ID, bounds)
			if err != nil {
				return err
			}
			path := filepath.Join(outDir, "map-"+c.ID+".svg")
			if err := writeFile(path, func(w io.Writer) error { return render.WriteSheetSVG(w, sh, 1600) }); err != nil {
				return err
			}
			files = append(files, path)
		}
		wrote(env, files...)
	}
	if jsonOut {
		return writeJSON(env.Stdout, rep)
	}
	return writeRuralReport(env.Stdout, rep)
}

func writeRuralReport(w io.Writer, r *rural.Report) error {
	mu := r.Municipality
	fmt.Fprintf(w, "rural consolidated delivery: %d counties, %d township stations, %d villages (村; %d urban communities 社区 not counted)\n",
		mu.Counties, mu.Stations, mu.Villages, mu.UrbanCommunities)
	fmt.Fprintf(w, "coverage: %d of %d villages served at their frequency (%.1f%%): %d by visit, %d by pickup within %.1f km of their station\n",
		mu.Served, mu.Villages, 100*mu.Share, mu.ByVisit, mu.ByPickup, r.PickupRadiusKm)
	var freqs []string
	for f := range r.ByFrequency {
		freqs = append(freqs, f)
	}
	slices.Sort(freqs)
	for _, f := range freqs {
		fmt.Fprintf(w, "  %s visits a week: %d villages\n", f, r.ByFrequency[f])
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "county\tstations\tvillages\tserved\tby visit\tby pickup\tshare\t社区\t")
	for _, c := range r.Coverage {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.1f%%\t%d\t\n", c.County, c.Stations, c.Villages, c.Served, c.ByVisit, c.ByPickup, 100*c.Share, c.UrbanCommunities)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "day\tkm\tvehicles\troutes\t")
	for _, d := range r.Days {
		fmt.Fprintf(tw, "%d\t%.1f\t%d\t%d\t\n", d.Day, d.Km, d.Vehicles, len(d.Routes))
	}
	fmt.Fprintf(tw, "week\t%.1f\t\t\t\n", r.WeekKm)
	tw.Flush()
	p := r.ProduceKgPerWeek
	fmt.Fprintf(w, "\nfarm produce to the city: %.0f kg a week (%.0f cold chain, %.0f ambient) of %.0f kg offered\n", p.Total, p.ColdChain, p.Ambient, p.Offered)
	ch := r.Chain
	fmt.Fprintf(w, "\nthe chain, timed (hours, mean / max):\n")
	for _, x := range []struct {
		name string
		s    rural.Stat
	}{
		{"parcels at the hub, trunk → branch line", ch.ParcelsAtHubHours},
		{"parcels at a station, branch line → round", ch.ParcelsAtStationHours},
		{"produce at a station, round → next branch line", ch.ProduceAtStationHours},
		{"produce at the hub, → trunk", ch.ProduceAtHubHours},
		{"ambient produce, pickup → city", ch.AmbientTransitHours},
		{"cold produce, pickup → city", ch.ColdTransitHours},
	} {
		fmt.Fprintf(w, "  %-48s %5.1f / %5.1f  (%d)\n", x.name, x.s.Mean, x.s.Max, x.s.N)
	}
	fmt.Fprintf(w, "  cold-chain time out of refrigeration: max %.0f s over %d cold loads (%d loads, %d missed)\n",
		ch.ColdOutOfRefrigerationSeconds.Max, ch.ColdLoads, ch.Loads, ch.LoadsMissed)
	fmt.Fprintf(w, "\ntrunk lines, loaded-km share (backhaul utilisation):\n")
	for _, b := range r.Backhaul {
		if b.County == "municipality" {
			fmt.Fprintf(w, "  %-8s %6.0f km a week, %.1f%% loaded (down loaded on %.0f%% of trips, up on %.0f%%)\n",
				b.Kind, b.Km, 100*b.LoadedKmShare, 100*b.DownLoadedShare, 100*b.UpLoadedShare)
		}
	}
	cs := r.ColdStorage
	fmt.Fprintf(w, "\ncold rooms: %d sited at township stations (single-source CFLP per county, %d of %d proven optimal): %.0f yuan a week, lower bound %.0f, against %.0f with none; %.0f refrigerated van-km a week saved (model)\n",
		len(cs.Sites), cs.Optimal, cs.Counties, cs.CostYuanPerWeek, cs.LowerBound, cs.BaselineYuanPerWeek, cs.RefrigeratedKmSaved)
	for i, site := range cs.Sites {
		if i == 5 {
			fmt.Fprintf(w, "  … %d more in report.json\n", len(cs.Sites)-5)
			break
		}
		fmt.Fprintf(w, "  %s: %.0f kg room (up to %.0f kg held a day), %.0f kg a week from %d villages\n", site.Station, site.Kg, site.DailyKgMax, site.KgPerWeek, len(site.Villages))
	}
	duty, vans := 0.0, 0
	for _, d := range r.Days {
		for _, sh := range d.Shifts {
			duty = max(duty, sh.DutyHours)
			if sh.Echelon == 2 && len(sh.Bases) > 1 {
				vans++
			}
		}
	}
	trunkLeg := 0.0
	for _, t := range r.Trunks {
		trunkLeg = max(trunkLeg, t.DriveHoursEachWay)
	}
	fmt.Fprintf(w, "\nshared county fleets: longest duty %.1f h; %d van-days serve more than one station; longest trunk leg %.1f h of driving\n", duty, vans, trunkLeg)
	short := 0
	for _, f := range r.Fleet {
		if f.Extra > 0 {
			if short == 0 {
				fmt.Fprintln(w, "fleet short:")
			}
			short++
			fmt.Fprintf(w, "  %s %s: %d available, up to %d used a day: %s\n", f.County, f.Role, f.Available, f.MaxUsed, f.Note)
		}
	}
	if short == 0 {
		fmt.Fprintln(w, "every county's fleet suffices")
	}
	coldExtra := 0
	for _, x := range r.ExtraFleet {
		if x.ColdChain {
			coldExtra++
		}
	}
	if coldExtra > 0 {
		fmt.Fprintf(w, "%d cold pickups need a refrigerated van beyond their county's fleet (listed in report.json extra_fleet)\n", coldExtra)
	}
	for _, m := range p.Missed {
		kind := "ambient"
		if m.ColdChain {
			kind = "cold chain"
		}
		fmt.Fprintf(w, "  missed: %s day %d, %.0f kg %s: %s\n", m.ID, m.Day, m.Kg, kind, m.Reason)
	}
	if len(r.Unserved) == 0 {
		fmt.Fprintln(w, "every village's visit frequency is met")
	}
	for _, v := range r.Unserved {
		fmt.Fprintf(w, "  unserved: %s (%s, %d of %d visits): %s\n", v.ID, v.Station, len(v.Served), v.Required, v.Reason)
	}
	return nil
}

// countList writes counts by name as "capacity 3, time_window 1", in name
// order.
func countList(counts map[string]int) string {
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, counts[n])
	}
	return strings.Join(parts, ", ")
}

// writePlanFiles writes report.json, routes.geojson and map.svg to dir and
// returns their paths.
func writePlanFiles(dir string, report any, m *render.Map) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"report.json", func(w io.Writer) error { return writeJSON(w, report) }},
		{"routes.geojson", func(w io.Writer) error { return render.WriteGeoJSON(w, m) }},
		{"map.svg", func(w io.Writer) error { return render.WriteSVG(w, m, 1400) }},
	}
	var paths []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := writeFile(path, f.write); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/importer"
	"github.com/lastmile-dev/lastmile/store"
)

// runImport is `lastmile import facilities|demand FILE`: a bulk import
// into the store, validated row by row and all or nothing.
func runImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "import", "facilities|demand FILE",
		"Import facilities or demand points from a CSV or GeoJSON file into the store (--database-url,\n"+
			"else the embedded one under --data), all or nothing: every row is validated first, and a\n"+
			"bad file stores nothing and lists each bad line (or feature) and field. CSV has a header\n"+
			"row. Facilities: id, kind, lon, lat (required), name, zone, capacity_per_day, cold_chain,\n"+
			"compartments, open_seconds, close_seconds, fixed_cost, handling_cost, operator, parent.\n"+
			"Demand: id, lon, lat, weight (required), zone, category. GeoJSON: Point features with those\n"+
			"properties, and an optional top-level \"datum\". Existing ids are replaced.")
	dbURL := fs.String("database-url", envOr("DATABASE_URL", ""), "PostgreSQL URL (DATABASE_URL); empty uses the embedded store")
	dataDir := fs.String("data", envOr("LASTMILE_DATA", defaultDataDir()), "`DIR` of the embedded store (LASTMILE_DATA)")
	format := fs.String("format", "", "csv or geojson; default from the file's extension")
	datum := fs.String("datum", "", "datum of the coordinates: wgs84 (default), gcj02 or bd09")
	asJSON := jsonFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[0] != "facilities" && pos[0] != "demand") {
		return fmt.Errorf("%w: import facilities FILE | import demand FILE", errUsage)
	}
	what, name := pos[0], pos[1]
	o := importer.Options{Format: importer.Format(*format)}
	if o.Format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			o.Format = importer.CSV
		case ".geojson", ".json":
			o.Format = importer.GeoJSON
		default:
			return fmt.Errorf("%w: --format csv or geojson (the extension of %s does not say)", errUsage, name)
		}
	}
	if *datum != "" {
		d, err := geo.ParseDatum(*datum)
		if err != nil {
			return fmt.Errorf("%w: --datum: %w", errUsage, err)
		}
		o.Datum = d
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()

	var (
		facilities []depots.Facility
		demand     []importer.Demand
	)
	if what == "facilities" {
		facilities, err = importer.Facilities(f, o)
	} else {
		demand, err = importer.DemandPoints(f, o)
	}
	var ie *importer.Error
	if errors.As(err, &ie) {
		for _, e := range ie.Rows {
			fmt.Fprintf(env.Stderr, "%s: %s: %s\n", name, e.Where(), e.Reason)
		}
		if ie.More > 0 {
			fmt.Fprintf(env.Stderr, "%s: %d more errors\n", name, ie.More)
		}
		return fmt.Errorf("%s: nothing imported: %d bad values", name, len(ie.Rows)+ie.More)
	}
	if err != nil {
		return err
	}

	log := slog.New(slog.DiscardHandler)
	var st api.Importer
	if *dbURL != "" {
		pg, err := openPostgres(ctx, log, *dbURL, 10*time.Second)
		if err != nil {
			return err
		}
		defer pg.Close()
		st = pg
	} else {
		sq, err := store.OpenSQLite(ctx, *dataDir, log)
		if err != nil {
			return fmt.Errorf("embedded store in %s: %w", *dataDir, err)
		}
		defer sq.Close()
		st = sq
	}
	n := len(facilities) + len(demand)
	if what == "facilities" {
		err = st.ImportFacilities(ctx, facilities)
	} else {
		err = st.ImportDemand(ctx, api.DemandToStore(demand))
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONLine(env, map[string]any{"imported": n, "kind": what, "file": name})
	}
	fmt.Fprintf(env.Stdout, "imported %d %s from %s\n", n, what, name)
	return nil
}

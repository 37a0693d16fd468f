package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lastmile-dev/lastmile/geo/zone"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/geo/osrm"
	"github.com/paulmach/orb"
)

const matrixSummary = `Build a travel matrix (seconds and metres) between points and print it as
two tables, drive time and distance, rows and columns numbered by the
points' order from 1; with --json in OSRM's table shape:
{"durations": [[...]], "distances": [[...]]}, which --source json reads.

POINTS is a CSV file with a header that has lon and lat columns (other
columns are ignored), or - for stdin; --datum declares its coordinate system
(Amap and Tencent give gcj02, Baidu bd09), converted to WGS-84 first.

--source greatcircle (default) uses great-circle distance × circuity at a
speed by zone class: urban_core 1.35 at 22 km/h, suburban 1.30 at 35 km/h,
rural_mountain 1.60 at 30 km/h. Classes come from --zones (GeoJSON with
"name" and "class" properties); points outside every zone get
--default-class. --source osrm asks the OSRM server at --osrm-url
(/table/v1, chunked to --osrm-max-table locations per request).
--source json serves the matrix in --matrix after checking it matches the
points.`

func runMatrix(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "matrix", "POINTS", matrixSummary)
	datum := fs.String("datum", "wgs84", "datum of POINTS: wgs84, gcj02 or bd09")
	source := fs.String("source", "greatcircle", "matrix source: greatcircle, osrm or json")
	zonesFile := fs.String("zones", "", "zones GeoJSON `FILE` giving each point's class (greatcircle)")
	zonesDatum := fs.String("zones-datum", "wgs84", "datum of --zones")
	res := fs.Int("res", 8, "H3 resolution of the zone index")
	defClass := fs.String("default-class", "suburban", "class of points outside every zone")
	osrmURL := fs.String("osrm-url", "", "OSRM server `URL`, e.g. http://localhost:5000")
	osrmProfile := fs.String("osrm-profile", osrm.DefaultProfile, "OSRM routing profile")
	osrmMax := fs.Int("osrm-max-table", osrm.DefaultMaxLocations, "the server's --max-table-size")
	osrmTimeout := fs.Duration("osrm-timeout", osrm.DefaultTimeout, "timeout per OSRM request")
	matrixFile := fs.String("matrix", "", "user matrix JSON `FILE` (json source)")
	quiet := fs.Bool("quiet", false, "no progress or timing on stderr")
	asJSON := jsonFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: want one POINTS file, got %d arguments", errUsage, len(pos))
	}
	name := pos[0]
	d, err := geo.ParseDatum(*datum)
	if err != nil {
		return fmt.Errorf("%w: --datum: %w", errUsage, err)
	}
	class, err := geo.ParseZoneClass(*defClass)
	if err != nil {
		return fmt.Errorf("%w: --default-class: %w", errUsage, err)
	}
	var src geo.MatrixSource
	switch *source {
	case "greatcircle":
		gc := geo.GreatCircle{Default: class}
		if *zonesFile != "" {
			zd, err := geo.ParseDatum(*zonesDatum)
			if err != nil {
				return fmt.Errorf("%w: --zones-datum: %w", errUsage, err)
			}
			ix, err := readZoneIndex(*zonesFile, zd, *res)
			if err != nil {
				return err
			}
			gc.Classify = ix.Class
		}
		src = gc
	case "osrm":
		if *osrmURL == "" {
			return fmt.Errorf("%w: --source osrm needs --osrm-url", errUsage)
		}
		var pr *progress
		src = &osrm.Client{BaseURL: *osrmURL, Profile: *osrmProfile, MaxLocations: *osrmMax, Timeout: *osrmTimeout,
			Progress: func(done, total int) {
				if pr == nil {
					pr = newProgress(env.Stderr, "osrm table requests", total, *quiet)
				}
				pr.Set(done, "")
				if done == total {
					pr.Done()
				}
			}}
	case "json":
		if *matrixFile == "" {
			return fmt.Errorf("%w: --source json needs --matrix", errUsage)
		}
		f, err := os.Open(*matrixFile)
		if err != nil {
			return err
		}
		m, err := geo.ReadMatrixJSON(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *matrixFile, err)
		}
		src = geo.UserMatrix{M: m}
	default:
		return fmt.Errorf("%w: --source %q: want greatcircle, osrm or json", errUsage, *source)
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
	pts, err := readPointsCSV(in)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := geo.PointsToWGS84(pts, d); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	start := time.Now()
	m, err := src.Matrix(ctx, pts)
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(env.Stderr, "lastmile matrix: %d×%d from %s in %s\n", m.N, m.N, *source, time.Since(start).Round(time.Millisecond))
	}
	if *asJSON {
		return geo.WriteMatrixJSON(env.Stdout, m)
	}
	return writeMatrixText(env.Stdout, m)
}

// writeMatrixText prints the drive times and distances as two tables.
func writeMatrixText(w io.Writer, m *geo.Matrix) error {
	if err := m.Validate(); err != nil {
		return err
	}
	for _, t := range []struct {
		title string
		v     []int32
	}{{"drive time, seconds", m.Seconds}, {"distance, metres", m.Meters}} {
		if t.title != "drive time, seconds" {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (row: from, column: to)\n", t.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t")
		for j := range m.N {
			fmt.Fprintf(tw, "%d\t", j+1)
		}
		fmt.Fprintln(tw)
		for i := range m.N {
			fmt.Fprintf(tw, "%d\t", i+1)
			for j := range m.N {
				fmt.Fprintf(tw, "%d\t", t.v[i*m.N+j])
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func readZoneIndex(name string, d geo.Datum, res int) (*zone.Index, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zones, err := zone.ReadGeoJSON(f, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ix, err := zone.NewIndex(zones, res)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return ix, nil
}

// readPointsCSV reads the lon and lat columns of a CSV file with a header.
func readPointsCSV(r io.Reader) ([]orb.Point, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	lonCol, latCol := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "lon", "lng", "longitude":
			lonCol = i
		case "lat", "latitude":
			latCol = i
		}
	}
	if lonCol < 0 || latCol < 0 {
		return nil, errors.New("header needs lon and lat columns")
	}
	var pts []orb.Point
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return pts, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) <= max(lonCol, latCol) {
			return nil, fmt.Errorf("line %d: %d fields, no lon/lat", line, len(rec))
		}
		lon, err1 := strconv.ParseFloat(strings.TrimSpace(rec[lonCol]), 64)
		lat, err2 := strconv.ParseFloat(strings.TrimSpace(rec[latCol]), 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		pts = append(pts, orb.Point{lon, lat})
	}
}

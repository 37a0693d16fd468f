package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lastmile-dev/lastmile/internal/scenario"
)

// writeScenarioCSV writes the urban day's coverage inputs as CSV files in
// dir, in the columns 'lastmile cover' and 'lastmile site' read:
//
//	demand.csv   lon,lat,weight           neighbourhoods, weight = parcels per day
//	parcels.csv  lon,lat,weight           one row per parcel, weight 1
//	points.csv   id,lon,lat,capacity      lockers and express stores, capacity = parcels per day
//
// It returns the paths written, in that order.
func writeScenarioCSV(dir string, day *scenario.Day) ([]string, error) {
	if day == nil {
		return nil, fmt.Errorf("%w: --csv needs an urban day (--kind urban or all)", errUsage)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--csv: %w", err)
	}
	f64 := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	demand := [][]string{{"lon", "lat", "weight"}}
	for _, n := range day.Neighbourhoods {
		demand = append(demand, []string{f64(n.Location[0]), f64(n.Location[1]), f64(n.ParcelsPerDay)})
	}
	parcels := [][]string{{"lon", "lat", "weight"}}
	for _, p := range day.Parcels {
		parcels = append(parcels, []string{f64(p.Location[0]), f64(p.Location[1]), "1"})
	}
	points := [][]string{{"id", "lon", "lat", "capacity"}}
	for _, f := range day.Facilities {
		if f.Kind.IsPickupPoint() {
			points = append(points, []string{string(f.ID), f64(f.Location[0]), f64(f.Location[1]), f64(f.Capacity.PerDay)})
		}
	}
	var paths []string
	for _, f := range []struct {
		name string
		rows [][]string
	}{{"demand.csv", demand}, {"parcels.csv", parcels}, {"points.csv", points}} {
		path := filepath.Join(dir, f.name)
		if err := writeCSVFile(path, f.rows); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeCSVFile(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--csv: %w", err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("--csv: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--csv: write %s: %w", path, err)
	}
	return nil
}

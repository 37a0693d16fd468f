package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lastmile-dev/lastmile/internal/scenario"
)

// runScenario generates a seeded Chongqing scenario and writes it as JSON,
// or a readable summary. Generation takes milliseconds even at 50,000
// parcels, so it draws no progress line.
func runScenario(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "scenario", "",
		"Generate a deterministic Chongqing test scenario (an urban day and a rural week)\n"+
			"and write it as JSON, to stdout or --out. --summary prints a table instead\n"+
			"(and still writes the JSON when --out is given).")
	seed := fs.Uint64("seed", 1, "random seed; the same seed and flags give the same scenario")
	parcels := fs.Int("parcels", scenario.DefaultParcels, "urban parcels on the day")
	carriers := fs.Int("carriers", scenario.DefaultCarriers, "carriers delivering (1..5: zto, yto, sf, jd, yunda)")
	kind := fs.String("kind", string(scenario.KindAll), "what to generate: urban, rural or all")
	dcs := fs.Int("dcs", 1, "shared distribution centres per district")
	stations := fs.Bool("carrier-stations", false, "give each carrier its own station per district, with its fleet there")
	out := fs.String("out", "", "write the JSON to `FILE` instead of stdout")
	summary := fs.Bool("summary", false, "print a summary table instead of JSON on stdout")
	fixture := fs.Bool("fixture", false, "write the hand-written fixture itself as JSON instead of a scenario")
	csvDir := fs.String("csv", "", "also write the urban day's demand.csv, parcels.csv and points.csv (the columns of 'lastmile cover' and 'site') to `DIR`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	f := scenario.Chongqing()
	var doc any = f
	var s *scenario.Scenario
	if !*fixture {
		var err error
		s, err = scenario.Generate(f, scenario.Options{
			Seed: *seed, Kind: scenario.Kind(*kind), Parcels: *parcels, Carriers: *carriers, DCsPerDistrict: *dcs, CarrierStations: *stations,
		})
		if errors.Is(err, scenario.ErrInvalid) { // the fixture is constant: the flags are wrong
			return fmt.Errorf("%w: %w", errUsage, err)
		}
		if err != nil {
			return err
		}
		doc = s
	}
	if *out != "" {
		if err := writeScenarioFile(*out, doc); err != nil {
			return err
		}
	}
	if *csvDir != "" {
		if s == nil {
			return fmt.Errorf("%w: --csv and --fixture do not go together", errUsage)
		}
		if err := writeScenarioCSV(*csvDir, s.Day); err != nil {
			return err
		}
		if *out == "" && !*summary {
			return nil
		}
	}
	if *summary && s != nil {
		return scenario.WriteSummary(env.Stdout, s)
	}
	if *out == "" {
		return writeScenarioJSON(env.Stdout, doc)
	}
	return nil
}

func writeScenarioJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeScenarioFile writes v to a temporary file beside path and renames it
// into place, so a failed run never leaves half a file.
func writeScenarioFile(path string, v any) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".scenario-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := writeScenarioJSON(tmp, v); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

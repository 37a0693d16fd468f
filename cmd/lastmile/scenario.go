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

// runScenario generates a seeded Chongqing scenario and prints its summary,
// or its JSON with --json; --out DIR and --csv DIR write files. Generation
// takes milliseconds even at 50,000 parcels, so it draws no progress line.
func runScenario(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "scenario", "",
		"Generate a deterministic Chongqing test scenario (an urban day and a rural week).\n"+
			"Prints a summary, or the scenario as JSON with --json. --out DIR writes\n"+
			"DIR/scenario.json (the file 'lastmile plan' reads); --csv DIR writes the urban\n"+
			"day's demand.csv, parcels.csv and points.csv for 'lastmile cover' and 'site'.\n"+
			"--fixture prints (or writes, as DIR/fixture.json) the hand-written fixture itself.")
	seed := seedFlag(fs, "random seed; the same seed and flags give the same scenario")
	parcels := fs.Int("parcels", scenario.DefaultParcels, "urban parcels on the day")
	carriers := fs.Int("carriers", scenario.DefaultCarriers, "carriers delivering, in fixture order (1..10: zto, yto, sf, jd, yunda, sto, jt, ems, deppon, danniao)")
	kind := fs.String("kind", string(scenario.KindAll), "what to generate: urban, rural or all")
	dcs := fs.Int("dcs", 1, "shared distribution centres per district")
	stations := fs.Bool("carrier-stations", false, "give each carrier its own station per district, with its fleet there")
	out := fs.String("out", "", "write scenario.json (fixture.json with --fixture) to `DIR`")
	asJSON := jsonFlag(fs)
	fixture := fs.Bool("fixture", false, "the hand-written fixture itself instead of a generated scenario")
	csvDir := fs.String("csv", "", "write the urban day's demand.csv, parcels.csv and points.csv (the columns of 'lastmile cover' and 'site') to `DIR`")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	f := scenario.Chongqing()
	var doc any = f
	var s *scenario.Scenario
	if *fixture {
		if *csvDir != "" {
			return fmt.Errorf("%w: --csv and --fixture do not go together", errUsage)
		}
	} else {
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
		name := "scenario.json"
		if *fixture {
			name = "fixture.json"
		}
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		path := filepath.Join(*out, name)
		if err := writeScenarioFile(path, doc); err != nil {
			return err
		}
		wrote(env, path)
	}
	if *csvDir != "" {
		files, err := writeScenarioCSV(*csvDir, s.Day)
		if err != nil {
			return err
		}
		wrote(env, files...)
	}
	switch {
	case *asJSON:
		return writeScenarioJSON(env.Stdout, doc)
	case s != nil:
		return scenario.WriteSummary(env.Stdout, s)
	}
	return writeFixtureSummary(env.Stdout, f)
}

// writeFixtureSummary prints what the hand-written fixture holds.
func writeFixtureSummary(w io.Writer, f *scenario.Fixture) error {
	townships := 0
	for _, c := range f.Counties {
		townships += len(c.Townships)
	}
	_, err := fmt.Fprintf(w, "fixture %s: %d urban districts, %d logistics parks, %d carriers, %d vehicle types; %d rural counties with %d townships\n",
		f.Name, len(f.Districts), len(f.Parks), len(f.Carriers), len(f.VehicleTypes), len(f.Counties), townships)
	return err
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

package coverage

import (
	"context"
	"os"
	"testing"

	"github.com/lastmile-dev/lastmile/geo"
	"github.com/lastmile-dev/lastmile/internal/sharedtest"
	"github.com/paulmach/orb"
)

// sharedGeo returns the path of a file in the shared Chongqing geography
// (../shared/geo beside the repository); absent, it skips the test, or
// fails it in CI.
func sharedGeo(tb testing.TB, name string) string {
	tb.Helper()
	return sharedtest.Path(tb, "geo", name)
}

func readPointsFile(tb testing.TB, path string) ([]Point, int) {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	o := &ReadOptions{SkipMissing: true}
	pts, err := ReadPointsCSV(f, o)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return pts, len(o.Skipped)
}

// checkRuralPlan verifies by brute force that every village is within reach
// of a station or a chosen village.
func checkRuralPlan(t *testing.T, stations, villages []Point, rep *RuralReport, reach, circ float64) {
	t.Helper()
	within := func(a, b orb.Point) bool { return hav(prepare(a), prepare(b)) <= reachH(reach/circ) }
	served := 0
	for _, v := range villages {
		ok := false
		for _, s := range stations {
			ok = ok || within(v.Location, s.Location)
		}
		if ok {
			served++
		}
		if rep.Plan != nil {
			for _, j := range rep.Plan.ChosenIndex {
				ok = ok || within(v.Location, villages[j].Location)
			}
		}
		if !ok {
			t.Errorf("village %s is out of reach after the plan", v.ID)
		}
	}
	if served != rep.Within {
		t.Errorf("within = %d, brute force %d", rep.Within, served)
	}
	if rep.Plan != nil && rep.Plan.CostLowerBound > rep.Plan.Cost {
		t.Errorf("lower bound %v above cost %v", rep.Plan.CostLowerBound, rep.Plan.Cost)
	}
}

func TestRuralAuditSynthetic(t *testing.T) {
	_, pts := randomInstance(11, 0, 60, 30, false)
	stations, villages := pts[:4], pts[4:]
	for i := range villages {
		villages[i].ID = "v" + itoa(i)
	}
	opts := RuralOptions{ReachMeters: 5000, Plan: true}
	rep, err := RuralAudit(context.Background(), stations, nil, villages, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Within == rep.Villages || rep.Within == 0 {
		t.Fatalf("degenerate instance: %d of %d within reach", rep.Within, rep.Villages)
	}
	checkRuralPlan(t, stations, villages, rep, opts.ReachMeters, DefaultRuralCircuity)
	if rep.Plan.CoveredDemand != float64(rep.Villages) {
		t.Errorf("plan covers %v of %d villages", rep.Plan.CoveredDemand, rep.Villages)
	}
}

// TestRuralAuditChongqing runs the audit on the real township and village
// points (Vonng/adcode, CC BY 4.0), 5 km of road at circuity 1.6.
func TestRuralAuditChongqing(t *testing.T) {
	stations, skipped := readPointsFile(t, sharedGeo(t, "chongqing_townships.csv"))
	villages, _ := readPointsFile(t, sharedGeo(t, "chongqing_villages_with_points.csv"))
	if len(stations) != 898 || skipped != 131 || len(villages) != 1184 {
		t.Fatalf("read %d townships (%d skipped), %d villages; want 898 (131), 1184", len(stations), skipped, len(villages))
	}
	opts := RuralOptions{ReachMeters: 5000, Plan: true}
	rep, err := RuralAudit(context.Background(), stations, nil, villages, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkRuralPlan(t, stations, villages, rep, opts.ReachMeters, DefaultRuralCircuity)
	t.Logf("%d of %d villages (%.1f%%) within 5 km of road of a township; plan adds %d service points (lower bound %v, exact %v)",
		rep.Within, rep.Villages, 100*rep.Share, len(rep.Plan.Chosen), rep.Plan.CostLowerBound, rep.Plan.Exact)
}

// TestRuralAuditTravelModel checks that a travel model equal to
// great-circle × 1.6 (geo.GreatCircle, every place rural mountain) gives the
// same audit as the built-in distance, up to the metre rounding of the
// matrix.
func TestRuralAuditTravelModel(t *testing.T) {
	_, pts := randomInstance(12, 0, 80, 30, false)
	stations, villages := pts[:5], pts[5:]
	opts := RuralOptions{ReachMeters: 4000, Plan: true}
	want, err := RuralAudit(context.Background(), stations, nil, villages, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Travel = geo.GreatCircle{Default: geo.ClassRuralMountain}
	got, err := RuralAudit(context.Background(), stations, nil, villages, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got.Within != want.Within || len(got.Plan.Chosen) != len(want.Plan.Chosen) {
		t.Errorf("travel model: %d within, %d new points; built-in: %d, %d",
			got.Within, len(got.Plan.Chosen), want.Within, len(want.Plan.Chosen))
	}
}

package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/depots"
	"github.com/lastmile-dev/lastmile/routing/urban"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func mustGenerate(t testing.TB, o Options) *Scenario {
	t.Helper()
	s, err := Generate(Chongqing(), o)
	if err != nil {
		t.Fatalf("Generate(%+v) = %v", o, err)
	}
	return s
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateDeterministic(t *testing.T) {
	a := mustJSON(t, mustGenerate(t, Options{Seed: 42}))
	b := mustJSON(t, mustGenerate(t, Options{Seed: 42}))
	if !bytes.Equal(a, b) {
		t.Fatal("two runs with seed 42 give different JSON")
	}
	c := mustJSON(t, mustGenerate(t, Options{Seed: 43}))
	if bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 give identical JSON")
	}
}

// TestGenerateStreams checks that the parts of a scenario draw from separate
// streams: more parcels or carriers leave neighbourhoods and pickup points
// where they were, and the urban day does not depend on the rural week.
func TestGenerateStreams(t *testing.T) {
	base := mustGenerate(t, Options{Seed: 5})
	more := mustGenerate(t, Options{Seed: 5, Parcels: 9000, Carriers: 5})
	urban := mustGenerate(t, Options{Seed: 5, Kind: KindUrban})
	rural := mustGenerate(t, Options{Seed: 5, Kind: KindRural})
	for i, n := range base.Day.Neighbourhoods {
		m := more.Day.Neighbourhoods[i]
		if n.Location != m.Location || n.Population != m.Population {
			t.Fatalf("neighbourhood %s moved when the parcel count changed: %+v, then %+v", n.ID, n, m)
		}
	}
	pickups := func(d *Day) []depots.Facility {
		var out []depots.Facility
		for _, f := range d.Facilities {
			if f.Kind.IsPickupPoint() {
				out = append(out, f)
			}
		}
		return out
	}
	if !bytes.Equal(mustJSON(t, pickups(base.Day)), mustJSON(t, pickups(more.Day))) {
		t.Error("pickup points moved when the parcel count changed")
	}
	if urban.Week != nil || rural.Day != nil {
		t.Fatalf("Kind urban gave a week (%v) or kind rural a day (%v)", urban.Week != nil, rural.Day != nil)
	}
	if !bytes.Equal(mustJSON(t, base.Day), mustJSON(t, urban.Day)) {
		t.Error("the urban day differs between kinds all and urban")
	}
	if !bytes.Equal(mustJSON(t, base.Week), mustJSON(t, rural.Week)) {
		t.Error("the rural week differs between kinds all and rural")
	}
}

func TestGenerateOptionsErrors(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"negative parcels", Options{Parcels: -1}},
		{"too many parcels", Options{Parcels: MaxParcels + 1}},
		{"negative carriers", Options{Carriers: -2}},
		{"more carriers than the fixture", Options{Carriers: 11}},
		{"unknown kind", Options{Kind: "suburban"}},
		{"tiny neighbourhoods", Options{NeighbourhoodPeople: 10}},
		{"villages reversed", Options{MinVillages: 5, MaxVillages: 2}},
		{"negative DCs", Options{DCsPerDistrict: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := Generate(Chongqing(), tt.o); !errors.Is(err, ErrInvalid) || s != nil {
				t.Errorf("Generate(%+v) = %v, %v; want nil, ErrInvalid", tt.o, s, err)
			}
		})
	}
	if _, err := Generate(nil, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Generate(nil) error = %v, want ErrInvalid", err)
	}
}

func inBound(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && Bound.Contains(p)
}

func TestGenerateDay(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"default", Options{Seed: 1}},
		{"small", Options{Seed: 2, Parcels: 37, Carriers: 2}},
		{"five carriers, two DCs", Options{Seed: 3, Parcels: 8000, Carriers: 5, DCsPerDistrict: 2}},
		{"one parcel", Options{Seed: 4, Parcels: 1, Carriers: 1}},
		{"carrier stations", Options{Seed: 5, CarrierStations: true}},
		{"carrier stations, few parcels", Options{Seed: 6, Parcels: 20, Carriers: 5, CarrierStations: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Chongqing()
			s := mustGenerate(t, tt.o)
			d := s.Day
			o, _ := tt.o.withDefaults(f)
			if got := len(d.Parcels); got != o.Parcels {
				t.Errorf("parcels = %d, want %d", got, o.Parcels)
			}
			if got := len(d.Carriers); got != o.Carriers {
				t.Errorf("carriers = %d, want %d", got, o.Carriers)
			}
			fac := map[depots.ID]*depots.Facility{}
			kinds := map[depots.Kind]int{}
			for i := range d.Facilities {
				x := &d.Facilities[i]
				if err := x.Validate(); err != nil {
					t.Errorf("facility %s: %v", x.ID, err)
				}
				if fac[x.ID] != nil {
					t.Errorf("duplicate facility id %s", x.ID)
				}
				if !inBound(x.Location) || f.District(x.Zone) == nil {
					t.Errorf("facility %s at %v in zone %q: outside the box or unknown zone", x.ID, x.Location, x.Zone)
				}
				fac[x.ID] = x
				kinds[x.Kind]++
			}
			stations := 0
			for _, c := range d.Carriers {
				stations += len(c.Stations)
				if !o.CarrierStations && len(c.Stations) > 0 {
					t.Errorf("carrier %s has stations without Options.CarrierStations", c.ID)
				}
				for _, id := range c.Stations {
					if st := fac[id]; st == nil || st.Operator != c.ID || st.Kind != depots.DistributionCentre {
						t.Errorf("carrier %s station %s is missing or not its own", c.ID, id)
					}
				}
			}
			if o.CarrierStations && (stations < len(d.Carriers) || stations > 9*len(d.Carriers)) {
				t.Errorf("carrier stations = %d, want 1..9 per carrier", stations)
			}
			if kinds[depots.CloudWarehouse] != len(f.Parks) || kinds[depots.DistributionCentre] != o.Carriers+stations+9*o.DCsPerDistrict ||
				kinds[depots.Locker] == 0 || kinds[depots.ExpressStore] == 0 {
				t.Errorf("facilities by kind = %v", kinds)
			}
			for k, n := range kinds {
				if got := len(d.ByKind(k)); got != n {
					t.Errorf("ByKind(%s) = %d facilities, want %d", k, got, n)
				}
			}
			if x := d.Facility(d.Facilities[0].ID); x != &d.Facilities[0] || d.Facility("nowhere") != nil {
				t.Error("Day.Facility does not find facilities by id")
			}
			carriers := map[string]bool{}
			shareSum := 0.0
			for _, c := range d.Carriers {
				carriers[c.ID] = true
				shareSum += c.Share
				if dep := fac[c.Depot]; dep == nil || dep.Operator != c.ID || dep.Kind != depots.DistributionCentre {
					t.Errorf("carrier %s depot %q is missing or not its own distribution centre", c.ID, c.Depot)
				}
			}
			if math.Abs(shareSum-1) > 1e-9 {
				t.Errorf("carrier shares sum to %v, want 1", shareSum)
			}
			for _, v := range d.Vehicles {
				dep := fac[v.Depot]
				if dep == nil || dep.Operator != v.Operator || s.VehicleType(v.Type) == nil {
					t.Errorf("vehicle %s: depot %q, operator %q, type %q do not match", v.ID, v.Depot, v.Operator, v.Type)
					continue
				}
				if atCity := strings.HasPrefix(string(v.Depot), "depot-"); o.CarrierStations && atCity {
					t.Errorf("vehicle %s based at city depot %s despite carrier stations", v.ID, v.Depot)
				}
			}
			ids := map[string]bool{}
			perCat := map[[2]string]int{}
			for _, p := range d.Parcels {
				if ids[p.ID] {
					t.Errorf("duplicate parcel id %s", p.ID)
				}
				ids[p.ID] = true
				w, ok := Slot(p.Slot).Window()
				if !inBound(p.Location) || !carriers[p.Carrier] || f.District(p.District) == nil || !ok || w != p.Window ||
					p.WeightKg <= 0 || p.VolumeLitres <= 0 || p.ServiceSeconds <= 0 || p.ColdChain != (p.Category == urban.Fresh) {
					t.Errorf("parcel %+v is inconsistent", p)
				}
				perCat[[2]string{p.District, string(p.Category)}]++
			}
			total := 0
			for _, x := range d.Demand {
				if got := perCat[[2]string{x.District, string(x.Category)}]; got != x.ParcelsPerDay {
					t.Errorf("demand %s/%s = %d, want %d parcels", x.District, x.Category, x.ParcelsPerDay, got)
				}
				total += x.ParcelsPerDay
			}
			if total != o.Parcels {
				t.Errorf("demand sums to %d, want %d", total, o.Parcels)
			}
			for _, n := range d.Neighbourhoods {
				if !inBound(n.Location) || n.Population <= 0 {
					t.Errorf("neighbourhood %+v out of the box or empty", n)
				}
			}
		})
	}
}

// TestGenerateWeights checks that parcels follow the district weights
// (population × e-commerce) exactly, by largest remainder, and carrier and
// category shares statistically. Carrier shares vary by district (a
// log-normal factor with sigma 0.2), hence the loose 20% city-wide bound.
func TestGenerateWeights(t *testing.T) {
	f := Chongqing()
	s := mustGenerate(t, Options{Seed: 1, Parcels: 20000, Carriers: 5})
	byDistrict := map[string]int{}
	byCarrier := map[string]int{}
	fresh := 0
	slots := map[Slot]int{}
	for _, p := range s.Day.Parcels {
		byDistrict[p.District]++
		byCarrier[p.Carrier]++
		slots[Slot(p.Slot)]++
		if p.ColdChain {
			fresh++
		}
	}
	sumW := 0.0
	for _, d := range f.Districts {
		sumW += float64(d.Population) * d.Ecommerce
	}
	for _, d := range f.Districts {
		want := 20000 * float64(d.Population) * d.Ecommerce / sumW
		if got := float64(byDistrict[d.ID]); math.Abs(got-want) >= 1 {
			t.Errorf("district %s parcels = %v, want %.2f ± 1", d.ID, got, want)
		}
	}
	for _, c := range s.Day.Carriers {
		want := 20000 * c.Share
		if got := float64(byCarrier[c.ID]); math.Abs(got-want) > 0.2*want {
			t.Errorf("carrier %s parcels = %v, want %.0f ± 20%%", c.ID, got, want)
		}
	}
	// Expected fresh share: Σ share × fresh share.
	wantFresh := 0.0
	for i, c := range f.Carriers[:len(s.Day.Carriers)] {
		wantFresh += s.Day.Carriers[i].Share * c.FreshShare
	}
	if got := float64(fresh) / 20000; math.Abs(got-wantFresh) > 0.01 {
		t.Errorf("fresh share = %.3f, want %.3f ± 0.01", got, wantFresh)
	}
	if got := float64(slots[AllDay]) / 20000; got < 0.5 || got > 0.7 {
		t.Errorf("all-day share = %.2f, want 0.5..0.7", got)
	}
}

// TestParcelsClustered checks that parcels cluster: the median distance to
// the nearest other parcel is far below what a uniform spread over the
// districts would give.
func TestParcelsClustered(t *testing.T) {
	s := mustGenerate(t, Options{Seed: 1, Parcels: 2000})
	ps := s.Day.Parcels
	near := make([]float64, len(ps))
	for i := range ps {
		near[i] = math.Inf(1)
		for j := range ps {
			if i != j {
				near[i] = min(near[i], distanceMeters(ps[i].Location, ps[j].Location))
			}
		}
	}
	within := 0
	for _, d := range near {
		if d < 300 {
			within++
		}
	}
	// 2,000 points uniform over ~5,500 km² would be ~800 m apart; clustered
	// ones mostly have a neighbour within 300 m.
	if frac := float64(within) / float64(len(ps)); frac < 0.5 {
		t.Errorf("parcels with a neighbour within 300 m = %.2f, want ≥ 0.5", frac)
	}
}

// TestParcelsInsideMainUrban checks against the real boundaries of
// ../shared/geo that nearly all parcels land in the main urban area.
func TestParcelsInsideMainUrban(t *testing.T) {
	shapes := districtShapes(t)
	f := Chongqing()
	s := mustGenerate(t, Options{Seed: 1, Parcels: 3000})
	inUrban, inOwn := 0, 0
	for _, p := range s.Day.Parcels {
		q := wgsToGCJ(p.Location)
		for _, d := range f.Districts {
			if contains(shapes[d.Adcode], q) {
				inUrban++
				if d.ID == p.District {
					inOwn++
				}
				break
			}
		}
	}
	n := float64(len(s.Day.Parcels))
	t.Logf("parcels in the main urban area: %.1f%%, in their own district: %.1f%%", 100*float64(inUrban)/n, 100*float64(inOwn)/n)
	if float64(inUrban) < 0.97*n || float64(inOwn) < 0.85*n {
		t.Errorf("parcels in main urban area %d, in own district %d of %v; want ≥ 97%% and ≥ 85%%", inUrban, inOwn, n)
	}
}

func TestGenerateWeek(t *testing.T) {
	f := Chongqing()
	s := mustGenerate(t, Options{Seed: 9, Kind: KindRural, MinVillages: 3, MaxVillages: 8})
	real := map[string]bool{} // villages placed at their gazetteer point
	want := map[depots.ID]int{}
	for _, c := range f.Counties {
		for _, tw := range c.Townships {
			want[depots.ID("st-"+c.ID+"-"+tw.ID)] = tw.RuralVillages
			for _, v := range tw.Villages {
				real[c.ID+"-"+v.Code] = true
			}
		}
	}
	if got, want := len(s.Week.Counties), len(f.Counties); got != want {
		t.Fatalf("counties = %d, want %d", got, want)
	}
	for i, c := range s.Week.Counties {
		fc := f.Counties[i]
		net := map[depots.ID]*depots.Facility{}
		fs := c.Facilities()
		for k := range fs {
			x := &fs[k]
			if err := x.Validate(); err != nil {
				t.Errorf("%s: %v", c.ID, err)
			}
			if !inBound(x.Location) {
				t.Errorf("%s: facility %s at %v outside the box", c.ID, x.ID, x.Location)
			}
			net[x.ID] = x
		}
		if c.Hub.Kind != depots.CountyHub || len(c.Stations) != len(fc.Townships) {
			t.Errorf("%s: hub kind %s, %d stations; want county_hub, %d", c.ID, c.Hub.Kind, len(c.Stations), len(fc.Townships))
		}
		perStation := map[depots.ID]int{}
		for _, st := range c.Stations {
			if st.Kind != depots.TownshipStation || st.Parent != c.Hub.ID {
				t.Errorf("%s: station %s kind %s parent %s", c.ID, st.ID, st.Kind, st.Parent)
			}
		}
		for _, v := range c.Villages {
			perStation[v.Station]++
			st := net[v.Station]
			if st == nil || v.Point.Parent != v.Station || v.Point.Kind != depots.VillagePoint || v.Point.Location != v.Location {
				t.Errorf("%s: village %s point or station inconsistent", c.ID, v.ID)
				continue
			}
			if d := distanceMeters(v.Location, st.Location); (d < 1400 || d > 9100) && !real[v.ID] {
				t.Errorf("%s: village %s is %.0f m from its station, want 1.5–9 km", c.ID, v.ID, d)
			}
			switch {
			case v.Population >= dailyVisitPopulation && v.VisitsPerWeek != 7,
				v.Population < tripleVisitPopulation && v.VisitsPerWeek != 2,
				v.VisitsPerWeek != 2 && v.VisitsPerWeek != 3 && v.VisitsPerWeek != 7:
				t.Errorf("%s: village %s of %d people visited %d×/week", c.ID, v.ID, v.Population, v.VisitsPerWeek)
			}
			if v.ParcelsPerDay <= 0 {
				t.Errorf("%s: village %s has %v parcels a day", c.ID, v.ID, v.ParcelsPerDay)
			}
			for _, p := range v.Produce {
				if p.KgPerWeek <= 0 {
					t.Errorf("%s: village %s produce %+v", c.ID, v.ID, p)
				}
			}
		}
		for _, st := range c.Stations {
			if n := perStation[st.ID]; n != want[st.ID] {
				t.Errorf("%s: station %s has %d villages, want its township's %d", c.ID, st.ID, n, want[st.ID])
			}
		}
		types := map[string]int{}
		for _, v := range c.Vehicles {
			if v.Depot != c.Hub.ID {
				t.Errorf("%s: vehicle %s based at %s, want the hub", c.ID, v.ID, v.Depot)
			}
			types[v.Type]++
		}
		van := f.Roles.Bulky
		if fc.Mountain {
			van = f.Roles.MountainVan
		}
		if types[f.Roles.Cold] == 0 || types[van] == 0 || types[f.Roles.Trunk] == 0 {
			t.Errorf("%s: fleet %v lacks a cold van, %s or truck", c.ID, types, van)
		}
	}
}

func TestSummaryGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSummary(&buf, mustGenerate(t, Options{Seed: 1})); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "summary_seed1.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("summary differs from %s (go test -update to accept):\n%s", golden, buf.String())
	}
}

func TestApportion(t *testing.T) {
	tests := []struct {
		total   int
		weights []float64
		want    []int
	}{
		{10, []float64{1, 1, 1}, []int{4, 3, 3}},
		{7, []float64{0.5, 0.25, 0.25}, []int{3, 2, 2}},
		{0, []float64{1, 2}, []int{0, 0}},
		{5, []float64{0, 0}, []int{0, 0}},
		{1, []float64{3}, []int{1}},
		{100, []float64{1, 2, 3, 4}, []int{10, 20, 30, 40}},
	}
	for _, tt := range tests {
		got := apportion(tt.total, tt.weights)
		if !slices.Equal(got, tt.want) {
			t.Errorf("apportion(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	f := Chongqing()
	for _, n := range []int{DefaultParcels, 50_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(f, Options{Seed: 1, Parcels: n}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "parcels")
		})
	}
}

// FuzzGenerateOptions checks that any options give either ErrInvalid or a
// scenario whose facilities all validate, and never a panic.
func FuzzGenerateOptions(f *testing.F) {
	f.Add(uint64(1), 100, 4, 1, 3, 8, "all")
	f.Add(uint64(2), 0, 0, 0, 0, 0, "")
	f.Add(uint64(3), 1, 5, 3, 1, 1, "urban")
	f.Add(uint64(4), -1, 9, -1, 9, 2, "rural")
	fx := Chongqing()
	f.Fuzz(func(t *testing.T, seed uint64, parcels, carriers, dcs, minV, maxV int, kind string) {
		if parcels > 2000 || dcs > 5 || maxV > 20 {
			t.Skip("too large for a fuzz iteration")
		}
		o := Options{Seed: seed, Parcels: parcels, Carriers: carriers, DCsPerDistrict: dcs, MinVillages: minV, MaxVillages: maxV, Kind: Kind(kind)}
		s, err := Generate(fx, o)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Generate(%+v) error %v does not wrap ErrInvalid", o, err)
			}
			return
		}
		var fs []depots.Facility
		if s.Day != nil {
			fs = append(fs, s.Day.Facilities...)
			for _, p := range s.Day.Parcels {
				if !inBound(p.Location) {
					t.Fatalf("parcel %s at %v outside the box", p.ID, p.Location)
				}
			}
		}
		if s.Week != nil {
			for i := range s.Week.Counties {
				fs = append(fs, s.Week.Counties[i].Facilities()...)
			}
		}
		for i := range fs {
			if err := fs[i].Validate(); err != nil || !inBound(fs[i].Location) {
				t.Fatalf("Generate(%+v): facility %s: %v at %v", o, fs[i].ID, err, fs[i].Location)
			}
		}
	})
}

// TestRNGNoAllocs guards the per-parcel draws: they must not allocate.
func TestRNGNoAllocs(t *testing.T) {
	r := newRNG(1, 1)
	cum := cumulative([]float64{1, 2, 3})
	p := orb.Point{106.5, 29.5}
	allocs := testing.AllocsPerRun(1000, func() {
		_ = r.pick(cum)
		_ = r.lognormal(1, 0.5)
		_ = r.scatter(p, 250)
		_ = r.between(45, 120)
	})
	if allocs != 0 {
		t.Fatalf("rng draws allocate %v times per run, want 0", allocs)
	}
}

// TestGenerateCountiesSubset: a week of some counties holds them as the
// whole week does.
func TestGenerateCountiesSubset(t *testing.T) {
	all := mustGenerate(t, Options{Seed: 4, Kind: KindRural})
	some := mustGenerate(t, Options{Seed: 4, Kind: KindRural, Counties: []string{"youyang", "rongchang"}})
	if len(some.Week.Counties) != 2 {
		t.Fatalf("counties = %d, want 2", len(some.Week.Counties))
	}
	for _, c := range some.Week.Counties {
		for _, w := range all.Week.Counties {
			if w.ID == c.ID && !reflect.DeepEqual(w, c) {
				t.Errorf("county %s differs from the whole week's", c.ID)
			}
		}
	}
	if _, err := Generate(Chongqing(), Options{Kind: KindRural, Counties: []string{"atlantis"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown county: %v, want ErrInvalid", err)
	}
}

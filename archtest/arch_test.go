package archtest

import (
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/lastmile-dev/lastmile"

// pkg is one package of the module: its path relative to the module root
// ("geo/h3cell") and its production imports.
type pkg struct {
	rel     string
	imports []string
}

// loadModule lists every package under the repository root with its
// non-test imports.
func loadModule(t *testing.T) map[string]pkg {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s: %v", root, err)
	}
	pkgs := map[string]pkg{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		bp, err := build.Default.ImportDir(path, 0)
		if err != nil {
			if _, ok := errors.AsType[*build.NoGoError](err); ok {
				return nil
			}
			t.Errorf("read package %s: %v", path, err)
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		pkgs[rel] = pkg{rel: rel, imports: bp.Imports}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"geo", "geo/h3cell", "geo/zone", "geo/osrm", "routing", "routing/check", "depots", "api", "store", "internal/metrics", "internal/scenario", "cmd/lastmile"} {
		if _, ok := pkgs[want]; !ok {
			t.Fatalf("package %s not found under %s: the test walks the wrong tree", want, root)
		}
	}
	return pkgs
}

// internal returns the module-relative path of an import, or "" when it is
// outside the module.
func internal(imp string) string {
	if imp == module {
		return "."
	}
	if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
		return rest
	}
	return ""
}

// under reports whether rel is top or a subpackage of it.
func under(rel, top string) bool { return rel == top || strings.HasPrefix(rel, top+"/") }

// tree is the layering unit of a package: its top-level folder, or
// internal/X for a package under internal/.
func tree(rel string) string {
	top, rest, _ := strings.Cut(rel, "/")
	if top == "internal" {
		sub, _, _ := strings.Cut(rest, "/")
		return top + "/" + sub
	}
	return top
}

func isCore(rel string) bool {
	for _, top := range []string{"geo", "routing", "depots", "internal/scenario", "internal/render", "internal/benchset", "internal/field"} {
		if under(rel, top) {
			return true
		}
	}
	return false
}

// forbiddenInCore reports whether a core package may not import imp.
func forbiddenInCore(imp string) bool {
	switch {
	case imp == "net/http", strings.HasPrefix(imp, "net/http/"):
		return true
	case strings.HasPrefix(imp, "github.com/jackc/pgx"):
		return true
	case strings.HasPrefix(imp, "github.com/prometheus/"):
		return true
	case strings.HasPrefix(imp, "database/sql"):
		return true
	}
	return false
}

// httpAdapter is the one core package allowed to speak HTTP: the OSRM
// client.
const httpAdapter = "geo/osrm"

// closure returns every import reachable from rel through module packages,
// with the module package that first pulls it in.
func closure(pkgs map[string]pkg, rel string) map[string]string {
	via := map[string]string{}
	stack := []string{rel}
	seen := map[string]bool{rel: true}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, imp := range pkgs[cur].imports {
			if _, ok := via[imp]; !ok {
				via[imp] = cur
			}
			if in := internal(imp); in != "" && !seen[in] {
				seen[in] = true
				stack = append(stack, in)
			}
		}
	}
	return via
}

// TestCoreImportsNoServerLibraries checks, transitively, that no core
// package reaches net/http, pgx or prometheus, except the OSRM adapter.
func TestCoreImportsNoServerLibraries(t *testing.T) {
	pkgs := loadModule(t)
	for rel := range pkgs {
		if !isCore(rel) || rel == httpAdapter {
			continue
		}
		for imp, from := range closure(pkgs, rel) {
			if forbiddenInCore(imp) {
				t.Errorf("%s imports %s (via %s); core packages must not", rel, imp, from)
			}
			if internal(imp) == httpAdapter {
				t.Errorf("%s imports %s (via %s); only cmd and api may use the OSRM adapter", rel, imp, from)
			}
		}
	}
}

// TestImportsPointInward checks the layering of module packages. Each rule
// lists the top-level trees a tree may import (besides itself).
func TestImportsPointInward(t *testing.T) {
	allowed := map[string][]string{
		"geo":                 {"internal/field"},
		"routing":             {"geo", "depots", "internal/render", "internal/field"}, // routing/urban and routing/rural plan on depots; routing itself imports none (below)
		"depots":              {"geo", "internal/field"},
		"internal/field":      {},
		"internal/render":     {"geo"},
		"internal/scenario":   {"geo", "depots", "routing", "internal/cqgeo", "internal/field"},
		"internal/cqgeo":      {"geo"}, // embedded district outlines; gen converts with geo
		"internal/benchset":   {"routing", "geo"},
		"internal/metrics":    {},
		"internal/web":        {}, // the browser app's embedded assets
		"internal/sharedtest": {},
		"internal/storetest":  {"geo", "depots", "store", "api"}, // the suite checks api.Store
		"internal/importer":   {"geo", "depots"},
		"store":               {"geo", "routing", "depots"},
		"api":                 {"geo", "routing", "depots", "store", "internal/scenario", "internal/metrics", "internal/render", "internal/field", "internal/cqgeo", "internal/web", "internal/importer"},
		"cmd":                 {"geo", "routing", "depots", "store", "api", "internal/scenario", "internal/metrics", "internal/render", "internal/benchset", "internal/field", "internal/cqgeo", "internal/importer"},
		"archtest":            {},
	}
	pkgs := loadModule(t)
	for rel, p := range pkgs {
		top := tree(rel)
		ok, known := allowed[top]
		if !known {
			t.Errorf("package %s is in an unknown top-level tree %q: add it to the layering rules", rel, top)
			continue
		}
		for _, imp := range p.imports {
			in := internal(imp)
			if in == "" {
				continue
			}
			itop := tree(in)
			if itop != top && !slices.Contains(ok, itop) {
				t.Errorf("%s imports %s: %s may import only %v", rel, in, top, ok)
			}
		}
	}
	// The routing core itself sees only flat matrices: no geo, no depots.
	// internal/field, a leaf, gives it the field error it shares with the
	// decoders (routing.FieldError).
	for _, imp := range pkgs["routing"].imports {
		if in := internal(imp); in != "" && in != "internal/field" {
			t.Errorf("routing imports %s; the solver core imports no other lastmile package but internal/field", in)
		}
	}
	// geo's own subpackages: geo/h3cell is the leaf.
	for _, imp := range pkgs["geo/h3cell"].imports {
		if in := internal(imp); in != "" {
			t.Errorf("geo/h3cell imports %s; it must be a leaf", in)
		}
	}
}

// planners are the packages that own their input types: the scenario
// generator builds those types, so the planners must not depend on it,
// not even in their tests.
var planners = []string{"routing/urban", "routing/rural"}

// scenarioImports returns the imports of p, production and test, that
// reach the scenario generator.
func scenarioImports(p *build.Package) []string {
	var out []string
	for _, imps := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
		for _, imp := range imps {
			if under(internal(imp), "internal/scenario") {
				out = append(out, imp)
			}
		}
	}
	return out
}

// TestPlannersDoNotImportScenario checks that routing/urban and
// routing/rural, and their tests, do not import internal/scenario: the
// generator produces planner inputs, not the other way round.
func TestPlannersDoNotImportScenario(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range planners {
		p, err := build.Default.ImportDir(filepath.Join(root, filepath.FromSlash(rel)), 0)
		if err != nil {
			t.Errorf("read package %s: %v", rel, err)
			continue
		}
		if len(p.GoFiles) == 0 || len(p.TestGoFiles)+len(p.XTestGoFiles) == 0 {
			t.Errorf("%s has %d Go files and %d test files: the test reads the wrong folder", rel, len(p.GoFiles), len(p.TestGoFiles)+len(p.XTestGoFiles))
		}
		for _, imp := range scenarioImports(p) {
			t.Errorf("%s (or its tests) imports %s; planners own their input types and scenario builds them", rel, imp)
		}
	}
}

// cgoFree lists the packages that must build with CGO_ENABLED=0: the solver,
// its instance readers and checker, and the location and flow solvers. .ci/run
// builds them so; this test names the import that would break it.
var cgoFree = []string{"geo", "routing", "routing/instance", "routing/check", "depots/location", "depots/flow"}

// TestCgoFreeCore checks that no cgo-free package reaches geo/h3cell, h3-go
// or "C", even indirectly.
func TestCgoFreeCore(t *testing.T) {
	pkgs := loadModule(t)
	for _, rel := range cgoFree {
		if _, ok := pkgs[rel]; !ok {
			t.Errorf("cgo-free package %s not found", rel)
			continue
		}
		for imp, from := range closure(pkgs, rel) {
			if usesCgo(imp) || internal(imp) == "geo/h3cell" {
				t.Errorf("%s imports %s (via %s); it must build with CGO_ENABLED=0", rel, imp, from)
			}
		}
	}
}

func usesCgo(imp string) bool { return imp == "C" || strings.HasPrefix(imp, "github.com/uber/h3-go") }

// TestCgoInOnePackage checks that only geo/h3cell imports h3-go or "C".
func TestCgoInOnePackage(t *testing.T) {
	pkgs := loadModule(t)
	for rel, p := range pkgs {
		for _, imp := range p.imports {
			if usesCgo(imp) && rel != "geo/h3cell" {
				t.Errorf("%s imports %s; all cgo sits in geo/h3cell", rel, imp)
			}
		}
	}
}

// TestAPINeverImportsPgx checks that the store translates database errors:
// the handlers see only store and depots sentinels.
func TestAPINeverImportsPgx(t *testing.T) {
	pkgs := loadModule(t)
	for rel := range pkgs {
		if !under(rel, "api") {
			continue
		}
		for imp, from := range closure(pkgs, rel) {
			if strings.HasPrefix(imp, "github.com/jackc/pgx") && !under(from, "store") {
				t.Errorf("%s imports %s directly (via %s); only store may", rel, imp, from)
			}
		}
	}
}

// databaseDriver reports whether imp is a database driver or client.
func databaseDriver(imp string) bool {
	for _, prefix := range []string{"github.com/jackc/pgx", "database/sql", "github.com/lib/pq", "github.com/pressly/goose"} {
		if imp == prefix || strings.HasPrefix(imp, prefix+"/") {
			return true
		}
	}
	return false
}

// TestMetricsImportsNoDatabaseDriver checks, transitively, that the metrics
// package reaches no database driver: the pool's collector lives in store.
func TestMetricsImportsNoDatabaseDriver(t *testing.T) {
	pkgs := loadModule(t)
	for rel := range pkgs {
		if !under(rel, "internal/metrics") {
			continue
		}
		for imp, from := range closure(pkgs, rel) {
			if databaseDriver(imp) {
				t.Errorf("%s imports %s (via %s); metrics must not import a database driver", rel, imp, from)
			}
		}
	}
}

// TestRulesCatchViolations makes sure the checks above can fail.
func TestRulesCatchViolations(t *testing.T) {
	pkgs := map[string]pkg{
		"depots":       {rel: "depots", imports: []string{module + "/depots/flow"}},
		"depots/flow":  {rel: "depots/flow", imports: []string{"net/http/httptest"}},
		"geo":          {rel: "geo", imports: []string{"fmt"}},
		"geo/osrm":     {rel: "geo/osrm", imports: []string{"net/http"}},
		"routing/demo": {rel: "routing/demo", imports: []string{module + "/geo/osrm"}},
	}
	got := closure(pkgs, "depots")
	if from, ok := got["net/http/httptest"]; !ok || !forbiddenInCore("net/http/httptest") || from != "depots/flow" {
		t.Errorf("closure(depots) = %v; want net/http/httptest via depots/flow, forbidden", got)
	}
	got = closure(pkgs, "routing/demo")
	if _, ok := got["net/http"]; !ok {
		t.Errorf("closure(routing/demo) = %v; want net/http through geo/osrm", got)
	}
	if forbiddenInCore("net") || forbiddenInCore("github.com/paulmach/orb") {
		t.Error("forbiddenInCore flags harmless imports")
	}
	for _, p := range []*build.Package{
		{Imports: []string{module + "/internal/scenario"}},
		{TestImports: []string{"testing", module + "/internal/scenario"}},
		{XTestImports: []string{module + "/internal/scenario"}},
	} {
		if got := scenarioImports(p); len(got) != 1 {
			t.Errorf("scenarioImports(%+v) = %v; want the scenario import", p, got)
		}
	}
	if got := scenarioImports(&build.Package{Imports: []string{module + "/routing/fleet", module + "/internal/scenariox", "github.com/x/internal/scenario"}}); len(got) != 0 {
		t.Errorf("scenarioImports flags %v; want nothing", got)
	}
	if !databaseDriver("github.com/jackc/pgx/v5/pgxpool") || !databaseDriver("database/sql") || databaseDriver("database/sqlx") {
		t.Error("databaseDriver misclassifies imports")
	}
}

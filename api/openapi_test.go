package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
)

// TestOpenAPIMatchesRoutes walks the routes registered on the ServeMux and
// the paths of /openapi.json: each route must be documented and each
// documented operation must exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := startServer(t, api.Config{})
	r := ts.do("GET", "/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	registered := ts.Routes()
	slices.Sort(documented)
	slices.Sort(registered)
	for _, route := range registered {
		if !slices.Contains(documented, route) {
			t.Errorf("route %q is not in openapi.json", route)
		}
	}
	for _, op := range documented {
		if !slices.Contains(registered, op) {
			t.Errorf("openapi.json documents %q, which no handler serves", op)
		}
	}
	var check map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &check); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	// Every $ref must resolve.
	refs := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if k == "$ref" {
					refs[y.(string)] = true
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(check)
	comps := check["components"].(map[string]any)
	for ref := range refs {
		parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
		sect, _ := comps[parts[0]].(map[string]any)
		if len(parts) != 2 || sect == nil || sect[parts[1]] == nil {
			t.Errorf("unresolved $ref %s", ref)
		}
	}
}

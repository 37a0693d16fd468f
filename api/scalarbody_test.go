package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
)

// Every JSON scalar, and the empty array, as the body of every endpoint
// that takes one gives a 4xx problem: never a panic, never a 5xx.
func TestScalarBodies(t *testing.T) {
	ts := startServer(t, api.Config{})
	var writes []string
	for _, pattern := range ts.Routes() {
		method, path, _ := strings.Cut(pattern, " ")
		if method == http.MethodPost || method == http.MethodPut {
			writes = append(writes, method+" "+strings.ReplaceAll(path, "{id}", "c1"))
		}
	}
	if len(writes) < 10 {
		t.Fatalf("found %d write routes; the route list is wrong", len(writes))
	}
	for _, route := range writes {
		method, path, _ := strings.Cut(route, " ")
		for _, body := range []string{"null", "0", `""`, "[]", "true", "[null]", "-1", `"{}"`} {
			r := ts.do(method, path, operatorKey, body)
			if r.Status < 400 || r.Status >= 500 {
				t.Errorf("%s %s with body %s: status %d, want 4xx; body %s", method, path, body, r.Status, r.Body)
				continue
			}
			r.problem(t)
		}
	}
}

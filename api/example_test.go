package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/store"
)

func ExampleParseKey() {
	k, err := api.ParseKey("courier:s3cret-courier-key:c42")
	fmt.Println(k.Role, k.CourierID, err)
	// The error never repeats the value, which may hold a real secret.
	_, err = api.ParseKey("Sup3rSecretKey99:planner")
	fmt.Println(err)
	// Output:
	// courier c42 <nil>
	// api: bad request: api key (24 characters): it must start with a role, courier, planner or operator, as ROLE:KEY or courier:KEY:COURIER_ID
}

// A courier optimises two deliveries; a planner key is needed for
// facilities.
func Example() {
	srv, err := api.New(api.Config{Store: store.NewMemory(), Keys: []api.Key{
		{Role: api.RoleCourier, Secret: "courier-secret", CourierID: "c1"},
	}})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	body := `{"vehicles": [{"id": "c1", "start": [106.55, 29.56], "capacity": [5]}],
	          "jobs": [{"id": "a", "location": [106.57, 29.57], "delivery": [1]},
	                   {"id": "b", "location": [106.53, 29.55], "delivery": [2]}],
	          "options": {"iterations": 50}}`
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/v1/optimize", body},
		{"GET", "/v1/facilities", ""},
	} {
		req, _ := http.NewRequest(r.method, ts.URL+r.path, strings.NewReader(r.body))
		req.Header.Set("Authorization", "Bearer courier-secret")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(r.method, r.path, resp.StatusCode, resp.Header.Get("Content-Type"), strings.Count(string(data), `"type":"job"`))
	}
	// Output:
	// POST /v1/optimize 200 application/json 2
	// GET /v1/facilities 403 application/problem+json 0
}

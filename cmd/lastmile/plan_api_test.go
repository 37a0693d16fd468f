package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/store"
)

// TestPlanUrbanMatchesAPI proves one code path: `lastmile plan urban
// --json` and POST /v1/plans/urban give the same report, field for field,
// for the same seed, parcels, carriers and iterations.
func TestPlanUrbanMatchesAPI(t *testing.T) {
	code, out, errs := runPlanCLI(t, "urban", "--quiet", "--json", "--seed", "3", "--parcels", "90", "--carriers", "3", "--iterations", "3")
	if code != 0 {
		t.Fatalf("CLI exit %d: %s", code, errs)
	}
	var cli map[string]any
	if err := json.Unmarshal([]byte(out), &cli); err != nil {
		t.Fatalf("CLI --json: %v", err)
	}

	const key = "planner-key"
	s, err := api.New(api.Config{Store: store.NewMemory(), Keys: []api.Key{{Role: api.RolePlanner, Secret: key}}, Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	ts := httptest.NewServer(s.HTTPServer("127.0.0.1:0").Handler)
	t.Cleanup(ts.Close)
	req, err := http.NewRequest("POST", ts.URL+"/v1/plans/urban", strings.NewReader(`{"seed":3,"parcels":90,"carriers":3,"iterations":3}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/plans/urban = %d %.300s", resp.StatusCode, body)
	}
	var got struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for k, v := range cli {
		if !reflect.DeepEqual(got.Result[k], v) {
			t.Errorf("report field %q differs between CLI and API:\nCLI %.200v\nAPI %.200v", k, v, got.Result[k])
		}
	}
	if len(got.Result) != len(cli) {
		t.Errorf("API report has %d fields, CLI %d", len(got.Result), len(cli))
	}
}

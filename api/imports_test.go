package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestImport: facilities and demand come in as CSV or GeoJSON; a file with
// a bad row stores nothing and names each bad line and field; coverage then
// runs on the stored demand and facilities.
func TestImport(t *testing.T) {
	jobStores(t, func(t *testing.T, open func() api.Store) {
		ts := startServer(t, api.Config{Store: open()})
		csvType := http.Header{"Content-Type": {"text/csv"}}
		bad := "id,kind,lon,lat,capacity_per_day\nL1,locker,106.55,29.56,300\nL2,locker,106.56,99,300\nL3,moat,106.57,29.57,x\n"
		r := ts.doHeader("POST", "/v1/imports/facilities", plannerKey, bad, csvType)
		p := r.problem(t)
		var names []string
		for _, ip := range p.InvalidParams {
			names = append(names, ip.Name)
		}
		if r.Status != 400 || strings.Join(names, ",") != "line 3: lat,line 4: kind,line 4: capacity_per_day" {
			t.Errorf("bad file = %d, invalid_params %q; want 400 naming line 3 lat and line 4 kind, capacity_per_day", r.Status, names)
		}
		var list struct {
			Facilities []json.RawMessage `json:"facilities"`
		}
		ts.do("GET", "/v1/facilities?kind=locker", plannerKey, nil).decode(t, &list)
		if len(list.Facilities) != 0 {
			t.Errorf("after a refused file, %d lockers are stored, want none (all or nothing)", len(list.Facilities))
		}
		good := "id,kind,lon,lat,capacity_per_day\nL1,locker,106.55,29.56,300\nL2,locker,106.60,29.60,300\n"
		if r := ts.doHeader("POST", "/v1/imports/facilities", plannerKey, good, csvType); r.Status != http.StatusCreated {
			t.Fatalf("good file = %d %s", r.Status, r.Body)
		}
		demand := `{"type":"FeatureCollection","features":[
			{"type":"Feature","geometry":{"type":"Point","coordinates":[106.5501,29.5601]},"properties":{"id":"d1","weight":10}},
			{"type":"Feature","geometry":{"type":"Point","coordinates":[106.70,29.70]},"properties":{"id":"d2","weight":5}}]}`
		if r := ts.doHeader("POST", "/v1/imports/demand?datum=wgs84", plannerKey, demand, http.Header{"Content-Type": {"application/geo+json"}}); r.Status != http.StatusCreated {
			t.Fatalf("demand = %d %s", r.Status, r.Body)
		}
		var rep struct {
			Result struct {
				CoveredDemand float64 `json:"covered_demand"`
				TotalDemand   float64 `json:"total_demand"`
			} `json:"result"`
		}
		r = ts.do("POST", "/v1/plans/coverage", plannerKey, `{"radius_meters": 500}`)
		r.decode(t, &rep)
		if r.Status != http.StatusCreated || rep.Result.TotalDemand != 15 {
			t.Errorf("coverage on stored demand = %d %s; want total demand 15", r.Status, r.Body)
		}
		if r := ts.doHeader("POST", "/v1/imports/demand", courierKey, demand, http.Header{"Content-Type": {"application/geo+json"}}); r.Status != http.StatusForbidden {
			t.Errorf("courier import = %d, want 403", r.Status)
		}
	})
}

// TestCoverageMonitoring: the scheduled monitoring run, not an ad-hoc
// query, sets lastmile_coverage_ratio from the stored demand and pickup
// points.
func TestCoverageMonitoring(t *testing.T) {
	ts := startServer(t, api.Config{CoverageEvery: 30 * time.Millisecond})
	csvType := http.Header{"Content-Type": {"text/csv"}}
	ts.doHeader("POST", "/v1/imports/facilities", plannerKey, "id,kind,lon,lat\nL1,locker,106.55,29.56\n", csvType)
	ts.doHeader("POST", "/v1/imports/demand", plannerKey, "id,lon,lat,weight\nd1,106.551,29.561,30\nd2,106.60,29.60,10\n", csvType)
	deadline := time.Now().Add(5 * time.Second)
	for testutil.CollectAndCount(ts.Metrics().CoverageRatio) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := testutil.ToFloat64(ts.Metrics().CoverageRatio.WithLabelValues("all")); got != 0.75 {
		t.Errorf("lastmile_coverage_ratio{zone=all} = %v after monitoring, want 0.75", got)
	}
	ts.do("POST", "/v1/plans/coverage", plannerKey, `{"demand":[{"location":[106.9,29.9],"weight":1}],"radius_meters":500}`)
	if got := testutil.ToFloat64(ts.Metrics().CoverageRatio.WithLabelValues("all")); got != 0.75 {
		t.Errorf("after an ad-hoc query the gauge is %v, want the monitoring run's 0.75", got)
	}
}

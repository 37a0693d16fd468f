package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/metrics"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/prometheus/client_golang/prometheus"
)

// TestDeployReferencesRealMetrics: every lastmile_* metric the Grafana
// dashboard and the alert rules use is one the server or a worker exports
// (the pool's lastmile_db_pool_* aside, which need PostgreSQL), so a
// renamed metric cannot silently empty a panel or disarm an alert.
func TestDeployReferencesRealMetrics(t *testing.T) {
	names := map[string]bool{}
	reg := prometheus.NewRegistry()
	metrics.New(reg)
	sq, err := store.OpenSQLite(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	reg.MustRegister(sq.QueueCollector())
	ch := make(chan *prometheus.Desc, 64)
	go func() {
		reg.Describe(ch)
		close(ch)
	}()
	descName := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range ch {
		if m := descName.FindStringSubmatch(d.String()); m != nil {
			names[m[1]] = true
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				names[m[1]+suffix] = true
			}
		}
	}
	dash, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "lastmile.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(dash) {
		t.Fatal("deploy/grafana/lastmile.json is not JSON")
	}
	alerts, err := os.ReadFile(filepath.Join("..", "..", "deploy", "prometheus", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`lastmile_[a-z_]+`)
	for file, text := range map[string][]byte{"grafana/lastmile.json": dash, "prometheus/alerts.yml": alerts} {
		for _, n := range used.FindAllString(string(text), -1) {
			if !names[n] && !strings.HasPrefix(n, "lastmile_db_pool_") {
				t.Errorf("deploy/%s uses %s, which nothing exports", file, n)
			}
		}
	}
}

package store

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestPoolCollector reads a pool that never connects: pgxpool opens
// connections lazily, so no database is needed.
func TestPoolCollector(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://nobody@127.0.0.1:1/none?pool_max_conns=7")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c := (&Postgres{pool: pool}).PoolCollector()
	if got := testutil.CollectAndCount(c); got != 9 {
		t.Errorf("pool metrics = %d, want 9", got)
	}
	want := "# HELP lastmile_db_pool_max_connections Maximum size of the pool.\n# TYPE lastmile_db_pool_max_connections gauge\nlastmile_db_pool_max_connections 7\n"
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "lastmile_db_pool_max_connections"); err != nil {
		t.Error(err)
	}
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint %s: %s", p.Metric, p.Text)
	}
}

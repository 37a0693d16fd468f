package store

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolCollector returns a Prometheus collector of the connection pool's
// statistics, as lastmile_db_pool_* metrics; register it on the server's
// registry. It lives here, beside the driver, so that the metrics package
// imports no database driver.
func (p *Postgres) PoolCollector() prometheus.Collector { return newPoolCollector(p.pool) }

// poolCollector exports pgxpool statistics, read at each scrape.
type poolCollector struct {
	pool                                                  *pgxpool.Pool
	acquired, idle, total, max, acquires, waits, waitSecs *prometheus.Desc
	canceled, emptyAcquires                               *prometheus.Desc
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("lastmile_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		pool:          pool,
		acquired:      d("acquired_connections", "Connections currently in use."),
		idle:          d("idle_connections", "Idle connections in the pool."),
		total:         d("total_connections", "All connections in the pool."),
		max:           d("max_connections", "Maximum size of the pool."),
		acquires:      d("acquires_total", "Successful connection acquisitions."),
		waits:         d("empty_acquire_wait_seconds_total", "Time spent waiting for a connection when the pool was empty, in seconds."),
		emptyAcquires: d("empty_acquires_total", "Acquisitions that found the pool empty."),
		canceled:      d("canceled_acquires_total", "Acquisitions cancelled by their context."),
		waitSecs:      d("acquire_wait_seconds_total", "Total time spent waiting to acquire, in seconds."),
	}
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.max, c.acquires, c.waits, c.emptyAcquires, c.canceled, c.waitSecs} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.acquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.EmptyAcquireWaitTime().Seconds()))
	ch <- prometheus.MustNewConstMetric(c.emptyAcquires, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.canceled, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.waitSecs, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// queueStats is what the queue collector reports, read at each scrape.
type queueStats struct {
	// depth counts River's unfinished entries by kind and state
	// (available, scheduled, retryable, running).
	depth map[[2]string]int
	// oldest is, per kind, the age of the oldest entry waiting for a
	// worker (available), in seconds.
	oldest map[string]float64
	// jobs counts our jobs by status.
	jobs map[JobStatus]int
	// heartbeatAge and checkpointAge are the largest ages, over running
	// jobs, of the last heartbeat and of the checkpoint, in seconds.
	heartbeatAge, checkpointAge float64
}

// queueCollector exports queueStats and lastmile_database_up.
type queueCollector struct {
	read                                  func(ctx context.Context) (*queueStats, error)
	up, depth, oldest, jobs, hbAge, cpAge *prometheus.Desc
}

func newQueueCollector(read func(ctx context.Context) (*queueStats, error)) *queueCollector {
	return &queueCollector{
		read:   read,
		up:     prometheus.NewDesc("lastmile_database_up", "1 when the store's database answered the last scrape's queries, else 0.", nil, nil),
		depth:  prometheus.NewDesc("lastmile_queue_jobs", "River queue entries not finished, by job kind and state (available, scheduled, retryable, running).", []string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("lastmile_queue_oldest_age_seconds", "Age of the oldest queue entry waiting for a worker, by job kind, in seconds (0 when none waits).", []string{"kind"}, nil),
		jobs:   prometheus.NewDesc("lastmile_jobs", "Jobs in the store by status (finished ones until retention deletes them).", []string{"status"}, nil),
		hbAge:  prometheus.NewDesc("lastmile_job_heartbeat_age_seconds", "Largest time since a running job's last progress save (its heartbeat), in seconds.", nil, nil),
		cpAge:  prometheus.NewDesc("lastmile_job_checkpoint_age_seconds", "Largest age of a running job's checkpoint, over jobs that have one, in seconds.", nil, nil),
	}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.depth, c.oldest, c.jobs, c.hbAge, c.cpAge} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	for k, n := range st.depth {
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	for kind, age := range st.oldest {
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age, kind)
	}
	for _, s := range []JobStatus{JobQueued, JobRunning, JobSucceeded, JobFailed, JobCancelled} {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(st.jobs[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(c.hbAge, prometheus.GaugeValue, st.heartbeatAge)
	ch <- prometheus.MustNewConstMetric(c.cpAge, prometheus.GaugeValue, st.checkpointAge)
}

// QueueCollector returns a Prometheus collector of the job queue: River's
// depth and oldest waiting entry per kind, jobs by status, heartbeat and
// checkpoint ages, and whether the database answers.
func (p *Postgres) QueueCollector() prometheus.Collector {
	return newQueueCollector(func(ctx context.Context) (*queueStats, error) {
		st := &queueStats{depth: map[[2]string]int{}, oldest: map[string]float64{}, jobs: map[JobStatus]int{}}
		rows, err := p.pool.Query(ctx, `SELECT kind, state::text, count(*),
				COALESCE(EXTRACT(EPOCH FROM now() - min(scheduled_at) FILTER (WHERE state = 'available')), 0)::float8
			FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY kind, state`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var (
				kind, state string
				n           int
				age         float64
			)
			if err := rows.Scan(&kind, &state, &n, &age); err != nil {
				rows.Close()
				return nil, err
			}
			st.depth[[2]string{kind, state}] = n
			if state == "available" {
				st.oldest[kind] = max(age, 0)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		counts, err := p.CountJobs(ctx, "")
		if err != nil {
			return nil, err
		}
		st.jobs = counts
		err = p.pool.QueryRow(ctx, `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(heartbeat_at)), 0)::float8,
				COALESCE(EXTRACT(EPOCH FROM now() - min(checkpoint_at)), 0)::float8
			FROM jobs WHERE status = 'running'`).Scan(&st.heartbeatAge, &st.checkpointAge)
		return st, err
	})
}

// QueueCollector returns the collector of the embedded store's job queue;
// see Postgres.QueueCollector.
func (s *SQLite) QueueCollector() prometheus.Collector {
	return newQueueCollector(func(ctx context.Context) (*queueStats, error) {
		st := &queueStats{depth: map[[2]string]int{}, oldest: map[string]float64{}, jobs: map[JobStatus]int{}}
		now := time.Now().UTC()
		rows, err := s.db.QueryContext(ctx, `SELECT kind, state, count(*), COALESCE(min(CASE WHEN state = 'available' THEN scheduled_at END), '')
			FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY kind, state`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var (
				kind, state, oldest string
				n                   int
			)
			if err := rows.Scan(&kind, &state, &n, &oldest); err != nil {
				rows.Close()
				return nil, err
			}
			st.depth[[2]string{kind, state}] = n
			if state == "available" {
				if t, err := parseRiverTime(oldest); err == nil {
					st.oldest[kind] = max(now.Sub(t).Seconds(), 0)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		counts, err := s.CountJobs(ctx, "")
		if err != nil {
			return nil, err
		}
		st.jobs = counts
		var hb, cp string
		if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(min(heartbeat_at), ''), COALESCE(min(checkpoint_at), '')
			FROM jobs WHERE status = 'running'`).Scan(&hb, &cp); err != nil {
			return nil, err
		}
		if hb != "" {
			st.heartbeatAge = max(now.Sub(parseSQLTime(hb)).Seconds(), 0)
		}
		if cp != "" {
			st.checkpointAge = max(now.Sub(parseSQLTime(cp)).Seconds(), 0)
		}
		return st, nil
	})
}

// parseRiverTime reads a time as River's SQLite driver stores it.
func parseRiverTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("store: time %q", s)
}

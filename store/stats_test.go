package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"
)

type statsArgs struct {
	JobID string `json:"job_id"`
}

func (statsArgs) Kind() string { return "optimize" }

// TestQueueCollector: a job waiting in the queue shows in the queue depth,
// the oldest waiting age and the jobs by status, on both durable stores.
func TestQueueCollector(t *testing.T) {
	ctx := context.Background()
	open := []struct {
		name string
		open func(t *testing.T) queued
	}{
		{"sqlite", func(t *testing.T) queued {
			s, err := store.OpenSQLite(ctx, t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s
		}},
		{"postgres", func(t *testing.T) queued {
			s, err := store.OpenPostgres(ctx, storetest.PostgresDSN(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s.Close)
			return s
		}},
	}
	for _, tc := range open {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.open(t)
			if err := s.StartQueue(ctx, store.QueueConfig{}); err != nil {
				t.Fatal(err)
			}
			if err := s.EnqueueJob(ctx, &store.Job{ID: "j1", Owner: "c1", Request: []byte(`{}`)}, statsArgs{JobID: "j1"}); err != nil {
				t.Fatal(err)
			}
			c := s.QueueCollector()
			want := `
# HELP lastmile_database_up 1 when the store's database answered the last scrape's queries, else 0.
# TYPE lastmile_database_up gauge
lastmile_database_up 1
# HELP lastmile_queue_jobs River queue entries not finished, by job kind and state (available, scheduled, retryable, running).
# TYPE lastmile_queue_jobs gauge
lastmile_queue_jobs{kind="optimize",state="available"} 1
`
			if err := testutil.CollectAndCompare(c, strings.NewReader(want), "lastmile_database_up", "lastmile_queue_jobs"); err != nil {
				t.Error(err)
			}
			if err := testutil.CollectAndCompare(c, strings.NewReader(`
# HELP lastmile_jobs Jobs in the store by status (finished ones until retention deletes them).
# TYPE lastmile_jobs gauge
lastmile_jobs{status="cancelled"} 0
lastmile_jobs{status="failed"} 0
lastmile_jobs{status="queued"} 1
lastmile_jobs{status="running"} 0
lastmile_jobs{status="succeeded"} 0
`), "lastmile_jobs"); err != nil {
				t.Error(err)
			}
			if n := testutil.CollectAndCount(c, "lastmile_queue_oldest_age_seconds"); n != 1 {
				t.Errorf("lastmile_queue_oldest_age_seconds has %d series, want 1 (optimize)", n)
			}
		})
	}
}

type queued interface {
	StartQueue(context.Context, store.QueueConfig) error
	EnqueueJob(ctx context.Context, j *store.Job, args river.JobArgs) error
	QueueCollector() prometheus.Collector
}

package store_test

import (
	"context"
	"testing"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) api.Store { return store.NewMemory() })
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) api.Store {
		s, err := store.OpenPostgres(context.Background(), storetest.PostgresDSN(t), nil)
		if err != nil {
			t.Fatalf("OpenPostgres: %v", err)
		}
		t.Cleanup(s.Close)
		return s
	})
}

func TestPostgresMigrateTwice(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	for i := range 2 {
		s, err := store.OpenPostgres(context.Background(), dsn, nil)
		if err != nil {
			t.Fatalf("OpenPostgres #%d: %v", i+1, err)
		}
		s.Close()
	}
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) api.Store {
		s, err := store.OpenSQLite(context.Background(), t.TempDir(), nil)
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		t.Cleanup(s.Close)
		return s
	})
}

// TestSQLiteSurvivesReopen: what one process stored, the next one opening
// the same directory finds, and migrating again changes nothing.
func TestSQLiteSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.OpenSQLite(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateJob(ctx, &store.Job{ID: "j1", Status: store.JobQueued, Owner: "c1", Request: []byte(`{"a": 1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePlan(ctx, &store.Plan{ID: "p1", Kind: "urban", Owner: "planner", Result: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.OpenSQLite(ctx, dir, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if j, err := s.Job(ctx, "j1"); err != nil || j.Status != store.JobQueued || j.Owner != "c1" {
		t.Errorf("after reopen, Job(j1) = %+v, %v; want the queued job", j, err)
	}
	if _, err := s.Plan(ctx, "p1"); err != nil {
		t.Errorf("after reopen, Plan(p1) = %v", err)
	}
}

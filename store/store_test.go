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

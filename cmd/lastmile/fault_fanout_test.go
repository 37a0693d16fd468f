package main

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile/internal/scenario"
	"github.com/lastmile-dev/lastmile/internal/storetest"
	"github.com/lastmile-dev/lastmile/store"
)

// TestFaultUrbanFanOutWorkerKilled: an urban plan fans out into child jobs;
// the worker process running them is killed with SIGKILL mid-child, and
// another worker finishes the plan: the killed child is rerun, the
// finished ones are not, and the report is the in-process plan's.
func TestFaultUrbanFanOutWorkerKilled(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a := startAPI(t, dsn)
	first := startWorker(t, dsn, "--workers", "2", "--stale-after", "2s")
	j := faultJob{ID: a.submitUrban(t, `{"seed":5,"parcels":400,"carriers":3,"iterations":20}`)}
	ctx := context.Background()
	var killed []string // children running when the worker died
	for deadline := time.Now().Add(30 * time.Second); len(killed) == 0; time.Sleep(20 * time.Millisecond) {
		kids, err := a.db.Jobs(ctx, store.JobFilter{Parent: j.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kids {
			if k.Status == store.JobRunning {
				killed = append(killed, k.ID)
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no child job ran")
		}
	}
	first.kill()
	startWorker(t, dsn, "--workers", "2", "--stale-after", "2s")
	got := a.waitFinal(t, j.ID, 90*time.Second)
	var res struct {
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal(got.Result, &res); err != nil || got.Status != store.JobSucceeded {
		t.Fatalf("urban job after SIGKILL: %s %q", got.Status, got.Error)
	}
	_, rep, err := scenario.PlanUrban(ctx, scenario.UrbanRequest{Seed: 5, Parcels: 400, Carriers: 3, Iterations: 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := json.Marshal(rep)
	var want map[string]any
	_ = json.Unmarshal(wb, &want)
	if !reflect.DeepEqual(res.Result, want) {
		t.Errorf("report after a worker died differs from the in-process plan")
	}
	for _, id := range killed {
		if k, err := a.db.Job(ctx, id); err != nil || k.Status != store.JobSucceeded || k.Attempts < 2 {
			t.Errorf("child %s, running when its worker died: %+v, %v; want succeeded in a second attempt", id, k, err)
		}
	}
	t.Logf("children running at the kill: %v; parent %d attempt(s), note %q", killed, got.Attempts, got.Note)
}

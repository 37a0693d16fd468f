package store

import (
	"context"
	"encoding/json"
	"sync"
)

// JobEvent is a change of a job as its watchers see it: its state and
// progress, not its request or result. Resync, set on an event with no ID,
// means events may have been missed (the notification connection dropped):
// watchers reload the job.
type JobEvent struct {
	ID       string      `json:"id"`
	Status   JobStatus   `json:"status"`
	Progress JobProgress `json:"progress"`
	Attempts int         `json:"attempts"`
	Resync   bool        `json:"-"`
}

// hub fans job events out to the watchers of each job id. Watchers get a
// one-slot channel that keeps only the latest event: a slow stream skips
// intermediate progress, never the latest state.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan JobEvent]struct{}
	// onFirst, if set, is called (once) when the first watcher arrives:
	// PostgreSQL starts its LISTEN connection then.
	onFirst func()
	started bool
}

func newHub() *hub { return &hub{subs: map[string]map[chan JobEvent]struct{}{}} }

// watch subscribes to job id until ctx ends or stop is called.
func (h *hub) watch(ctx context.Context, id string) (<-chan JobEvent, func()) {
	ch := make(chan JobEvent, 1)
	h.mu.Lock()
	if h.subs[id] == nil {
		h.subs[id] = map[chan JobEvent]struct{}{}
	}
	h.subs[id][ch] = struct{}{}
	first := !h.started && h.onFirst != nil
	h.started = true
	h.mu.Unlock()
	if first {
		h.onFirst()
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs[id], ch)
			if len(h.subs[id]) == 0 {
				delete(h.subs, id)
			}
			h.mu.Unlock()
		})
	}
	go func() { <-ctx.Done(); stop() }()
	return ch, stop
}

// publish delivers e to the watchers of e.ID, or a resync to all when
// e.Resync is set.
func (h *hub) publish(e JobEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	deliver := func(ch chan JobEvent, e JobEvent) {
		select {
		case <-ch: // drop the older, undelivered event
		default:
		}
		select {
		case ch <- e:
		default:
		}
	}
	if e.Resync {
		for id, chs := range h.subs {
			for ch := range chs {
				deliver(ch, JobEvent{ID: id, Resync: true})
			}
		}
		return
	}
	for ch := range h.subs[e.ID] {
		deliver(ch, e)
	}
}

func (h *hub) publishJob(j *Job) {
	if j != nil {
		h.publish(JobEvent{ID: j.ID, Status: j.Status, Progress: j.Progress, Attempts: j.Attempts})
	}
}

// decodeEvent reads a notification payload.
func decodeEvent(payload string) (JobEvent, bool) {
	var e JobEvent
	if err := json.Unmarshal([]byte(payload), &e); err != nil || e.ID == "" {
		return e, false
	}
	return e, true
}

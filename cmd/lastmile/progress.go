package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line progress display on a terminal stream (stderr),
// redrawn at most every 100 ms. A nil *progress is silent, which is what
// --quiet gives.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total int
	last  time.Time
	start time.Time
}

func newProgress(w io.Writer, label string, total int, quiet bool) *progress {
	if quiet {
		return nil
	}
	return &progress{w: w, label: label, total: total, start: time.Now()}
}

// Set shows done out of total with an optional note, such as a best cost.
func (p *progress) Set(done int, note string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && done < p.total {
		return
	}
	p.last = now
	bar := ""
	if p.total > 0 {
		const width = 24
		filled := min(width, done*width/p.total)
		bar = fmt.Sprintf("[%s%s] %d/%d ", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, p.total)
	}
	fmt.Fprintf(p.w, "\r%s %s%s %s\033[K", p.label, bar, now.Sub(p.start).Truncate(100*time.Millisecond), note)
}

// Done ends the progress line.
func (p *progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w)
}

package api

import (
	"net"
	"net/http"
	"sync"

	"golang.org/x/time/rate"
)

// authThrottle slows key guessing: each client address may fail
// authentication at a sustained rate (failures per second) with a burst,
// after which its requests get 429 until its bucket refills. Addresses are
// taken from the connection, never from headers a client can forge.
type authThrottle struct {
	mu     sync.Mutex
	byAddr map[string]*rate.Limiter
	rate   rate.Limit
	burst  int
}

// maxThrottledAddrs bounds the table; past it, addresses whose bucket has
// refilled are forgotten, and if that frees nothing the table starts over.
const maxThrottledAddrs = 1 << 16

func newAuthThrottle(perSecond float64, burst int) *authThrottle {
	return &authThrottle{byAddr: map[string]*rate.Limiter{}, rate: rate.Limit(perSecond), burst: burst}
}

// blocked reports whether addr has no failures left.
func (t *authThrottle) blocked(addr string) bool {
	if t.rate <= 0 {
		return false
	}
	t.mu.Lock()
	l := t.byAddr[addr]
	t.mu.Unlock()
	return l != nil && l.Tokens() < 1
}

// fail records a failed authentication from addr.
func (t *authThrottle) fail(addr string) {
	if t.rate <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.byAddr[addr]
	if l == nil {
		if len(t.byAddr) >= maxThrottledAddrs {
			t.prune()
		}
		l = rate.NewLimiter(t.rate, t.burst)
		t.byAddr[addr] = l
	}
	l.Allow()
}

func (t *authThrottle) prune() {
	for a, l := range t.byAddr {
		if l.Tokens() >= float64(t.burst) {
			delete(t.byAddr, a)
		}
	}
	if len(t.byAddr) >= maxThrottledAddrs {
		clear(t.byAddr)
	}
}

// clientAddr is the host part of the connection's remote address.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

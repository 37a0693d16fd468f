package api

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// Role is what an API key may do.
type Role string

const (
	// RoleCourier optimises and submits jobs, and reads and reports on its
	// own route only (when the key names a courier id).
	RoleCourier Role = "courier"
	// RolePlanner may also manage facilities, dispatch routes, read any
	// courier's route and run the planners.
	RolePlanner Role = "planner"
	// RoleOperator may do everything, including reading /metrics when it is
	// restricted.
	RoleOperator Role = "operator"
)

func (r Role) rank() int {
	switch r {
	case RoleCourier:
		return 1
	case RolePlanner:
		return 2
	case RoleOperator:
		return 3
	}
	return 0
}

// Key is one configured API key.
type Key struct {
	Role   Role
	Secret string
	// CourierID scopes a courier key to one courier's route and events.
	CourierID string
}

// principal is the caller a key identifies.
type principal struct {
	Role      Role
	CourierID string
	// Name identifies the key in logs and job ownership without revealing
	// it: role, courier id, and a short hash of the secret.
	Name string
}

// ParseKey parses ROLE:KEY or courier:KEY:COURIER_ID, the form of the
// --api-key flag. Its errors never repeat the value: they name the role
// (when it is one) and the value's length, since a mistyped flag may hold a
// real secret.
func ParseKey(s string) (Key, error) {
	parts := strings.SplitN(s, ":", 3)
	k := Key{Role: Role(parts[0])}
	if k.Role.rank() == 0 {
		return Key{}, fmt.Errorf("%w: api key (%d characters): it must start with a role, courier, planner or operator, as ROLE:KEY or courier:KEY:COURIER_ID", ErrBadRequest, len(s))
	}
	if len(parts) < 2 {
		return Key{}, fmt.Errorf("%w: api key for role %s: no secret; want ROLE:KEY or courier:KEY:COURIER_ID", ErrBadRequest, k.Role)
	}
	k.Secret = parts[1]
	if len(k.Secret) < 8 {
		return Key{}, fmt.Errorf("%w: api key for role %s: secret of %d characters, want at least 8", ErrBadRequest, k.Role, len(k.Secret))
	}
	if len(parts) == 3 {
		if k.Role != RoleCourier {
			return Key{}, fmt.Errorf("%w: api key for role %s (%d characters): only courier keys take a courier id", ErrBadRequest, k.Role, len(s))
		}
		if parts[2] == "" {
			return Key{}, fmt.Errorf("%w: api key for role courier: empty courier id", ErrBadRequest)
		}
		k.CourierID = parts[2]
	}
	return k, nil
}

// keyring authenticates bearer keys and rate-limits each one with its own
// token bucket.
type keyring struct {
	byHash map[[32]byte]*principal
	mu     sync.Mutex
	limits map[*principal]*rate.Limiter
	rate   rate.Limit
	burst  int
}

func newKeyring(keys []Key, r rate.Limit, burst int) (*keyring, error) {
	kr := &keyring{byHash: map[[32]byte]*principal{}, limits: map[*principal]*rate.Limiter{}, rate: r, burst: burst}
	for _, k := range keys {
		h := sha256.Sum256([]byte(k.Secret))
		if _, dup := kr.byHash[h]; dup {
			return nil, fmt.Errorf("%w: api key for role %s configured twice", ErrBadRequest, k.Role)
		}
		name := string(k.Role)
		if k.CourierID != "" {
			name += ":" + k.CourierID
		}
		name += fmt.Sprintf(":%x", h[:3])
		kr.byHash[h] = &principal{Role: k.Role, CourierID: k.CourierID, Name: name}
	}
	return kr, nil
}

// authenticate returns the principal of the request's bearer key. Keys are
// compared by their SHA-256, so lookup time does not depend on how much of a
// guessed key is right.
//
// With queryKey, a request without an Authorization header may give the
// key as ?api_key=KEY instead: the VROOM endpoint allows it, so that a VROOM
// client that cannot set headers works by changing its URL. (The request log
// records paths without queries, so the key stays out of it.)
func (kr *keyring) authenticate(r *http.Request, queryKey bool) (*principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" && queryKey {
		if k := r.URL.Query().Get("api_key"); k != "" {
			h = "Bearer " + k
		}
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return nil, errorf(errUnauthorized, "send the key as Authorization: Bearer KEY")
	}
	p, ok := kr.byHash[sha256.Sum256([]byte(strings.TrimSpace(secret)))]
	if !ok {
		return nil, errorf(errUnauthorized, "unknown API key")
	}
	return p, nil
}

func (kr *keyring) allow(p *principal) bool {
	if kr.rate <= 0 {
		return true
	}
	kr.mu.Lock()
	l, ok := kr.limits[p]
	if !ok {
		l = rate.NewLimiter(kr.rate, kr.burst)
		kr.limits[p] = l
	}
	kr.mu.Unlock()
	return l.Allow()
}

type principalKey struct{}

// principalFrom returns the authenticated caller, or nil on public routes.
func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// access is a route's requirement.
type access int

const (
	public      access = iota // no key needed
	anyKey                    // any valid key
	plannerOnly               // planner or operator
	operatorOnly
)

// mayActFor reports whether p may read or report for courier id.
func (p *principal) mayActFor(courierID string) bool {
	if p.Role.rank() >= RolePlanner.rank() {
		return true
	}
	return p.CourierID != "" && p.CourierID == courierID
}

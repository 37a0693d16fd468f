package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lastmile-dev/lastmile/store"

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
	limits map[string]*rate.Limiter // by principal name
	rate   rate.Limit
	burst  int
	// stored looks up keys kept in the store (`lastmile keys`, persisted
	// demo keys) when a key is not configured; answers, found or not, are
	// cached for keyCacheTTL, so a revocation takes effect within it.
	stored KeyLookup
	cache  map[[32]byte]cachedKey
}

// KeyLookup finds an unrevoked stored key by the hex SHA-256 of its secret
// (store.ErrNotFound when there is none).
type KeyLookup interface {
	KeyByHash(ctx context.Context, hash string) (*store.APIKey, error)
}

// keyCacheTTL is how long a stored key's lookup is trusted.
const keyCacheTTL = 30 * time.Second

type cachedKey struct {
	p     *principal // nil: no such key
	until time.Time
}

// principalName identifies a key without revealing it: role, courier id
// and a short hash of the secret. It is the same for a key whether it is
// configured or stored, so jobs keep their owner across restarts.
func principalName(role Role, courierID string, h [32]byte) string {
	name := string(role)
	if courierID != "" {
		name += ":" + courierID
	}
	return name + fmt.Sprintf(":%x", h[:3])
}

func newKeyring(keys []Key, r rate.Limit, burst int) (*keyring, error) {
	kr := &keyring{byHash: map[[32]byte]*principal{}, limits: map[string]*rate.Limiter{}, rate: r, burst: burst,
		cache: map[[32]byte]cachedKey{}}
	for _, k := range keys {
		h := sha256.Sum256([]byte(k.Secret))
		if _, dup := kr.byHash[h]; dup {
			return nil, fmt.Errorf("%w: api key for role %s configured twice", ErrBadRequest, k.Role)
		}
		kr.byHash[h] = &principal{Role: k.Role, CourierID: k.CourierID, Name: principalName(k.Role, k.CourierID, h)}
	}
	return kr, nil
}

// lookup finds a stored key by its secret's hash, through the cache.
func (kr *keyring) lookup(ctx context.Context, h [32]byte) (*principal, error) {
	if kr.stored == nil {
		return nil, nil
	}
	kr.mu.Lock()
	c, ok := kr.cache[h]
	kr.mu.Unlock()
	if ok && time.Now().Before(c.until) {
		return c.p, nil
	}
	k, err := kr.stored.KeyByHash(ctx, hex.EncodeToString(h[:]))
	var p *principal
	switch {
	case err == nil && Role(k.Role).rank() > 0:
		p = &principal{Role: Role(k.Role), CourierID: k.CourierID, Name: principalName(Role(k.Role), k.CourierID, h)}
	case err == nil, errors.Is(err, store.ErrNotFound):
	default:
		return nil, err // the store is down: 503, not 401
	}
	kr.mu.Lock()
	if len(kr.cache) > 10_000 { // bounded: guessed keys must not grow it forever
		clear(kr.cache)
	}
	kr.cache[h] = cachedKey{p: p, until: time.Now().Add(keyCacheTTL)}
	kr.mu.Unlock()
	return p, nil
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
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	if p, ok := kr.byHash[sum]; ok {
		return p, nil
	}
	p, err := kr.lookup(r.Context(), sum)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errorf(errUnauthorized, "unknown API key")
	}
	return p, nil
}

func (kr *keyring) allow(p *principal) bool {
	if kr.rate <= 0 {
		return true
	}
	kr.mu.Lock()
	l, ok := kr.limits[p.Name]
	if !ok {
		l = rate.NewLimiter(kr.rate, kr.burst)
		kr.limits[p.Name] = l
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

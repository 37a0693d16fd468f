package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// APIKey is an API key as stored: its secret only as a SHA-256 hash. Keys
// are random 32-byte secrets, so an unsalted fast hash is enough: there is
// no dictionary to try.
type APIKey struct {
	ID        string
	Role      string
	CourierID string
	// Label says what the key is for ("demo" for the keys serve makes in
	// demo mode).
	Label     string
	Hash      string // hex SHA-256 of the secret
	CreatedAt time.Time
	// RevokedAt is set once the key is revoked; it then authenticates
	// nothing.
	RevokedAt time.Time
}

// HashSecret is the stored form of a key's secret.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateKey stores k, or returns ErrConflict for an existing id or hash.
func (m *Memory) CreateKey(ctx context.Context, k *APIKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string]APIKey{}
	}
	for _, o := range m.keys {
		if o.ID == k.ID || o.Hash == k.Hash {
			return fmt.Errorf("key %q: %w", k.ID, ErrConflict)
		}
	}
	k.CreatedAt = m.now()
	m.keys[k.ID] = *k
	return nil
}

// Keys lists every key, revoked ones included, oldest first.
func (m *Memory) Keys(ctx context.Context) ([]*APIKey, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*APIKey, 0, len(m.keys))
	for _, k := range m.keys {
		c := k
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *APIKey) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// KeyByHash returns the unrevoked key with the hash, or ErrNotFound.
func (m *Memory) KeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, k := range m.keys {
		if k.Hash == hash && k.RevokedAt.IsZero() {
			c := k
			return &c, nil
		}
	}
	return nil, fmt.Errorf("key: %w", ErrNotFound)
}

// RevokeKey revokes key id, or returns ErrNotFound (also for a key revoked
// already).
func (m *Memory) RevokeKey(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[id]
	if !ok || !k.RevokedAt.IsZero() {
		return fmt.Errorf("key %q: %w", id, ErrNotFound)
	}
	k.RevokedAt = m.now()
	m.keys[id] = k
	return nil
}

// CreateKey stores k, or returns ErrConflict for an existing id or hash.
func (p *Postgres) CreateKey(ctx context.Context, k *APIKey) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	err := p.pool.QueryRow(ctx, `INSERT INTO api_keys (id, role, courier_id, label, hash) VALUES ($1, $2, $3, $4, $5)
		RETURNING created_at`, k.ID, k.Role, k.CourierID, k.Label, k.Hash).Scan(&k.CreatedAt)
	k.CreatedAt = k.CreatedAt.UTC()
	return translate(err, fmt.Sprintf("key %q", k.ID), ErrNotFound)
}

// Keys lists every key, revoked ones included, oldest first.
func (p *Postgres) Keys(ctx context.Context) ([]*APIKey, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	rows, err := p.pool.Query(ctx, `SELECT id, role, courier_id, label, hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, translate(err, "keys", ErrNotFound)
	}
	defer rows.Close()
	var out []*APIKey
	for rows.Next() {
		var (
			k   APIKey
			rev *time.Time
		)
		if err := rows.Scan(&k.ID, &k.Role, &k.CourierID, &k.Label, &k.Hash, &k.CreatedAt, &rev); err != nil {
			return nil, translate(err, "keys", ErrNotFound)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		if rev != nil {
			k.RevokedAt = rev.UTC()
		}
		out = append(out, &k)
	}
	return out, translate(rows.Err(), "keys", ErrNotFound)
}

// KeyByHash returns the unrevoked key with the hash, or ErrNotFound.
func (p *Postgres) KeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	var k APIKey
	err := p.pool.QueryRow(ctx, `SELECT id, role, courier_id, label, hash, created_at FROM api_keys
		WHERE hash = $1 AND revoked_at IS NULL`, hash).Scan(&k.ID, &k.Role, &k.CourierID, &k.Label, &k.Hash, &k.CreatedAt)
	if err != nil {
		return nil, translate(err, "key", ErrNotFound)
	}
	return &k, nil
}

// RevokeKey revokes key id, or returns ErrNotFound.
func (p *Postgres) RevokeKey(ctx context.Context, id string) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	tag, err := p.pool.Exec(ctx, `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, id)
	if err != nil {
		return translate(err, fmt.Sprintf("key %q", id), ErrNotFound)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("key %q: %w", id, ErrNotFound)
	}
	return nil
}

// CreateKey stores k, or returns ErrConflict for an existing id or hash.
func (s *SQLite) CreateKey(ctx context.Context, k *APIKey) error {
	now := sqlNow()
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_keys (id, role, courier_id, label, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.Role, k.CourierID, k.Label, k.Hash, now)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("key %q", k.ID), ErrNotFound)
	}
	k.CreatedAt = parseSQLTime(now)
	return nil
}

// Keys lists every key, revoked ones included, oldest first.
func (s *SQLite) Keys(ctx context.Context) ([]*APIKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, role, courier_id, label, hash, created_at, COALESCE(revoked_at, '') FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, translateSQLite(err, "keys", ErrNotFound)
	}
	defer rows.Close()
	var out []*APIKey
	for rows.Next() {
		var (
			k            APIKey
			created, rev string
		)
		if err := rows.Scan(&k.ID, &k.Role, &k.CourierID, &k.Label, &k.Hash, &created, &rev); err != nil {
			return nil, translateSQLite(err, "keys", ErrNotFound)
		}
		k.CreatedAt = parseSQLTime(created)
		if rev != "" {
			k.RevokedAt = parseSQLTime(rev)
		}
		out = append(out, &k)
	}
	return out, translateSQLite(rows.Err(), "keys", ErrNotFound)
}

// KeyByHash returns the unrevoked key with the hash, or ErrNotFound.
func (s *SQLite) KeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	var (
		k       APIKey
		created string
	)
	err := s.db.QueryRowContext(ctx, `SELECT id, role, courier_id, label, hash, created_at FROM api_keys
		WHERE hash = ? AND revoked_at IS NULL`, hash).Scan(&k.ID, &k.Role, &k.CourierID, &k.Label, &k.Hash, &created)
	if err != nil {
		return nil, translateSQLite(err, "key", ErrNotFound)
	}
	k.CreatedAt = parseSQLTime(created)
	return &k, nil
}

// RevokeKey revokes key id, or returns ErrNotFound.
func (s *SQLite) RevokeKey(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, sqlNow(), id)
	if err != nil {
		return translateSQLite(err, fmt.Sprintf("key %q", id), ErrNotFound)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("key %q: %w", id, ErrNotFound)
	}
	return nil
}

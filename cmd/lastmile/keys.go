package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/lastmile-dev/lastmile/api"
	"github.com/lastmile-dev/lastmile/store"
)

// keyStore is what `lastmile keys` and serve's demo mode need of a store.
type keyStore interface {
	CreateKey(ctx context.Context, k *store.APIKey) error
	Keys(ctx context.Context) ([]*store.APIKey, error)
	RevokeKey(ctx context.Context, id string) error
}

var (
	_ keyStore = (*store.Postgres)(nil)
	_ keyStore = (*store.SQLite)(nil)
	_ keyStore = (*store.Memory)(nil)
)

// newStoredKey makes a key with a random secret, stores it hashed and
// returns it with its secret, which is shown once and kept nowhere.
func newStoredKey(ctx context.Context, ks keyStore, prefix string, role api.Role, courierID, label string) (*store.APIKey, string, error) {
	secret := prefix + string(role) + "-" + randomHex(24)
	k := &store.APIKey{ID: "key_" + randomHex(8), Role: string(role), CourierID: courierID, Label: label, Hash: store.HashSecret(secret)}
	if err := ks.CreateKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// runKeys is `lastmile keys add|list|revoke`: API keys kept in the store,
// hashed, for the servers that share it.
func runKeys(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "keys", "add|list|revoke [KEY_ID]",
		"Manage the API keys kept in the store (hashed with SHA-256; the secret is printed once, by\n"+
			"add, and kept nowhere). Servers sharing the store accept them within 30 s, and stop\n"+
			"accepting a revoked one within 30 s. The store is --database-url, else the embedded one\n"+
			"under --data, as for serve.\n\n"+
			"  lastmile keys add --role planner --label ops   # prints the new key\n"+
			"  lastmile keys add --role courier --courier c7\n"+
			"  lastmile keys list\n"+
			"  lastmile keys revoke key_0123abcd")
	dbURL := fs.String("database-url", envOr("DATABASE_URL", ""), "PostgreSQL URL (DATABASE_URL); empty uses the embedded store")
	dataDir := fs.String("data", envOr("LASTMILE_DATA", defaultDataDir()), "`DIR` of the embedded store (LASTMILE_DATA)")
	role := fs.String("role", "", "add: the key's role: courier, planner or operator")
	courier := fs.String("courier", "", "add: the courier id a courier key acts for")
	label := fs.String("label", "", "add: what the key is for")
	asJSON := jsonFlag(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: keys needs add, list or revoke", errUsage)
	}
	log := slog.New(slog.DiscardHandler)
	var ks keyStore
	if *dbURL != "" {
		pg, err := openPostgres(ctx, log, *dbURL, 10*time.Second)
		if err != nil {
			return err
		}
		defer pg.Close()
		ks = pg
	} else {
		sq, err := store.OpenSQLite(ctx, *dataDir, log)
		if err != nil {
			return fmt.Errorf("embedded store in %s: %w", *dataDir, err)
		}
		defer sq.Close()
		ks = sq
	}
	switch cmd := pos[0]; {
	case cmd == "add" && len(pos) == 1:
		r := api.Role(*role)
		if _, err := api.ParseKey(*role + ":placeholder"); err != nil || r == "" {
			return fmt.Errorf("%w: keys add needs --role courier, planner or operator", errUsage)
		}
		if (*courier != "") != (r == api.RoleCourier) {
			return fmt.Errorf("%w: --courier goes with --role courier, and a courier key needs one", errUsage)
		}
		k, secret, err := newStoredKey(ctx, ks, "", r, *courier, *label)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSONLine(env, map[string]string{"id": k.ID, "role": k.Role, "courier_id": k.CourierID, "label": k.Label, "key": secret})
		}
		fmt.Fprintf(env.Stdout, "%s  %s  Authorization: Bearer %s\n(shown once: it is stored hashed)\n", k.ID, k.Role, secret)
		return nil
	case cmd == "list" && len(pos) == 1:
		all, err := ks.Keys(ctx)
		if err != nil {
			return err
		}
		type row struct {
			ID        string     `json:"id"`
			Role      string     `json:"role"`
			CourierID string     `json:"courier_id,omitempty"`
			Label     string     `json:"label,omitempty"`
			CreatedAt time.Time  `json:"created_at"`
			RevokedAt *time.Time `json:"revoked_at,omitempty"`
		}
		rows := make([]row, 0, len(all))
		for _, k := range all {
			r := row{ID: k.ID, Role: k.Role, CourierID: k.CourierID, Label: k.Label, CreatedAt: k.CreatedAt}
			if !k.RevokedAt.IsZero() {
				t := k.RevokedAt
				r.RevokedAt = &t
			}
			rows = append(rows, r)
		}
		if *asJSON {
			return writeJSONLine(env, rows)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tCOURIER\tLABEL\tCREATED\tSTATE")
		for _, r := range rows {
			state := "active"
			if r.RevokedAt != nil {
				state = "revoked " + r.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Role, r.CourierID, r.Label, r.CreatedAt.Format(time.RFC3339), state)
		}
		return tw.Flush()
	case cmd == "revoke" && len(pos) == 2:
		err := ks.RevokeKey(ctx, pos[1])
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no active key %q (lastmile keys list shows them)", pos[1])
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSONLine(env, map[string]string{"id": pos[1], "state": "revoked"})
		}
		fmt.Fprintf(env.Stdout, "revoked %s\n", pos[1])
		return nil
	}
	return fmt.Errorf("%w: keys add | keys list | keys revoke KEY_ID, got %q", errUsage, pos)
}

func writeJSONLine(env *Env, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(append(b, '\n'))
	return err
}

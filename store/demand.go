package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/lastmile-dev/lastmile/depots"
	"github.com/paulmach/orb"
)

// DemandPoint is stored demand: parcels per day (or population) at a
// WGS-84 point. Planners use it when a request brings no demand.
type DemandPoint struct {
	ID       string
	Location orb.Point
	Weight   float64
	Zone     string
	Category string
}

// ImportFacilities creates or replaces every facility in one step: all of
// them or, on any error, none.
func (m *Memory) ImportFacilities(ctx context.Context, fs []depots.Facility) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range fs {
		m.facilities[fs[i].ID] = cloneFacility(&fs[i])
	}
	return nil
}

// ImportDemand creates or replaces every demand point in one step.
func (m *Memory) ImportDemand(ctx context.Context, ds []DemandPoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.demand == nil {
		m.demand = map[string]DemandPoint{}
	}
	for _, d := range ds {
		m.demand[d.ID] = d
	}
	return nil
}

// Demand returns the stored demand points, by id.
func (m *Memory) Demand(ctx context.Context) ([]DemandPoint, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]DemandPoint, 0, len(m.demand))
	for _, d := range m.demand {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b DemandPoint) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// ImportFacilities creates or replaces every facility in one transaction.
func (p *Postgres) ImportFacilities(ctx context.Context, fs []depots.Facility) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		for i := range fs {
			if err := putFacilityPG(ctx, tx, &fs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return translate(err, fmt.Sprintf("import of %d facilities", len(fs)), depots.ErrNotFound)
}

// ImportDemand creates or replaces every demand point in one transaction.
func (p *Postgres) ImportDemand(ctx context.Context, ds []DemandPoint) error {
	ctx, cancel := p.op(ctx)
	defer cancel()
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, d := range ds {
			b.Queue(`INSERT INTO demand (id, lon, lat, weight, zone, category) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (id) DO UPDATE SET lon = excluded.lon, lat = excluded.lat, weight = excluded.weight,
				zone = excluded.zone, category = excluded.category`, d.ID, d.Location[0], d.Location[1], d.Weight, d.Zone, d.Category)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	return translate(err, fmt.Sprintf("import of %d demand points", len(ds)), ErrNotFound)
}

// Demand returns the stored demand points, by id.
func (p *Postgres) Demand(ctx context.Context) ([]DemandPoint, error) {
	ctx, cancel := p.op(ctx)
	defer cancel()
	rows, err := p.pool.Query(ctx, `SELECT id, lon, lat, weight, zone, category FROM demand ORDER BY id COLLATE "C"`)
	if err != nil {
		return nil, translate(err, "demand", ErrNotFound)
	}
	defer rows.Close()
	var out []DemandPoint
	for rows.Next() {
		var d DemandPoint
		if err := rows.Scan(&d.ID, &d.Location[0], &d.Location[1], &d.Weight, &d.Zone, &d.Category); err != nil {
			return nil, translate(err, "demand", ErrNotFound)
		}
		out = append(out, d)
	}
	return out, translate(rows.Err(), "demand", ErrNotFound)
}

// ImportFacilities creates or replaces every facility in one transaction.
func (s *SQLite) ImportFacilities(ctx context.Context, fs []depots.Facility) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return translateSQLite(err, "import", ErrNotFound)
	}
	defer tx.Rollback()
	for i := range fs {
		if err := putFacilitySQLite(ctx, tx, &fs[i]); err != nil {
			return err
		}
	}
	return translateSQLite(tx.Commit(), fmt.Sprintf("import of %d facilities", len(fs)), ErrNotFound)
}

// ImportDemand creates or replaces every demand point in one transaction.
func (s *SQLite) ImportDemand(ctx context.Context, ds []DemandPoint) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return translateSQLite(err, "import", ErrNotFound)
	}
	defer tx.Rollback()
	for _, d := range ds {
		_, err := tx.ExecContext(ctx, `INSERT INTO demand (id, lon, lat, weight, zone, category) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET lon = excluded.lon, lat = excluded.lat, weight = excluded.weight,
			zone = excluded.zone, category = excluded.category`, d.ID, d.Location[0], d.Location[1], d.Weight, d.Zone, d.Category)
		if err != nil {
			return translateSQLite(err, fmt.Sprintf("demand %q", d.ID), ErrNotFound)
		}
	}
	return translateSQLite(tx.Commit(), fmt.Sprintf("import of %d demand points", len(ds)), ErrNotFound)
}

// Demand returns the stored demand points, by id.
func (s *SQLite) Demand(ctx context.Context) ([]DemandPoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, lon, lat, weight, zone, category FROM demand ORDER BY id`)
	if err != nil {
		return nil, translateSQLite(err, "demand", ErrNotFound)
	}
	defer rows.Close()
	var out []DemandPoint
	for rows.Next() {
		var d DemandPoint
		if err := rows.Scan(&d.ID, &d.Location[0], &d.Location[1], &d.Weight, &d.Zone, &d.Category); err != nil {
			return nil, translateSQLite(err, "demand", ErrNotFound)
		}
		out = append(out, d)
	}
	return out, translateSQLite(rows.Err(), "demand", ErrNotFound)
}

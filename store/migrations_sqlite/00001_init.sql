-- +goose Up
-- The embedded store's schema: the PostgreSQL one (migrations/) in SQLite's
-- types. Times are UTC text with microseconds (sqliteTime), which sort as
-- they compare; JSON documents are text.
CREATE TABLE facilities (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    doc        TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX facilities_kind ON facilities (kind);

CREATE TABLE jobs (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL DEFAULT 'optimize',
    status               TEXT NOT NULL,
    owner                TEXT NOT NULL,
    request              TEXT NOT NULL,
    progress             TEXT NOT NULL DEFAULT '{}',
    result               TEXT,
    error                TEXT NOT NULL DEFAULT '',
    attempts             INTEGER NOT NULL DEFAULT 0,
    queue_id             INTEGER NOT NULL DEFAULT 0,
    checkpoint           TEXT,
    checkpoint_iteration INTEGER NOT NULL DEFAULT 0,
    resumed_at           INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    heartbeat_at         TEXT
);
CREATE INDEX jobs_owner ON jobs (owner, created_at DESC, id DESC);
CREATE INDEX jobs_status ON jobs (status, heartbeat_at);

CREATE TABLE courier_routes (
    courier_id TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    route      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE stop_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    courier_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    stop_id    TEXT NOT NULL,
    payload    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX stop_events_courier ON stop_events (courier_id, seq);

CREATE TABLE plans (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    owner      TEXT NOT NULL,
    request    TEXT,
    result     TEXT,
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE plans;
DROP TABLE stop_events;
DROP TABLE courier_routes;
DROP TABLE jobs;
DROP TABLE facilities;

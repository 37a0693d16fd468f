-- +goose Up
CREATE TABLE facilities (
    id         text PRIMARY KEY,
    kind       text NOT NULL,
    doc        jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX facilities_kind ON facilities (kind);

CREATE TABLE jobs (
    id         text PRIMARY KEY,
    status     text NOT NULL,
    owner      text NOT NULL,
    request    jsonb NOT NULL,
    progress   jsonb NOT NULL DEFAULT '{}',
    result     jsonb,
    error      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX jobs_pending ON jobs (created_at) WHERE status IN ('queued', 'running');

CREATE TABLE courier_routes (
    courier_id text PRIMARY KEY,
    version    bigint NOT NULL,
    route      jsonb NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE stop_events (
    seq        bigserial PRIMARY KEY,
    courier_id text NOT NULL,
    kind       text NOT NULL,
    stop_id    text NOT NULL,
    payload    jsonb,
    created_at timestamptz NOT NULL
);
CREATE INDEX stop_events_courier ON stop_events (courier_id, seq);

CREATE TABLE plans (
    id         text PRIMARY KEY,
    kind       text NOT NULL,
    owner      text NOT NULL,
    request    jsonb,
    result     jsonb,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE plans;
DROP TABLE stop_events;
DROP TABLE courier_routes;
DROP TABLE jobs;
DROP TABLE facilities;

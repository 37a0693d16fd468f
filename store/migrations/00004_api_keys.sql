-- +goose Up
-- API keys managed with `lastmile keys` (and serve's demo keys): the secret
-- only as its SHA-256.
CREATE TABLE api_keys (
    id         text PRIMARY KEY,
    role       text NOT NULL,
    courier_id text NOT NULL DEFAULT '',
    label      text NOT NULL DEFAULT '',
    hash       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- +goose Down
DROP TABLE api_keys;

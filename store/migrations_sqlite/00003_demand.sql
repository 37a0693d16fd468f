-- +goose Up
CREATE TABLE demand (
    id       TEXT PRIMARY KEY,
    lon      REAL NOT NULL,
    lat      REAL NOT NULL,
    weight   REAL NOT NULL,
    zone     TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE demand;

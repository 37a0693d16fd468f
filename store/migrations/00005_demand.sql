-- +goose Up
-- Demand points imported in bulk (lastmile import, POST /v1/imports/demand).
CREATE TABLE demand (
    id       text PRIMARY KEY,
    lon      double precision NOT NULL,
    lat      double precision NOT NULL,
    weight   double precision NOT NULL,
    zone     text NOT NULL DEFAULT '',
    category text NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE demand;

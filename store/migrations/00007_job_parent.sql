-- +goose Up
-- A child job (one part of a fanned-out plan) names its parent; listings
-- and the per-key quotas count top-level jobs only.
ALTER TABLE jobs ADD COLUMN parent_id text NOT NULL DEFAULT '';
CREATE INDEX jobs_parent ON jobs (parent_id) WHERE parent_id <> '';

-- +goose Down
DROP INDEX jobs_parent;
ALTER TABLE jobs DROP COLUMN parent_id;

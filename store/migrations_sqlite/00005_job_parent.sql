-- +goose Up
ALTER TABLE jobs ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_parent ON jobs (parent_id) WHERE parent_id <> '';

-- +goose Down
DROP INDEX jobs_parent;
ALTER TABLE jobs DROP COLUMN parent_id;

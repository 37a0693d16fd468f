-- +goose Up
ALTER TABLE jobs ADD COLUMN checkpoint_at TEXT;

-- +goose Down
ALTER TABLE jobs DROP COLUMN checkpoint_at;

-- +goose Up
-- When the checkpoint was saved, for lastmile_job_checkpoint_age_seconds.
ALTER TABLE jobs ADD COLUMN checkpoint_at timestamptz;

-- +goose Down
ALTER TABLE jobs DROP COLUMN checkpoint_at;

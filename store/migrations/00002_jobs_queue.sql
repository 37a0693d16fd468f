-- +goose Up
-- Jobs run on River (its own tables come from River's migrator, applied
-- after these): queue_id is the job's River entry. attempts, checkpoint
-- and heartbeat_at make each run's writes compare-and-set.
ALTER TABLE jobs
    ADD COLUMN kind                 text NOT NULL DEFAULT 'optimize',
    ADD COLUMN attempts             integer NOT NULL DEFAULT 0,
    ADD COLUMN queue_id             bigint NOT NULL DEFAULT 0,
    ADD COLUMN checkpoint           jsonb,
    ADD COLUMN checkpoint_iteration integer NOT NULL DEFAULT 0,
    ADD COLUMN resumed_at           integer NOT NULL DEFAULT 0,
    ADD COLUMN heartbeat_at         timestamptz;
CREATE INDEX jobs_owner ON jobs (owner, created_at DESC, id DESC);
CREATE INDEX jobs_running ON jobs (heartbeat_at) WHERE status = 'running';

-- +goose Down
DROP INDEX jobs_running;
DROP INDEX jobs_owner;
ALTER TABLE jobs DROP COLUMN kind, DROP COLUMN attempts, DROP COLUMN queue_id, DROP COLUMN checkpoint,
    DROP COLUMN checkpoint_iteration, DROP COLUMN resumed_at, DROP COLUMN heartbeat_at;

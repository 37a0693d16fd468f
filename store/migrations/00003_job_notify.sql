-- +goose Up
-- Every change of a job is announced on channel lastmile_jobs with its
-- state and progress, so that progress streams are pushed (one LISTEN
-- connection per server) instead of each polling the database.
-- +goose StatementBegin
CREATE FUNCTION lastmile_job_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('lastmile_jobs', json_build_object(
        'id', NEW.id, 'status', NEW.status, 'progress', NEW.progress, 'attempts', NEW.attempts)::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE OF status, progress, attempts ON jobs
    FOR EACH ROW EXECUTE FUNCTION lastmile_job_notify();

-- +goose Down
DROP TRIGGER jobs_notify ON jobs;
DROP FUNCTION lastmile_job_notify();

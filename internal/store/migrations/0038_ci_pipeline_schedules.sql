-- Pipeline schedules (GitLab's ci_pipeline_schedules): a cron line in a
-- time zone runs a pipeline of ref (a full ref, refs/heads/… or
-- refs/tags/…) as the owner. next_run_at is when it runs next; the runner
-- of due schedules moves it with a conditional UPDATE, so one instance
-- runs each occurrence. A schedule whose owner is deleted stays, without
-- an owner, until someone takes it over.
CREATE TABLE ci_pipeline_schedules (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  description TEXT NOT NULL,
  ref TEXT NOT NULL,
  cron TEXT NOT NULL,
  cron_timezone TEXT NOT NULL,
  next_run_at BIGINT,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX ci_pipeline_schedules_project ON ci_pipeline_schedules (project_id, id);
CREATE INDEX ci_pipeline_schedules_owner ON ci_pipeline_schedules (owner_id);
CREATE INDEX ci_pipeline_schedules_due ON ci_pipeline_schedules (next_run_at) WHERE active;

-- A schedule's variables, given to each pipeline it runs.
CREATE TABLE ci_pipeline_schedule_variables (
  id @ID@,
  pipeline_schedule_id BIGINT NOT NULL REFERENCES ci_pipeline_schedules (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  variable_type TEXT NOT NULL DEFAULT 'env_var',
  raw BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX ci_pipeline_schedule_variables_key ON ci_pipeline_schedule_variables (pipeline_schedule_id, key);

-- The schedule that ran a pipeline (its list, its last_pipeline).
ALTER TABLE ci_pipelines ADD COLUMN pipeline_schedule_id BIGINT REFERENCES ci_pipeline_schedules (id) ON DELETE SET NULL;
CREATE INDEX ci_pipelines_schedule ON ci_pipelines (pipeline_schedule_id, id) WHERE pipeline_schedule_id IS NOT NULL;

-- CI/CD: runners, pipelines, jobs (GitLab's ci_builds) and their artifacts.
--
-- Runners authenticate with a token of which only the digest is kept.
-- runner_type is instance_type, group_type or project_type; group runners
-- are tied to their group (ci_runner_namespaces), project runners to one or
-- more projects (ci_runner_projects). tag_list is the runner's tags,
-- sorted and comma-joined, as are a job's.
CREATE TABLE ci_runners (
  id @ID@,
  runner_type TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  maintenance_note TEXT NOT NULL DEFAULT '',
  token_digest TEXT NOT NULL,
  token_expires_at BIGINT,
  token_created_at BIGINT NOT NULL,
  registration_type TEXT NOT NULL DEFAULT 'authenticated_user',
  creator_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  paused BOOLEAN NOT NULL DEFAULT FALSE,
  locked BOOLEAN NOT NULL DEFAULT FALSE,
  run_untagged BOOLEAN NOT NULL DEFAULT TRUE,
  tag_list TEXT NOT NULL DEFAULT '',
  access_level TEXT NOT NULL DEFAULT 'not_protected',
  maximum_timeout INTEGER,
  contacted_at BIGINT,
  version TEXT NOT NULL DEFAULT '',
  revision TEXT NOT NULL DEFAULT '',
  platform TEXT NOT NULL DEFAULT '',
  architecture TEXT NOT NULL DEFAULT '',
  ip_address TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_runners_token ON ci_runners (token_digest);
CREATE INDEX ci_runners_type ON ci_runners (runner_type, id);

CREATE TABLE ci_runner_namespaces (
  id @ID@,
  runner_id BIGINT NOT NULL REFERENCES ci_runners (id) ON DELETE CASCADE,
  namespace_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ci_runner_namespaces_runner ON ci_runner_namespaces (runner_id, namespace_id);
CREATE INDEX ci_runner_namespaces_namespace ON ci_runner_namespaces (namespace_id);

CREATE TABLE ci_runner_projects (
  id @ID@,
  runner_id BIGINT NOT NULL REFERENCES ci_runners (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_runner_projects_runner ON ci_runner_projects (runner_id, project_id);
CREATE INDEX ci_runner_projects_project ON ci_runner_projects (project_id);

-- A pipeline: the jobs one .gitlab-ci.yml gave for one commit of a ref.
-- status is GitLab's composite of its jobs' statuses.
CREATE TABLE ci_pipelines (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  iid BIGINT NOT NULL,
  ref TEXT NOT NULL,
  tag BOOLEAN NOT NULL DEFAULT FALSE,
  sha TEXT NOT NULL,
  before_sha TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000',
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  name TEXT,
  yaml_errors TEXT,
  failure_reason TEXT,
  protected BOOLEAN NOT NULL DEFAULT FALSE,
  merge_request_id BIGINT REFERENCES merge_requests (id) ON DELETE SET NULL,
  parent_pipeline_id BIGINT REFERENCES ci_pipelines (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  committed_at BIGINT,
  duration INTEGER,
  queued_duration INTEGER
);
CREATE UNIQUE INDEX ci_pipelines_project_iid ON ci_pipelines (project_id, iid);
CREATE INDEX ci_pipelines_project ON ci_pipelines (project_id, id);
CREATE INDEX ci_pipelines_project_sha ON ci_pipelines (project_id, sha, id);
CREATE INDEX ci_pipelines_project_ref ON ci_pipelines (project_id, ref, id);
CREATE INDEX ci_pipelines_merge_request ON ci_pipelines (merge_request_id) WHERE merge_request_id IS NOT NULL;

-- Variables given to one pipeline (API, trigger, schedule).
CREATE TABLE ci_pipeline_variables (
  id @ID@,
  pipeline_id BIGINT NOT NULL REFERENCES ci_pipelines (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  variable_type TEXT NOT NULL DEFAULT 'env_var',
  raw BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX ci_pipeline_variables_pipeline ON ci_pipeline_variables (pipeline_id, id);

-- A job. spec is the compiled job as JSON (scripts, image, artifacts,
-- cache, variables, needs…): what the runner is sent, fixed when the
-- pipeline is created. job_when is GitLab's `when`. A running job's
-- token_digest authenticates CI_JOB_TOKEN until the job ends. trace_size
-- is the length of its trace so far: a trace PATCH appends only at that
-- offset (one atomic UPDATE), so two writers cannot interleave.
CREATE TABLE ci_builds (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  pipeline_id BIGINT NOT NULL REFERENCES ci_pipelines (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  stage TEXT NOT NULL,
  stage_idx INTEGER NOT NULL,
  status TEXT NOT NULL,
  job_when TEXT NOT NULL DEFAULT 'on_success',
  allow_failure BOOLEAN NOT NULL DEFAULT FALSE,
  scheduling_type TEXT NOT NULL DEFAULT 'stage',
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  runner_id BIGINT REFERENCES ci_runners (id) ON DELETE SET NULL,
  token_digest TEXT,
  spec TEXT NOT NULL,
  tag_list TEXT NOT NULL DEFAULT '',
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  tag BOOLEAN NOT NULL DEFAULT FALSE,
  protected BOOLEAN NOT NULL DEFAULT FALSE,
  coverage DOUBLE PRECISION,
  coverage_regex TEXT,
  failure_reason TEXT,
  exit_code INTEGER,
  retried BOOLEAN NOT NULL DEFAULT FALSE,
  interruptible BOOLEAN NOT NULL DEFAULT FALSE,
  timeout INTEGER,
  resource_group TEXT,
  environment TEXT,
  trace_size BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  queued_at BIGINT,
  started_at BIGINT,
  finished_at BIGINT,
  scheduled_at BIGINT,
  erased_at BIGINT,
  erased_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  artifacts_expire_at BIGINT
);
CREATE INDEX ci_builds_pipeline ON ci_builds (pipeline_id, id);
CREATE INDEX ci_builds_project ON ci_builds (project_id, id);
CREATE INDEX ci_builds_runner ON ci_builds (runner_id, id) WHERE runner_id IS NOT NULL;
CREATE INDEX ci_builds_queue ON ci_builds (id) WHERE status = 'pending';
CREATE INDEX ci_builds_delayed ON ci_builds (scheduled_at) WHERE status = 'scheduled';
CREATE UNIQUE INDEX ci_builds_token ON ci_builds (token_digest) WHERE token_digest IS NOT NULL;

-- A job's stored files: its artifacts archive (file_type archive, zip),
-- their metadata, its archived trace, reports (junit…). blob_key names
-- the file in blob storage.
CREATE TABLE ci_job_artifacts (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  job_id BIGINT NOT NULL REFERENCES ci_builds (id) ON DELETE CASCADE,
  file_type TEXT NOT NULL,
  file_format TEXT NOT NULL,
  file_name TEXT NOT NULL,
  size BIGINT NOT NULL,
  file_sha256 TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  expire_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_job_artifacts_job_type ON ci_job_artifacts (job_id, file_type);
CREATE INDEX ci_job_artifacts_expire ON ci_job_artifacts (expire_at) WHERE expire_at IS NOT NULL;

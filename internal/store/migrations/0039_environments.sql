-- Environments and their deployments (GitLab's environments and
-- deployments). A job with environment: gets its environment (created
-- when missing, unique by name in its project) and a deployment whose
-- status follows the job; deployable_id is that job (NULL for a
-- deployment made through the API). state is available, stopping or
-- stopped. environment_type is the folder: the name up to its first /,
-- NULL without one (GitLab's column of that name), which search skips.
CREATE TABLE environments (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  environment_type TEXT,
  slug TEXT NOT NULL,
  external_url TEXT,
  state TEXT NOT NULL DEFAULT 'available',
  tier TEXT NOT NULL DEFAULT 'other',
  auto_stop_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX environments_project_name ON environments (project_id, name);
CREATE UNIQUE INDEX environments_project_slug ON environments (project_id, slug);

CREATE TABLE deployments (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  iid BIGINT NOT NULL,
  environment_id BIGINT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
  ref TEXT NOT NULL,
  tag BOOLEAN NOT NULL DEFAULT FALSE,
  sha TEXT NOT NULL,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  deployable_id BIGINT REFERENCES ci_builds (id) ON DELETE SET NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE UNIQUE INDEX deployments_project_iid ON deployments (project_id, iid);
CREATE INDEX deployments_project ON deployments (project_id, id);
CREATE INDEX deployments_environment ON deployments (environment_id, id);
CREATE UNIQUE INDEX deployments_deployable ON deployments (deployable_id);

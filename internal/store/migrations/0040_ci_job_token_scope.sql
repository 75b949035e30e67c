-- The CI/CD job token's inbound scope (GitLab's Ci::JobToken::Scope):
-- which other projects' jobs may reach a project with their job token.
-- A project without a row keeps the default of new GitLab projects, the
-- scope enabled ("Limit access to this project").
CREATE TABLE ci_job_token_scopes (
  project_id BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  inbound_enabled BOOLEAN NOT NULL
);

-- The allowlist of a project (source): the projects (target) whose jobs
-- may reach it (GitLab's ci_job_token_project_scope_links, inbound).
CREATE TABLE ci_job_token_project_links (
  source_project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  target_project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  added_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (source_project_id, target_project_id)
);

-- The groups of the allowlist: jobs of any project in the group or below
-- (GitLab's ci_job_token_group_scope_links).
CREATE TABLE ci_job_token_group_links (
  source_project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  target_group_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
  added_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (source_project_id, target_group_id)
);

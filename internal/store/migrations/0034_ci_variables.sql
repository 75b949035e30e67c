-- CI/CD variables of a project (GitLab's ci_variables), a group
-- (ci_group_variables) and the instance (ci_instance_variables). Values are
-- kept as given. variable_type is 'env_var' or 'file'; hidden variables
-- (masked_and_hidden) are masked too and never shown again through the API;
-- raw ones are not expanded. environment_scope is '*', an environment name
-- or a pattern with '*'; instance variables have none. description is NULL
-- when none was given, as in GitLab. A key is unique per owner and scope.
CREATE TABLE ci_variables (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  description TEXT,
  variable_type TEXT NOT NULL DEFAULT 'env_var',
  protected BOOLEAN NOT NULL DEFAULT FALSE,
  masked BOOLEAN NOT NULL DEFAULT FALSE,
  hidden BOOLEAN NOT NULL DEFAULT FALSE,
  raw BOOLEAN NOT NULL DEFAULT FALSE,
  environment_scope TEXT NOT NULL DEFAULT '*',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_variables_project_key_scope ON ci_variables (project_id, key, environment_scope);

CREATE TABLE ci_group_variables (
  id @ID@,
  group_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  description TEXT,
  variable_type TEXT NOT NULL DEFAULT 'env_var',
  protected BOOLEAN NOT NULL DEFAULT FALSE,
  masked BOOLEAN NOT NULL DEFAULT FALSE,
  hidden BOOLEAN NOT NULL DEFAULT FALSE,
  raw BOOLEAN NOT NULL DEFAULT FALSE,
  environment_scope TEXT NOT NULL DEFAULT '*',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_group_variables_group_key_scope ON ci_group_variables (group_id, key, environment_scope);

CREATE TABLE ci_instance_variables (
  id @ID@,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  description TEXT,
  variable_type TEXT NOT NULL DEFAULT 'env_var',
  protected BOOLEAN NOT NULL DEFAULT FALSE,
  masked BOOLEAN NOT NULL DEFAULT FALSE,
  raw BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_instance_variables_key ON ci_instance_variables (key);

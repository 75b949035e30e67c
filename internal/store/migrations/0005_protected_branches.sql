-- Protected branches: one row per rule. name is a branch name or a wildcard
-- pattern ("release/*"), compared case-sensitively as git compares refs.
-- Access levels follow GitLab: 0 no one, 30 developers, 40 maintainers,
-- 60 administrators. Rows go with their project.

CREATE TABLE protected_branches (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  push_access_level INTEGER NOT NULL DEFAULT 40,
  merge_access_level INTEGER NOT NULL DEFAULT 40,
  unprotect_access_level INTEGER NOT NULL DEFAULT 40,
  allow_force_push BOOLEAN NOT NULL DEFAULT FALSE,
  code_owner_approval_required BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX protected_branches_project_name ON protected_branches (project_id, name);

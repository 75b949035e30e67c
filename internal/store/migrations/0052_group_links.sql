-- Sharing (GitLab's project_group_links and group_group_links): the
-- members of a group get min(their level in it, group_access) on the shared
-- project, or on the shared group and everything below it. The level
-- queries read these tables next to members; expired links are deleted by
-- the housekeeping job (GitLab's RemoveExpiredGroupLinksWorker), so no
-- level query has to compare dates.
CREATE TABLE project_group_links (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
  group_access INTEGER NOT NULL,
  expires_at TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX project_group_links_project_group ON project_group_links (project_id, group_id);
CREATE INDEX project_group_links_group ON project_group_links (group_id, project_id);

CREATE TABLE group_group_links (
  id @ID@,
  shared_group_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
  shared_with_group_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
  group_access INTEGER NOT NULL,
  expires_at TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX group_group_links_shared ON group_group_links (shared_group_id, shared_with_group_id);
CREATE INDEX group_group_links_with ON group_group_links (shared_with_group_id, shared_group_id);

-- Old full paths of moved projects (GitLab's redirect_routes): a lookup by a
-- path that no project holds any more follows the newest redirect.
CREATE TABLE redirect_routes (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX redirect_routes_path ON redirect_routes (lower(path));
CREATE INDEX redirect_routes_project ON redirect_routes (project_id);

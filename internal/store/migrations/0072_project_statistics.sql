-- A project's storage figures (GitLab's project_statistics), refreshed by
-- a background job after what changes them (pushes, API commits, LFS
-- objects, uploads, job artifacts, packages, snippets, wiki pages) and
-- read as they are: never computed on a read. requested counts the
-- refreshes asked for and refreshed the one the stored figures answer, so
-- a refresh that finds refreshed = requested has nothing to do.
CREATE TABLE project_statistics (
  project_id BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  commit_count BIGINT NOT NULL DEFAULT 0,
  repository_size BIGINT NOT NULL DEFAULT 0,
  wiki_size BIGINT NOT NULL DEFAULT 0,
  lfs_objects_size BIGINT NOT NULL DEFAULT 0,
  build_artifacts_size BIGINT NOT NULL DEFAULT 0,
  pipeline_artifacts_size BIGINT NOT NULL DEFAULT 0,
  packages_size BIGINT NOT NULL DEFAULT 0,
  snippets_size BIGINT NOT NULL DEFAULT 0,
  uploads_size BIGINT NOT NULL DEFAULT 0,
  container_registry_size BIGINT NOT NULL DEFAULT 0,
  requested BIGINT NOT NULL DEFAULT 0,
  refreshed BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL DEFAULT 0
);

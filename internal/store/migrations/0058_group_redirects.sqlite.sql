-- Old full paths of moved or renamed groups (GitLab's redirect_routes of
-- namespaces): a row points at a project or at a namespace, never both.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt (nothing refers
-- to it).
CREATE TABLE redirect_routes_new (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  namespace_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  CHECK ((project_id IS NULL) <> (namespace_id IS NULL))
);
INSERT INTO redirect_routes_new (id, project_id, path, created_at)
  SELECT id, project_id, path, created_at FROM redirect_routes;
DROP TABLE redirect_routes;
ALTER TABLE redirect_routes_new RENAME TO redirect_routes;
CREATE UNIQUE INDEX redirect_routes_path ON redirect_routes (lower(path));
CREATE INDEX redirect_routes_project ON redirect_routes (project_id);
CREATE INDEX redirect_routes_namespace ON redirect_routes (namespace_id);

-- Old full paths of moved or renamed groups (GitLab's redirect_routes of
-- namespaces): a row points at a project or at a namespace, never both.
ALTER TABLE redirect_routes ALTER COLUMN project_id DROP NOT NULL;
ALTER TABLE redirect_routes ADD COLUMN namespace_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE;
ALTER TABLE redirect_routes ADD CONSTRAINT redirect_routes_one_source
  CHECK ((project_id IS NULL) <> (namespace_id IS NULL));
CREATE INDEX redirect_routes_namespace ON redirect_routes (namespace_id);

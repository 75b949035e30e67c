-- Files uploaded to a project for its Markdown (issue descriptions,
-- comments): GitLab's project uploads. The bytes live in blob storage
-- under blob_key; a row names them by a random 32-hex secret and the
-- file's (sanitized) name, which together make its URL
-- /uploads/<secret>/<filename>.
CREATE TABLE uploads (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  filename TEXT NOT NULL,
  size BIGINT NOT NULL,
  content_type TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  uploaded_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX uploads_project_secret_filename ON uploads (project_id, secret, filename);
CREATE INDEX uploads_project_created ON uploads (project_id, created_at, id);

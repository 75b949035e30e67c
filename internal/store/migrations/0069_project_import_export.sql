-- Project export and import (GitLab's project_export_jobs and
-- project_import_state): one row per project for its latest export and
-- one for its import, with their status and error. The export archive is
-- a blob under blob_key; the rows go with their project. overwrite_id is
-- the project an import with overwrite replaces once it has finished.
CREATE TABLE project_exports (
  project_id BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  blob_key TEXT NOT NULL DEFAULT '',
  user_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE project_imports (
  project_id BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  blob_key TEXT NOT NULL DEFAULT '',
  user_id BIGINT,
  overwrite_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

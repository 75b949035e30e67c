-- Group export (GitLab's group import_export_uploads): one row per group
-- for its latest export, with its status and error. The archive is a blob
-- under blob_key; the row goes with its group. A group import runs within
-- its request and keeps no state.
CREATE TABLE group_exports (
  group_id BIGINT PRIMARY KEY REFERENCES namespaces (id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  blob_key TEXT NOT NULL DEFAULT '',
  user_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

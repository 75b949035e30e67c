-- Users' notification settings (GitLab's notification_settings): one row
-- per user and source, the global one with source_type 'global' and
-- source_id 0; no row means GitLab's default (participating globally,
-- global for a group or project). events lists the custom level's
-- enabled events, comma-separated.
CREATE TABLE notification_settings (
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  source_type TEXT NOT NULL,
  source_id BIGINT NOT NULL,
  level TEXT NOT NULL,
  events TEXT NOT NULL DEFAULT '',
  notification_email TEXT,
  PRIMARY KEY (user_id, source_type, source_id)
);

-- Pushes since a repository's last housekeeping (GitLab's
-- pushes_since_gc), apart from projects so that counting a push moves
-- no cache version.
CREATE TABLE repository_housekeeping (
  project_id BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  pushes_since_gc BIGINT NOT NULL DEFAULT 0
);

-- Broadcast messages (GitLab's broadcast_messages): shown to everyone, or
-- to members at the listed access levels (JSON array), between starts_at
-- and ends_at.
CREATE TABLE broadcast_messages (
  id @ID@,
  message TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  font TEXT NOT NULL DEFAULT '#FFFFFF',
  target_access_levels TEXT NOT NULL DEFAULT '[]',
  target_path TEXT NOT NULL DEFAULT '',
  broadcast_type TEXT NOT NULL DEFAULT 'banner',
  theme TEXT NOT NULL DEFAULT 'indigo',
  dismissable BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Feature flags set through /features: Flipper's boolean gate per name.
CREATE TABLE features (
  name TEXT PRIMARY KEY,
  enabled BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The instance's appearance (GitLab's appearances): one row whose
-- document holds the changed values, as application_settings.
CREATE TABLE appearances (
  id BIGINT PRIMARY KEY,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

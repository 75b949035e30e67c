-- Users' extras (GitLab's emails, user_statuses, user_preferences and
-- *_custom_attributes tables).

-- Secondary email addresses. An address is unique among secondary
-- addresses here and, checked by the service in the writing transaction,
-- among primary ones (users.email).
CREATE TABLE emails (
  id @ID@,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  confirmed_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX emails_email_lower ON emails (lower(email));
CREATE INDEX emails_user ON emails (user_id, id);

-- A user's status: at most one row per user; an expired one
-- (clear_status_at in the past) reads as none.
CREATE TABLE user_statuses (
  user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  emoji TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  availability TEXT NOT NULL DEFAULT 'not_set',
  clear_status_at BIGINT
);

-- A user's preferences the API exposes; no row means GitLab's defaults.
CREATE TABLE user_preferences (
  user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  view_diffs_file_by_file BOOLEAN NOT NULL DEFAULT FALSE,
  show_whitespace_in_diffs BOOLEAN NOT NULL DEFAULT TRUE,
  pass_user_identities_to_ci_jwt BOOLEAN NOT NULL DEFAULT FALSE
);

-- Custom attributes of users, groups and projects (source_type 'User',
-- 'Namespace', 'Project'), set by administrators.
CREATE TABLE custom_attributes (
  source_type TEXT NOT NULL,
  source_id BIGINT NOT NULL,
  attr_key TEXT NOT NULL,
  attr_value TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (source_type, source_id, attr_key)
);
CREATE INDEX custom_attributes_key_value ON custom_attributes (source_type, attr_key, attr_value);

-- GET /user/activities lists users active since a day.
CREATE INDEX users_last_activity_on ON users (last_activity_on);

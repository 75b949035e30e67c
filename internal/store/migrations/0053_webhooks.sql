-- Webhooks (GitLab's web_hooks and web_hook_logs). One table holds the
-- project, group and system hooks (kind), as GitLab's STI does. The
-- events a hook wants are one JSON document of GitLab's *_events flags;
-- a hook's secret token is kept to be sent, never shown back.
-- recent_failures, backoff_count and disabled_until are
-- WebHooks::AutoDisabling's state.
CREATE TABLE web_hooks (
  id @ID@,
  kind TEXT NOT NULL,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  token TEXT NOT NULL DEFAULT '',
  events TEXT NOT NULL,
  push_events_branch_filter TEXT NOT NULL DEFAULT '',
  branch_filter_strategy TEXT NOT NULL DEFAULT 'wildcard',
  enable_ssl_verification BOOLEAN NOT NULL DEFAULT TRUE,
  custom_headers TEXT NOT NULL DEFAULT '[]',
  custom_webhook_template TEXT NOT NULL DEFAULT '',
  recent_failures INTEGER NOT NULL DEFAULT 0,
  backoff_count INTEGER NOT NULL DEFAULT 0,
  disabled_until BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX web_hooks_project ON web_hooks (project_id, id);
CREATE INDEX web_hooks_group ON web_hooks (group_id, id);
CREATE INDEX web_hooks_kind ON web_hooks (kind, id);

-- One row per delivery attempt, purged after 7 days by housekeeping.
CREATE TABLE web_hook_logs (
  id @ID@,
  web_hook_id BIGINT NOT NULL REFERENCES web_hooks (id) ON DELETE CASCADE,
  trigger_name TEXT NOT NULL,
  url TEXT NOT NULL,
  request_headers TEXT NOT NULL,
  request_data TEXT NOT NULL,
  response_headers TEXT NOT NULL,
  response_body TEXT NOT NULL,
  response_status TEXT NOT NULL,
  execution_duration DOUBLE PRECISION NOT NULL,
  internal_error_message TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX web_hook_logs_hook ON web_hook_logs (web_hook_id, id);
CREATE INDEX web_hook_logs_created ON web_hook_logs (created_at);

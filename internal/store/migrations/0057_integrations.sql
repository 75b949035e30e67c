-- Project integrations (GitLab's integrations table): one row per project
-- and slug once the integration has been set up. lablet runs only the
-- integrations that need nothing outside the instance (emails on push);
-- properties are the integration's own settings, one JSON document.
CREATE TABLE integrations (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT FALSE,
  push_events BOOLEAN NOT NULL DEFAULT TRUE,
  tag_push_events BOOLEAN NOT NULL DEFAULT TRUE,
  properties TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX integrations_project_slug ON integrations (project_id, slug);

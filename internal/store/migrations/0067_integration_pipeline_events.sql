-- Pipeline status emails (GitLab's pipelines-email integration) run on
-- pipeline events: the integrations table's pipeline_events flag.
ALTER TABLE integrations ADD COLUMN pipeline_events BOOLEAN NOT NULL DEFAULT FALSE;

-- GitLab's auto_cancel_pending_pipelines project setting: a new pipeline
-- cancels the redundant older pipelines of its ref ("enabled", GitLab's
-- default) or not.
ALTER TABLE projects ADD COLUMN auto_cancel_pending_pipelines BOOLEAN NOT NULL DEFAULT TRUE;

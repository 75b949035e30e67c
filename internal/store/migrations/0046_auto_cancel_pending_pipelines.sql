-- GitLab's auto_cancel_pending_pipelines project setting: a new pipeline
-- cancels the redundant older pipelines of its ref ("enabled", GitLab's
-- default) or not.
ALTER TABLE projects ADD COLUMN auto_cancel_pending_pipelines BOOLEAN NOT NULL DEFAULT TRUE;
-- A pipeline's workflow:auto_cancel:on_new_commit: how a newer pipeline
-- of its ref cancels it (conservative, interruptible or none).
ALTER TABLE ci_pipelines ADD COLUMN auto_cancel_on_new_commit TEXT NOT NULL DEFAULT 'conservative';

-- Merge settings of a project (GitLab's project_settings and projects
-- columns of the same names): how its merge requests merge, whether they
-- squash, what blocks a merge, and the templates of the commit messages
-- (NULL: GitLab's default message).
ALTER TABLE projects ADD COLUMN merge_method TEXT NOT NULL DEFAULT 'merge';
ALTER TABLE projects ADD COLUMN squash_option TEXT NOT NULL DEFAULT 'default_off';
ALTER TABLE projects ADD COLUMN only_allow_merge_if_all_discussions_are_resolved BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE projects ADD COLUMN only_allow_merge_if_pipeline_succeeds BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE projects ADD COLUMN allow_merge_on_skipped_pipeline BOOLEAN NOT NULL DEFAULT FALSE;
-- TRUE: GitLab's default for new projects.
ALTER TABLE projects ADD COLUMN remove_source_branch_after_merge BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE projects ADD COLUMN merge_commit_template TEXT;
ALTER TABLE projects ADD COLUMN squash_commit_template TEXT;

-- A merge request's computed mergeability, kept for the source and target
-- heads it was computed at (merge_status_head, merge_status_target), so
-- lists show it without running git; merge_status 'unchecked' until a
-- single read computes it. merge_ff: the target head is an ancestor of the
-- source head (a fast-forward is possible). merge_error: why the last
-- rebase or merge failed.
ALTER TABLE merge_requests ADD COLUMN merge_status TEXT NOT NULL DEFAULT 'unchecked';
ALTER TABLE merge_requests ADD COLUMN merge_status_head TEXT;
ALTER TABLE merge_requests ADD COLUMN merge_status_target TEXT;
ALTER TABLE merge_requests ADD COLUMN merge_ff BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE merge_requests ADD COLUMN merge_error TEXT;

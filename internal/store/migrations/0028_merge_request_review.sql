-- Merge request review: diff versions, approvals, and the project setting
-- that drops approvals when new commits arrive.
--
-- merge_request_diffs are GitLab's versions: the diff_refs a merge
-- request had after its creation and after each push that moved its
-- source head, oldest first by id. Diffs and commits are read from git by
-- these shas, never stored. real_size is GitLab's text ("3", "1000+").
CREATE TABLE merge_request_diffs (
  id @ID@,
  merge_request_id BIGINT NOT NULL REFERENCES merge_requests (id) ON DELETE CASCADE,
  base_commit_sha TEXT,
  head_commit_sha TEXT NOT NULL,
  start_commit_sha TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'collected',
  real_size TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX merge_request_diffs_merge_request ON merge_request_diffs (merge_request_id, id);

-- The merge requests that existed before versions: their current diff
-- refs are their one version.
INSERT INTO merge_request_diffs (merge_request_id, base_commit_sha, head_commit_sha, start_commit_sha, created_at)
  SELECT id, base_sha, head_sha, start_sha, updated_at FROM merge_requests
  WHERE head_sha IS NOT NULL AND start_sha IS NOT NULL;

-- One approval per user and merge request (GitLab's approvals).
CREATE TABLE approvals (
  id @ID@,
  merge_request_id BIGINT NOT NULL REFERENCES merge_requests (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX approvals_merge_request_user ON approvals (merge_request_id, user_id);
CREATE INDEX approvals_user ON approvals (user_id);

-- GitLab's default: a push of new commits removes the approvals.
ALTER TABLE projects ADD COLUMN reset_approvals_on_push BOOLEAN NOT NULL DEFAULT TRUE;

-- Only discussion and diff notes resolve (GitLab's ResolvableNote): the
-- individual notes written resolvable before are not.
UPDATE notes SET resolvable = FALSE WHERE note_type IS NULL AND resolvable = TRUE;

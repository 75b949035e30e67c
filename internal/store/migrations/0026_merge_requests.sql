-- Merge requests: a proposal to merge a source branch into a target
-- branch. source_project_id and target_project_id name both sides, as
-- GitLab's, so merge requests from forks fit the same row; the iid is of
-- the target project (internal_ids usage 'merge_requests'). Labels,
-- notes, award emoji, resource events and subscriptions attach by type
-- 'MergeRequest' to the planning tables of 0015.
CREATE TABLE merge_requests (
  id @ID@,
  target_project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  source_project_id BIGINT REFERENCES projects (id) ON DELETE SET NULL,
  iid BIGINT NOT NULL,
  author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'opened', -- 'opened', 'closed', 'locked', 'merged'
  source_branch TEXT NOT NULL,
  target_branch TEXT NOT NULL,
  draft BOOLEAN NOT NULL DEFAULT FALSE,
  discussion_locked BOOLEAN,
  milestone_id BIGINT REFERENCES milestones (id) ON DELETE SET NULL,
  squash BOOLEAN NOT NULL DEFAULT FALSE,
  -- NULL: not asked (GitLab's merge_params force_remove_source_branch).
  force_remove_source_branch BOOLEAN,
  allow_collaboration BOOLEAN NOT NULL DEFAULT FALSE,
  -- diff_refs of the latest version: merge base, source head, target head.
  base_sha TEXT,
  head_sha TEXT,
  start_sha TEXT,
  merge_commit_sha TEXT,
  squash_commit_sha TEXT,
  -- Counters kept in the transactions that change what they count.
  upvotes BIGINT NOT NULL DEFAULT 0,
  downvotes BIGINT NOT NULL DEFAULT 0,
  user_notes_count BIGINT NOT NULL DEFAULT 0,
  time_estimate BIGINT NOT NULL DEFAULT 0,
  total_time_spent BIGINT NOT NULL DEFAULT 0,
  merged_at BIGINT,
  merged_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  closed_at BIGINT,
  closed_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  lock_version BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX merge_requests_project_iid ON merge_requests (target_project_id, iid);
CREATE INDEX merge_requests_project_state ON merge_requests (target_project_id, state, id);
CREATE INDEX merge_requests_project_created ON merge_requests (target_project_id, created_at);
CREATE INDEX merge_requests_project_updated ON merge_requests (target_project_id, updated_at);
CREATE INDEX merge_requests_created ON merge_requests (created_at, id);
CREATE INDEX merge_requests_updated ON merge_requests (updated_at, id);
CREATE INDEX merge_requests_author ON merge_requests (author_id, id);
CREATE INDEX merge_requests_milestone ON merge_requests (milestone_id) WHERE milestone_id IS NOT NULL;
-- One open merge request per source and target branch: the service
-- checks first (for GitLab's message), the index holds under races.
CREATE UNIQUE INDEX merge_requests_open_branches ON merge_requests
  (target_project_id, source_project_id, source_branch, target_branch) WHERE state = 'opened';

CREATE TABLE merge_request_assignees (
  merge_request_id BIGINT NOT NULL REFERENCES merge_requests (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (merge_request_id, user_id)
);
CREATE INDEX merge_request_assignees_user ON merge_request_assignees (user_id, merge_request_id);

CREATE TABLE merge_request_reviewers (
  merge_request_id BIGINT NOT NULL REFERENCES merge_requests (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (merge_request_id, user_id)
);
CREATE INDEX merge_request_reviewers_user ON merge_request_reviewers (user_id, merge_request_id);

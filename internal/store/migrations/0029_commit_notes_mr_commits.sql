-- A commit's notes are found by project and commit id (noteable_id 0).
CREATE INDEX notes_commit ON notes (project_id, commit_id, id) WHERE commit_id IS NOT NULL;

-- The commits of each merge request's latest diff (GitLab's
-- merge_request_diff_commits, ids only), written with the diff_refs they
-- come from, so "which merge requests hold this commit" is an indexed
-- lookup instead of git walks per merge request. The merge and squash
-- commits are found by their columns.
CREATE TABLE merge_request_commits (
  merge_request_id BIGINT NOT NULL REFERENCES merge_requests (id) ON DELETE CASCADE,
  sha TEXT NOT NULL,
  PRIMARY KEY (merge_request_id, sha)
);
CREATE INDEX merge_request_commits_sha ON merge_request_commits (sha, merge_request_id);
CREATE INDEX merge_requests_merge_commit ON merge_requests (merge_commit_sha) WHERE merge_commit_sha IS NOT NULL;
CREATE INDEX merge_requests_squash_commit ON merge_requests (squash_commit_sha) WHERE squash_commit_sha IS NOT NULL;

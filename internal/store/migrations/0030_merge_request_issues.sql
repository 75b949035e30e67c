-- The issues a merge request's title and description name: those it
-- closes when merged into the default branch (closes) and those it only
-- mentions — GitLab's merge_requests_closing_issues with its link types
-- "closes" and "mentioned". Rewritten whenever the title, description or
-- target branch change; read by an issue's closed_by and
-- related_merge_requests, a merge request's closes_issues and the issue
-- entity's merge_requests_count.
CREATE TABLE merge_request_issues (
  merge_request_id BIGINT NOT NULL REFERENCES merge_requests (id) ON DELETE CASCADE,
  issue_id BIGINT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  closes BOOLEAN NOT NULL,
  PRIMARY KEY (merge_request_id, issue_id)
);
CREATE INDEX merge_request_issues_issue ON merge_request_issues (issue_id, merge_request_id);

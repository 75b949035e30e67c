-- Open merge requests by their source project and branch: every push
-- refreshes them, and a fork's pushes look for those allowing
-- collaboration; without it both scanned every merge request.
CREATE INDEX merge_requests_open_source ON merge_requests (source_project_id, source_branch) WHERE state = 'opened';

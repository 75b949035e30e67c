-- External commit statuses (GitLab's GenericCommitStatus) are ci_builds
-- rows of job_type 'commit_status' in the external stage of a pipeline:
-- they count in the pipeline's status but no runner ever takes them.
ALTER TABLE ci_builds ADD COLUMN job_type TEXT NOT NULL DEFAULT 'build';
ALTER TABLE ci_builds ADD COLUMN target_url TEXT;
ALTER TABLE ci_builds ADD COLUMN description TEXT;

-- Forks: a project remembers the project it was forked from (GitLab's
-- fork_network_members.forked_from_project_id), and a project counts its
-- forks (GitLab's forks_count, every fork, seen or not), moved in the
-- transactions that link and unlink them. Deleting the source unlinks its
-- forks. mr_default_target_self is the fork's merge request target
-- setting, which GitLab shows for forks only; import_status is GitLab's
-- ('finished' for a fork, which lablet makes before answering).
ALTER TABLE projects ADD COLUMN forked_from_project_id BIGINT REFERENCES projects (id) ON DELETE SET NULL;
ALTER TABLE projects ADD COLUMN forks_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN mr_default_target_self BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX projects_forked_from ON projects (forked_from_project_id, id) WHERE forked_from_project_id IS NOT NULL;
ALTER TABLE projects ADD COLUMN import_status TEXT NOT NULL DEFAULT 'none';

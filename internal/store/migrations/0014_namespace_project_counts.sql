-- How many projects each namespace holds, kept in the transactions that
-- insert and delete projects, so that a personal namespace's projects_limit
-- is checked by reading one row rather than counting every project the
-- namespace has. Written outside the cache topics: a count changes no
-- cached answer.
CREATE TABLE namespace_project_counts (
    namespace_id BIGINT PRIMARY KEY REFERENCES namespaces (id) ON DELETE CASCADE,
    projects BIGINT NOT NULL
);
INSERT INTO namespace_project_counts (namespace_id, projects)
    SELECT namespace_id, count(*) FROM projects GROUP BY namespace_id;

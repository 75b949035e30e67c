-- Resource groups: a job of a resource group waits (waiting_for_resource)
-- until no other job of its project and group holds the resource. The
-- assignment asks, per project and group, for the oldest waiting job and
-- whether any job holds it: one indexed probe each instead of a walk over
-- all of the project's jobs.
CREATE INDEX ci_builds_resource_group ON ci_builds (project_id, resource_group, id) WHERE resource_group IS NOT NULL;

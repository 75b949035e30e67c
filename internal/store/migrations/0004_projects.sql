-- Indexes for project lists: per-namespace listing in id order, the
-- orderings the API offers, and the background purge of projects scheduled
-- for deletion.

CREATE INDEX projects_namespace_id ON projects (namespace_id, id);
CREATE INDEX projects_created_at ON projects (created_at, id);
CREATE INDEX projects_last_activity_at ON projects (last_activity_at, id);
CREATE INDEX projects_marked_for_deletion ON projects (marked_for_deletion_on);

-- A viewer's projects are read by namespace with the columns list filters
-- need (store/project_lists.go): with them in the index, that read never
-- visits the table. It supersedes the narrower projects_namespace_id.
CREATE INDEX projects_namespace_listing ON projects (namespace_id, id, visibility_level, archived, marked_for_deletion_on);
DROP INDEX projects_namespace_id;

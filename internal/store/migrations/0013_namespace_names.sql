-- GET /namespaces/:id/exists suggests a path that no sibling has as its path
-- or its name (GitLab's find_by_path_or_name): siblings by lower-cased name.
CREATE INDEX namespaces_parent_name_lower ON namespaces (parent_id, lower(name));

-- Issue lists across projects (GET /issues, group issues) are ordered by
-- creation or update time over every project the viewer sees: these let
-- a page be read in order instead of sorting all visible issues. Lists
-- within a project keep using issues_project_created/updated.
CREATE INDEX issues_created ON issues (created_at, id);
CREATE INDEX issues_updated ON issues (updated_at, id);
-- Boards and reorder read a project's issues by relative position.
CREATE INDEX issues_project_position ON issues (project_id, relative_position);

-- Snippets (GitLab's snippets table): personal ones (project_id NULL) and
-- project ones. Each snippet's files live in its own git repository
-- (repo.SnippetPath); file_paths keeps the paths of its head commit, one
-- per line, so that lists show files without reading git. user_agent and
-- ip_address are the creation request's (GitLab's user_agent_details).
CREATE TABLE snippets (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  visibility_level INTEGER NOT NULL DEFAULT 0,
  file_paths TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  ip_address TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX snippets_project ON snippets (project_id, id);
CREATE INDEX snippets_author ON snippets (author_id, id);
CREATE INDEX snippets_visibility ON snippets (visibility_level, id);

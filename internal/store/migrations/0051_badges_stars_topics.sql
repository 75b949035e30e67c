-- Badges of projects and groups (GitLab's badges: ProjectBadge and
-- GroupBadge in one table; exactly one of project_id, group_id is set).
CREATE TABLE badges (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  name TEXT,
  link_url TEXT NOT NULL,
  image_url TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX badges_project ON badges (project_id, id);
CREATE INDEX badges_group ON badges (group_id, id);

-- Stars (GitLab's users_star_projects); projects.star_count is moved in
-- the same statement's transaction, so it stays the number of rows.
CREATE TABLE users_star_projects (
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, project_id)
);
CREATE INDEX users_star_projects_project ON users_star_projects (project_id, user_id);
ALTER TABLE projects ADD COLUMN star_count BIGINT NOT NULL DEFAULT 0;

-- Topics (GitLab's Projects::Topic). projects.topics keeps each project's
-- names for its entity; project_topics ties them to these rows, written
-- in the same transaction, and counts them (total_projects_count).
CREATE TABLE topics (
  id @ID@,
  name TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX topics_name ON topics (lower(name));
CREATE TABLE project_topics (
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  topic_id BIGINT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
  PRIMARY KEY (project_id, topic_id)
);
CREATE INDEX project_topics_topic ON project_topics (topic_id, project_id);

-- A project's languages at a commit (GET /projects/:id/languages), so a
-- hot read runs no git: one row per (project, commit).
CREATE TABLE project_languages (
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  commit_sha TEXT NOT NULL,
  languages TEXT NOT NULL,
  PRIMARY KEY (project_id, commit_sha)
);

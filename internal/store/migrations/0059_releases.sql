-- Releases (GitLab's releases table): one per project and tag, kept when
-- the tag is deleted as GitLab keeps it. sha is the tag's commit when the
-- release was made; released_at in the future makes an upcoming release.
CREATE TABLE releases (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  sha TEXT NOT NULL DEFAULT '',
  released_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX releases_project_tag ON releases (project_id, tag);
CREATE INDEX releases_project_released ON releases (project_id, released_at, id);
CREATE INDEX releases_project_created ON releases (project_id, created_at, id);

-- A release's asset links (GitLab's release_links): name, url and
-- filepath are each unique within the release.
CREATE TABLE release_links (
  id @ID@,
  release_id BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  filepath TEXT,
  link_type TEXT NOT NULL DEFAULT 'other',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX release_links_name ON release_links (release_id, name);
CREATE UNIQUE INDEX release_links_url ON release_links (release_id, url);
CREATE UNIQUE INDEX release_links_filepath ON release_links (release_id, filepath);

-- The milestones a release is associated with (GitLab's milestone_releases).
CREATE TABLE milestone_releases (
  milestone_id BIGINT NOT NULL REFERENCES milestones (id) ON DELETE CASCADE,
  release_id BIGINT NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
  PRIMARY KEY (release_id, milestone_id)
);
CREATE INDEX milestone_releases_milestone ON milestone_releases (milestone_id);

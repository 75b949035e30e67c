-- Git LFS (GitLab's lfs_objects, lfs_objects_projects and lfs_file_locks).
-- An object is stored once per oid (sha256) in blob storage under
-- lfs/<oid[0:2]>/<oid[2:4]>/<oid>; a project may download only the objects
-- linked to it. Links go with their project; unlinked objects stay for a
-- cleanup (GitLab's RemoveUnreferencedLfsObjectsWorker).
CREATE TABLE lfs_objects (
  oid TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE lfs_objects_projects (
  oid TEXT NOT NULL REFERENCES lfs_objects (oid) ON DELETE CASCADE,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, oid)
);
CREATE INDEX lfs_objects_projects_oid ON lfs_objects_projects (oid);

-- A lock on a path of a project's repository, held by one user.
CREATE TABLE lfs_file_locks (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX lfs_file_locks_project_path ON lfs_file_locks (project_id, path);

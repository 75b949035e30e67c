-- The package registry (GitLab's packages_packages and
-- packages_package_files), generic packages for now. A generic package is
-- one row per project, name and version; its files are stored in blob
-- storage under packages/<project id>/<random key>, written before their
-- row and removed after the row is gone (with the project, by the
-- project's blob purge). A file name may repeat within a package (GitLab
-- allows duplicates by default): downloads take the newest.
CREATE TABLE packages (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  version TEXT,
  package_type TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX packages_project_type_name_version ON packages (project_id, package_type, name, version);
CREATE INDEX packages_project_created ON packages (project_id, created_at, id);

CREATE TABLE package_files (
  id @ID@,
  package_id BIGINT NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL,
  file_name TEXT NOT NULL,
  size BIGINT NOT NULL,
  file_md5 TEXT NOT NULL,
  file_sha1 TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX package_files_package_name ON package_files (package_id, file_name, id);

-- SSH keys: users' keys and deploy keys in one table, as GitLab's keys
-- (deploy = 1 is its DeployKey type). The SHA256 fingerprint is unique
-- across both, and SSH authentication finds a key by it with one indexed
-- probe. user_id is the owner of a user key, the creator of a deploy key
-- (its keys go with the user); public marks instance-level deploy keys.
CREATE TABLE keys (
  id @ID@,
  user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  deploy BOOLEAN NOT NULL DEFAULT FALSE,
  public BOOLEAN NOT NULL DEFAULT FALSE,
  title TEXT NOT NULL,
  key_text TEXT NOT NULL,
  fingerprint_md5 TEXT NOT NULL,
  fingerprint_sha256 TEXT NOT NULL,
  usage_type TEXT NOT NULL DEFAULT 'auth_and_signing',
  expires_at BIGINT,
  last_used_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX keys_fingerprint_sha256 ON keys (fingerprint_sha256);
CREATE INDEX keys_fingerprint_md5 ON keys (fingerprint_md5);
CREATE INDEX keys_user ON keys (user_id, deploy, id);

-- The projects a deploy key is enabled on (GitLab's deploy_keys_projects).
CREATE TABLE deploy_keys_projects (
  id @ID@,
  deploy_key_id BIGINT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  can_push BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX deploy_keys_projects_key_project ON deploy_keys_projects (deploy_key_id, project_id);
CREATE INDEX deploy_keys_projects_project ON deploy_keys_projects (project_id, id);

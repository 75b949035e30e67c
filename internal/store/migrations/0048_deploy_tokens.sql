-- Deploy tokens (GitLab's deploy_tokens with project_deploy_tokens and
-- group_deploy_tokens folded in): a project's or a group's machine
-- credential for git over HTTP. Exactly one of project_id and group_id is
-- set. Only the token's digest is kept; username NULL means GitLab's
-- default, gitlab+deploy-token-<id>. scopes is a comma-separated list.
CREATE TABLE deploy_tokens (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  creator_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  username TEXT,
  token_digest TEXT NOT NULL,
  scopes TEXT NOT NULL,
  revoked BOOLEAN NOT NULL DEFAULT FALSE,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  CHECK ((project_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX deploy_tokens_token_digest ON deploy_tokens (token_digest);
CREATE INDEX deploy_tokens_project ON deploy_tokens (project_id, id);
CREATE INDEX deploy_tokens_group ON deploy_tokens (group_id, id);

-- Pipeline trigger tokens (GitLab's ci_triggers). Only the token's digest
-- is kept, so the whole token is shown once, when it is created;
-- short_token (its first four characters after the glptt- prefix) is what
-- is shown afterwards. A trigger acts as its owner: it goes with them.
CREATE TABLE ci_triggers (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  owner_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  description TEXT NOT NULL DEFAULT '',
  token_digest TEXT NOT NULL,
  short_token TEXT NOT NULL,
  last_used_at BIGINT,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_triggers_token_digest ON ci_triggers (token_digest);
CREATE INDEX ci_triggers_project ON ci_triggers (project_id, id);

-- Legacy runner registration tokens: the instance's (source_type
-- 'instance', source_id 0), a project's or a group's (GitLab's
-- runners_token). One per source; only the digest is kept, so a token is
-- shown once, when it is reset.
CREATE TABLE ci_runner_registration_tokens (
  id @ID@,
  source_type TEXT NOT NULL,
  source_id BIGINT NOT NULL,
  token_digest TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ci_runner_registration_tokens_source ON ci_runner_registration_tokens (source_type, source_id);
CREATE UNIQUE INDEX ci_runner_registration_tokens_digest ON ci_runner_registration_tokens (token_digest);

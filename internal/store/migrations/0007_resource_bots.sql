-- Project and group access tokens: each token belongs to a bot user made
-- for one project or group. The row outlives the bot's membership (which
-- goes when the token is revoked) so revoked tokens still list with their
-- resource and role, as GitLab keeps them.
CREATE TABLE resource_bots (
  user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  source_type TEXT NOT NULL,
  source_id BIGINT NOT NULL,
  access_level INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX resource_bots_source ON resource_bots (source_type, source_id, user_id);

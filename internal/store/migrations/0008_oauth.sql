-- OAuth 2.0 / OpenID Connect provider. Applications are GitLab's
-- oauth_applications: uid is the public Application ID; only a SHA-256
-- digest of the secret is kept. owner_id is NULL for instance-wide
-- applications created by administrators.

CREATE TABLE oauth_applications (
  id @ID@,
  uid TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_digest TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  confidential BOOLEAN NOT NULL DEFAULT TRUE,
  owner_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  dynamic BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_applications_uid ON oauth_applications (uid);
CREATE INDEX oauth_applications_owner ON oauth_applications (owner_id);

-- One row per issued authorization code, access token, refresh token, PKCE
-- challenge or OpenID Connect request (kind). signature is the SHA-256 hex
-- digest of the code or token, never the value. request_id ties together
-- every token of one grant across refresh rotations, so a reused refresh
-- token can revoke the whole family. request is the grant's serialized
-- state (scopes, sanitized form, session claims).
CREATE TABLE oauth_grants (
  id @ID@,
  kind TEXT NOT NULL,
  signature TEXT NOT NULL,
  request_id TEXT NOT NULL,
  application_id BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
  user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  scopes TEXT NOT NULL,
  request TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  expires_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_grants_kind_signature ON oauth_grants (kind, signature);
CREATE INDEX oauth_grants_request ON oauth_grants (request_id);
CREATE INDEX oauth_grants_user_app ON oauth_grants (user_id, application_id);

-- RFC 8628 device authorizations: digests of the device code and of the
-- normalized user code; status is pending, approved or denied.
CREATE TABLE oauth_device_grants (
  id @ID@,
  device_code_digest TEXT NOT NULL,
  user_code_digest TEXT NOT NULL,
  application_id BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
  scopes TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
  poll_interval INTEGER NOT NULL,
  last_polled_at BIGINT,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_device_grants_device ON oauth_device_grants (device_code_digest);
CREATE UNIQUE INDEX oauth_device_grants_user_code ON oauth_device_grants (user_code_digest);

-- SCIM provisioning (GitLab's scim_oauth_access_tokens and scim_identities):
-- a group's SCIM token (group_id NULL: the instance's), one per group, kept
-- as its digest; and the identities an identity provider provisioned, each
-- linking the provider's externalId to a user in one group (group_id NULL:
-- the instance). user_name, name and email are the resource as the
-- provider last wrote it; version moves with every write (the ETag).
CREATE TABLE scim_tokens (
  id @ID@,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  token_digest TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX scim_tokens_token_digest ON scim_tokens (token_digest);
CREATE UNIQUE INDEX scim_tokens_group ON scim_tokens ((COALESCE(group_id, 0)));

CREATE TABLE scim_identities (
  id @ID@,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  extern_uid TEXT NOT NULL,
  user_name TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  version BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX scim_identities_uid ON scim_identities ((COALESCE(group_id, 0)), lower(extern_uid));
CREATE UNIQUE INDEX scim_identities_user_name ON scim_identities ((COALESCE(group_id, 0)), lower(user_name));
CREATE UNIQUE INDEX scim_identities_user ON scim_identities ((COALESCE(group_id, 0)), user_id);

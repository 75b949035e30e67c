-- Avatars (GitLab's AvatarUploader): the file name of each uploaded avatar,
-- '' for none; the bytes live in blob storage under avatars/<kind>/<id>.
ALTER TABLE users ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
ALTER TABLE namespaces ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
ALTER TABLE topics ADD COLUMN avatar TEXT NOT NULL DEFAULT '';

-- Identities (GitLab's identities): a user's account at an external
-- provider, one per provider; an extern_uid names one user per provider.
CREATE TABLE identities (
  id @ID@,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  extern_uid TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX identities_user_provider ON identities (user_id, provider);
CREATE UNIQUE INDEX identities_provider_uid ON identities (provider, extern_uid);

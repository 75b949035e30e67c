-- GPG keys (GitLab's gpg_keys and gpg_key_subkeys). A commit signature
-- names the key id (the low 64 bits of the fingerprint, upper-case hex) of
-- the key that made it, a primary key or a subkey: both are unique and
-- indexed, so verification finds the key with one indexed probe of each.
CREATE TABLE gpg_keys (
  id @ID@,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key_text TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  primary_keyid TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX gpg_keys_fingerprint ON gpg_keys (fingerprint);
CREATE UNIQUE INDEX gpg_keys_primary_keyid ON gpg_keys (primary_keyid);
CREATE INDEX gpg_keys_user ON gpg_keys (user_id, id);

CREATE TABLE gpg_key_subkeys (
  id @ID@,
  gpg_key_id BIGINT NOT NULL REFERENCES gpg_keys (id) ON DELETE CASCADE,
  keyid TEXT NOT NULL,
  fingerprint TEXT NOT NULL
);
CREATE UNIQUE INDEX gpg_key_subkeys_keyid ON gpg_key_subkeys (keyid);
CREATE UNIQUE INDEX gpg_key_subkeys_fingerprint ON gpg_key_subkeys (fingerprint);
CREATE INDEX gpg_key_subkeys_key ON gpg_key_subkeys (gpg_key_id, id);

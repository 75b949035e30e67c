-- Core records: users, namespaces (user namespaces and groups), projects,
-- memberships and access tokens. @ID@ is the dialect's auto-increment key.
-- Timestamps are milliseconds since the epoch; dates are 'YYYY-MM-DD' text.

CREATE TABLE users (
  id @ID@,
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'active',
  is_admin BOOLEAN NOT NULL DEFAULT FALSE,
  bot BOOLEAN NOT NULL DEFAULT FALSE,
  external BOOLEAN NOT NULL DEFAULT FALSE,
  can_create_group BOOLEAN NOT NULL DEFAULT TRUE,
  projects_limit INTEGER NOT NULL DEFAULT 100000,
  private_profile BOOLEAN NOT NULL DEFAULT FALSE,
  bio TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  public_email TEXT NOT NULL DEFAULT '',
  website_url TEXT NOT NULL DEFAULT '',
  organization TEXT NOT NULL DEFAULT '',
  job_title TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  namespace_id BIGINT,
  created_by_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  confirmed_at BIGINT,
  last_activity_on TEXT,
  current_sign_in_at BIGINT,
  last_sign_in_at BIGINT
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
CREATE INDEX users_state ON users (state, id);

CREATE TABLE namespaces (
  id @ID@,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  full_path TEXT NOT NULL,
  full_name TEXT NOT NULL,
  parent_id BIGINT REFERENCES namespaces (id),
  owner_id BIGINT REFERENCES users (id),
  depth INTEGER NOT NULL DEFAULT 0,
  visibility_level INTEGER NOT NULL DEFAULT 0,
  description TEXT NOT NULL DEFAULT '',
  lfs_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  request_access_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  project_creation_level TEXT NOT NULL DEFAULT 'developer',
  subgroup_creation_level TEXT NOT NULL DEFAULT 'maintainer',
  marked_for_deletion_on TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX namespaces_full_path_lower ON namespaces (lower(full_path));
CREATE INDEX namespaces_parent ON namespaces (parent_id, id);
CREATE INDEX namespaces_kind ON namespaces (kind, id);
CREATE INDEX namespaces_owner ON namespaces (owner_id);

-- Every namespace is its own ancestor at depth 0; ancestors of a group are
-- rows with the group as descendant. Inherited permissions join through it.
CREATE TABLE namespace_closure (
  ancestor_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
  descendant_id BIGINT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
  depth INTEGER NOT NULL,
  PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX namespace_closure_descendant ON namespace_closure (descendant_id, ancestor_id);

CREATE TABLE projects (
  id @ID@,
  namespace_id BIGINT NOT NULL REFERENCES namespaces (id),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  visibility_level INTEGER NOT NULL DEFAULT 0,
  default_branch TEXT,
  archived BOOLEAN NOT NULL DEFAULT FALSE,
  empty_repo BOOLEAN NOT NULL DEFAULT TRUE,
  initialize_with_readme BOOLEAN NOT NULL DEFAULT FALSE,
  creator_id BIGINT REFERENCES users (id),
  issues_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  merge_requests_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  wiki_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  jobs_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  snippets_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  lfs_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  request_access_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  topics TEXT NOT NULL DEFAULT '',
  marked_for_deletion_on TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_activity_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX projects_namespace_path_lower ON projects (namespace_id, lower(path));
CREATE UNIQUE INDEX projects_namespace_name_lower ON projects (namespace_id, lower(name));
CREATE INDEX projects_visibility ON projects (visibility_level, id);
CREATE INDEX projects_creator ON projects (creator_id);

-- source_type is 'Namespace' or 'Project', as in GitLab.
CREATE TABLE members (
  id @ID@,
  source_type TEXT NOT NULL,
  source_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users (id),
  access_level INTEGER NOT NULL,
  expires_at TEXT,
  created_by_id BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX members_source_user ON members (source_type, source_id, user_id);
CREATE INDEX members_user ON members (user_id, source_type, source_id);

-- Only a SHA-256 digest of each token is kept.
CREATE TABLE personal_access_tokens (
  id @ID@,
  user_id BIGINT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  token_digest TEXT NOT NULL,
  scopes TEXT NOT NULL,
  impersonation BOOLEAN NOT NULL DEFAULT FALSE,
  revoked BOOLEAN NOT NULL DEFAULT FALSE,
  expires_at TEXT,
  last_used_at BIGINT,
  previous_token_id BIGINT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX personal_access_tokens_digest ON personal_access_tokens (token_digest);
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id, id);

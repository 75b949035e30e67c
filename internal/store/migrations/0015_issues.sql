-- Planning: issues, labels, milestones, and the notes, award emoji and
-- resource events that GitLab attaches to any "noteable" (issues now; merge
-- requests, commits and snippets later). Noteables are named by a type
-- ('Issue', 'MergeRequest', 'Commit', 'Snippet') and an id, as GitLab does,
-- so one table of notes serves them all. Times are Unix milliseconds;
-- dates (due, start) are 'YYYY-MM-DD' text, as GitLab's API shows them.

-- Per-scope sequences of internal ids (issue #1, #2 … of one project; a
-- group's milestones). Allocated by one upsert that returns the new value,
-- so concurrent creators never share an iid, and never reused: the row
-- outlives the objects it numbered. usage: 'issues', 'merge_requests',
-- 'project_milestones', 'group_milestones'; scope_id: the project or group.
CREATE TABLE internal_ids (
  usage TEXT NOT NULL,
  scope_id BIGINT NOT NULL,
  last_value BIGINT NOT NULL,
  PRIMARY KEY (usage, scope_id)
);

-- Milestones belong to a project or to a group (exactly one of the two).
CREATE TABLE milestones (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  iid BIGINT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'active', -- 'active' or 'closed'
  due_date TEXT,
  start_date TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK ((project_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX milestones_project_title ON milestones (project_id, title) WHERE project_id IS NOT NULL;
CREATE UNIQUE INDEX milestones_group_title ON milestones (group_id, title) WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX milestones_project_iid ON milestones (project_id, iid) WHERE project_id IS NOT NULL;
CREATE UNIQUE INDEX milestones_group_iid ON milestones (group_id, iid) WHERE group_id IS NOT NULL;

-- Labels belong to a project or to a group. A label's priority is set per
-- project (a group label may be prioritized differently in each project):
-- label_priorities.
CREATE TABLE labels (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  color TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK ((project_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX labels_project_title ON labels (project_id, title) WHERE project_id IS NOT NULL;
CREATE UNIQUE INDEX labels_group_title ON labels (group_id, title) WHERE group_id IS NOT NULL;

CREATE TABLE label_priorities (
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  label_id BIGINT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
  priority INTEGER NOT NULL,
  PRIMARY KEY (project_id, label_id)
);
CREATE INDEX label_priorities_label ON label_priorities (label_id);

CREATE TABLE issues (
  id @ID@,
  project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  iid BIGINT NOT NULL,
  author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'opened', -- 'opened' or 'closed'
  issue_type TEXT NOT NULL DEFAULT 'issue', -- 'issue', 'incident', 'test_case', 'task'
  confidential BOOLEAN NOT NULL DEFAULT FALSE,
  discussion_locked BOOLEAN,
  milestone_id BIGINT REFERENCES milestones (id) ON DELETE SET NULL,
  due_date TEXT,
  time_estimate BIGINT NOT NULL DEFAULT 0,
  total_time_spent BIGINT NOT NULL DEFAULT 0,
  relative_position BIGINT,
  -- Counters kept in the transactions that change what they count, so a
  -- list page reads them with the row.
  upvotes BIGINT NOT NULL DEFAULT 0,
  downvotes BIGINT NOT NULL DEFAULT 0,
  user_notes_count BIGINT NOT NULL DEFAULT 0,
  closed_at BIGINT,
  closed_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  moved_to_id BIGINT REFERENCES issues (id) ON DELETE SET NULL,
  -- lock_version moves with every update: optimistic concurrency, as
  -- GitLab's lock_version.
  lock_version BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX issues_project_iid ON issues (project_id, iid);
CREATE INDEX issues_project_state ON issues (project_id, state, id);
CREATE INDEX issues_project_created ON issues (project_id, created_at);
CREATE INDEX issues_project_updated ON issues (project_id, updated_at);
CREATE INDEX issues_author ON issues (author_id, id);
CREATE INDEX issues_milestone ON issues (milestone_id) WHERE milestone_id IS NOT NULL;

CREATE TABLE issue_assignees (
  issue_id BIGINT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (issue_id, user_id)
);
CREATE INDEX issue_assignees_user ON issue_assignees (user_id, issue_id);

-- Which labels a noteable carries (target_type 'Issue', 'MergeRequest').
CREATE TABLE label_links (
  label_id BIGINT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
  target_type TEXT NOT NULL,
  target_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (target_type, target_id, label_id)
);
CREATE INDEX label_links_label ON label_links (label_id, target_type, target_id);

-- Notes: comments and system notes on any noteable. Every note belongs to
-- a discussion (discussion_id, 40 hex digits, GitLab's): an individual
-- note is a discussion of one. project_id is NULL only for notes on
-- personal snippets. Commits are named by commit_id (noteable_id 0).
CREATE TABLE notes (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  noteable_type TEXT NOT NULL,
  noteable_id BIGINT NOT NULL,
  commit_id TEXT,
  discussion_id TEXT NOT NULL,
  note_type TEXT, -- NULL, 'DiscussionNote' or 'DiffNote'
  author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  body TEXT NOT NULL,
  system BOOLEAN NOT NULL DEFAULT FALSE,
  internal BOOLEAN NOT NULL DEFAULT FALSE,
  resolvable BOOLEAN NOT NULL DEFAULT FALSE,
  resolved_at BIGINT,
  resolved_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  position TEXT, -- JSON of a diff note's position
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX notes_noteable ON notes (noteable_type, noteable_id, id);
CREATE INDEX notes_discussion ON notes (discussion_id, id);
CREATE INDEX notes_project ON notes (project_id, id);
CREATE INDEX notes_author ON notes (author_id, id);

-- Award emoji on a noteable or on a note (awardable_type 'Issue', 'Note', …).
CREATE TABLE award_emoji (
  id @ID@,
  name TEXT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  awardable_type TEXT NOT NULL,
  awardable_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX award_emoji_unique ON award_emoji (awardable_type, awardable_id, name, user_id);

-- Resource events: the history of labels, milestones and states of a
-- noteable (resource_type 'Issue', 'MergeRequest'), GitLab's
-- resource_*_events APIs. action: 'add' or 'remove'.
CREATE TABLE resource_label_events (
  id @ID@,
  resource_type TEXT NOT NULL,
  resource_id BIGINT NOT NULL,
  label_id BIGINT REFERENCES labels (id) ON DELETE SET NULL,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX resource_label_events_resource ON resource_label_events (resource_type, resource_id, id);

CREATE TABLE resource_milestone_events (
  id @ID@,
  resource_type TEXT NOT NULL,
  resource_id BIGINT NOT NULL,
  milestone_id BIGINT REFERENCES milestones (id) ON DELETE SET NULL,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  action TEXT NOT NULL,
  state TEXT NOT NULL, -- the milestone's state when the event happened
  created_at BIGINT NOT NULL
);
CREATE INDEX resource_milestone_events_resource ON resource_milestone_events (resource_type, resource_id, id);

-- state: 'opened', 'closed', 'reopened' (and 'merged' for merge requests).
CREATE TABLE resource_state_events (
  id @ID@,
  resource_type TEXT NOT NULL,
  resource_id BIGINT NOT NULL,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  state TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX resource_state_events_resource ON resource_state_events (resource_type, resource_id, id);

-- Explicit subscriptions: subscribed FALSE records an unsubscription that
-- overrides participation. subscribable_type 'Issue', 'MergeRequest',
-- 'Label'; project_id says in which project a group label was subscribed.
CREATE TABLE subscriptions (
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  subscribable_type TEXT NOT NULL,
  subscribable_id BIGINT NOT NULL,
  project_id BIGINT NOT NULL DEFAULT 0,
  subscribed BOOLEAN NOT NULL,
  PRIMARY KEY (subscribable_type, subscribable_id, user_id, project_id)
);

-- Links between issues. link_type: 'relates_to' (CE), 'blocks',
-- 'is_blocked_by' kept as GitLab stores them (source blocks target).
CREATE TABLE issue_links (
  id @ID@,
  source_id BIGINT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  target_id BIGINT NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  link_type TEXT NOT NULL DEFAULT 'relates_to',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX issue_links_pair ON issue_links (source_id, target_id);
CREATE INDEX issue_links_target ON issue_links (target_id);

-- Time spent on a noteable (time tracking). time_spent may be negative
-- (GitLab subtracts with "-1h").
CREATE TABLE timelogs (
  id @ID@,
  resource_type TEXT NOT NULL,
  resource_id BIGINT NOT NULL,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  time_spent BIGINT NOT NULL,
  spent_at BIGINT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX timelogs_resource ON timelogs (resource_type, resource_id);

-- Events: the activity feed of users and projects (GitLab's events and
-- push_event_payloads), which the events API reads and webhooks and
-- activity pages will. action is GitLab's action name: 'created',
-- 'updated', 'closed', 'reopened', 'pushed', 'commented', 'merged',
-- 'joined', 'left', 'destroyed', 'expired', 'approved'. The target
-- ('Issue', 'Note', 'Milestone', 'MergeRequest' …) is named by type and id
-- with its iid and title as they were, so a page of events is read without
-- touching the targets' tables.
CREATE TABLE events (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  author_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  target_type TEXT,
  target_id BIGINT,
  target_iid BIGINT,
  target_title TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX events_project ON events (project_id, id);
CREATE INDEX events_author ON events (author_id, id);
CREATE INDEX events_target ON events (target_type, target_id);

-- One row per push event: what the push did to one ref.
CREATE TABLE push_event_payloads (
  event_id BIGINT PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  commit_count BIGINT NOT NULL,
  action TEXT NOT NULL, -- 'pushed', 'created', 'removed'
  ref_type TEXT NOT NULL, -- 'branch', 'tag'
  commit_from TEXT,
  commit_to TEXT,
  ref TEXT NOT NULL,
  commit_title TEXT,
  ref_count BIGINT
);

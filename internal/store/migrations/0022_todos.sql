-- To-do items: what asks a user's attention (assigned, mentioned, marked
-- by hand …) on a target (an issue now; merge requests, commits later),
-- pending until done. action is GitLab's name: 'assigned', 'mentioned',
-- 'build_failed', 'marked', 'approval_required', 'unmergeable',
-- 'directly_addressed', 'member_access_requested', 'review_requested'.
CREATE TABLE todos (
  id @ID@,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  target_type TEXT NOT NULL,
  target_id BIGINT NOT NULL,
  action TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending', -- 'pending' or 'done'
  note_id BIGINT REFERENCES notes (id) ON DELETE CASCADE,
  body TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX todos_user_state ON todos (user_id, state, id);
CREATE INDEX todos_target ON todos (target_type, target_id);

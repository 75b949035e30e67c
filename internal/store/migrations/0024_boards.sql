-- Issue boards: GitLab's boards and lists. A board belongs to a project or
-- to a group. Its lists are the backlog ('backlog', "Open"), one list per
-- label ('label') and 'closed'; only label lists have a label and a
-- position, and the API shows only them. Label list positions of a board
-- are 0, 1, … without gaps: every write that adds, moves or removes one
-- locks the board first and renumbers what it shifts. (A unique index on
-- positions would need renumbering to write rows twice, and on PostgreSQL
-- a row written twice checks its label's foreign key again, locking the
-- label while the board is locked: the opposite order of label deletion.)
CREATE TABLE boards (
  id @ID@,
  project_id BIGINT REFERENCES projects (id) ON DELETE CASCADE,
  group_id BIGINT REFERENCES namespaces (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  hide_backlog_list BOOLEAN NOT NULL DEFAULT FALSE,
  hide_closed_list BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK ((project_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX boards_project ON boards (project_id, id) WHERE project_id IS NOT NULL;
CREATE INDEX boards_group ON boards (group_id, id) WHERE group_id IS NOT NULL;

-- A label appears once per board, even against a writer that forgot the
-- board lock. Deleting a label deletes its lists (the store renumbers the
-- boards it leaves; the foreign key is the backstop).
CREATE TABLE board_lists (
  id @ID@,
  board_id BIGINT NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
  list_type TEXT NOT NULL, -- 'backlog', 'label' or 'closed'
  label_id BIGINT REFERENCES labels (id) ON DELETE CASCADE,
  position BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK ((list_type = 'label') = (label_id IS NOT NULL AND position IS NOT NULL))
);
CREATE UNIQUE INDEX board_lists_board_label ON board_lists (board_id, label_id);
CREATE INDEX board_lists_label ON board_lists (label_id);

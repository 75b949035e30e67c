-- A user has at most one pending to-do item of an action on a target,
-- outside comments (each comment's mention is an item of its own), as
-- GitLab's TodoService keeps it: the index makes two requests at once
-- (two "mark as to-do" clicks, two assignments) leave one item. Items
-- repeated before it are marked done first, keeping the oldest.
UPDATE todos SET state = 'done'
WHERE state = 'pending' AND note_id IS NULL AND id NOT IN (
  SELECT min(id) FROM todos WHERE state = 'pending' AND note_id IS NULL
  GROUP BY user_id, target_type, target_id, action);
CREATE UNIQUE INDEX todos_pending_once ON todos (user_id, target_type, target_id, action)
  WHERE state = 'pending' AND note_id IS NULL;

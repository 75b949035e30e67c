-- A comment's event names the comment's class as its target type, as
-- GitLab's EventCreateService records it: 'DiscussionNote' for a comment
-- of a thread, 'DiffNote' for one on a diff, 'Note' otherwise. Events
-- recorded before said 'Note' for every comment.
UPDATE events SET target_type = (SELECT note_type FROM notes WHERE notes.id = events.target_id)
WHERE target_type = 'Note'
  AND target_id IN (SELECT id FROM notes WHERE note_type IS NOT NULL AND note_type <> '');

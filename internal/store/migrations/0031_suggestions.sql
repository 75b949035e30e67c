-- Suggestions: the ```suggestion:-N+M blocks of a merge request's diff
-- notes (GitLab's suggestions table). from_content is the lines the
-- suggestion replaces, read from the file at the note's head sha when the
-- note was written; to_content what replaces them. lines_above and
-- lines_below are the block's -N and +M around the note's new line.
-- relative_order is the block's place in the note. A suggestion is
-- applied once, by one commit on the source branch (commit_id).
CREATE TABLE suggestions (
  id @ID@,
  note_id BIGINT NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
  relative_order INTEGER NOT NULL,
  from_content TEXT NOT NULL,
  to_content TEXT NOT NULL,
  lines_above INTEGER NOT NULL DEFAULT 0,
  lines_below INTEGER NOT NULL DEFAULT 0,
  outdated BOOLEAN NOT NULL DEFAULT FALSE,
  applied BOOLEAN NOT NULL DEFAULT FALSE,
  commit_id TEXT,
  applied_by_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
  applied_at BIGINT
);
CREATE UNIQUE INDEX suggestions_note_order ON suggestions (note_id, relative_order);

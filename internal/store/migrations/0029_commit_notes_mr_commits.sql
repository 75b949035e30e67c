-- A commit's notes are found by project and commit id (noteable_id 0).
CREATE INDEX notes_commit ON notes (project_id, commit_id, id) WHERE commit_id IS NOT NULL;

-- Full-text search on SQLite: FTS5 tables over the searchable text of
-- issues, notes and milestones (external content: the rows stay in their
-- tables, the index follows them through triggers). The PostgreSQL form
-- of this migration is 0020_search.postgres.sql. Each trigger is written
-- with its inner statements on one line: migrations are split at
-- semicolons that end a line.

CREATE VIRTUAL TABLE issues_fts USING fts5 (title, description, content = 'issues', content_rowid = 'id');
INSERT INTO issues_fts (rowid, title, description) SELECT id, title, description FROM issues;
CREATE TRIGGER issues_fts_insert AFTER INSERT ON issues BEGIN
  INSERT INTO issues_fts (rowid, title, description) VALUES (new.id, new.title, new.description); END;
CREATE TRIGGER issues_fts_delete AFTER DELETE ON issues BEGIN
  INSERT INTO issues_fts (issues_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description); END;
CREATE TRIGGER issues_fts_update AFTER UPDATE OF title, description ON issues BEGIN
  INSERT INTO issues_fts (issues_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description); INSERT INTO issues_fts (rowid, title, description) VALUES (new.id, new.title, new.description); END;

CREATE VIRTUAL TABLE notes_fts USING fts5 (body, content = 'notes', content_rowid = 'id');
INSERT INTO notes_fts (rowid, body) SELECT id, body FROM notes;
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
  INSERT INTO notes_fts (rowid, body) VALUES (new.id, new.body); END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
  INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.id, old.body); END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes BEGIN
  INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', old.id, old.body); INSERT INTO notes_fts (rowid, body) VALUES (new.id, new.body); END;

CREATE VIRTUAL TABLE milestones_fts USING fts5 (title, description, content = 'milestones', content_rowid = 'id');
INSERT INTO milestones_fts (rowid, title, description) SELECT id, title, description FROM milestones;
CREATE TRIGGER milestones_fts_insert AFTER INSERT ON milestones BEGIN
  INSERT INTO milestones_fts (rowid, title, description) VALUES (new.id, new.title, new.description); END;
CREATE TRIGGER milestones_fts_delete AFTER DELETE ON milestones BEGIN
  INSERT INTO milestones_fts (milestones_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description); END;
CREATE TRIGGER milestones_fts_update AFTER UPDATE OF title, description ON milestones BEGIN
  INSERT INTO milestones_fts (milestones_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description); INSERT INTO milestones_fts (rowid, title, description) VALUES (new.id, new.title, new.description); END;

-- Full-text search on PostgreSQL: GIN indexes over the tsvector of the
-- searchable text of issues, notes and milestones ('simple' configuration:
-- no stemming, no stop words, so a word matches as typed, as on SQLite's
-- FTS5). Queries must use exactly these expressions (store/search.go).
-- The SQLite form of this migration is 0020_search.sqlite.sql.

CREATE INDEX issues_fts ON issues USING gin (to_tsvector('simple', title || ' ' || description));
CREATE INDEX notes_fts ON notes USING gin (to_tsvector('simple', body));
CREATE INDEX milestones_fts ON milestones USING gin (to_tsvector('simple', title || ' ' || description));

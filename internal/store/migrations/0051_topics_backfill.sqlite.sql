-- Topics rows for the topics projects named before the topics table:
-- one per name (case-insensitively), tied to their projects.
INSERT INTO topics (name, title, created_at, updated_at)
SELECT t, t, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM (WITH RECURSIVE split(id, t, rest) AS (
          SELECT id, '', topics || ',' FROM projects WHERE topics <> ''
          UNION ALL
          SELECT id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE rest <> '')
        SELECT min(t) AS t FROM split WHERE t <> '' GROUP BY lower(t))
 WHERE true
ON CONFLICT DO NOTHING;
INSERT INTO project_topics (project_id, topic_id)
SELECT s.id, tp.id
  FROM (WITH RECURSIVE split(id, t, rest) AS (
          SELECT id, '', topics || ',' FROM projects WHERE topics <> ''
          UNION ALL
          SELECT id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE rest <> '')
        SELECT id, t FROM split WHERE t <> '') AS s
  JOIN topics tp ON lower(tp.name) = lower(s.t)
 WHERE true
ON CONFLICT DO NOTHING;

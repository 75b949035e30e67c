-- Topics rows for the topics projects named before the topics table:
-- one per name (case-insensitively, the first spelling), tied to their
-- projects.
INSERT INTO topics (name, title, created_at, updated_at)
SELECT DISTINCT ON (lower(t)) t, t, (extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint
  FROM projects p, unnest(string_to_array(p.topics, ',')) AS t
 WHERE p.topics <> '' AND t <> ''
 ORDER BY lower(t), p.id
ON CONFLICT DO NOTHING;
INSERT INTO project_topics (project_id, topic_id)
SELECT p.id, tp.id FROM projects p, unnest(string_to_array(p.topics, ',')) AS t
  JOIN topics tp ON lower(tp.name) = lower(t)
 WHERE p.topics <> ''
ON CONFLICT DO NOTHING;

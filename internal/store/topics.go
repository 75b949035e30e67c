package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/model"
)

// topicSelect reads topics with their number of projects, counted from
// project_topics (an index probe per topic).
const topicSelect = `SELECT t.id, t.name, t.title, t.description, t.created_at, t.updated_at, t.avatar,
	(SELECT count(*) FROM project_topics pt WHERE pt.topic_id = t.id) AS projects_count FROM topics t`

func scanTopic(s scanner) (*model.Topic, error) {
	var t model.Topic
	var desc sql.NullString
	var created, updated int64
	if err := s.Scan(&t.ID, &t.Name, &t.Title, &desc, &created, &updated, &t.Avatar, &t.TotalProjectsCount); err != nil {
		return nil, wrapErr(err)
	}
	t.Description = fromNullStr(desc)
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return &t, nil
}

// ListTopics lists one page of topics, most used first, and their total.
func (q *Queries) ListTopics(ctx context.Context, f model.TopicFilter) ([]*model.Topic, int, error) {
	var w conds
	if f.Search != "" {
		w.search(f.Search, "t.name")
	}
	if f.WithoutProjects {
		w.add("NOT EXISTS (SELECT 1 FROM project_topics pt WHERE pt.topic_id = t.id)")
	}
	var total int
	if err := q.queryRow(ctx, "SELECT count(*) FROM topics t"+w.where(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count topics: %w", wrapErr(err))
	}
	rows, err := q.query(ctx, topicSelect+w.where()+" ORDER BY projects_count DESC, t.id LIMIT ? OFFSET ?",
		append(w.args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list topics: %w", err)
	}
	out, err := collect(rows, scanTopic)
	return out, total, err
}

// TopicByID returns a topic.
func (q *Queries) TopicByID(ctx context.Context, id int64) (*model.Topic, error) {
	return scanTopic(q.queryRow(ctx, topicSelect+" WHERE t.id = ?", id))
}

// TopicByName returns a topic by name, case-insensitively.
func (q *Queries) TopicByName(ctx context.Context, name string) (*model.Topic, error) {
	return scanTopic(q.queryRow(ctx, topicSelect+" WHERE lower(t.name) = lower(?)", name))
}

// CreateTopic inserts t; a name taken (case-insensitively) is ErrConflict.
func (q *Queries) CreateTopic(ctx context.Context, t *model.Topic) error {
	now := q.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	id, err := q.insert(ctx, `INSERT INTO topics (name, title, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		t.Name, t.Title, nullStr(t.Description), ms(now), ms(now))
	if err != nil {
		return fmt.Errorf("store: create topic: %w", err)
	}
	t.ID = id
	return nil
}

// UpdateTopic writes t; a new name is written into its projects' topic
// lists too.
func (q *Queries) UpdateTopic(ctx context.Context, t *model.Topic, oldName string) error {
	t.UpdatedAt = q.Now()
	if _, err := q.exec(ctx, "UPDATE topics SET name = ?, title = ?, description = ?, updated_at = ? WHERE id = ?",
		t.Name, t.Title, nullStr(t.Description), ms(t.UpdatedAt), t.ID); err != nil {
		return fmt.Errorf("store: update topic: %w", err)
	}
	if t.Name == oldName {
		return nil
	}
	return q.rewriteProjectTopics(ctx, t.ID, func(names []string) []string {
		return replaceTopicName(names, oldName, t.Name)
	})
}

// DeleteTopic removes a topic and its name from its projects.
func (q *Queries) DeleteTopic(ctx context.Context, t *model.Topic) error {
	if err := q.rewriteProjectTopics(ctx, t.ID, func(names []string) []string {
		return replaceTopicName(names, t.Name, "")
	}); err != nil {
		return err
	}
	if _, err := q.exec(ctx, "DELETE FROM topics WHERE id = ?", t.ID); err != nil {
		return fmt.Errorf("store: delete topic: %w", err)
	}
	return nil
}

// MergeTopics moves source's projects to target and deletes source.
func (q *Queries) MergeTopics(ctx context.Context, source, target *model.Topic) error {
	if err := q.rewriteProjectTopics(ctx, source.ID, func(names []string) []string {
		return replaceTopicName(names, source.Name, target.Name)
	}); err != nil {
		return err
	}
	for _, stmt := range []string{
		`INSERT INTO project_topics (project_id, topic_id) SELECT pt.project_id, ? FROM project_topics pt
			WHERE pt.topic_id = ? ON CONFLICT DO NOTHING`,
	} {
		if _, err := q.exec(ctx, stmt, target.ID, source.ID); err != nil {
			return fmt.Errorf("store: merge topics: %w", err)
		}
	}
	if _, err := q.exec(ctx, "DELETE FROM topics WHERE id = ?", source.ID); err != nil {
		return fmt.Errorf("store: merge topics: %w", err)
	}
	return nil
}

// replaceTopicName replaces old (case-insensitively) by repl in names,
// dropping it when repl is empty or already listed.
func replaceTopicName(names []string, old, repl string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if strings.EqualFold(n, old) {
			n = repl
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, n)
		}
		if n != "" && !dup {
			out = append(out, n)
		}
	}
	return out
}

// rewriteProjectTopics rewrites the topic lists of topicID's projects.
func (q *Queries) rewriteProjectTopics(ctx context.Context, topicID int64, fn func([]string) []string) error {
	rows, err := q.query(ctx, `SELECT p.id, p.topics FROM projects p JOIN project_topics pt ON pt.project_id = p.id
		WHERE pt.topic_id = ?`, topicID)
	if err != nil {
		return fmt.Errorf("store: topic projects: %w", err)
	}
	type entry struct {
		id     int64
		topics string
	}
	list, err := collect(rows, func(s scanner) (entry, error) {
		var e entry
		return e, wrapErr(s.Scan(&e.id, &e.topics))
	})
	if err != nil {
		return err
	}
	for _, e := range list {
		var names []string
		if e.topics != "" {
			names = strings.Split(e.topics, ",")
		}
		if _, err := q.exec(ctx, "UPDATE projects SET topics = ? WHERE id = ?", strings.Join(fn(names), ","), e.id); err != nil {
			return fmt.Errorf("store: rewrite project topics: %w", err)
		}
	}
	return nil
}

// EnsureTopics finds or creates (title = name) the topics named, and
// returns their ids and their names as stored (an existing topic keeps
// its spelling).
func (q *Queries) EnsureTopics(ctx context.Context, names []string) ([]int64, []string, error) {
	ids := make([]int64, 0, len(names))
	out := make([]string, 0, len(names))
	now := ms(q.Now())
	for _, n := range names {
		if _, err := q.exec(ctx, `INSERT INTO topics (name, title, created_at, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, n, n, now, now); err != nil {
			return nil, nil, fmt.Errorf("store: ensure topic: %w", err)
		}
		var id int64
		var name string
		if err := q.queryRow(ctx, "SELECT id, name FROM topics WHERE lower(name) = lower(?)", n).Scan(&id, &name); err != nil {
			return nil, nil, fmt.Errorf("store: ensure topic: %w", wrapErr(err))
		}
		ids, out = append(ids, id), append(out, name)
	}
	return ids, out, nil
}

// LinkProjectTopics makes topicIDs the project's topics.
func (q *Queries) LinkProjectTopics(ctx context.Context, projectID int64, topicIDs []int64) error {
	if _, err := q.exec(ctx, "DELETE FROM project_topics WHERE project_id = ?", projectID); err != nil {
		return fmt.Errorf("store: link topics: %w", err)
	}
	for _, id := range topicIDs {
		if _, err := q.exec(ctx, "INSERT INTO project_topics (project_id, topic_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
			projectID, id); err != nil {
			return fmt.Errorf("store: link topics: %w", err)
		}
	}
	return nil
}

package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestMigrationExternalUsers: users made external before lablet cleared
// their rights lose group creation and personal projects when 0011 runs;
// others keep theirs.
func TestMigrationExternalUsers(t *testing.T) {
	db, dsn, dir := mustOpen(t)
	ctx := context.Background()
	ext := &model.User{Username: "ext", Email: "ext@example.com", Name: "Ext", External: true, CanCreateGroup: true, ProjectsLimit: 10}
	in := &model.User{Username: "in", Email: "in@example.com", Name: "In", CanCreateGroup: true, ProjectsLimit: 10}
	db = rerunMigration(t, db, dsn, dir, "0011_external_users", func(q *Queries) error {
		for _, u := range []*model.User{ext, in} {
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	for _, want := range []struct {
		id     int64
		create bool
		limit  int
	}{{ext.ID, false, 0}, {in.ID, true, 10}} {
		u, err := db.Queries().UserByID(ctx, want.id)
		if err != nil || u.CanCreateGroup != want.create || u.ProjectsLimit != want.limit {
			t.Fatalf("user %d = %+v, %v", want.id, u, err)
		}
	}
}

// TestMigrationEventNoteTypes: comment events recorded as 'Note' take
// their comment's class when 0023 runs.
func TestMigrationEventNoteTypes(t *testing.T) {
	db, dsn, dir := mustOpen(t)
	ctx := context.Background()
	u := &model.User{Username: "u", Email: "u@example.com", Name: "U"}
	thread := "DiscussionNote"
	notes := []*model.Note{{NoteableType: "Issue", NoteableID: 1, DiscussionID: "a", Body: "plain"},
		{NoteableType: "Issue", NoteableID: 1, DiscussionID: "b", NoteType: &thread, Body: "thread"}}
	db = rerunMigration(t, db, dsn, dir, "0023_event_note_types", func(q *Queries) error {
		if err := q.CreateUser(ctx, u); err != nil {
			return err
		}
		for _, n := range notes {
			n.AuthorID = &u.ID
			if err := q.InsertNote(ctx, n); err != nil {
				return err
			}
			note := "Note"
			if err := q.InsertEvent(ctx, &model.Event{AuthorID: u.ID, Action: model.EventCommented, TargetType: &note, TargetID: &n.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	for n, want := range map[*model.Note]string{notes[0]: "Note", notes[1]: "DiscussionNote"} {
		var got string
		if err := db.Queries().queryRow(ctx, "SELECT target_type FROM events WHERE target_id = ?", n.ID).Scan(&got); err != nil || got != want {
			t.Errorf("event of %q: %q, %v; want %q", n.Body, got, err, want)
		}
	}
}

// rerunMigration writes rows as they were before a migration (seed),
// forgets that the migration ran and opens the database again, which
// runs it; the reopened database is closed when t ends.
func rerunMigration(t *testing.T, db *DB, dsn, dir, version string, seed func(q *Queries) error) *DB {
	t.Helper()
	ctx := context.Background()
	err := db.WithTx(ctx, func(q *Queries) error {
		if err := seed(q); err != nil {
			return err
		}
		_, err := q.exec(ctx, "DELETE FROM schema_migrations WHERE version = ?", version)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, dsn, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrationTodosPendingOnce: pending items repeated before 0073 (two
// requests at once) leave the oldest pending and the others done, so the
// index can be made; items of comments are left as they are.
func TestMigrationTodosPendingOnce(t *testing.T) {
	db, dsn, dir := mustOpen(t)
	ctx := context.Background()
	u := &model.User{Username: "u", Email: "u@example.com", Name: "U"}
	var todos []*model.Todo
	db = rerunMigration(t, db, dsn, dir, "0073_todos_pending_once", func(q *Queries) error {
		if _, err := q.exec(ctx, "DROP INDEX todos_pending_once"); err != nil {
			return err
		}
		if err := q.CreateUser(ctx, u); err != nil {
			return err
		}
		for k := range 3 {
			todo := &model.Todo{UserID: u.ID, TargetType: "Issue", TargetID: 7, Action: model.TodoMarked}
			if k == 2 {
				todo.Action = "assigned"
			}
			if ok, err := q.InsertTodo(ctx, todo); err != nil || !ok {
				return fmt.Errorf("item %d: %v, %w", k, ok, err)
			}
			todos = append(todos, todo)
		}
		return nil
	})
	for k, want := range []string{"pending", "done", "pending"} {
		var got string
		if err := db.Queries().queryRow(ctx, "SELECT state FROM todos WHERE id = ?", todos[k].ID).Scan(&got); err != nil || got != want {
			t.Errorf("item %d: %q, %v; want %q", k, got, err, want)
		}
	}
	again := &model.Todo{UserID: u.ID, TargetType: "Issue", TargetID: 7, Action: model.TodoMarked}
	if ok, err := db.Queries().InsertTodo(ctx, again); err != nil || ok {
		t.Errorf("a third marked item after the migration: added %v, %v", ok, err)
	}
}

package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestEventCountsCached: a feed's total is kept (an event written behind
// the store's back is not counted) until a committed change to what it is
// read from — a new event, a membership — moves it.
func TestEventCountsCached(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	author, viewer, project := newPrivateProjectFixture(t, db)
	event := func(q *Queries) error {
		return q.InsertEvent(ctx, &model.Event{ProjectID: &project.ID, AuthorID: author.ID, Action: model.EventCommented})
	}
	err := db.WithTx(ctx, func(q *Queries) error {
		for i := 0; i < 3; i++ {
			if err := event(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitListening(t, db) // connecting moves every version
	f := model.EventFilter{AuthorID: author.ID, ViewerID: viewer.ID, MinVisibility: 10, Today: "2026-01-01", Limit: 2}
	total := func() int {
		t.Helper()
		list, n, err := db.Queries().ListEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != min(n, 2) {
			t.Fatalf("%d events on the page of %d", len(list), n)
		}
		return n
	}
	if n := total(); n != 3 {
		t.Fatalf("first count: %d", n)
	}
	if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf(
		"INSERT INTO events (project_id, author_id, action, created_at) VALUES (%d, %d, 'commented', 0)", project.ID, author.ID)); err != nil {
		t.Fatal(err)
	}
	if n := total(); n != 3 {
		t.Fatalf("count not kept: %d", n)
	}
	if err := db.WithTx(ctx, event); err != nil {
		t.Fatal(err)
	}
	if n := total(); n != 5 {
		t.Fatalf("after a new event: %d, want 5", n)
	}
	if err := db.WithTx(ctx, func(q *Queries) error {
		_, err := q.exec(ctx, "DELETE FROM members WHERE user_id = ?", viewer.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := total(); n != 0 {
		t.Fatalf("after losing the project: %d, want 0", n)
	}
}

package store

import (
	"context"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestLabelCache: labels and milestones read by id are kept under the
// labels version — an issue write leaves them kept (raw SQL behind the
// store's back stays unseen), while a label or milestone write through the
// store is seen at once, as is a deletion.
func TestLabelCache(t *testing.T) {
	ctx := context.Background()
	db, _, _ := mustOpen(t)
	waitListening(t, db)
	author, _, project := newPrivateProjectFixture(t, db)
	pid := project.ID
	label := &model.Label{ProjectID: &pid, Title: "bug", Color: "#ff0000"}
	ms := &model.Milestone{ProjectID: &pid, Title: "v1"}
	issue := &model.Issue{ProjectID: pid, AuthorID: &author.ID, Title: "one"}
	err := db.WithTx(ctx, func(q *Queries) error {
		if err := q.InsertLabel(ctx, label); err != nil {
			return err
		}
		if err := q.InsertMilestone(ctx, ms); err != nil {
			return err
		}
		return q.InsertIssue(ctx, issue)
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func() (string, string) {
		t.Helper()
		ls, err := db.Queries().LabelsByIDs(ctx, []int64{label.ID, label.ID})
		if err != nil {
			t.Fatal(err)
		}
		mss, err := db.Queries().MilestonesByIDs(ctx, []int64{ms.ID})
		if err != nil {
			t.Fatal(err)
		}
		l, m := "", ""
		if len(ls) == 1 {
			l = ls[0].Description
		}
		if len(mss) == 1 {
			m = mss[0].Description
		}
		return l, m
	}
	read() // kept
	raw := func(query string, args ...any) {
		t.Helper()
		if _, err := db.SQL().Exec(db.Queries().rebind(query), args...); err != nil {
			t.Fatal(err)
		}
	}
	raw("UPDATE labels SET description = ? WHERE id = ?", "behind", label.ID)
	raw("UPDATE milestones SET description = ? WHERE id = ?", "behind", ms.ID)
	// An issue write moves the planning version, not the labels one.
	issue.Title = "renamed"
	if err := db.WithTx(ctx, func(q *Queries) error { return q.UpdateIssue(ctx, issue) }); err != nil {
		t.Fatal(err)
	}
	if l, m := read(); l != "" || m != "" {
		t.Fatalf("after an issue write: label %q milestone %q, want the kept rows", l, m)
	}
	label.Description = "through the store"
	if err := db.WithTx(ctx, func(q *Queries) error { return q.UpdateLabel(ctx, label) }); err != nil {
		t.Fatal(err)
	}
	if l, m := read(); l != "through the store" || m != "behind" {
		t.Fatalf("after a label write: label %q milestone %q", l, m)
	}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.DeleteLabels(ctx, []int64{label.ID}) }); err != nil {
		t.Fatal(err)
	}
	if ls, err := db.Queries().LabelsByIDs(ctx, []int64{label.ID}); err != nil || len(ls) != 0 {
		t.Fatalf("deleted label: %v %v", ls, err)
	}
}

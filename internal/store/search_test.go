package store

import (
	"context"
	"slices"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestFullTextFollowsRows: the full-text condition finds issues, notes
// and milestones by the words of their text (every word, each as a word
// prefix), and follows updates and deletes, on both databases.
func TestFullTextFollowsRows(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	q := db.Queries()
	u := &model.User{Username: "searcher", Email: "searcher@example.com", Name: "S"}
	if err := q.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	ns, err := q.NamespaceByFullPath(ctx, "searcher")
	if err != nil {
		t.Fatal(err)
	}
	p := &model.Project{Name: "p", Path: "p", NamespaceID: ns.ID, Namespace: ns}
	if err := db.WithTx(ctx, func(q *Queries) error {
		id, _, err := q.insertProject(ctx, p)
		p.ID = id
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var issues []*model.Issue
	for _, text := range [][2]string{
		{"Login page crashes", "after the timeout"},
		{"Export is slow", "login works"},
		{"Webhook retries", "crashes on TLS errors"},
	} {
		i := &model.Issue{ProjectID: p.ID, AuthorID: &u.ID, Title: text[0], Description: text[1]}
		if err := db.WithTx(ctx, func(q *Queries) error { return q.InsertIssue(ctx, i) }); err != nil {
			t.Fatal(err)
		}
		issues = append(issues, i)
	}
	rec := &recorder{db: db.SQL()}
	recorded := &Queries{q: rec, dialect: db.dialect, now: q.now}
	search := func(s searchable, text string) []int64 {
		t.Helper()
		var c conds
		c.fullText(db.dialect, s, text)
		run := recorded
		if len(searchTerms(text)) == 0 {
			run = q // "1 = 0": SQLite's plan names a scan it never runs
		}
		ids, err := run.int64s(ctx, "SELECT id FROM "+s.table+c.where()+" ORDER BY id", c.args...)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	want := func(got []int64, idx ...int) {
		t.Helper()
		var w []int64
		for _, i := range idx {
			w = append(w, issues[i].ID)
		}
		if !slices.Equal(got, w) {
			t.Fatalf("matched %v, want %v", got, w)
		}
	}
	want(search(issueText, "login"), 0, 1)
	want(search(issueText, "LOGIN crash"), 0)           // every word, prefixes, any case
	want(search(issueText, "crashes"), 0, 2)            // title or description
	want(search(issueText, "exp"), 1)                   // a word's start
	want(search(issueText, "port"))                     // not a word's middle
	want(search(issueText, `"; DROP TABLE issues; --`)) // words only: "drop", "table", "issues"
	want(search(issueText, "%_*"))                      // no words: nothing

	if _, err := q.exec(ctx, "UPDATE issues SET title = ? WHERE id = ?", "Importer hangs", issues[1].ID); err != nil {
		t.Fatal(err)
	}
	want(search(issueText, "export"))
	want(search(issueText, "importer"), 1)
	if _, err := q.exec(ctx, "DELETE FROM issues WHERE id = ?", issues[0].ID); err != nil {
		t.Fatal(err)
	}
	want(search(issueText, "login"), 1)

	n := &model.Note{ProjectID: &p.ID, NoteableType: model.NoteableIssue, NoteableID: issues[2].ID,
		DiscussionID: "d1", AuthorID: &u.ID, Body: "Reproduced with curl"}
	if err := q.InsertNote(ctx, n); err != nil {
		t.Fatal(err)
	}
	if got := search(noteText, "curl"); !slices.Equal(got, []int64{n.ID}) {
		t.Fatalf("notes matching curl: %v, want [%d]", got, n.ID)
	}
	m := &model.Milestone{ProjectID: &p.ID, Title: "Release 2.0", Description: "stabilize"}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.InsertMilestone(ctx, m) }); err != nil {
		t.Fatal(err)
	}
	if got := search(milestoneText, "stabil"); !slices.Equal(got, []int64{m.ID}) {
		t.Fatalf("milestones matching stabil: %v, want [%d]", got, m.ID)
	}
	// Every search above read the full-text indexes, not the tables.
	checkPlans(t, db, rec, "issues", "notes", "milestones")
}

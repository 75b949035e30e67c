package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestIssueListQueries: a page of issues costs at most two queries (the
// page with its assignees and labels, then the count unless the page ends
// the list) however many rows it holds — no query per row — and a
// project's list reads issues, label links and assignees through indexes.
func TestIssueListQueries(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	var project model.Project
	var user model.User
	err := db.WithTx(ctx, func(q *Queries) error {
		user = model.User{Username: "u", Email: "u@example.com", Name: "U"}
		if err := q.CreateUser(ctx, &user); err != nil {
			return err
		}
		ns := model.Namespace{Kind: model.KindGroup, Name: "G", Path: "g"}
		if err := q.CreateNamespace(ctx, &ns); err != nil {
			return err
		}
		for k := 0; k < 3; k++ {
			p := model.Project{NamespaceID: ns.ID, Name: fmt.Sprint("P", k), Path: fmt.Sprint("p", k), VisibilityLevel: 20,
				IssuesEnabled: true}
			if err := q.CreateProject(ctx, &p); err != nil {
				return err
			}
			project = p
			pid := p.ID
			bug := &model.Label{ProjectID: &pid, Title: "bug", Color: "#ff0000"}
			if err := q.InsertLabel(ctx, bug); err != nil {
				return err
			}
			for i := 0; i < 40; i++ {
				is := &model.Issue{ProjectID: p.ID, AuthorID: &user.ID, Title: fmt.Sprint("issue ", i)}
				if err := q.InsertIssue(ctx, is); err != nil {
					return err
				}
				if err := q.SetIssueAssignees(ctx, is.ID, []int64{user.ID}); err != nil {
					return err
				}
				if err := q.SetLabelLinks(ctx, model.NoteableIssue, is.ID, []int64{bug.ID}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A full page needs the count; a short one is the list's end and
	// tells the total itself. Relations come in the page's own statement.
	for _, c := range []struct{ limit, want, queries int }{{1, 1, 2}, {30, 30, 2}, {50, 40, 1}} {
		limit := c.limit
		rec := &recorder{db: db.SQL()}
		q := &Queries{q: rec, dialect: db.dialect, now: db.Queries().now}
		f := IssueFilter{ViewerID: user.ID, Today: "2026-01-01", ProjectID: project.ID, ProjectLevel: 0,
			State: "opened", LabelTitles: []string{"bug"}, Limit: limit, Count: true}
		res, err := q.ListIssues(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		list, total := res.Issues, res.Total
		if len(list) != c.want || total != 40 || len(list[0].AssigneeIDs) != 1 || len(list[0].LabelIDs) != 1 {
			t.Fatalf("limit %d: %d issues of %d, relations %v %v", limit, len(list), total, list[0].AssigneeIDs, list[0].LabelIDs)
		}
		if len(rec.queries) != c.queries {
			t.Fatalf("limit %d: %d queries, want %d:\n%v", limit, len(rec.queries), c.queries, rec.queries)
		}
		if limit == 30 {
			checkPlans(t, db, rec, "issues", "label_links", "issue_assignees")
		}
	}
	// Across projects: the same two queries.
	rec := &recorder{db: db.SQL()}
	q := &Queries{q: rec, dialect: db.dialect, now: db.Queries().now}
	res, err := q.ListIssues(ctx, IssueFilter{ViewerID: user.ID, Today: "2026-01-01", MinVisibility: 10,
		Limit: 50, Count: true})
	if err != nil {
		t.Fatal(err)
	}
	list, total := res.Issues, res.Total
	if len(list) != 50 || total != 120 || len(rec.queries) != 2 {
		t.Fatalf("global: %d of %d in %d queries", len(list), total, len(rec.queries))
	}
}

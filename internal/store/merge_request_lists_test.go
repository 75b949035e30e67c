package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestMergeRequestListCache: merge request pages are kept in the issue
// list cache, and every committed change to what they are read from — the
// row, its reviewers, its labels, a membership — is seen by the next read.
func TestMergeRequestListCache(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	author, viewer, project := newPrivateProjectFixture(t, db)
	var first *model.MergeRequest
	var bug model.Label
	err := db.WithTx(ctx, func(q *Queries) error {
		if _, err := q.exec(ctx, "UPDATE projects SET merge_requests_enabled = ? WHERE id = ?", true, project.ID); err != nil {
			return err
		}
		pid := project.ID
		bug = model.Label{ProjectID: &pid, Title: "bug", Color: "#ff0000"}
		if err := q.InsertLabel(ctx, &bug); err != nil {
			return err
		}
		for i := 0; i < 3; i++ {
			m := &model.MergeRequest{TargetProjectID: pid, SourceProjectID: &pid, AuthorID: &author.ID,
				Title: fmt.Sprint("mr ", i), SourceBranch: fmt.Sprint("b", i), TargetBranch: "main"}
			if err := q.InsertMergeRequest(ctx, m); err != nil {
				return err
			}
			if first == nil {
				first = m
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitListening(t, db)
	f := MergeRequestFilter{IssueFilter: IssueFilter{ViewerID: viewer.ID, Today: "2026-01-01", MinVisibility: 10,
		Limit: 20, Count: true}}
	list := func() MergeRequestList {
		t.Helper()
		res, err := db.Queries().ListMergeRequests(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if res.Key == "" || !res.Version.Valid() {
			t.Fatalf("a committed read is cacheable: key %q", res.Key)
		}
		return res
	}
	show := func(res MergeRequestList) string {
		s := fmt.Sprint(res.Total)
		for _, m := range res.MergeRequests() {
			s += fmt.Sprintf(" %s/%s%v%v", m.Title, m.State, m.ReviewerIDs, m.LabelIDs)
		}
		return s
	}
	before := list()
	if got := show(before); got != "3 mr 0/opened[][] mr 1/opened[][] mr 2/opened[][]" {
		t.Fatalf("first read: %s", got)
	}
	if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf("UPDATE merge_requests SET title = 'hidden' WHERE id = %d", first.ID)); err != nil {
		t.Fatal(err)
	}
	if again := list(); show(again) != show(before) || again.Version != before.Version {
		t.Fatalf("second read not from the cache: %s", show(again))
	}
	for _, c := range []struct {
		name  string
		write func(q *Queries) error
		want  string
	}{
		{"update", func(q *Queries) error {
			m, err := q.LockMergeRequest(ctx, first.ID)
			if err != nil {
				return err
			}
			m.Title, m.State = "renamed", "closed"
			return q.UpdateMergeRequest(ctx, m)
		}, "3 renamed/closed[][] mr 1/opened[][] mr 2/opened[][]"},
		{"reviewers", func(q *Queries) error { return q.SetMergeRequestUsers(ctx, first.ID, true, []int64{viewer.ID}) },
			fmt.Sprintf("3 renamed/closed[%d][] mr 1/opened[][] mr 2/opened[][]", viewer.ID)},
		{"labels", func(q *Queries) error {
			return q.SetLabelLinks(ctx, model.NoteableMergeRequest, first.ID, []int64{bug.ID})
		},
			fmt.Sprintf("3 renamed/closed[%d][%d] mr 1/opened[][] mr 2/opened[][]", viewer.ID, bug.ID)},
		{"membership", func(q *Queries) error {
			// A Guest reads no merge requests of a private project.
			return q.UpsertMember(ctx, &model.Member{SourceType: "Project", SourceID: project.ID, UserID: viewer.ID, AccessLevel: 10})
		}, "0"},
	} {
		if err := db.WithTx(ctx, c.write); err != nil {
			t.Fatal(err)
		}
		if got := show(list()); got != c.want {
			t.Fatalf("after %s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestMergeRequestPageOneStatement: a short page of merge requests comes
// with its assignees, reviewers and labels, sorted, in one statement.
func TestMergeRequestPageOneStatement(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	author, viewer, project := newPrivateProjectFixture(t, db)
	pid := project.ID
	var labels []int64
	err := db.WithTx(ctx, func(q *Queries) error {
		for _, title := range []string{"bug", "ux"} {
			l := &model.Label{ProjectID: &pid, Title: title, Color: "#ff0000"}
			if err := q.InsertLabel(ctx, l); err != nil {
				return err
			}
			labels = append(labels, l.ID)
		}
		for i := 0; i < 3; i++ {
			m := &model.MergeRequest{TargetProjectID: pid, SourceProjectID: &pid, AuthorID: &author.ID,
				Title: fmt.Sprint("mr ", i), SourceBranch: fmt.Sprint("b", i), TargetBranch: "main"}
			if err := q.InsertMergeRequest(ctx, m); err != nil {
				return err
			}
			if i == 1 {
				continue
			}
			if err := q.SetMergeRequestUsers(ctx, m.ID, false, []int64{viewer.ID, author.ID}); err != nil {
				return err
			}
			if err := q.SetMergeRequestUsers(ctx, m.ID, true, []int64{viewer.ID}); err != nil {
				return err
			}
			if err := q.SetLabelLinks(ctx, model.NoteableMergeRequest, m.ID, []int64{labels[1], labels[0]}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{db: db.SQL()}
	q := &Queries{q: rec, dialect: db.dialect, now: db.Queries().now}
	res, err := q.ListMergeRequests(ctx, MergeRequestFilter{IssueFilter: IssueFilter{ViewerID: author.ID,
		Today: "2026-01-01", ProjectID: pid, ProjectLevel: 50, Limit: 20, Count: true}})
	if err != nil {
		t.Fatal(err)
	}
	users := []int64{min(viewer.ID, author.ID), max(viewer.ID, author.ID)}
	want := fmt.Sprintf("3: mr 0 %v %v %v; mr 1 [] [] []; mr 2 %v %v %v; ", users, []int64{viewer.ID}, labels,
		users, []int64{viewer.ID}, labels)
	got := fmt.Sprintf("%d: ", res.Total)
	for _, m := range res.MergeRequests() {
		got += fmt.Sprintf("%s %v %v %v; ", m.Title, m.AssigneeIDs, m.ReviewerIDs, m.LabelIDs)
	}
	if got != want {
		t.Fatalf("page:\n got %s\nwant %s", got, want)
	}
	if len(rec.queries) != 1 {
		t.Fatalf("%d statements, want 1: %v", len(rec.queries), rec.queries)
	}
	checkPlans(t, db, rec, "merge_requests", "label_links", "merge_request_assignees", "merge_request_reviewers")
}

// TestOneOpenMergeRequestPerBranches: a second open merge request of the
// same branches is a conflict, whoever checked first; closed ones, or
// another target branch, are not.
func TestOneOpenMergeRequestPerBranches(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	author, _, project := newPrivateProjectFixture(t, db)
	pid := project.ID
	insert := func(target, state string) error {
		return db.WithTx(ctx, func(q *Queries) error {
			return q.InsertMergeRequest(ctx, &model.MergeRequest{TargetProjectID: pid, SourceProjectID: &pid,
				AuthorID: &author.ID, Title: "t", SourceBranch: "feature", TargetBranch: target, State: state})
		})
	}
	for _, c := range []struct {
		target, state string
		conflict      bool
	}{{"main", "opened", false}, {"main", "opened", true}, {"main", "closed", false}, {"main", "merged", false},
		{"other", "opened", false}} {
		if err := insert(c.target, c.state); errors.Is(err, ErrConflict) != c.conflict {
			t.Fatalf("%s into %s: %v, want conflict %v", c.state, c.target, err, c.conflict)
		}
	}
	if iid, err := db.Queries().OpenMergeRequestIID(ctx, pid, pid, "feature", "main"); err != nil || iid != 1 {
		t.Fatalf("open merge request of feature into main = !%d, %v", iid, err)
	}
}

package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/cache"
	"github.com/lablet/lablet/internal/model"
)

// TestIssueListCache: a page read twice is answered the second time
// without the database (a change written behind the store's back is not
// seen), and every committed change to what it is read from — the issue,
// its assignees, its labels, a label, a membership, a user — is seen by
// the next read. Its rendering version moves with each of them.
func TestIssueListCache(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	author, viewer, project := newPrivateProjectFixture(t, db)
	var bug model.Label
	var first *model.Issue
	err := db.WithTx(ctx, func(q *Queries) error {
		pid := project.ID
		bug = model.Label{ProjectID: &pid, Title: "bug", Color: "#ff0000"}
		if err := q.InsertLabel(ctx, &bug); err != nil {
			return err
		}
		for i := 0; i < 3; i++ {
			is := &model.Issue{ProjectID: project.ID, AuthorID: &author.ID, Title: fmt.Sprint("issue ", i)}
			if err := q.InsertIssue(ctx, is); err != nil {
				return err
			}
			if first == nil {
				first = is
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitListening(t, db) // connecting moves every version
	// The viewer's list across projects: it depends on the membership.
	f := IssueFilter{ViewerID: viewer.ID, Today: "2026-01-01", MinVisibility: 10, Limit: 20, Count: true, OrderBy: "id"}
	list := func() IssueList {
		t.Helper()
		res, err := db.Queries().ListIssues(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if res.Key == "" || !res.Version.Valid() {
			t.Fatalf("a committed read is cacheable: key %q, version %v", res.Key, res.Version)
		}
		return res
	}
	titles := func(res IssueList) string {
		s := fmt.Sprint(res.Total)
		for _, is := range res.Issues {
			s += fmt.Sprintf(" %s%v%v", is.Title, is.AssigneeIDs, is.LabelIDs)
		}
		return s
	}
	before := list()
	if got := titles(before); got != "3 issue 0[][] issue 1[][] issue 2[][]" {
		t.Fatalf("first read: %s", got)
	}
	// Written behind the store's back: the cached page stands.
	if _, err := db.SQL().ExecContext(ctx, fmt.Sprintf("UPDATE issues SET title = 'hidden' WHERE id = %d", first.ID)); err != nil {
		t.Fatal(err)
	}
	again := list()
	if titles(again) != titles(before) || again.Version != before.Version {
		t.Fatalf("second read not from the cache: %s", titles(again))
	}
	again.Issues[0].Title = "changed by a caller"
	if titles(list()) != titles(before) {
		t.Fatal("a caller's change to its copy reached the cache")
	}
	steps := []struct {
		name  string
		write func(q *Queries) error
		want  string
	}{
		{"issue", func(q *Queries) error {
			first.Title = "renamed"
			return q.UpdateIssue(ctx, first)
		}, "3 renamed[][] issue 1[][] issue 2[][]"},
		{"assignees", func(q *Queries) error {
			return q.SetIssueAssignees(ctx, first.ID, []int64{author.ID})
		}, fmt.Sprintf("3 renamed[%d][] issue 1[][] issue 2[][]", author.ID)},
		{"labels", func(q *Queries) error {
			return q.SetLabelLinks(ctx, model.NoteableIssue, first.ID, []int64{bug.ID})
		}, fmt.Sprintf("3 renamed[%d][%d] issue 1[][] issue 2[][]", author.ID, bug.ID)},
		{"membership", func(q *Queries) error {
			_, err := q.exec(ctx, "DELETE FROM members WHERE user_id = ?", viewer.ID)
			return err
		}, "0"},
	}
	prev := before.Version
	for _, s := range steps {
		if err := db.WithTx(ctx, s.write); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		res := list()
		if got := titles(res); got != s.want {
			t.Fatalf("after a change of %s: %s, want %s", s.name, got, s.want)
		}
		if res.Version == prev {
			t.Fatalf("after a change of %s: the rendering version stood", s.name)
		}
		prev = res.Version
	}
	// A user deleted: issues lose their author through the foreign key,
	// which no statement on issues says; the user's topic moves the page.
	f = IssueFilter{ViewerID: author.ID, Admin: true, Today: "2026-01-01", Limit: 20, OrderBy: "id", ProjectID: project.ID, ProjectLevel: 50}
	if res := list(); res.Issues[0].AuthorID == nil {
		t.Fatal("author missing before the deletion")
	}
	if err := db.WithTx(ctx, func(q *Queries) error { return q.DeleteUser(ctx, author.ID) }); err != nil {
		t.Fatal(err)
	}
	if res := list(); res.Issues[0].AuthorID != nil {
		t.Fatalf("a deleted author is still on the cached page: %v", *res.Issues[0].AuthorID)
	}
	// Inside a transaction nothing is cached.
	_ = db.WithTx(ctx, func(q *Queries) error {
		res, err := q.ListIssues(ctx, f)
		if err != nil || res.Key != "" {
			t.Fatalf("inside a transaction: key %q, %v", res.Key, err)
		}
		return nil
	})
}

// TestIssueListCacheBoundedByBytes: pages of long issues cost what they
// hold, so the cache stays within its byte budget however many are kept.
func TestIssueListCacheBoundedByBytes(t *testing.T) {
	c := newIssueListCache(false)
	long := strings.Repeat("x", 1<<20)
	for i := 0; i < 200; i++ {
		e := issueListEntry{issues: []*model.Issue{{Title: "t", Description: long}}}
		key := fmt.Sprint("page ", i)
		c.PutAtCost(key, cache.Stamp{1}, e, e.cost(key))
	}
	n, cost := c.Len()
	if cost > issueListBudget || n == 0 || n >= 200 {
		t.Fatalf("%d pages costing %d, budget %d", n, cost, issueListBudget)
	}
}

// newPrivateProjectFixture makes an author, a viewer and a private group
// project the viewer is a Developer of (the author is no member).
func newPrivateProjectFixture(t *testing.T, db *DB) (author, viewer model.User, project model.Project) {
	t.Helper()
	ctx := context.Background()
	err := db.WithTx(ctx, func(q *Queries) error {
		author = model.User{Username: "a", Email: "a@example.com", Name: "A"}
		viewer = model.User{Username: "v", Email: "v@example.com", Name: "V"}
		for _, u := range []*model.User{&author, &viewer} {
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		ns := model.Namespace{Kind: model.KindGroup, Name: "G", Path: "g"}
		if err := q.CreateNamespace(ctx, &ns); err != nil {
			return err
		}
		project = model.Project{NamespaceID: ns.ID, Name: "P", Path: "p", VisibilityLevel: 0, IssuesEnabled: true}
		if err := q.CreateProject(ctx, &project); err != nil {
			return err
		}
		return q.UpsertMember(ctx, &model.Member{SourceType: "Project", SourceID: project.ID, UserID: viewer.ID, AccessLevel: 30})
	})
	if err != nil {
		t.Fatal(err)
	}
	return author, viewer, project
}

// TestIssueListColdPageReadOnce: many readers of one cold page at once get
// the same page, its total and a key of a few bytes (the statement named by
// a number), and the database runs the page's statements about once, not
// once per reader (they wait for one load).
func TestIssueListColdPageReadOnce(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	author, viewer, project := newPrivateProjectFixture(t, db)
	err := db.WithTx(ctx, func(q *Queries) error {
		for i := 0; i < 25; i++ {
			if err := q.InsertIssue(ctx, &model.Issue{ProjectID: project.ID, AuthorID: &author.ID, Title: fmt.Sprint("issue ", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitListening(t, db)
	f := IssueFilter{ViewerID: viewer.ID, Today: "2026-01-01", MinVisibility: 10, Limit: 20, Count: true, OrderBy: "id"}
	const readers = 32
	before := db.Statements()
	lists := make([]IssueList, readers)
	errs := make(chan error, readers)
	start := make(chan struct{})
	for i := range lists {
		go func() {
			<-start
			var err error
			lists[i], err = db.Queries().ListIssues(ctx, f)
			errs <- err
		}()
	}
	close(start)
	for range readers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// One load is the page, its relations and the count (a full page does
	// not tell the total): three statements. Readers that came after it
	// read the kept page; a reader between the kept page and the end of the
	// load may load once more.
	if n := db.Statements() - before; n > 6 {
		t.Fatalf("%d readers of one cold page ran %d statements, want one load (3)", readers, n)
	}
	for i, l := range lists {
		if len(l.Issues) != 20 || l.Total != 25 || l.Issues[0].Title != "issue 0" || l.Key != lists[0].Key {
			t.Fatalf("reader %d: %d issues, total %d, key %q", i, len(l.Issues), l.Total, l.Key)
		}
	}
	if len(lists[0].Key) > 200 {
		t.Fatalf("page key is %d bytes: the statement is not named", len(lists[0].Key))
	}
	lists[0].Issues[0].Title = "changed by a caller"
	if lists[1].Issues[0].Title != "issue 0" {
		t.Fatal("readers share issue values")
	}
}

package store

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/model"
)

// TestSearchHonoursVisibility: searches find by words only what the
// viewer may read — projects they see, confidential issues for Reporters,
// authors and assignees, internal notes for Reporters, milestones of
// projects and groups they see — on both databases.
func TestSearchHonoursVisibility(t *testing.T) {
	db, _, _ := mustOpen(t)
	ctx := context.Background()
	users := map[string]*model.User{}
	var group *model.Namespace
	var private, public *model.Project
	var issueNormal *model.Issue
	err := db.WithTx(ctx, func(q *Queries) error {
		for _, name := range []string{"author", "reporter", "guest", "stranger"} {
			u := &model.User{Username: name, Email: name + "@example.com", Name: name}
			if err := q.CreateUser(ctx, u); err != nil {
				return err
			}
			users[name] = u
		}
		group = &model.Namespace{Kind: model.KindGroup, Name: "G", Path: "g"}
		if err := q.CreateNamespace(ctx, group); err != nil {
			return err
		}
		mk := func(ns int64, path string, vis int) (*model.Project, error) {
			p := &model.Project{Name: path, Path: path, NamespaceID: ns, VisibilityLevel: vis, IssuesEnabled: true}
			id, _, err := q.insertProject(ctx, p)
			p.ID = id
			return p, err
		}
		var err error
		if private, err = mk(group.ID, "private", 0); err != nil {
			return err
		}
		if public, err = mk(users["author"].NamespaceID, "public", 20); err != nil {
			return err
		}
		for _, m := range []*model.Member{
			{SourceType: model.SourceNamespace, SourceID: group.ID, UserID: users["author"].ID, AccessLevel: 30},
			{SourceType: model.SourceNamespace, SourceID: group.ID, UserID: users["reporter"].ID, AccessLevel: 20},
			{SourceType: model.SourceProject, SourceID: private.ID, UserID: users["guest"].ID, AccessLevel: 10},
		} {
			if err := q.UpsertMember(ctx, m); err != nil {
				return err
			}
		}
		author := users["author"].ID
		for _, i := range []struct {
			p            *model.Project
			title        string
			confidential bool
			assignee     string
		}{
			{private, "alpha bug", false, ""},
			{private, "alpha secret", true, ""},
			{public, "alpha public", false, ""},
			{public, "alpha hidden", true, "stranger"},
			{public, "beta other", false, ""},
		} {
			is := &model.Issue{ProjectID: i.p.ID, AuthorID: &author, Title: i.title, Confidential: i.confidential}
			if err := q.InsertIssue(ctx, is); err != nil {
				return err
			}
			if i.assignee != "" {
				if err := q.SetIssueAssignees(ctx, is.ID, []int64{users[i.assignee].ID}); err != nil {
					return err
				}
			}
			if i.title == "alpha bug" {
				issueNormal = is
			}
		}
		for _, n := range []*model.Note{
			{Body: "alpha note", Internal: false},
			{Body: "alpha internal", Internal: true},
			{Body: "alpha system", System: true},
		} {
			n.ProjectID, n.NoteableType, n.NoteableID = &private.ID, model.NoteableIssue, issueNormal.ID
			n.DiscussionID, n.AuthorID = "d-"+n.Body, &author
			if err := q.InsertNote(ctx, n); err != nil {
				return err
			}
		}
		for _, m := range []*model.Milestone{
			{ProjectID: &private.ID, Title: "alpha m1"},
			{GroupID: &group.ID, Title: "alpha gm"},
		} {
			if err := q.InsertMilestone(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	filter := func(viewer string) model.SearchFilter {
		f := model.SearchFilter{Text: "alpha", MinVisibility: 20, Today: "2026-12-05", Limit: 20}
		switch viewer {
		case "":
		case "admin":
			f.Admin, f.ViewerID, f.MinVisibility = true, 999, 10
		default:
			f.ViewerID, f.MinVisibility = users[viewer].ID, 10
		}
		return f
	}
	q := db.Queries()
	issues := func(f model.SearchFilter) string {
		t.Helper()
		found, more, err := q.SearchIssues(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		list := found.Issues
		var titles []string
		for _, i := range list {
			titles = append(titles, i.Title)
		}
		slices.Sort(titles)
		if more {
			t.Fatalf("a next page after all %d rows", len(list))
		}
		// Page by page: one row a page, a next page while rows remain.
		for off := range list {
			f.Offset, f.Limit = off, 1
			page, next, err := q.SearchIssues(ctx, f)
			if err != nil || len(page.Issues) != 1 || next != (off < len(list)-1) {
				t.Fatalf("page %d of %d: %d rows, next %v, %v", off, len(list), len(page.Issues), next, err)
			}
		}
		return strings.Join(titles, ",")
	}
	for viewer, want := range map[string]string{
		"":         "alpha public",
		"stranger": "alpha hidden,alpha public",
		"guest":    "alpha bug,alpha public",
		"reporter": "alpha bug,alpha public,alpha secret",
		"author":   "alpha bug,alpha hidden,alpha public,alpha secret",
		"admin":    "alpha bug,alpha hidden,alpha public,alpha secret",
	} {
		if got := issues(filter(viewer)); got != want {
			t.Errorf("issues for %q: %s, want %s", viewer, got, want)
		}
	}
	inGroup := filter("reporter")
	inGroup.GroupID = group.ID
	if got := issues(inGroup); got != "alpha bug,alpha secret" {
		t.Errorf("group search: %s", got)
	}
	closed := filter("author")
	closed.State = "closed"
	if got := issues(closed); got != "" {
		t.Errorf("closed issues: %s", got)
	}
	notConfidential := filter("author")
	notConfidential.Confidential = new(bool)
	if got := issues(notConfidential); got != "alpha bug,alpha public" {
		t.Errorf("confidential=false: %s", got)
	}

	notes := func(viewer string) string {
		t.Helper()
		f := filter(viewer)
		f.ProjectID = private.ID
		list, _, err := q.SearchNotes(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, n := range list {
			bodies = append(bodies, n.Body)
		}
		slices.Sort(bodies)
		return strings.Join(bodies, ",")
	}
	for viewer, want := range map[string]string{"stranger": "", "guest": "alpha note", "reporter": "alpha internal,alpha note"} {
		if got := notes(viewer); got != want {
			t.Errorf("notes for %q: %q, want %q", viewer, got, want)
		}
	}

	milestones := func(viewer string) string {
		t.Helper()
		list, more, err := q.SearchMilestones(ctx, filter(viewer))
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, m := range list {
			titles = append(titles, m.Title)
		}
		slices.Sort(titles)
		if more {
			t.Fatalf("milestones: a next page after all %d rows", len(list))
		}
		return strings.Join(titles, ",")
	}
	for viewer, want := range map[string]string{"": "", "guest": "alpha m1", "reporter": "alpha gm,alpha m1", "admin": "alpha gm,alpha m1"} {
		if got := milestones(viewer); got != want {
			t.Errorf("milestones for %q: %q, want %q", viewer, got, want)
		}
	}
}

// TestSearchPagesStreamOnSQLite: on SQLite, issue searches across
// projects are driven by the FTS5 table in id order — no sort of every
// match before the page, which a common word among 200,000 issues made
// cost tens of milliseconds. (Searches within a project start from its
// issues; PostgreSQL's planner picks its own plan over the GIN index,
// which TestFullTextFollowsRows holds it uses.)
func TestSearchPagesStreamOnSQLite(t *testing.T) {
	db, _, _ := mustOpen(t)
	if db.dialect != SQLite {
		t.Skip("the FTS5 driving table is SQLite's; PostgreSQL is covered by TestFullTextFollowsRows")
	}
	ctx := context.Background()
	rec := &recorder{db: db.SQL()}
	q := &Queries{q: rec, dialect: db.dialect, now: db.Queries().now}
	for _, f := range []model.SearchFilter{
		{Text: "crash login", ViewerID: 1, Today: "2026-01-01", MinVisibility: 10, Limit: 20},
		{Text: "crash", ViewerID: 1, Today: "2026-01-01", MinVisibility: 10, Limit: 20, Asc: true},
		{Text: "crash", Today: "2026-01-01", MinVisibility: 20, GroupID: 1, Limit: 20},
	} {
		if _, _, err := q.SearchIssues(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	pages := 0
	for i, query := range rec.queries {
		if !strings.Contains(query, " ORDER BY ") {
			continue
		}
		pages++
		plan := sqlitePlan(t, db.SQL(), query, rec.args[i])
		text := strings.Join(plan, "\n")
		if strings.Contains(text, "TEMP B-TREE FOR ORDER BY") || !strings.HasPrefix(plan[0], "SCAN issues_fts VIRTUAL TABLE") {
			t.Errorf("page query sorts or is not driven by the FTS table:\n%s\n%s", query, text)
		}
	}
	if pages != 3 {
		t.Fatalf("%d page queries recorded, want 3", pages)
	}
}

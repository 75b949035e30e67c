package v4_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// issueFixture is a group with a project (visibility vis) and a member per
// role, plus an outsider.
type issueFixture struct {
	s                              *labtest.Server
	g                              *gitlab.Group
	p                              *gitlab.Project
	owner, reporter, guest, outsid *labtest.User
}

func newIssueFixture(t *testing.T, vis gitlab.VisibilityValue) *issueFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &issueFixture{s: s, owner: s.NewUser(t, "olga"), reporter: s.NewUser(t, "remy"), guest: s.NewUser(t, "gus"),
		outsid: s.NewUser(t, "nina")}
	c := s.Client(t, f.owner.Token)
	g, _, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team"),
		Visibility: gitlab.Ptr(vis)})
	if err != nil {
		t.Fatal(err)
	}
	f.g = g
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("App"), NamespaceID: gitlab.Ptr(g.ID),
		Visibility: gitlab.Ptr(vis)})
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *issueFixture) path(suffix string) string {
	return fmt.Sprintf("/projects/%d/issues%s", f.p.ID, suffix)
}

// milestone inserts a project milestone directly (the milestones API is
// another family's).
func (f *issueFixture) milestone(t *testing.T, title string, due *string) *model.Milestone {
	t.Helper()
	ctx := context.Background()
	pid := f.p.ID
	m := &model.Milestone{ProjectID: &pid, Title: title, DueDate: due}
	if err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertMilestone(ctx, m) }); err != nil {
		t.Fatal(err)
	}
	return m
}

// groupLabel inserts a label of the fixture's group.
func (f *issueFixture) groupLabel(t *testing.T, title, color string) *model.Label {
	t.Helper()
	ctx := context.Background()
	gid := f.g.ID
	l := &model.Label{GroupID: &gid, Title: title, Color: color}
	if err := f.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertLabel(ctx, l) }); err != nil {
		t.Fatal(err)
	}
	return l
}

// systemNotes are the bodies of an issue's system notes, oldest first.
func (f *issueFixture) systemNotes(t *testing.T, issueID int64) []string {
	t.Helper()
	rows, err := f.s.Srv.DB.SQL().Query(fmt.Sprintf(
		"SELECT body FROM notes WHERE noteable_type = 'Issue' AND noteable_id = %d AND system ORDER BY id", issueID))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// count runs a count(*) query.
func (f *issueFixture) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := f.s.Srv.DB.SQL().QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIssueCreateEntity(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	f.groupLabel(t, "bug", "#d9534f")
	due := "2030-01-01"
	m := f.milestone(t, "v1", &due)
	c := f.s.Client(t, f.reporter.Token)
	desc := "Steps:\n- [x] one\n- [ ] two\n* [ ] three\n"
	is, resp, err := c.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Crash on start"),
		Description: gitlab.Ptr(desc), Labels: &gitlab.LabelOptions{"feature", "bug"},
		AssigneeIDs: &[]int64{f.guest.ID}, MilestoneID: gitlab.Ptr(m.ID), DueDate: gitlab.Ptr(gitlab.ISOTime(mustDate(t, "2031-12-31")))})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || is.IID != 1 || is.ProjectID != f.p.ID || is.State != "opened" {
		t.Fatalf("created %d %+v", resp.StatusCode, is)
	}
	if strings.Join(is.Labels, ",") != "bug,feature" {
		t.Fatalf("labels = %v", is.Labels)
	}
	if is.Milestone == nil || is.Milestone.ID != m.ID || is.Milestone.Title != "v1" {
		t.Fatalf("milestone = %+v", is.Milestone)
	}
	if len(is.Assignees) != 1 || is.Assignees[0].Username != "gus" || is.Assignee == nil || is.Assignee.ID != f.guest.ID {
		t.Fatalf("assignees = %+v / %+v", is.Assignees, is.Assignee)
	}
	if is.Author == nil || is.Author.Username != "remy" {
		t.Fatalf("author = %+v", is.Author)
	}
	if is.WebURL != f.s.URL+"/team/app/-/issues/1" || is.References.Full != "team/app#1" || is.References.Short != "#1" {
		t.Fatalf("web_url %q references %+v", is.WebURL, is.References)
	}
	if is.TaskCompletionStatus.Count != 3 || is.TaskCompletionStatus.CompletedCount != 1 {
		t.Fatalf("tasks = %+v", is.TaskCompletionStatus)
	}
	if !is.Subscribed || is.DueDate == nil || is.DueDate.String() != "2031-12-31" {
		t.Fatalf("subscribed %v due %v", is.Subscribed, is.DueDate)
	}

	// The raw entity carries GitLab's fixed fields.
	raw := f.s.Do(t, labtest.Request{Path: f.path("/1?with_labels_details=true"), Token: f.owner.Token})
	e := raw.Map(t)
	for k, want := range map[string]any{"type": "ISSUE", "issue_type": "issue", "severity": "UNKNOWN",
		"merge_requests_count": 0.0, "blocking_issues_count": 0.0, "has_tasks": true, "moved_to_id": nil,
		"closed_at": nil, "closed_by": nil, "confidential": false, "subscribed": false} {
		if e[k] != want {
			t.Errorf("%s = %#v, want %#v", k, e[k], want)
		}
	}
	links := e["_links"].(map[string]any)
	if links["self"] != fmt.Sprintf("%s/api/v4/projects/%d/issues/1", f.s.URL, f.p.ID) || links["closed_as_duplicate_of"] != nil {
		t.Errorf("_links = %v", links)
	}
	ts := e["time_stats"].(map[string]any)
	if ts["time_estimate"] != 0.0 || ts["human_time_estimate"] != nil {
		t.Errorf("time_stats = %v", ts)
	}
	labels := e["labels"].([]any)
	if len(labels) != 2 {
		t.Fatalf("labels = %v", labels)
	}
	feature := labels[1].(map[string]any)
	// A label named on an issue that does not exist is created in the
	// project with GitLab's default color.
	if feature["name"] != "feature" || feature["color"] != "#6699cc" || feature["text_color"] == nil {
		t.Errorf("created label = %v", feature)
	}
	if n := f.count(t, fmt.Sprintf("SELECT count(*) FROM labels WHERE project_id = %d AND title = 'feature'", f.p.ID)); n != 1 {
		t.Errorf("project labels named feature = %d", n)
	}
	// Label and milestone events were recorded with the creation.
	if n := f.count(t, fmt.Sprintf("SELECT count(*) FROM resource_label_events WHERE resource_id = %d AND action = 'add'", is.ID)); n != 2 {
		t.Errorf("label events = %d", n)
	}
	if n := f.count(t, fmt.Sprintf("SELECT count(*) FROM resource_milestone_events WHERE resource_id = %d", is.ID)); n != 1 {
		t.Errorf("milestone events = %d", n)
	}

	// GET /issues/:id is for administrators.
	f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/issues/%d", is.ID), Token: f.owner.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	admin := f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/issues/%d", is.ID), Token: f.s.RootToken})
	if admin.Status != 200 || admin.Map(t)["iid"] != 1.0 {
		t.Fatalf("admin get: %d %s", admin.Status, admin.Body)
	}
}

func TestIssueCreateRefusals(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PublicVisibility)
	post := func(token string, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: "POST", Path: f.path(""), Token: token, JSON: body})
	}
	post(f.owner.Token, map[string]any{"description": "x"}).ExpectError(t, 400, `{"error":"title is missing"}`)
	post(f.owner.Token, map[string]any{"title": strings.Repeat("é", 256)}).
		ExpectError(t, 400, `{"message":{"title":["is too long (maximum is 255 characters)"]}}`)
	post(f.owner.Token, map[string]any{"title": "t", "description": strings.Repeat("a", 1_048_577)}).
		ExpectError(t, 400, `{"message":{"description":["is too long (maximum is 1048576 characters)"]}}`)
	post(f.owner.Token, map[string]any{"title": "t", "due_date": "31/12/2026"}).ExpectError(t, 400, `{"error":"due_date is invalid"}`)
	post(f.owner.Token, map[string]any{"title": "t", "issue_type": "epic"}).ExpectError(t, 400, `{"error":"issue_type does not have a valid value"}`)
	post("", map[string]any{"title": "t"}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/999999/issues", Token: f.owner.Token, JSON: map[string]any{"title": "t"}}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path("/77"), Token: f.owner.Token}).ExpectError(t, 404, `{"message":"404 Issue Not Found"}`)
	if n := f.count(t, "SELECT count(*) FROM issues"); n != 0 {
		t.Fatalf("refused creations left %d issues", n)
	}

	// A non-member may open an issue on a public project, but its
	// metadata is dropped silently, as GitLab's filter_params does; an
	// unknown milestone is dropped too.
	m := f.milestone(t, "v1", nil)
	r := post(f.outsid.Token, map[string]any{"title": "from outside", "labels": "bug", "milestone_id": m.ID,
		"assignee_ids": []int64{f.outsid.ID}, "due_date": "2030-01-01", "confidential": true})
	if r.Status != 201 {
		t.Fatalf("outsider create: %d %s", r.Status, r.Body)
	}
	e := r.Map(t)
	if len(e["labels"].([]any)) != 0 || e["milestone"] != nil || len(e["assignees"].([]any)) != 0 || e["due_date"] != nil ||
		e["confidential"] != true {
		t.Fatalf("outsider metadata kept: %s", r.Body)
	}
	if n := f.count(t, "SELECT count(*) FROM labels"); n != 0 {
		t.Fatalf("outsider created labels: %d", n)
	}
	// created_at is honoured for owners only.
	r = post(f.reporter.Token, map[string]any{"title": "old", "created_at": "2020-01-02T03:04:05Z", "milestone_id": 424242})
	if r.Status != 201 || r.Map(t)["created_at"] == "2020-01-02T03:04:05.000Z" || r.Map(t)["milestone"] != nil {
		t.Fatalf("reporter backdated: %s", r.Body)
	}
	r = post(f.owner.Token, map[string]any{"title": "old", "created_at": "2020-01-02T03:04:05Z"})
	if r.Status != 201 || r.Map(t)["created_at"] != "2020-01-02T03:04:05.000Z" {
		t.Fatalf("owner backdate: %s", r.Body)
	}
}

// TestIssueIIDsParallel: concurrent creations each get their own iid, and
// those naming labels the project does not have yet create each label once
// and all carry it (no creation fails on a label another one made).
func TestIssueIIDsParallel(t *testing.T) {
	t.Parallel()
	f := newIssueFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	const n = 40
	iids := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := 0; k < n; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			labels := gitlab.LabelOptions{"race", fmt.Sprint("race-", k%3)}
			is, _, err := c.Issues.CreateIssue(f.p.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr(fmt.Sprintf("t%d", k)),
				Labels: &labels})
			errs[k] = err
			if err == nil {
				iids[k] = int(is.IID)
				if want := fmt.Sprint([]string(labels)); fmt.Sprint(is.Labels) != want {
					errs[k] = fmt.Errorf("issue %d labels %v, want %s", is.IID, is.Labels, want)
				}
			}
		}(k)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Ints(iids)
	for k, v := range iids {
		if v != k+1 {
			t.Fatalf("iids = %v", iids)
		}
	}
	labels, _, err := c.Labels.ListLabels(f.p.ID, &gitlab.ListLabelsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, l := range labels {
		titles = append(titles, l.Name)
	}
	sort.Strings(titles)
	if fmt.Sprint(titles) != "[race race-0 race-1 race-2]" {
		t.Fatalf("labels = %v", titles)
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

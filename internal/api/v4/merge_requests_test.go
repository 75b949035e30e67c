package v4_test

import (
	"fmt"
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// mrFixture is a private project with a README on main, branches with a
// commit each, and a member per role plus an outsider.
type mrFixture struct {
	s                                         *labtest.Server
	g                                         *gitlab.Group
	p                                         *gitlab.Project
	owner, dev, reporter, guest, outsider     *labtest.User
	ownerC, devC, reporterC, guestC, outsideC *gitlab.Client
}

func newMRFixture(t *testing.T, branches ...string) *mrFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &mrFixture{s: s, owner: s.NewUser(t, "olga"), dev: s.NewUser(t, "dora"), reporter: s.NewUser(t, "remy"),
		guest: s.NewUser(t, "gus"), outsider: s.NewUser(t, "nina")}
	f.ownerC, f.devC, f.reporterC = s.Client(t, f.owner.Token), s.Client(t, f.dev.Token), s.Client(t, f.reporter.Token)
	f.guestC, f.outsideC = s.Client(t, f.guest.Token), s.Client(t, f.outsider.Token)
	var err error
	f.g, _, err = f.ownerC.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Team"), Path: gitlab.Ptr("team"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	f.p, _, err = f.ownerC.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("App"), NamespaceID: gitlab.Ptr(f.g.ID),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.dev: gitlab.DeveloperPermissions,
		f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := f.ownerC.ProjectMembers.AddProjectMember(f.p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range branches {
		f.branch(t, b)
	}
	return f
}

// branch creates branch name from main with one commit of its own.
func (f *mrFixture) branch(t *testing.T, name string) {
	t.Helper()
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(f.p.ID, name+".txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr(name),
		StartBranch: gitlab.Ptr("main"), Content: gitlab.Ptr(name), CommitMessage: gitlab.Ptr("add " + name)}); err != nil {
		t.Fatal(err)
	}
}

func (f *mrFixture) head(t *testing.T, branch string) string {
	t.Helper()
	b, _, err := f.ownerC.Branches.GetBranch(f.p.ID, branch)
	if err != nil {
		t.Fatal(err)
	}
	return b.Commit.ID
}

func (f *mrFixture) create(t *testing.T, c *gitlab.Client, source, title string) *gitlab.MergeRequest {
	t.Helper()
	mr, _, err := c.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr(title),
		SourceBranch: gitlab.Ptr(source), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	return mr
}

func (f *mrFixture) path(suffix string) string {
	return fmt.Sprintf("/projects/%d/merge_requests%s", f.p.ID, suffix)
}

func TestMergeRequestCreate(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature", "other")
	ms := (&issueFixture{s: f.s, p: f.p}).milestone(t, "v1", nil)
	mr, resp, err := f.devC.MergeRequests.CreateMergeRequest(f.p.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("Draft: Add feature"), Description: gitlab.Ptr("- [x] one\n- [ ] two"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), Labels: &gitlab.LabelOptions{"backend"},
		AssigneeIDs: &[]int64{f.reporter.ID}, ReviewerIDs: &[]int64{f.owner.ID}, MilestoneID: gitlab.Ptr(ms.ID),
		RemoveSourceBranch: gitlab.Ptr(true), Squash: gitlab.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	head, start := f.head(t, "feature"), f.head(t, "main")
	switch {
	case mr.IID != 1 || mr.ProjectID != f.p.ID || mr.SourceProjectID != f.p.ID || mr.TargetProjectID != f.p.ID:
		t.Fatalf("ids: %+v", mr)
	case !mr.Draft || !mr.WorkInProgress || mr.State != "opened" || mr.Author.ID != f.dev.ID:
		t.Fatalf("draft/state/author: %+v", mr)
	case mr.SHA != head || mr.DiffRefs.HeadSha != head || mr.DiffRefs.StartSha != start || mr.DiffRefs.BaseSha != start:
		t.Fatalf("diff refs = %+v, sha %s; heads %s, %s", mr.DiffRefs, mr.SHA, head, start)
	case len(mr.Labels) != 1 || mr.Labels[0] != "backend" || mr.Milestone == nil || mr.Milestone.ID != ms.ID:
		t.Fatalf("labels/milestone: %v %+v", mr.Labels, mr.Milestone)
	case len(mr.Assignees) != 1 || mr.Assignee.ID != f.reporter.ID || len(mr.Reviewers) != 1 || mr.Reviewers[0].ID != f.owner.ID:
		t.Fatalf("assignees/reviewers: %+v %+v", mr.Assignees, mr.Reviewers)
	case !mr.ForceRemoveSourceBranch || !mr.Squash || mr.ChangesCount != "1" || mr.DetailedMergeStatus != "draft_status":
		t.Fatalf("flags: force %v squash %v changes %q status %q", mr.ForceRemoveSourceBranch, mr.Squash, mr.ChangesCount, mr.DetailedMergeStatus)
	case mr.References.Full != "team/app!1" || mr.WebURL != f.s.URL+"/team/app/-/merge_requests/1" || !mr.Subscribed:
		t.Fatalf("refs/web_url/subscribed: %+v %s %v", mr.References, mr.WebURL, mr.Subscribed)
	case mr.TaskCompletionStatus.Count != 2 || mr.TaskCompletionStatus.CompletedCount != 1:
		t.Fatalf("tasks = %+v", mr.TaskCompletionStatus)
	}
	// The merge request's ref points at the source head.
	if v, err := f.s.Srv.Repos.Open(f.p.ID).RefValue("refs/merge-requests/1/head"); err != nil || v != head {
		t.Fatalf("refs/merge-requests/1/head = %q, %v; want %s", v, err, head)
	}

	post := func(u *labtest.User, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(""), Token: u.Token, JSON: body})
	}
	ok := map[string]any{"title": "T", "source_branch": "other", "target_branch": "main"}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range ok {
			out[kk] = vv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	post(f.dev, with("title", nil)).ExpectError(t, 400, `{"error":"title is missing"}`)
	post(f.dev, map[string]any{"title": "T"}).ExpectError(t, 400, `{"error":"source_branch is missing, target_branch is missing"}`)
	post(f.dev, with("title", " ")).ExpectError(t, 400, `{"message":{"title":["can't be blank"]}}`)
	post(f.dev, with("target_branch", "other")).ExpectError(t, 422, `{"message":["You can't use same project/branch for source and target"]}`)
	post(f.dev, with("source_branch", "nope")).ExpectError(t, 400, `{"message":{"base":["Source branch \"nope\" does not exist"]}}`)
	post(f.dev, with("target_branch", "gone")).ExpectError(t, 400, `{"message":{"base":["Target branch \"gone\" does not exist"]}}`)
	post(f.dev, with("source_branch", "feature")).ExpectError(t, 409, `{"message":["Another open merge request already exists for this source branch: !1"]}`)
	post(f.reporter, ok).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	post(f.guest, ok).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	post(f.outsider, ok).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	if r := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(""), JSON: ok}); r.Status != 401 {
		t.Fatalf("anonymous create = %d", r.Status)
	}
	// Refusals wrote nothing: the next merge request is !2.
	if r := post(f.dev, ok); r.Status != 201 || r.Map(t)["iid"].(float64) != 2 {
		t.Fatalf("create after refusals = %d %s", r.Status, r.Body)
	}
	// A reporter reads; a guest of a private project does not (read_merge_request).
	if got, _, err := f.reporterC.MergeRequests.GetMergeRequest(f.p.ID, 1, nil); err != nil || got.Title != "Draft: Add feature" {
		t.Fatalf("reporter get = %+v, %v", got, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/1"), Token: f.guest.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Path: f.path("/9"), Token: f.dev.Token}).ExpectError(t, 404, `{"message":"404 Merge Request Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path("/x"), Token: f.dev.Token}).ExpectError(t, 400, `{"error":"merge_request_iid is invalid"}`)
}

func TestMergeRequestUpdateAndStates(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature", "base2")
	mr := f.create(t, f.devC, "feature", "Feature")
	got, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{
		Title: gitlab.Ptr("Draft: Feature"), Labels: &gitlab.LabelOptions{"a", "b"}, DiscussionLocked: gitlab.Ptr(true),
		ReviewerIDs: &[]int64{f.reporter.ID}})
	if err != nil || !got.Draft || len(got.Labels) != 2 || !got.DiscussionLocked || len(got.Reviewers) != 1 {
		t.Fatalf("update = %+v, %v", got, err)
	}
	got, _, err = f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{
		Title: gitlab.Ptr("Feature"), RemoveLabels: &gitlab.LabelOptions{"a"}, AddLabels: &gitlab.LabelOptions{"c"},
		TargetBranch: gitlab.Ptr("base2")})
	if err != nil || got.Draft || fmt.Sprint(got.Labels) != "[b c]" || got.TargetBranch != "base2" ||
		got.DiffRefs.StartSha != f.head(t, "base2") || got.DiffRefs.BaseSha != f.head(t, "main") {
		t.Fatalf("update 2 = %+v %+v, %v", got.Labels, got.DiffRefs, err)
	}
	// Close and reopen, with their state events.
	got, _, err = f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")})
	if err != nil || got.State != "closed" || got.ClosedBy == nil || got.ClosedBy.ID != f.dev.ID || got.ClosedAt == nil ||
		got.DetailedMergeStatus != "not_open" {
		t.Fatalf("close = %+v, %v", got, err)
	}
	// While closed, another merge request of the same branches may open;
	// then this one can't reopen.
	other := f.create(t, f.devC, "feature", "Again")
	other, _, err = f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, other.IID, &gitlab.UpdateMergeRequestOptions{TargetBranch: gitlab.Ptr("base2")})
	if err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: f.path("/1"), Token: f.dev.Token, JSON: map[string]any{"state_event": "reopen"}}).
		ExpectError(t, 409, `{"message":["Another open merge request already exists for this source branch: !2"]}`)
	if _, _, err := f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, other.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	if got, _, err = f.devC.MergeRequests.UpdateMergeRequest(f.p.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{StateEvent: gitlab.Ptr("reopen")}); err != nil || got.State != "opened" || got.ClosedAt != nil {
		t.Fatalf("reopen = %+v, %v", got, err)
	}
	events, _, err := f.devC.ResourceStateEvents.ListMergeStateEvents(f.p.ID, mr.IID, nil)
	if err != nil || len(events) != 2 || events[0].State != "closed" || events[1].State != "reopened" {
		t.Fatalf("state events = %+v, %v", events, err)
	}
	labelEvents, _, err := f.devC.ResourceLabelEvents.ListMergeRequestsLabelEvents(f.p.ID, mr.IID, nil)
	if err != nil || len(labelEvents) != 4 { // +a +b, -a +c
		t.Fatalf("label events = %d, %v", len(labelEvents), err)
	}

	// Errors and permissions.
	put := func(u *labtest.User, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: f.path("/1"), Token: u.Token, JSON: body})
	}
	if r := put(f.dev, map[string]any{}); r.Status != 400 {
		t.Fatalf("empty update = %d %s", r.Status, r.Body)
	}
	put(f.dev, map[string]any{"target_branch": "feature"}).ExpectError(t, 422, `{"message":["You can't use same project/branch for source and target"]}`)
	put(f.dev, map[string]any{"target_branch": "gone"}).ExpectError(t, 400, `{"message":{"base":["Target branch \"gone\" does not exist"]}}`)
	put(f.dev, map[string]any{"state_event": "merge"}).ExpectError(t, 400, `{"error":"state_event does not have a valid value"}`)
	put(f.reporter, map[string]any{"title": "x"}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	put(f.outsider, map[string]any{"title": "x"}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)

	// Delete: Owner only.
	if resp, err := f.devC.MergeRequests.DeleteMergeRequest(f.p.ID, mr.IID); err == nil || resp.StatusCode != 403 {
		t.Fatalf("developer delete = %v", err)
	}
	if resp, err := f.ownerC.MergeRequests.DeleteMergeRequest(f.p.ID, mr.IID); err != nil || resp.StatusCode != 204 {
		t.Fatalf("owner delete = %v", err)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/1"), Token: f.owner.Token}).ExpectError(t, 404, `{"message":"404 Merge Request Not Found"}`)
	var n int
	if err := f.s.Srv.DB.SQL().QueryRow(fmt.Sprintf("SELECT count(*) FROM resource_state_events WHERE resource_type = 'MergeRequest' AND resource_id = %d",
		mr.ID)).Scan(&n); err != nil || n != 0 {
		t.Fatalf("events left after delete: %d, %v", n, err)
	}
}

// TestMergeRequestCommitsAndChanges: a merge request's commits (newest
// first) and its diff, from the merge base to the source head.
func TestMergeRequestCommitsAndChanges(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t, "feature")
	// A second commit on feature, and one on main after it branched.
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(f.p.ID, "second.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("feature"),
		Content: gitlab.Ptr("2"), CommitMessage: gitlab.Ptr("second")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(f.p.ID, "main.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr("m"), CommitMessage: gitlab.Ptr("on main")}); err != nil {
		t.Fatal(err)
	}
	mr := f.create(t, f.devC, "feature", "Feature")
	commits, resp, err := f.reporterC.MergeRequests.GetMergeRequestCommits(f.p.ID, mr.IID, nil)
	if err != nil || len(commits) != 2 || commits[0].Title != "second" || commits[1].Title != "add feature" || resp.TotalItems != 2 {
		t.Fatalf("commits = %+v, %v", commits, err)
	}
	if commits[0].ID != f.head(t, "feature") {
		t.Fatalf("newest commit %s, feature at %s", commits[0].ID, f.head(t, "feature"))
	}
	page, _, err := f.reporterC.MergeRequests.GetMergeRequestCommits(f.p.ID, mr.IID, &gitlab.GetMergeRequestCommitsOptions{
		ListOptions: gitlab.ListOptions{Page: 2, PerPage: 1}})
	if err != nil || len(page) != 1 || page[0].Title != "add feature" {
		t.Fatalf("page 2 = %+v, %v", page, err)
	}
	// changes: the official client no longer decodes "changes".
	var changes struct {
		IID          int64                     `json:"iid"`
		ChangesCount string                    `json:"changes_count"`
		Changes      []gitlab.MergeRequestDiff `json:"changes"`
	}
	f.s.Do(t, labtest.Request{Path: f.path("/1/changes"), Token: f.reporter.Token}).JSON(t, &changes)
	if changes.IID != mr.IID || len(changes.Changes) != 2 || changes.ChangesCount != "2" {
		t.Fatalf("changes = %d files (%q)", len(changes.Changes), changes.ChangesCount)
	}
	for _, d := range changes.Changes {
		if d.NewPath == "main.txt" || !d.NewFile || d.Diff == "" {
			t.Fatalf("change %+v: not the merge request's own", d)
		}
	}
	diffs, _, err := f.reporterC.MergeRequests.ListMergeRequestDiffs(f.p.ID, mr.IID, nil)
	if err != nil || len(diffs) != 2 || diffs[0].NewPath != "feature.txt" {
		t.Fatalf("diffs = %+v, %v", diffs, err)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/1/commits"), Token: f.guest.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}

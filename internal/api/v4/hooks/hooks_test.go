package hooks_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// hookReceiver is a webhook receiver on loopback that records what it gets
// and answers status.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []receivedHook
	status int
}

type receivedHook struct {
	header http.Header
	body   map[string]any
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	h := &hookReceiver{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		h.mu.Lock()
		h.got = append(h.got, receivedHook{header: r.Header.Clone(), body: m})
		status := h.status
		h.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte("received"))
	}))
	t.Cleanup(h.Close)
	return h
}

// wait returns the first request of event (X-Gitlab-Event) that match
// accepts, waiting up to 20 s for the job queue to deliver it.
func (h *hookReceiver) wait(t *testing.T, event string, match func(receivedHook) bool) receivedHook {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		for _, r := range h.got {
			if r.header.Get("X-Gitlab-Event") == event && (match == nil || match(r)) {
				h.mu.Unlock()
				return r
			}
		}
		h.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %q delivered", event)
	return receivedHook{}
}

func (h *hookReceiver) count(event string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.got {
		if r.header.Get("X-Gitlab-Event") == event {
			n++
		}
	}
	return n
}

// setLocalHooks turns allow_local_requests_from_web_hooks_and_services on
// or off as root.
func setLocalHooks(t *testing.T, s *labtest.Server, on bool) {
	t.Helper()
	s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"allow_local_requests_from_web_hooks_and_services": on}}).JSON(t, &map[string]any{})
}

// TestProjectHooks: a Maintainer's hook receives a real git push, a tag
// push, an issue, a note and a merge request in GitLab's shapes and
// headers; the CRUD, test trigger, validation and permission answers are
// GitLab's.
func TestProjectHooks(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t, labtest.WithSSH()) // on a port of its own: the payload's SSH URLs name it
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)
	recv := newHookReceiver(t, http.StatusOK)
	base := "/projects/" + itoa(f.Project.ID) + "/hooks"

	// Loopback is refused while local requests are off (the default).
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{"url": recv.URL}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"url":["is blocked: Requests to localhost are not allowed"]}}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{"url": "ftp://example.com/"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"url":["is blocked: Only allowed schemes are http, https"]}}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"url is missing"}`)
	setLocalHooks(t, s, true)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{"url": recv.URL, "push_events": "maybe"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"push_events is invalid"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Maintainer.Token, JSON: map[string]any{"url": recv.URL, "branch_filter_strategy": "glob"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"branch_filter_strategy does not have a valid value"}`)

	hook, resp, err := mc.Projects.AddProjectHook(f.Project.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(recv.URL),
		Name: gitlab.Ptr("ci"), Token: gitlab.Ptr("s3cret"), PushEvents: gitlab.Ptr(true), TagPushEvents: gitlab.Ptr(true),
		IssuesEvents: gitlab.Ptr(true), NoteEvents: gitlab.Ptr(true), MergeRequestsEvents: gitlab.Ptr(true),
		CustomHeaders: &[]*gitlab.HookCustomHeader{{Key: "X-Extra", Value: "hidden"}}})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add hook: %v", err)
	}
	if hook.ProjectID != f.Project.ID || !hook.PushEvents || !hook.IssuesEvents || hook.JobEvents || hook.AlertStatus != "executable" ||
		!hook.EnableSSLVerification || hook.BranchFilterStrategy != "wildcard" || len(hook.CustomHeaders) != 1 ||
		hook.CustomHeaders[0].Key != "X-Extra" || hook.CustomHeaders[0].Value != "" {
		t.Fatalf("hook = %+v", hook)
	}
	raw := s.Do(t, labtest.Request{Path: base + "/" + itoa(hook.ID), Token: f.Maintainer.Token})
	if m := raw.Map(t); m["token"] != nil || strings.Contains(string(raw.Body), "s3cret") || strings.Contains(string(raw.Body), "hidden") {
		t.Fatalf("the token or a header value is shown: %s", raw.Body)
	}
	list, _, err := mc.Projects.ListProjectHooks(f.Project.ID, nil)
	if err != nil || len(list) != 1 || list[0].ID != hook.ID {
		t.Fatalf("list = %v, %v", list, err)
	}

	// A real push over HTTP.
	dir := t.TempDir()
	remote := strings.Replace(s.URL, "http://", "http://"+f.Maintainer.Username+":"+f.Maintainer.Token+"@", 1) + "/" + f.Project.PathWithNamespace + ".git"
	labtest.Git(t, dir, "clone", "-q", remote, ".")
	if err := os.WriteFile(dir+"/README.md", []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/old.txt", []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "add", "README.md", "old.txt")
	labtest.Git(t, dir, "commit", "-q", "-m", "first commit")
	first := labtest.Git(t, dir, "rev-parse", "HEAD")
	if err := os.WriteFile(dir+"/README.md", []byte("hello again\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/new.txt", []byte("new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "rm", "-q", "old.txt")
	labtest.Git(t, dir, "add", "README.md", "new.txt")
	labtest.Git(t, dir, "commit", "-q", "-m", "second commit")
	labtest.Git(t, dir, "push", "-q", "origin", "HEAD:main")
	head := labtest.Git(t, dir, "rev-parse", "HEAD")
	push := recv.wait(t, "Push Hook", nil)
	for k, want := range map[string]string{"X-Gitlab-Token": "s3cret", "Content-Type": "application/json", "X-Extra": "hidden"} {
		if got := push.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"X-Gitlab-Instance", "X-Gitlab-Webhook-Uuid", "X-Gitlab-Event-Uuid"} {
		if push.header.Get(k) == "" {
			t.Errorf("no %s header", k)
		}
	}
	if ua := push.header.Get("User-Agent"); !strings.HasPrefix(ua, "GitLab/") {
		t.Errorf("User-Agent = %q", ua)
	}
	b := push.body
	commits, _ := b["commits"].([]any)
	if b["object_kind"] != "push" || b["event_name"] != "push" || b["ref"] != "refs/heads/main" || b["after"] != head ||
		b["before"] != strings.Repeat("0", 40) || b["total_commits_count"] != float64(2) || len(commits) != 2 ||
		b["user_username"] != f.Maintainer.Username || b["project_id"] != float64(f.Project.ID) {
		t.Fatalf("push payload = %v", b)
	}
	// Oldest first, each with the files it added, modified and removed.
	for i, want := range []struct{ id, title, added, modified, removed string }{
		{first, "first commit", "[README.md old.txt]", "[]", "[]"},
		{head, "second commit", "[new.txt]", "[README.md]", "[old.txt]"},
	} {
		c := commits[i].(map[string]any)
		if c["id"] != want.id || c["title"] != want.title || fmt.Sprint(c["added"]) != want.added ||
			fmt.Sprint(c["modified"]) != want.modified || fmt.Sprint(c["removed"]) != want.removed {
			t.Fatalf("commit %d = %v, want %+v", i, c, want)
		}
	}
	if p := b["project"].(map[string]any); p["path_with_namespace"] != f.Project.PathWithNamespace {
		t.Fatalf("project = %v", p)
	}
	// The SSH remote names the SSH port, as ssh_url_to_repo does (on
	// the instance's host: without an external URL, localhost).
	_, sshPort, _ := strings.Cut(s.Config.SSHListen, ":")
	wantSSH := "ssh://git@localhost:" + sshPort + "/" + f.Project.PathWithNamespace + ".git"
	if p, r := b["project"].(map[string]any), b["repository"].(map[string]any); p["git_ssh_url"] != wantSSH ||
		p["ssh_url"] != wantSSH || r["git_ssh_url"] != wantSSH {
		t.Fatalf("payload SSH URLs: project %v, repository %v; want %s", p["git_ssh_url"], r["git_ssh_url"], wantSSH)
	}

	labtest.Git(t, dir, "tag", "-a", "-m", "release", "v1.0") // annotated: checkout_sha is the commit
	labtest.Git(t, dir, "push", "-q", "origin", "v1.0")
	tag := recv.wait(t, "Tag Push Hook", nil).body
	if tag["object_kind"] != "tag_push" || tag["ref"] != "refs/tags/v1.0" || tag["checkout_sha"] != head {
		t.Fatalf("tag push payload = %v", tag)
	}

	issue, _, err := mc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Broken")})
	if err != nil {
		t.Fatal(err)
	}
	ih := recv.wait(t, "Issue Hook", nil).body
	attrs := ih["object_attributes"].(map[string]any)
	if ih["object_kind"] != "issue" || ih["event_type"] != "issue" || attrs["action"] != "open" || attrs["iid"] != float64(issue.IID) ||
		attrs["title"] != "Broken" || ih["user"].(map[string]any)["username"] != f.Maintainer.Username {
		t.Fatalf("issue payload = %v", ih)
	}
	if _, _, err := mc.Issues.UpdateIssue(f.Project.ID, issue.IID, &gitlab.UpdateIssueOptions{StateEvent: gitlab.Ptr("close")}); err != nil {
		t.Fatal(err)
	}
	recv.wait(t, "Issue Hook", func(r receivedHook) bool {
		return r.body["object_attributes"].(map[string]any)["action"] == "close"
	})
	if _, _, err := mc.Notes.CreateIssueNote(f.Project.ID, issue.IID, &gitlab.CreateIssueNoteOptions{Body: gitlab.Ptr("Looking")}); err != nil {
		t.Fatal(err)
	}
	nh := recv.wait(t, "Note Hook", nil).body
	if nh["object_kind"] != "note" || nh["object_attributes"].(map[string]any)["note"] != "Looking" ||
		nh["object_attributes"].(map[string]any)["noteable_type"] != "Issue" || nh["issue"].(map[string]any)["iid"] != float64(issue.IID) {
		t.Fatalf("note payload = %v", nh)
	}

	if _, _, err := mc.Branches.CreateBranch(f.Project.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("topic"), Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mc.Commits.CreateCommit(f.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("topic"),
		CommitMessage: gitlab.Ptr("topic work"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr("topic.txt"), Content: gitlab.Ptr("t\n")}}}); err != nil {
		t.Fatal(err)
	}
	// An API commit is a push too.
	recv.wait(t, "Push Hook", func(r receivedHook) bool {
		return r.body["ref"] == "refs/heads/topic" && r.body["total_commits_count"] == float64(1)
	})
	mr, _, err := mc.MergeRequests.CreateMergeRequest(f.Project.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Topic"),
		SourceBranch: gitlab.Ptr("topic"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	mh := recv.wait(t, "Merge Request Hook", nil).body
	ma := mh["object_attributes"].(map[string]any)
	if mh["object_kind"] != "merge_request" || ma["action"] != "open" || ma["iid"] != float64(mr.IID) || ma["source_branch"] != "topic" {
		t.Fatalf("merge request payload = %v", mh)
	}

	// The test trigger sends a sample now.
	before := recv.count("Issue Hook")
	if resp, err := mc.Projects.TriggerTestProjectHook(f.Project.ID, hook.ID, gitlab.ProjectHookEventIssues); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("test hook: %v", err)
	}
	if recv.count("Issue Hook") != before+1 {
		t.Fatal("the test sent no issue hook")
	}
	s.Do(t, labtest.Request{Method: "POST", Path: base + "/" + itoa(hook.ID) + "/test/nope", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"trigger does not have a valid value"}`)

	// The hook's recent deliveries, and a resend of one.
	var events []map[string]any
	s.Do(t, labtest.Request{Path: base + "/" + itoa(hook.ID) + "/events?status[]=successful", Token: f.Maintainer.Token}).JSON(t, &events)
	if len(events) < 6 {
		t.Fatalf("events = %v", events)
	}
	var pushLog map[string]any
	for _, e := range events {
		if e["response_status"] != "200" || e["response_body"] != "received" || e["url"] != recv.URL {
			t.Fatalf("event = %v", e)
		}
		if e["trigger"] == "push_hooks" {
			pushLog = e
		}
	}
	if pushLog == nil || pushLog["request_headers"].(map[string]any)["X-Gitlab-Token"] != "[REDACTED]" ||
		pushLog["request_data"].(map[string]any)["object_kind"] != "push" {
		t.Fatalf("push log = %v", pushLog)
	}
	var none []map[string]any
	s.Do(t, labtest.Request{Path: base + "/" + itoa(hook.ID) + "/events?status[]=server_failure", Token: f.Maintainer.Token}).JSON(t, &none)
	if len(none) != 0 {
		t.Fatalf("server failures = %v", none)
	}
	pushes := recv.count("Push Hook")
	resent := s.Do(t, labtest.Request{Method: "POST", Path: base + "/" + itoa(hook.ID) + "/events/" + itoa(int64(pushLog["id"].(float64))) + "/resend", Token: f.Maintainer.Token})
	if resent.Status != http.StatusCreated || resent.Map(t)["response_status"] != float64(200) || recv.count("Push Hook") != pushes+1 {
		t.Fatalf("resend = %d %s", resent.Status, resent.Body)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: base + "/" + itoa(hook.ID) + "/events/999999/resend", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Path: base + "/" + itoa(hook.ID) + "/events", Token: f.Developer.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)

	// Edit, permissions, unknown ids, delete.
	edited, _, err := mc.Projects.EditProjectHook(f.Project.ID, hook.ID, &gitlab.EditProjectHookOptions{JobEvents: gitlab.Ptr(true),
		PushEventsBranchFilter: gitlab.Ptr("release/*")})
	if err != nil || !edited.JobEvents || !edited.IssuesEvents || edited.PushEventsBranchFilter != "release/*" || edited.URL != recv.URL {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	s.Do(t, labtest.Request{Path: base, Token: f.Developer.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: base + "/999999", Token: f.Maintainer.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Path: base + "/abc", Token: f.Maintainer.Token}).ExpectError(t, http.StatusBadRequest, `{"error":"hook_id is invalid"}`)
	if resp, err := mc.Projects.DeleteProjectHook(f.Project.ID, hook.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	s.Do(t, labtest.Request{Path: base + "/" + itoa(hook.ID), Token: f.Maintainer.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
}

// TestHookAutoDisableAndSSRF: a receiver answering 500 gets the hook
// temporarily disabled after four failures in a row, an update enables it
// again; with local requests turned off after a hook was saved, the
// delivery itself is refused.
func TestHookAutoDisableAndSSRF(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)
	failing := newHookReceiver(t, http.StatusInternalServerError)
	setLocalHooks(t, s, true)
	hook, _, err := mc.Projects.AddProjectHook(f.Project.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(failing.URL),
		PushEvents: gitlab.Ptr(false), IssuesEvents: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.Project.ID) + "/hooks/" + itoa(hook.ID) + "/test/issues_events",
		Token: f.Maintainer.Token}).ExpectError(t, http.StatusUnprocessableEntity, `{"message":"Ensure the project has issues."}`)
	for i := 0; i < 4; i++ {
		if _, _, err := mc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("i" + itoa(int64(i)))}); err != nil {
			t.Fatal(err)
		}
		// One at a time, so the failures are consecutive deliveries.
		for deadline := time.Now().Add(20 * time.Second); failing.count("Issue Hook") < i+1; {
			if time.Now().After(deadline) {
				t.Fatalf("delivery %d never came", i+1)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	var got *gitlab.ProjectHook
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, _, err = mc.Projects.GetProjectHook(f.Project.ID, hook.ID); err != nil {
			t.Fatal(err)
		}
		if got.AlertStatus == "temporarily_disabled" {
			break
		}
	}
	if got.AlertStatus != "temporarily_disabled" || got.DisabledUntil == nil || !got.DisabledUntil.After(time.Now()) {
		t.Fatalf("after 4 failures = %+v", got)
	}
	// A disabled hook is sent nothing.
	if _, _, err := mc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("skipped")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if n := failing.count("Issue Hook"); n != 4 {
		t.Fatalf("a disabled hook got %d deliveries", n)
	}
	// The test trigger reports the receiver's answer.
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.Project.ID) + "/hooks/" + itoa(hook.ID) + "/test/issues_events",
		Token: f.Maintainer.Token}).ExpectError(t, http.StatusUnprocessableEntity, `{"message":"Hook executed successfully but returned HTTP 500"}`)
	edited, _, err := mc.Projects.EditProjectHook(f.Project.ID, hook.ID, &gitlab.EditProjectHookOptions{Name: gitlab.Ptr("again")})
	if err != nil || edited.AlertStatus != "executable" || edited.DisabledUntil != nil {
		t.Fatalf("after update = %+v, %v", edited, err)
	}

	// Saved while allowed, refused at delivery once local requests are off.
	setLocalHooks(t, s, false)
	r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.Project.ID) + "/hooks/" + itoa(hook.ID) + "/test/issues_events",
		Token: f.Maintainer.Token})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "not allowed") {
		t.Fatalf("delivery to loopback with local requests off = %d %s", r.Status, r.Body)
	}
	if n := failing.count("Issue Hook"); n != 5 {
		t.Fatalf("the receiver got %d deliveries, want 5 (none past the refusal)", n)
	}
}

// TestGroupAndSystemHooks: a group Owner's hook receives the events of a
// project in the group; an administrator's system hook receives pushes as
// "System Hook"; their CRUD and test answers are GitLab's and only their
// managers reach them.
func TestGroupAndSystemHooks(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	setLocalHooks(t, s, true)
	recv := newHookReceiver(t, http.StatusOK)
	oc := s.Client(t, f.Owner.Token)
	gh, resp, err := oc.Groups.AddGroupHook(f.Group.ID, &gitlab.AddGroupHookOptions{URL: gitlab.Ptr(recv.URL + "/group"),
		IssuesEvents: gitlab.Ptr(true), PushEvents: gitlab.Ptr(false)})
	if err != nil || resp.StatusCode != http.StatusCreated || gh.GroupID != f.Group.ID || !gh.IssuesEvents || gh.PushEvents {
		t.Fatalf("add group hook = %+v, %v", gh, err)
	}
	// A group Maintainer may not manage the group's hooks.
	gbase := "/groups/" + itoa(f.Group.ID) + "/hooks"
	s.Do(t, labtest.Request{Path: gbase, Token: f.GroupMaintainer.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: gbase + "/999999", Token: f.Owner.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	if list, _, err := oc.Groups.ListGroupHooks(f.Group.ID, nil); err != nil || len(list) != 1 {
		t.Fatalf("list group hooks = %v, %v", list, err)
	}
	// A project hook id is not the group's.
	ph, _, err := s.Client(t, f.Maintainer.Token).Projects.AddProjectHook(f.Project.ID, &gitlab.AddProjectHookOptions{URL: gitlab.Ptr(recv.URL + "/project")})
	if err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Path: gbase + "/" + itoa(ph.ID), Token: f.Owner.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)

	issue, _, err := oc.Issues.CreateIssue(f.Project.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("for the group")})
	if err != nil {
		t.Fatal(err)
	}
	got := recv.wait(t, "Issue Hook", nil).body
	if got["object_attributes"].(map[string]any)["id"] != float64(issue.ID) {
		t.Fatalf("group hook payload = %v", got)
	}
	edited, _, err := oc.Groups.EditGroupHook(f.Group.ID, gh.ID, &gitlab.EditGroupHookOptions{MergeRequestsEvents: gitlab.Ptr(true)})
	if err != nil || !edited.MergeRequestsEvents || !edited.IssuesEvents {
		t.Fatalf("edit group hook = %+v, %v", edited, err)
	}
	if resp, err := oc.Groups.TriggerTestGroupHook(f.Group.ID, gh.ID, gitlab.GroupHookTrigger("issues_events")); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("test group hook: %v", err)
	}
	if _, err := oc.Groups.DeleteGroupHook(f.Group.ID, gh.ID); err != nil {
		t.Fatal(err)
	}

	// System hooks: administrators only.
	rc := s.Client(t, s.RootToken)
	sh, _, err := rc.SystemHooks.AddHook(&gitlab.AddHookOptions{URL: gitlab.Ptr(recv.URL + "/system"), Token: gitlab.Ptr("sys"),
		PushEvents: gitlab.Ptr(true)})
	if err != nil || !sh.PushEvents || !sh.EnableSSLVerification {
		t.Fatalf("add system hook = %+v, %v", sh, err)
	}
	s.Do(t, labtest.Request{Path: "/hooks", Token: f.Owner.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	if list, _, err := rc.SystemHooks.ListHooks(); err != nil || len(list) != 1 || list[0].URL != recv.URL+"/system" {
		t.Fatalf("list system hooks = %v, %v", list, err)
	}
	if h, _, err := rc.SystemHooks.GetHook(sh.ID); err != nil || h.ID != sh.ID {
		t.Fatalf("get system hook = %v, %v", h, err)
	}
	// GitLab's doc: POST tests (client-go's TestHook still sends the GET
	// older GitLab tested with, which now gets the hook).
	r := s.Do(t, labtest.Request{Method: "POST", Path: "/hooks/" + itoa(sh.ID), Token: s.RootToken})
	if r.Status != http.StatusCreated || r.Map(t)["event_name"] != "project_create" {
		t.Fatalf("test system hook = %d %s", r.Status, r.Body)
	}
	recv.wait(t, "System Hook", func(r receivedHook) bool { return r.body["event_name"] == "project_create" })
	if _, _, err := s.Client(t, f.Maintainer.Token).Commits.CreateCommit(f.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("seed"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr("a.txt"), Content: gitlab.Ptr("a\n")}}}); err != nil {
		t.Fatal(err)
	}
	sys := recv.wait(t, "System Hook", func(r receivedHook) bool { return r.body["object_kind"] == "push" })
	if sys.header.Get("X-Gitlab-Token") != "sys" || sys.body["ref"] != "refs/heads/main" {
		t.Fatalf("system push = %v %v", sys.header, sys.body)
	}
	if _, err := rc.SystemHooks.DeleteHook(sh.ID); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Path: "/hooks/" + itoa(sh.ID), Token: s.RootToken}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

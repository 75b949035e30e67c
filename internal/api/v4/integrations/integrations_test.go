package integrations_test

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestEmailsOnPushSettings: a Maintainer sets up, reads, lists and
// disables emails on push with GitLab's shapes, under /integrations and
// /services; other documented integrations, unknown slugs, bad input and
// callers below Maintainer get GitLab's answers.
func TestEmailsOnPushSettings(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)
	base := "/projects/" + itoa(f.Project.ID) + "/integrations"

	// Never set up: 404, and the list is empty.
	if _, resp, err := mc.Services.GetEmailsOnPushService(f.Project.ID); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("get before set up: %v, %v", resp, err)
	}
	s.Do(t, labtest.Request{Path: base + "/emails-on-push", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Integration Not Found"}`)
	if list, _, err := mc.Services.ListServices(f.Project.ID); err != nil || len(list) != 0 {
		t.Fatalf("list = %v, %v", list, err)
	}

	svc, resp, err := mc.Services.SetEmailsOnPushService(f.Project.ID, &gitlab.SetEmailsOnPushServiceOptions{
		Recipients: gitlab.Ptr("dev@example.com ops@example.com"), DisableDiffs: gitlab.Ptr(true),
		TagPushEvents: gitlab.Ptr(false), BranchesToBeNotified: gitlab.Ptr("default")})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set: %v", err)
	}
	if svc.ID == 0 || svc.Slug != "emails-on-push" || svc.Title != "Emails on push" || !svc.Active || !svc.PushEvents ||
		svc.TagPushEvents || svc.CreatedAt == nil || svc.Properties == nil ||
		svc.Properties.Recipients != "dev@example.com ops@example.com" || !svc.Properties.DisableDiffs ||
		svc.Properties.SendFromCommitterEmail || svc.Properties.BranchesToBeNotified != "default" {
		t.Fatalf("set = %+v %+v", svc, svc.Properties)
	}
	got, _, err := mc.Services.GetEmailsOnPushService(f.Project.ID)
	if err != nil || got.ID != svc.ID || got.Properties.Recipients != svc.Properties.Recipients {
		t.Fatalf("get = %+v, %v", got, err)
	}
	// A second PUT changes only what it names.
	got, _, err = mc.Services.SetEmailsOnPushService(f.Project.ID, &gitlab.SetEmailsOnPushServiceOptions{
		Recipients: gitlab.Ptr("dev@example.com"), DisableDiffs: gitlab.Ptr(false)})
	if err != nil || got.ID != svc.ID || got.Properties.DisableDiffs || got.Properties.BranchesToBeNotified != "default" || got.TagPushEvents {
		t.Fatalf("update = %+v %+v, %v", got, got.Properties, err)
	}
	list, _, err := mc.Services.ListServices(f.Project.ID)
	if err != nil || len(list) != 1 || list[0].Slug != "emails-on-push" || !list[0].Active || list[0].ID != svc.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
	// The list shows no properties; both paths answer alike.
	raw := s.Do(t, labtest.Request{Path: base, Token: f.Maintainer.Token})
	if raw.Status != http.StatusOK || strings.Contains(string(raw.Body), "properties") || !strings.Contains(string(raw.Body), `"slug":"emails-on-push"`) {
		t.Fatalf("services list = %d %s", raw.Status, raw.Body)
	}
	one := s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.Project.ID) + "/services/emails-on-push", Token: f.Maintainer.Token}).Map(t)
	if props, _ := one["properties"].(map[string]any); props["recipients"] != "dev@example.com" {
		t.Fatalf("services get = %v", one)
	}

	// Bad input.
	put := func(path string, body map[string]any) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: f.Maintainer.Token, JSON: body})
	}
	put(base+"/emails-on-push", map[string]any{}).ExpectError(t, http.StatusBadRequest, `{"error":"recipients is missing"}`)
	put(base+"/emails-on-push", map[string]any{"recipients": "nobody"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"recipients":["can't be blank"]}}`)
	put(base+"/emails-on-push", map[string]any{"recipients": "a@example.com", "branches_to_be_notified": "some"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"branches_to_be_notified does not have a valid value"}`)
	put(base+"/emails-on-push", map[string]any{"recipients": "a@example.com", "disable_diffs": "perhaps"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"disable_diffs is invalid"}`)
	// Integrations lablet does not run, and unknown ones.
	put(base+"/jenkins", map[string]any{"recipients": "a@example.com"}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Integration jenkins is not supported by lablet"}`)
	s.Do(t, labtest.Request{Path: base + "/slack", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Integration slack is not supported by lablet"}`)
	s.Do(t, labtest.Request{Path: base + "/no-such-thing", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Integration Not Found"}`)
	if got, _, _ := mc.Services.GetEmailsOnPushService(f.Project.ID); got.Properties.Recipients != "dev@example.com" {
		t.Fatalf("a refused PUT changed the integration: %+v", got.Properties)
	}

	// Below Maintainer: 403; not a member of the private project: 404.
	dc := s.Client(t, f.Developer.Token)
	if _, resp, err := dc.Services.GetEmailsOnPushService(f.Project.ID); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("developer get: %v, %v", resp, err)
	}
	stranger := s.NewUser(t, "stranger")
	if _, resp, err := s.Client(t, stranger.Token).Services.ListServices(f.Project.ID); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("stranger list: %v, %v", resp, err)
	}

	// DELETE disables it and clears its settings; the record stays.
	if resp, err := mc.Services.DeleteEmailsOnPushService(f.Project.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v, %v", resp, err)
	}
	after := s.Do(t, labtest.Request{Path: base + "/emails-on-push", Token: f.Maintainer.Token}).Map(t)
	if after["active"] != false || after["properties"].(map[string]any)["recipients"] != nil {
		t.Fatalf("after delete = %v", after)
	}
	if list, _, err := mc.Services.ListServices(f.Project.ID); err != nil || len(list) != 0 {
		t.Fatalf("list after delete = %v, %v", list, err)
	}
	// Set up again: GitLab's defaults, not the cleared values.
	again, _, err := mc.Services.SetEmailsOnPushService(f.Project.ID, &gitlab.SetEmailsOnPushServiceOptions{
		Recipients: gitlab.Ptr("dev@example.com")})
	if err != nil || again.ID != svc.ID || !again.Active || again.Properties.BranchesToBeNotified != "all" ||
		again.Properties.DisableDiffs {
		t.Fatalf("set up again = %+v %+v, %v", again, again.Properties, err)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/jenkins", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Integration jenkins is not supported by lablet"}`)
}

// cloneTeamProject clones the team's project as its Maintainer and returns
// the work tree and a function that writes and stages a file in it.
func cloneTeamProject(t *testing.T, s *labtest.Server, f *labtest.Team) (string, func(name, text string)) {
	dir := t.TempDir()
	remote := strings.Replace(s.URL, "http://", "http://"+f.Maintainer.Username+":"+f.Maintainer.Token+"@", 1) +
		"/" + f.Project.PathWithNamespace + ".git"
	labtest.Git(t, dir, "clone", "-q", remote, ".")
	return dir, func(name, text string) {
		if err := os.WriteFile(dir+"/"+name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		labtest.Git(t, dir, "add", name)
	}
}

// pushWithEmailsOnPush starts a server with opts, sets up emails on push
// to recipients on its team's project and pushes a first commit to main
// over HTTP; it returns the server, the team, the Maintainer's client, the
// work tree and its file writer.
func pushWithEmailsOnPush(t *testing.T, recipients string, opts ...labtest.Option) (*labtest.Server, *labtest.Team,
	*gitlab.Client, string, func(name, text string)) {
	s := labtest.Start(t, opts...)
	f := s.NewTeam(t)
	mc := s.Client(t, f.Maintainer.Token)
	if _, _, err := mc.Services.SetEmailsOnPushService(f.Project.ID, &gitlab.SetEmailsOnPushServiceOptions{
		Recipients: gitlab.Ptr(recipients)}); err != nil {
		t.Fatal(err)
	}
	dir, write := cloneTeamProject(t, s, f)
	write("README.md", "hello\n")
	labtest.Git(t, dir, "commit", "-q", "-m", "first commit")
	labtest.Git(t, dir, "push", "-q", "origin", "HEAD:main")
	return s, f, mc, dir, write
}

// withRelay sends the server's mail through addr.
func withRelay(addr string) labtest.Option {
	return func(c *config.Config) { c.SMTPAddress, c.SMTPFrom = addr, "forge@example.com" }
}

// TestEmailsOnPushMail: a git push to a project with emails on push sends
// GitLab's mail through the configured relay — recipients, subject,
// commits and diff —, a tag push its own, a relay that refuses is tried
// again by the queue, and disable_diffs leaves the diff out.
func TestEmailsOnPushMail(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	_, f, mc, dir, write := pushWithEmailsOnPush(t, "dev@example.com, ops@example.com", withRelay(sink.addr()))

	// A new branch: the short mail.
	m := sink.wait(t, 1)
	if m.from != "forge@example.com" || strings.Join(m.to, ",") != "dev@example.com,ops@example.com" {
		t.Fatalf("envelope = %s -> %v", m.from, m.to)
	}
	if subj := m.msg.Header.Get("Subject"); subj != "[Git][team/app] Create branch main" {
		t.Fatalf("subject = %q", subj)
	}
	if from := m.msg.Header.Get("From"); from != `"Mia" <forge@example.com>` {
		t.Fatalf("From = %q", from)
	}
	if !strings.HasPrefix(m.body, "Mia pushed new branch main at Team / App\n") {
		t.Fatalf("body = %q", m.body)
	}

	// Two commits to main: their list and the diff.
	write("README.md", "hello\nworld\n")
	labtest.Git(t, dir, "commit", "-q", "-m", "Add world\n\nThe world, in detail.")
	write("NOTES.md", "notes\n")
	labtest.Git(t, dir, "commit", "-q", "-m", "Add notes")
	labtest.Git(t, dir, "push", "-q", "origin", "HEAD:main")
	m = sink.wait(t, 2)
	if subj := m.msg.Header.Get("Subject"); subj != "[Git][team/app][main] 2 commits: Add world" {
		t.Fatalf("subject = %q", subj)
	}
	head := labtest.Git(t, dir, "rev-parse", "HEAD")
	for _, want := range []string{"Mia pushed to branch main at Team / App\n", "Commits:\n",
		"/team/app/-/commit/" + head + " by A at ", "Add world\n\nThe world, in detail.\n", "Changes:\n",
		"Changed: README.md\n", "+world\n", "Added: NOTES.md\n", "+notes\n",
		"View it on GitLab: http://localhost/team/app/-/compare/"} {
		if !strings.Contains(m.body, want) {
			t.Fatalf("body lacks %q:\n%s", want, m.body)
		}
	}
	if m.msg.Header.Get("X-GitLab-Project-Path") != "team/app" || m.msg.Header.Get("X-GitLab-Author") != "mia" {
		t.Fatalf("headers = %v", m.msg.Header)
	}

	// A relay that refuses: the queue tries again until it takes it.
	if _, _, err := mc.Services.SetEmailsOnPushService(f.Project.ID, &gitlab.SetEmailsOnPushServiceOptions{
		Recipients: gitlab.Ptr("dev@example.com"), DisableDiffs: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	sink.setFail(true)
	write("NOTES.md", "notes\nmore\n")
	labtest.Git(t, dir, "commit", "-q", "-m", "More notes")
	labtest.Git(t, dir, "push", "-q", "origin", "HEAD:main")
	deadline := time.Now().Add(30 * time.Second)
	for sink.refusals() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if sink.refusals() == 0 {
		t.Fatal("the relay was never tried")
	}
	sink.setFail(false)
	m = sink.wait(t, 3)
	if subj := m.msg.Header.Get("Subject"); subj != "[Git][team/app][main] More notes" || strings.Join(m.to, ",") != "dev@example.com" {
		t.Fatalf("retried mail = %q to %v", subj, m.to)
	}
	if strings.Contains(m.body, "Changes:") || strings.Contains(m.body, "+more") || !strings.Contains(m.body, "More notes") {
		t.Fatalf("disable_diffs mail = %s", m.body)
	}

	// A tag push.
	labtest.Git(t, dir, "tag", "v1.0")
	labtest.Git(t, dir, "push", "-q", "origin", "v1.0")
	m = sink.wait(t, 4)
	if subj := m.msg.Header.Get("Subject"); subj != "[Git][team/app] Create tag v1.0" {
		t.Fatalf("tag subject = %q", subj)
	}

	// tag_push_events off, and a branch outside branches_to_be_notified:
	// nothing more is sent.
	if _, _, err := mc.Services.SetEmailsOnPushService(f.Project.ID, &gitlab.SetEmailsOnPushServiceOptions{
		Recipients: gitlab.Ptr("dev@example.com"), TagPushEvents: gitlab.Ptr(false),
		BranchesToBeNotified: gitlab.Ptr("default")}); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "tag", "v2.0")
	labtest.Git(t, dir, "push", "-q", "origin", "v2.0", "HEAD:feature")
	// A push main then shows the queue is past them.
	write("README.md", "bye\n")
	labtest.Git(t, dir, "commit", "-q", "-m", "Say bye")
	labtest.Git(t, dir, "push", "-q", "origin", "HEAD:main")
	m = sink.wait(t, 5)
	if subj := m.msg.Header.Get("Subject"); subj != "[Git][team/app][main] Say bye" {
		t.Fatalf("subject = %q (a tag or feature push was mailed?)", subj)
	}
	time.Sleep(time.Second)
	if n := sink.count(); n != 5 {
		t.Fatalf("%d mails, want 5", n)
	}
}

// TestEmailsOnPushWithoutRelay: without a relay the integration is saved
// and a push to a project with it lands as usual (no mail job is queued,
// which the push's transaction would otherwise carry).
func TestEmailsOnPushWithoutRelay(t *testing.T) {
	t.Parallel()
	_, f, mc, _, _ := pushWithEmailsOnPush(t, "dev@example.com")
	if b, _, err := mc.Branches.GetBranch(f.Project.ID, "main"); err != nil || b.Commit.Title != "first commit" {
		t.Fatalf("branch = %+v, %v", b, err)
	}
}

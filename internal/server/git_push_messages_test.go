package server_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestPushMessages: a push tells the pusher what GitLab's post-receive
// does, as "remote:" lines: a link to create a merge request for a new
// branch, the open merge request of a branch that has one, nothing for
// the default branch, and, through an old path of a moved project, where
// it lives now and the remote to use — over HTTP and over SSH.
func TestPushMessages(t *testing.T) {
	f := newSSHFixture(t)
	dev := f.url(f.dev.Username, f.dev.Token, "team/app.git")
	w := f.clone(dev)

	f.mustGit(w, "checkout", "-q", "-b", "feature/x")
	f.commit(w, "a.txt", "a\n")
	out := pushOut(f.mustGit(w, "push", "origin", "feature/x"))
	want := "remote:\nremote: To create a merge request for feature/x, visit:\nremote:   " + f.s.URL +
		"/team/app/-/merge_requests/new?merge_request%5Bsource_branch%5D=feature%2Fx\nremote:\n"
	if !strings.Contains(out, want) {
		t.Fatalf("new branch push output lacks %q:\n%s", want, out)
	}

	mr, _, err := f.s.Client(t, f.dev.Token).MergeRequests.CreateMergeRequest(f.project.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("X"), SourceBranch: gitlab.Ptr("feature/x"), TargetBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	f.commit(w, "b.txt", "b\n")
	out = pushOut(f.mustGit(w, "push", "origin", "feature/x"))
	if want := "remote: View merge request for feature/x:\nremote:   " + f.s.URL + "/team/app/-/merge_requests/" +
		itoa(int64(mr.IID)) + "\n"; !strings.Contains(out, want) {
		t.Fatalf("push to a merge request's branch lacks %q:\n%s", want, out)
	}

	// The default branch (Maintainers push to main) gets no message.
	mw := f.clone(f.url(f.maint.Username, f.maint.Token, "team/app.git"))
	f.commit(mw, "c.txt", "c\n")
	if out := pushOut(f.mustGit(mw, "push", "origin", "main")); strings.Contains(out, "merge request") || strings.Contains(out, "remote:") {
		t.Fatalf("default branch push output:\n%s", out)
	}

	// The project moves; pushes through the old path still land and say so.
	if _, _, err := f.s.Client(t, f.s.RootToken).Projects.EditProject(f.project.ID,
		&gitlab.EditProjectOptions{Path: gitlab.Ptr("app2")}); err != nil {
		t.Fatal(err)
	}
	f.commit(w, "d.txt", "d\n")
	out = pushOut(f.mustGit(w, "push", "origin", "feature/x"))
	if want := "remote: Project 'team/app' was moved to 'team/app2'.\nremote:\nremote: Please update your Git remote:\nremote:\n" +
		"remote:   git remote set-url origin " + f.s.URL + "/team/app2.git\n"; !strings.Contains(out, want) {
		t.Fatalf("push through the old path lacks %q:\n%s", want, out)
	}
	if !strings.Contains(out, "/team/app2/-/merge_requests/"+itoa(int64(mr.IID))) {
		t.Fatalf("merge request link does not name the new path:\n%s", out)
	}

	// Over SSH, the remote named is the SSH one; a fetch says it too,
	// before git runs, as gitlab-shell does.
	sw := f.as(f.userKey(f.dev, nil))
	sdir := sw.clone(f.sshURL) // the old path
	out = pushOut(sw.mustGit(sdir, "fetch", "origin"))
	if want := "remote: Project 'team/app' was moved to 'team/app2'.\nremote:\nremote: Please update your Git remote:\nremote:\n" +
		"remote:   git remote set-url origin ssh://git@127.0.0.1:" + f.port + "/team/app2.git\n"; !strings.Contains(out, want) {
		t.Fatalf("SSH fetch through the old path lacks %q:\n%s", want, out)
	}
	if out := sw.mustGit(sdir, "fetch", "ssh://git@127.0.0.1:"+f.port+"/team/app2.git"); strings.Contains(out, "moved") {
		t.Fatalf("a fetch through the new path says the project moved:\n%s", out)
	}
	sw.mustGit(sdir, "checkout", "-q", "-b", "over-ssh")
	sw.commit(sdir, "e.txt", "e\n")
	out = pushOut(sw.mustGit(sdir, "push", "origin", "over-ssh"))
	if want := "remote:   git remote set-url origin ssh://git@127.0.0.1:" + f.port + "/team/app2.git\n"; !strings.Contains(out, want) {
		t.Fatalf("SSH push through the old path lacks %q:\n%s", want, out)
	}
	if want := "remote: To create a merge request for over-ssh, visit:\n"; !strings.Contains(out, want) {
		t.Fatalf("SSH push lacks %q:\n%s", want, out)
	}
}

// pushOut is git's output with the padding git puts after each "remote:"
// line (to clear a terminal's line) trimmed.
func pushOut(out string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

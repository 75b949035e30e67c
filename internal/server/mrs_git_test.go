package server_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestGitMergeRequestRef: creating a merge request writes
// refs/merge-requests/:iid/head at the source head, which a real git
// client fetches and may not push to.
func TestGitMergeRequestRef(t *testing.T) {
	f := newGitFixture(t)
	const path = "team/app.git"
	dev := f.clone(f.url("dev", f.dev.Token, path))
	f.mustGit(dev, "checkout", "-q", "-b", "topic")
	f.commit(dev, "topic.txt", "topic\n")
	f.mustGit(dev, "push", "-q", "origin", "topic")
	head := strings.TrimSpace(f.mustGit(dev, "rev-parse", "HEAD"))

	c := f.s.Client(t, f.dev.Token)
	mr, _, err := c.MergeRequests.CreateMergeRequest(f.project.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("Topic"), SourceBranch: gitlab.Ptr("topic"), TargetBranch: gitlab.Ptr("main")})
	if err != nil || mr.IID != 1 || mr.SHA != head {
		t.Fatalf("create = %+v, %v", mr, err)
	}

	// A reporter's clone fetches it, as GitLab's checkout instructions do.
	rep := f.clone(f.url("rep", f.reporter.Token, path))
	f.mustGit(rep, "fetch", "-q", "origin", "refs/merge-requests/1/head:mr-1")
	if got := strings.TrimSpace(f.mustGit(rep, "rev-parse", "mr-1")); got != head {
		t.Fatalf("fetched refs/merge-requests/1/head = %s, want %s", got, head)
	}
	if out := f.mustGit(rep, "ls-remote", "origin", "refs/merge-requests/*"); !strings.Contains(out, head+"\trefs/merge-requests/1/head") {
		t.Fatalf("ls-remote does not list the merge request ref:\n%s", out)
	}

	// A push to it, even by a Maintainer, is refused and leaves it.
	maint := f.clone(f.url("mia", f.maint.Token, path))
	f.commit(maint, "m.txt", "m\n")
	out, err := f.git(maint, "push", "--porcelain", "origin", "HEAD:refs/merge-requests/1/head")
	if err == nil || !strings.Contains(out, "[remote rejected] (deny updating a hidden ref)") {
		t.Fatalf("push to the merge request ref: %v\n%s", err, out)
	}
	if v, _ := f.s.Srv.Repos.Open(int64(f.project.ID)).RefValue("refs/merge-requests/1/head"); v != head {
		t.Fatalf("refs/merge-requests/1/head = %q after a refused push, want %s", v, head)
	}
}

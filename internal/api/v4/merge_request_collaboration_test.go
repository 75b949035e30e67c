package v4_test

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// gitFails runs git in dir expecting a refusal whose output holds want.
func gitFails(t *testing.T, dir, want string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), want) {
		t.Fatalf("git %v: %v: %s; want a refusal saying %q", args, err, out, want)
	}
}

// A merge request from a public fork that allows commits from members
// who can merge to the target lets the target's maintainer push to its
// source branch, by git and by the API, and to nothing else of the fork
// (another branch, a deletion, a tag); a Reporter of the target gets
// nothing, and the permission ends when the author withdraws it.
func TestMergeRequestAllowCollaboration(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t)
	upstream := f.publicUpstream(t)
	if _, _, err := f.ownerC.ProjectMembers.AddProjectMember(upstream.ID, &gitlab.AddProjectMemberOptions{UserID: f.reporter.ID,
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	fork, _, err := f.outsideC.Projects.ForkProject(upstream.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", f.s.GitURL(f.outsider, fork.PathWithNamespace), ".")
	labtest.Git(t, dir, "checkout", "-q", "-b", "feature")
	commitFile(t, dir, "feature.txt", "one\n")
	labtest.Git(t, dir, "push", "-q", "origin", "feature")
	mr, _, err := f.outsideC.MergeRequests.CreateMergeRequest(fork.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("Feature"), SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"),
		TargetProjectID: gitlab.Ptr(upstream.ID), AllowCollaboration: gitlab.Ptr(true)})
	if err != nil || !mr.AllowCollaboration {
		t.Fatalf("merge request %+v, %v", mr, err)
	}

	// The upstream maintainer pushes to the source branch.
	mdir := t.TempDir()
	ownerURL := f.s.GitURL(f.owner, fork.PathWithNamespace)
	labtest.Git(t, mdir, "clone", "-q", "-b", "feature", ownerURL, ".")
	head := commitFile(t, mdir, "review.txt", "fixed by the maintainer\n")
	labtest.Git(t, mdir, "push", "-q", "origin", "feature")
	if b, _, err := f.outsideC.Branches.GetBranch(fork.ID, "feature"); err != nil || b.Commit.ID != head {
		t.Fatalf("fork's feature = %+v, %v; want %s", b, err, head)
	}
	// Nothing else of the fork.
	gitFails(t, mdir, "You are not allowed to push code to this project", "push", "-q", "origin", "HEAD:main")
	gitFails(t, mdir, "You are not allowed to push code to this project", "push", "-q", "origin", "HEAD:refs/heads/new-branch")
	gitFails(t, mdir, "You are not allowed to push code to this project", "push", "-q", "origin", ":feature")
	labtest.Git(t, mdir, "tag", "v9")
	gitFails(t, mdir, "You are not allowed to push code to this project", "push", "-q", "origin", "v9")

	// The files API: the source branch, not another.
	if _, resp, err := f.ownerC.RepositoryFiles.CreateFile(fork.ID, "api.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("feature"),
		Content: gitlab.Ptr("x"), CommitMessage: gitlab.Ptr("by the API")}); err != nil {
		t.Fatalf("API commit to the source branch: %v (%v)", err, resp)
	}
	_, resp, err := f.ownerC.RepositoryFiles.CreateFile(fork.ID, "api.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr("x"), CommitMessage: gitlab.Ptr("by the API")})
	if resp == nil || resp.StatusCode != http.StatusForbidden || !strings.Contains(err.Error(), "You are not allowed to push into this branch") {
		t.Fatalf("API commit to main of the fork: %v", err)
	}

	// A Reporter of the target may not merge there: no push.
	rdir := t.TempDir()
	labtest.Git(t, rdir, "clone", "-q", "-b", "feature", f.s.GitURL(f.reporter, fork.PathWithNamespace), ".")
	commitFile(t, rdir, "reporter.txt", "r\n")
	gitFails(t, rdir, "You are not allowed to push code to this project", "push", "-q", "origin", "feature")

	// Withdrawn: the maintainer is refused again.
	if _, _, err := f.outsideC.MergeRequests.UpdateMergeRequest(upstream.ID, mr.IID, &gitlab.UpdateMergeRequestOptions{
		AllowCollaboration: gitlab.Ptr(false)}); err != nil {
		t.Fatal(err)
	}
	commitFile(t, mdir, "late.txt", "late\n")
	gitFails(t, mdir, "You are not allowed to push code to this project", "push", "-q", "origin", "feature")
}

package v4_test

import (
	"os"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestForkMergeRequestFlow is issue 14's browser-free scenario, with the
// official client and real git: a contributor forks a public project,
// pushes a branch to the fork and opens a merge request upstream that
// closes an issue; a maintainer comments on a line of its diff, approves
// and merges it; the issue is closed and upstream's main holds the change.
func TestForkMergeRequestFlow(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t)
	upstream := f.publicUpstream(t)
	bug, _, err := f.ownerC.Issues.CreateIssue(upstream.ID, &gitlab.CreateIssueOptions{Title: gitlab.Ptr("Typo in README")})
	if err != nil {
		t.Fatal(err)
	}

	// The outsider contributes through a fork.
	fork, _, err := f.outsideC.Projects.ForkProject(upstream.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	url := strings.Replace(f.s.URL, "http://", "http://"+f.outsider.Username+":"+f.outsider.Token+"@", 1) + "/" + fork.PathWithNamespace + ".git"
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", url, ".")
	labtest.Git(t, dir, "checkout", "-q", "-b", "fix-typo")
	if err := os.WriteFile(dir+"/FIX.md", []byte("first line\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "add", "FIX.md")
	labtest.Git(t, dir, "-c", "user.name=Nina", "-c", "user.email=nina@example.com", "commit", "-q", "-m", "Fix the typo")
	labtest.Git(t, dir, "push", "-q", "origin", "fix-typo")
	head := labtest.Git(t, dir, "rev-parse", "HEAD")

	mr, _, err := f.outsideC.MergeRequests.CreateMergeRequest(fork.ID, &gitlab.CreateMergeRequestOptions{
		Title: gitlab.Ptr("Fix the typo"), Description: gitlab.Ptr("Closes #" + itoa(bug.IID)),
		SourceBranch: gitlab.Ptr("fix-typo"), TargetBranch: gitlab.Ptr("main"), TargetProjectID: gitlab.Ptr(upstream.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if mr.ProjectID != upstream.ID || mr.SourceProjectID != fork.ID || mr.SHA != head {
		t.Fatalf("merge request %+v: want it upstream, from the fork, at %s", mr, head)
	}

	// Upstream moves on; the contributor rebases the fork's branch onto it.
	if _, _, err := f.ownerC.RepositoryFiles.CreateFile(upstream.ID, "NEWS.md", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr("news\n"), CommitMessage: gitlab.Ptr("Add news")}); err != nil {
		t.Fatal(err)
	}
	mainHead, _, err := f.ownerC.Branches.GetBranch(upstream.ID, "main")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.outsideC.MergeRequests.RebaseMergeRequest(upstream.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
	forkBranch, _, err := f.outsideC.Branches.GetBranch(fork.ID, "fix-typo")
	if err != nil || len(forkBranch.Commit.ParentIDs) != 1 || forkBranch.Commit.ParentIDs[0] != mainHead.Commit.ID {
		t.Fatalf("the fork's branch after the rebase: %+v %v, want it on upstream's %s", forkBranch.Commit, err, mainHead.Commit.ID)
	}
	head = forkBranch.Commit.ID
	if got, _, err := f.ownerC.MergeRequests.GetMergeRequest(upstream.ID, mr.IID, nil); err != nil || got.SHA != head {
		t.Fatalf("merge request after the rebase at %v, want %s (%v)", got.SHA, head, err)
	}

	// The maintainer reviews a line of the diff, approves and merges.
	versions, _, err := f.ownerC.MergeRequests.GetMergeRequestDiffVersions(upstream.ID, mr.IID, nil)
	if err != nil || len(versions) == 0 {
		t.Fatalf("versions %v %v", versions, err)
	}
	v := versions[0]
	d, _, err := f.ownerC.Discussions.CreateMergeRequestDiscussion(upstream.ID, mr.IID, &gitlab.CreateMergeRequestDiscussionOptions{
		Body: gitlab.Ptr("Nice catch."), Position: &gitlab.PositionOptions{BaseSHA: gitlab.Ptr(v.BaseCommitSHA),
			StartSHA: gitlab.Ptr(v.StartCommitSHA), HeadSHA: gitlab.Ptr(v.HeadCommitSHA), PositionType: gitlab.Ptr("text"),
			NewPath: gitlab.Ptr("FIX.md"), OldPath: gitlab.Ptr("FIX.md"), NewLine: gitlab.Ptr(int64(2))}})
	if err != nil || d.Notes[0].Position == nil || d.Notes[0].Position.NewLine != 2 {
		t.Fatalf("line comment %+v %v", d, err)
	}
	if _, _, err := f.ownerC.MergeRequestApprovals.ApproveMergeRequest(upstream.ID, mr.IID, nil); err != nil {
		t.Fatal(err)
	}
	merged, _, err := f.ownerC.MergeRequests.AcceptMergeRequest(upstream.ID, mr.IID, &gitlab.AcceptMergeRequestOptions{SHA: gitlab.Ptr(head)})
	if err != nil || merged.State != "merged" {
		t.Fatalf("merge %+v %v", merged, err)
	}

	issue, _, err := f.ownerC.Issues.GetIssue(upstream.ID, bug.IID)
	if err != nil || issue.State != "closed" {
		t.Fatalf("issue after the merge: %v %v", issue.State, err)
	}
	file, _, err := f.ownerC.RepositoryFiles.GetRawFile(upstream.ID, "FIX.md", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil || string(file) != "first line\nsecond line\n" {
		t.Fatalf("upstream main's FIX.md = %q %v", file, err)
	}
}

// publicUpstream makes the fixture's group public and creates in it the
// public project "Lib", with a README, for outsiders to fork.
func (f *mrFixture) publicUpstream(t *testing.T) *gitlab.Project {
	t.Helper()
	if _, _, err := f.ownerC.Groups.UpdateGroup(f.g.ID, &gitlab.UpdateGroupOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	upstream, _, err := f.ownerC.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Lib"),
		NamespaceID: gitlab.Ptr(f.g.ID), Visibility: gitlab.Ptr(gitlab.PublicVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	return upstream
}

package v4_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// commitFile writes, commits and returns the new head in a work tree.
func commitFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	if err := os.WriteFile(dir+"/"+name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "add", name)
	labtest.Git(t, dir, "commit", "-q", "-m", "add "+name)
	return labtest.Git(t, dir, "rev-parse", "HEAD")
}

// A merge request from a fork: a contributor who is no member upstream
// pushes a branch to their fork and opens a merge request into the
// public upstream. It lives upstream (its iid, project_id) and names the
// fork as source; upstream's refs/merge-requests/1/head holds the fork's
// head, and follows a second push; the upstream owner merges it and the
// fork's commits land on upstream's main.
func TestMergeRequestFromFork(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner, contrib, other := s.NewUser(t, "upa"), s.NewUser(t, "contra"), s.NewUser(t, "oscar")
	oc, cc := s.Client(t, owner.Token), s.Client(t, contrib.Token)
	up, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Up"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility), InitializeWithReadme: gitlab.Ptr(true), DefaultBranch: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	fork, _, err := cc.Projects.ForkProject(up.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", s.GitURL(contrib, fork.PathWithNamespace), ".")
	labtest.Git(t, dir, "checkout", "-q", "-b", "feature")
	head1 := commitFile(t, dir, "one.txt", "one\n")
	labtest.Git(t, dir, "push", "-q", "origin", "feature")

	mr, resp, err := cc.MergeRequests.CreateMergeRequest(fork.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("From my fork"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), TargetProjectID: gitlab.Ptr(up.ID),
		AllowCollaboration: gitlab.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create from fork: %v", err)
	}
	if mr.IID != 1 || mr.ProjectID != up.ID || mr.TargetProjectID != up.ID || mr.SourceProjectID != fork.ID ||
		mr.SHA != head1 || !mr.AllowCollaboration || mr.ChangesCount != "1" {
		t.Fatalf("merge request = %+v", mr)
	}
	upDir := t.TempDir()
	labtest.Git(t, upDir, "init", "-q", "--bare")
	fetchHead := func() string {
		labtest.Git(t, upDir, "fetch", "-q", s.GitURL(owner, up.PathWithNamespace), "+refs/merge-requests/1/head:refs/mr")
		return labtest.Git(t, upDir, "rev-parse", "refs/mr")
	}
	if got := fetchHead(); got != head1 {
		t.Fatalf("upstream refs/merge-requests/1/head = %s, want %s", got, head1)
	}
	// The same branches again: 409, as in one project.
	_, resp, _ = cc.MergeRequests.CreateMergeRequest(fork.ID, &gitlab.CreateMergeRequestOptions{Title: gitlab.Ptr("Again"),
		SourceBranch: gitlab.Ptr("feature"), TargetBranch: gitlab.Ptr("main"), TargetProjectID: gitlab.Ptr(up.ID)})
	if resp == nil || resp.StatusCode != http.StatusConflict {
		t.Fatalf("second merge request of the same branches: %v", resp)
	}

	// A push to the fork's branch moves the upstream merge request.
	head2 := commitFile(t, dir, "two.txt", "two\n")
	labtest.Git(t, dir, "push", "-q", "origin", "feature")
	got, _, err := oc.MergeRequests.GetMergeRequest(up.ID, mr.IID, nil)
	if err != nil || got.SHA != head2 || got.DiffRefs.HeadSha != head2 {
		t.Fatalf("after a push to the fork: %+v (%v), want %s", got, err, head2)
	}
	if h := fetchHead(); h != head2 {
		t.Fatalf("head ref after a push = %s, want %s", h, head2)
	}
	commits, _, err := oc.MergeRequests.GetMergeRequestCommits(up.ID, mr.IID, nil)
	if err != nil || len(commits) != 2 || commits[0].ID != head2 {
		t.Fatalf("commits = %d, %v", len(commits), err)
	}
	if list, _, err := oc.Commits.ListMergeRequestsByCommit(up.ID, head1); err != nil || len(list) != 1 || list[0].IID != mr.IID {
		t.Fatalf("merge requests of a fork's commit upstream: %+v, %v", list, err)
	}

	merged, _, err := oc.MergeRequests.AcceptMergeRequest(up.ID, mr.IID, nil)
	if err != nil || merged.State != "merged" {
		t.Fatalf("merge: %+v, %v", merged, err)
	}
	main, _, err := oc.Branches.GetBranch(up.ID, "main")
	if err != nil || !contains(t, labtest.Git(t, "", "--git-dir", s.Srv.Repos.Path(int64(up.ID)), "rev-list", main.Commit.ID), head2) {
		t.Fatalf("upstream main %v does not hold the fork's head (%v)", main, err)
	}
	// The fork's branch stays: a merge removes source branches of its own project only.
	if _, _, err := cc.Branches.GetBranch(fork.ID, "feature"); err != nil {
		t.Fatalf("fork branch after merge: %v", err)
	}

	// Refusals: a project outside the fork network (422), one the caller
	// cannot see (404), a fork the caller may not push to (403).
	unrelated, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	create := func(token string, project, target int64) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(project) + "/merge_requests", Token: token,
			JSON: map[string]any{"title": "x", "source_branch": "feature", "target_branch": "main", "target_project_id": target}})
	}
	create(contrib.Token, fork.ID, unrelated.ID).
		ExpectError(t, 422, `{"message":["Source project is not a fork of the target project"]}`)
	private, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Hidden"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	create(contrib.Token, fork.ID, private.ID).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	create(other.Token, fork.ID, up.ID).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}

func contains(t *testing.T, lines, want string) bool {
	t.Helper()
	for _, l := range strings.Fields(lines) {
		if l == want {
			return true
		}
	}
	return false
}

package server_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"
)

// TestPushVisibleThroughReadCaches checks that what the read caches keep
// (branch listings read from the ref files, merged flags, parsed commits,
// last commit of a path) never hides a push: every read right after a push
// shows it.
func TestPushVisibleThroughReadCaches(t *testing.T) {
	e := newGitEnv(t)
	owner := e.s.NewUser(t, "cora")
	c := e.s.Client(t, owner.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Cached"),
		InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	branches := func() map[string]*gitlab.Branch {
		t.Helper()
		bs, _, err := c.Branches.ListBranches(p.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]*gitlab.Branch{}
		for _, b := range bs {
			out[b.Name] = b
		}
		return out
	}
	readme := func() string {
		t.Helper()
		f, _, err := c.RepositoryFiles.GetFile(p.ID, "README.md", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")})
		if err != nil {
			t.Fatal(err)
		}
		return f.LastCommitID
	}
	// Warm every cache.
	first := branches()["main"].Commit.ID
	if got := readme(); got != first {
		t.Fatalf("README last commit %s, want %s", got, first)
	}

	w := e.clone(e.url("c", owner.Token, "cora/cached.git"))
	e.mustGit(w, "checkout", "-q", "-b", "feature")
	e.commit(w, "README.md", "# Changed\n")
	e.mustGit(w, "push", "-q", "origin", "feature")
	feature := strings.TrimSpace(e.mustGit(w, "rev-parse", "HEAD"))
	bs := branches()
	if len(bs) != 2 || bs["feature"] == nil || bs["feature"].Commit.ID != feature || bs["feature"].Merged {
		t.Fatalf("after pushing feature: %+v", bs)
	}
	if got := readme(); got != first {
		t.Fatalf("README last commit on main %s, want %s", got, first)
	}

	// Fast-forward main to feature and one more commit: feature is now
	// merged (a branch at the default branch's very commit is not), and
	// README's last commit moved.
	e.mustGit(w, "checkout", "-q", "-b", "next")
	e.commit(w, "other.txt", "x\n")
	e.mustGit(w, "push", "-q", "origin", "next:main")
	next := strings.TrimSpace(e.mustGit(w, "rev-parse", "HEAD"))
	bs = branches()
	if bs["main"].Commit.ID != next || !bs["feature"].Merged || bs["main"].Merged {
		t.Fatalf("after advancing main: main=%s feature merged=%v", bs["main"].Commit.ID, bs["feature"].Merged)
	}
	if got := readme(); got != feature {
		t.Fatalf("README last commit %s, want %s", got, feature)
	}

	// Deleting the branch by push removes it from the listing.
	e.mustGit(w, "push", "-q", "origin", ":feature")
	if bs := branches(); len(bs) != 1 || bs["main"] == nil {
		t.Fatalf("after deleting feature: %+v", bs)
	}
}

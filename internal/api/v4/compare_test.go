package v4_test

import (
	"encoding/base64"
	"os/exec"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// pushCommit clones main, commits a file and pushes it over smart HTTP,
// returning the pushed commit.
func pushCommit(t *testing.T, f *repoFixture, i int) (string, error) {
	dir := t.TempDir()
	u := strings.Replace(f.s.URL, "http://", "http://alice:"+f.owner.Token+"@", 1) + "/" + f.p.PathWithNamespace + ".git"
	run := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com", "GIT_TERMINAL_PROMPT=0")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := run("clone", "-q", "--branch", "main", u, "."); err != nil {
		return "", &pushErr{out}
	}
	if out, err := run("commit", "-q", "--allow-empty", "-m", "push "+itoa(int64(i))); err != nil {
		return "", &pushErr{out}
	}
	id, _ := run("rev-parse", "HEAD")
	if out, err := run("push", "-q", "origin", "main"); err != nil {
		return "", &pushErr{out}
	}
	return id, nil
}

type pushErr struct{ out string }

func (e *pushErr) Error() string { return e.out }

func TestCompare(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PublicVisibility)
	c := f.s.Client(t, f.owner.Token)
	pid := f.p.ID
	base := f.head(t, "main")
	var last *gitlab.Commit
	for i, name := range []string{"one.txt", "two.txt"} {
		cm, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("feature"),
			StartBranch: gitlab.Ptr("main"), CommitMessage: gitlab.Ptr(name), Actions: []*gitlab.CommitActionOptions{
				{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(name), Content: gitlab.Ptr("x\n")}}})
		if i == 1 {
			cm, _, err = c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("feature"),
				CommitMessage: gitlab.Ptr(name), Actions: []*gitlab.CommitActionOptions{
					{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr(name), Content: gitlab.Ptr("x\n")}}})
		}
		if err != nil {
			t.Fatal(err)
		}
		last = cm
	}
	// main moves on: a non-straight compare starts at the merge base.
	if _, _, err := c.Commits.CreateCommit(pid, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("main only"), Actions: []*gitlab.CommitActionOptions{
			{Action: gitlab.Ptr(gitlab.FileCreate), FilePath: gitlab.Ptr("main.txt"), Content: gitlab.Ptr("m\n")}}}); err != nil {
		t.Fatal(err)
	}
	anon := f.s.Client(t, "")
	cmp, _, err := anon.Repositories.Compare(pid, &gitlab.CompareOptions{From: gitlab.Ptr("main"), To: gitlab.Ptr("feature")})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Commits) != 2 || cmp.Commits[0].Title != "one.txt" || cmp.Commit == nil || cmp.Commit.ID != last.ID ||
		len(cmp.Diffs) != 2 || cmp.CompareSameRef || cmp.CompareTimeout || !strings.HasSuffix(cmp.WebURL, "/-/compare/main...feature") {
		t.Fatalf("compare = %+v", cmp)
	}
	straight, _, err := anon.Repositories.Compare(pid, &gitlab.CompareOptions{From: gitlab.Ptr("main"), To: gitlab.Ptr("feature"),
		Straight: gitlab.Ptr(true)})
	if err != nil || len(straight.Diffs) != 3 {
		t.Fatalf("straight compare = %+v, %v", straight, err)
	}
	same, _, err := anon.Repositories.Compare(pid, &gitlab.CompareOptions{From: gitlab.Ptr(base), To: gitlab.Ptr(base)})
	if err != nil || !same.CompareSameRef || same.Commit != nil || len(same.Commits) != 0 || len(same.Diffs) != 0 {
		t.Fatalf("same compare = %+v, %v", same, err)
	}
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/repository/compare?from=main&to=nope"}).
		ExpectError(t, 404, `{"message":"404 Ref Not Found"}`)
	f.s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/repository/compare?from=main"}).
		ExpectError(t, 400, `{"error":"to is missing"}`)
}

package v4_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestProjectRepositoryLifecycle checks that a project's bare repository is
// made with the project (with a README commit when asked) and removed once
// the deleted project is purged.
func TestProjectRepositoryLifecycle(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	c := s.Client(t, alice.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Readme"),
		InitializeWithReadme: gitlab.Ptr(true), DefaultBranch: gitlab.Ptr("trunk")})
	if err != nil {
		t.Fatal(err)
	}
	dir := s.Srv.Repos.Path(int64(p.ID))
	out, err := exec.Command("git", "--git-dir", dir, "log", "--format=%an|%s", "trunk", "--", "README.md").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "Alice|Initial commit" {
		t.Fatalf("git log = %q, %v", out, err)
	}
	blob, err := s.Srv.Repos.Open(int64(p.ID)).Blob(context.Background(), "trunk", "README.md")
	if err != nil || string(blob.Content) != "# Readme\n" {
		t.Fatalf("README = %+v, %v", blob, err)
	}
	if p.EmptyRepo {
		t.Fatal("project with a README reports empty_repo")
	}

	empty, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Empty")})
	if err != nil {
		t.Fatal(err)
	}
	if !empty.EmptyRepo {
		t.Fatal("new project without README is not empty_repo")
	}
	if _, err := os.Stat(s.Srv.Repos.Path(int64(empty.ID))); err != nil {
		t.Fatalf("empty project has no repository: %v", err)
	}

	if _, err := c.Projects.DeleteProject(p.ID, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("repository still on disk 10s after the project was deleted")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

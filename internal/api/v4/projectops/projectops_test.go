package projectops_test

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// pushCommits commits n files in the work tree dir and pushes each.
func pushCommits(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	for i := range n {
		name := fmt.Sprintf("%s-%d.txt", prefix, i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name+"\n"), 0o600); err != nil {
			t.Error(err)
			return
		}
		labtest.Git(t, dir, "add", name)
		labtest.Git(t, dir, "commit", "-q", "-m", name)
		labtest.Git(t, dir, "push", "-q", "origin", "HEAD:main")
	}
}

// looseObjects counts a bare repository's loose objects.
func looseObjects(t *testing.T, repo string) int {
	t.Helper()
	n := 0
	dirs, err := os.ReadDir(filepath.Join(repo, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if len(d.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(repo, "objects", d.Name()))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		n += len(files)
	}
	return n
}

// newRepo makes a project of u's with a clone of it in a work tree.
func newRepo(t *testing.T, s *labtest.Server, u *labtest.User, name string) (*gitlab.Project, string) {
	t.Helper()
	p, _, err := s.Client(t, u.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name),
		InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", s.GitURL(u, p.PathWithNamespace), ".")
	return p, dir
}

// Eager housekeeping packs a repository's loose objects: the request is
// answered at once (201) and a job runs git gc. Pushes made while it runs
// all land, and the repository clones whole afterwards. Only Maintainers
// start it; a task GitLab does not know is a parameter error.
func TestHousekeepingPacksRepository(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner, dev := s.NewUser(t, "hana"), s.NewUser(t, "devi")
	p, dir := newRepo(t, s, owner, "Kept")
	if _, _, err := s.Client(t, owner.Token).ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{
		UserID: dev.ID, AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}); err != nil {
		t.Fatal(err)
	}
	pushCommits(t, dir, "before", 5)
	repo := s.Srv.Repos.Path(p.ID)
	if looseObjects(t, repo) == 0 {
		t.Fatal("no loose objects to pack")
	}
	firstHead := labtest.Git(t, dir, "rev-parse", "HEAD")

	if _, err := s.Client(t, dev.Token).Projects.StartHousekeepingProject(p.ID); err == nil ||
		!strings.Contains(err.Error(), "403") {
		t.Fatalf("developer's housekeeping: %v", err)
	}
	s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/projects/" + fmt.Sprint(p.ID) + "/housekeeping",
		Token: owner.Token, JSON: map[string]any{"task": "repack"}}).ExpectError(t, http.StatusBadRequest,
		`{"error":"task does not have a valid value"}`)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // pushes racing the housekeeping
		defer wg.Done()
		pushCommits(t, dir, "during", 5)
	}()
	resp, err := s.Client(t, owner.Token).Projects.StartHousekeepingProject(p.ID)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("housekeeping: %v", err)
	}
	// The loose objects pushed before are packed: their first commit's
	// file is gone and git finds the commit in a pack.
	loose := filepath.Join(repo, "objects", firstHead[:2], firstHead[2:])
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(loose); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("housekeeping did not pack the loose objects")
		}
		time.Sleep(100 * time.Millisecond)
	}
	wg.Wait()
	packs, _ := filepath.Glob(filepath.Join(repo, "objects", "pack", "*.pack"))
	if len(packs) == 0 {
		t.Fatal("no pack after housekeeping")
	}
	clone := t.TempDir()
	labtest.Git(t, clone, "clone", "-q", s.GitURL(owner, p.PathWithNamespace), ".")
	if n := labtest.Git(t, clone, "rev-list", "--count", "HEAD"); n != "11" { // README and ten pushes
		t.Fatalf("clone has %s commits, want 11", n)
	}
	if got, want := labtest.Git(t, clone, "rev-parse", "HEAD"), labtest.Git(t, dir, "rev-parse", "HEAD"); got != want {
		t.Fatalf("clone's head %s, pushed %s", got, want)
	}
	labtest.Git(t, repo, "fsck", "--no-progress")
	// The API reads the repository through the processes it pools:
	// they see the packed objects.
	if _, _, err := s.Client(t, owner.Token).Commits.GetCommit(p.ID, firstHead, nil); err != nil {
		t.Fatalf("commit after housekeeping: %v", err)
	}
}

// Every tenth push queues an incremental repack (GitLab's
// pushes_since_gc): the loose objects end up in a pack without anyone
// asking.
func TestHousekeepingAfterPushes(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "pia")
	p, dir := newRepo(t, s, owner, "Busy")
	repo := s.Srv.Repos.Path(p.ID)
	pushCommits(t, dir, "c", 9)
	if packs, _ := filepath.Glob(filepath.Join(repo, "objects", "pack", "*.pack")); len(packs) != 0 {
		t.Fatalf("packed after 9 pushes: %v", packs)
	}
	pushCommits(t, dir, "d", 1)
	deadline := time.Now().Add(30 * time.Second)
	for looseObjects(t, repo) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("no repack after ten pushes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	labtest.Git(t, repo, "fsck", "--no-progress")
}

// untar writes a tar stream's files under dir.
func untar(t *testing.T, body []byte, dir string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(body))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(dst, 0o700); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// A snapshot is a tar of the bare repository an administrator downloads:
// untarred it is a repository git checks clean, with the project's
// history. A fork's snapshot carries the objects it borrows. Others are
// refused; a wiki, which lablet does not keep, is not found.
func TestRepositorySnapshot(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "sven")
	p, dir := newRepo(t, s, owner, "Snap")
	pushCommits(t, dir, "s", 3)
	root := s.Client(t, s.RootToken)
	fork, _, err := root.Projects.ForkProject(p.ID, &gitlab.ForkProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   int64
		want string
	}{{p.ID, "4"}, {fork.ID, "4"}} {
		resp := s.Do(t, labtest.Request{Path: "/projects/" + fmt.Sprint(tc.id) + "/snapshot", Token: s.RootToken})
		if resp.Status != http.StatusOK || resp.Header.Get("Content-Type") != "application/x-tar" {
			t.Fatalf("snapshot: %d %q %s", resp.Status, resp.Header.Get("Content-Type"), resp.Body)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="snapshot.tar"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		snap := t.TempDir()
		untar(t, resp.Body, snap)
		if _, err := os.Stat(filepath.Join(snap, "objects", "info", "alternates")); err == nil {
			t.Fatal("the snapshot names this server's paths")
		}
		labtest.Git(t, snap, "fsck", "--no-progress", "--no-dangling")
		if n := labtest.Git(t, snap, "rev-list", "--count", "main"); n != tc.want {
			t.Fatalf("snapshot of %d has %s commits, want %s", tc.id, n, tc.want)
		}
	}
	s.Do(t, labtest.Request{Path: "/projects/" + fmt.Sprint(p.ID) + "/snapshot", Token: owner.Token}).ExpectError(t,
		http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: "/projects/" + fmt.Sprint(p.ID) + "/snapshot?wiki=true", Token: s.RootToken}).ExpectError(t,
		http.StatusNotFound, `{"message":"404 Wiki Repository Not Found"}`)
}

// The storage of a project's repository: GitLab's hashed path, the
// default storage; administrators only.
func TestRepositoryStorage(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "stella")
	p, _, err := s.Client(t, owner.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Stored")})
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := s.Client(t, s.RootToken).Projects.GetRepositoryStorage(p.PathWithNamespace)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(fmt.Sprint(p.ID)))
	h := hex.EncodeToString(sum[:])
	if want := "@hashed/" + h[:2] + "/" + h[2:4] + "/" + h; st.DiskPath != want {
		t.Errorf("disk_path = %q, want %q", st.DiskPath, want)
	}
	if st.ProjectID != p.ID || st.RepositoryStorage != "default" || st.CreatedAt == nil ||
		!st.CreatedAt.Equal(*p.CreatedAt) {
		t.Errorf("storage = %+v (project created %v)", st, p.CreatedAt)
	}
	if _, err := os.Stat(filepath.Join(s.Config.DataDir, "repositories", st.DiskPath+".git")); err != nil {
		t.Logf("(repositories root elsewhere: %v)", err)
	}
	if _, _, err := s.Client(t, owner.Token).Projects.GetRepositoryStorage(p.ID); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("owner read the storage: %v", err)
	}
}

// ageLooseObjects makes a repository's loose objects look an hour old,
// past the prune grace.
func ageLooseObjects(t *testing.T, repo string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(filepath.Join(repo, "objects"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || len(filepath.Base(filepath.Dir(path))) != 2 {
			return err
		}
		return os.Chtimes(path, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Housekeeping of a fork's source loses none of the objects the fork
// borrows: a branch deleted upstream leaves its commits unreachable there
// (and old enough to prune), yet after a prune and a gc upstream the fork
// still has them.
func TestHousekeepingKeepsBorrowedObjects(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "lena")
	p, dir := newRepo(t, s, owner, "Lender")
	labtest.Git(t, dir, "checkout", "-q", "-b", "feature")
	if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte("only on feature\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, dir, "add", "f.txt")
	labtest.Git(t, dir, "commit", "-q", "-m", "feature")
	labtest.Git(t, dir, "push", "-q", "origin", "feature")
	feature := labtest.Git(t, dir, "rev-parse", "HEAD")
	oc := s.Client(t, owner.Token)
	fork, _, err := s.Client(t, s.RootToken).Projects.ForkProject(p.ID, &gitlab.ForkProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc.Branches.DeleteBranch(p.ID, "feature"); err != nil {
		t.Fatal(err)
	}
	upstream := s.Srv.Repos.Path(p.ID)
	ageLooseObjects(t, upstream)
	for _, task := range []string{"prune", "eager"} {
		if r := s.Do(t, labtest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/projects/%d/housekeeping", p.ID),
			Token: owner.Token, JSON: map[string]any{"task": task}}); r.Status != http.StatusCreated {
			t.Fatalf("%s: %d %s", task, r.Status, r.Body)
		}
	}
	// The gc has run (after the prune: one worker, in order) once main's
	// head is packed; unreachable objects are kept, loose or packed.
	head := labtest.Git(t, dir, "rev-parse", "origin/main")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(upstream, "objects", head[:2], head[2:])); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("upstream not repacked")
		}
		time.Sleep(100 * time.Millisecond)
	}
	forkRepo := s.Srv.Repos.Path(fork.ID)
	labtest.Git(t, forkRepo, "fsck", "--no-progress", "--no-dangling")
	if got := labtest.Git(t, forkRepo, "rev-parse", "refs/heads/feature"); got != feature {
		t.Fatalf("fork's feature = %s, want %s", got, feature)
	}
	labtest.Git(t, forkRepo, "cat-file", "-e", feature+"^{tree}")
	if _, _, err := s.Client(t, s.RootToken).RepositoryFiles.GetFile(fork.ID, "f.txt",
		&gitlab.GetFileOptions{Ref: gitlab.Ptr("feature")}); err != nil {
		t.Fatalf("fork's file after upstream housekeeping: %v", err)
	}
}

// A second request for a task already waiting or running is GitLab's
// 409; once the run ends, the task may be asked for again. The test holds
// the repository's maintenance lock, so the first run waits on it.
func TestHousekeepingConflict(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "cora")
	p, _ := newRepo(t, s, owner, "Once")
	lock, err := os.OpenFile(filepath.Join(s.Srv.Repos.Path(p.ID), "lablet-maintenance.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	c := s.Client(t, owner.Token)
	if _, err := c.Projects.StartHousekeepingProject(p.ID); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/projects/%d/housekeeping", p.ID),
		Token: owner.Token}).ExpectError(t, http.StatusConflict,
		`{"message":"Somebody already triggered housekeeping for this resource"}`)
	// Another task is another run.
	if r := s.Do(t, labtest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/projects/%d/housekeeping", p.ID),
		Token: owner.Token, JSON: map[string]any{"task": "prune"}}); r.Status != http.StatusCreated {
		t.Fatalf("prune beside eager: %d %s", r.Status, r.Body)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := s.Do(t, labtest.Request{Method: http.MethodPost, Path: fmt.Sprintf("/projects/%d/housekeeping", p.ID),
			Token: owner.Token})
		if r.Status == http.StatusCreated {
			break
		}
		if r.Status != http.StatusConflict || time.Now().After(deadline) {
			t.Fatalf("after the run: %d %s", r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

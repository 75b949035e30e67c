package gitlfs_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// lfsEnv runs the real git and git-lfs clients with a HOME of their own.
type lfsEnv struct {
	t    *testing.T
	s    *labtest.Server
	home string
}

func newLFSEnv(t *testing.T, opts ...labtest.Option) *lfsEnv {
	t.Helper()
	if _, err := exec.LookPath("git-lfs"); err != nil {
		t.Skip("git-lfs not installed (Debian package git-lfs)")
	}
	e := &lfsEnv{t: t, s: labtest.Start(t, opts...), home: t.TempDir()}
	e.git(e.home, "lfs", "install", "--skip-repo")
	return e
}

func (e *lfsEnv) run(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = []string{"HOME=" + e.home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_AUTHOR_NAME=T", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=T", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_LFS_SKIP_SMUDGE=0"}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (e *lfsEnv) git(dir string, args ...string) string {
	e.t.Helper()
	out, err := e.run(dir, args...)
	if err != nil {
		e.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

// batch asks the batch API as user:token (none when token is "").
func (e *lfsEnv) batch(path, user, token, op string, objects ...map[string]any) *labtest.Response {
	e.t.Helper()
	req := labtest.Request{Method: http.MethodPost, Path: e.s.URL + "/" + path + ".git/info/lfs/objects/batch",
		JSON:   map[string]any{"operation": op, "transfers": []string{"basic"}, "objects": objects},
		Header: map[string]string{"Accept": "application/vnd.git-lfs+json"}}
	if token != "" {
		req.Header["Authorization"] = basic(user, token)
	}
	return e.s.Do(e.t, req)
}

func basic(user, token string) string {
	return "Basic " + b64(user+":"+token)
}

func object(content []byte) (string, int) {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:]), len(content)
}

func ptr(oid string, size int) map[string]any { return map[string]any{"oid": oid, "size": size} }

// objectsOf returns the batch answer's objects.
func objectsOf(t *testing.T, r *labtest.Response) []map[string]any {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("batch = %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.git-lfs+json" {
		t.Fatalf("batch Content-Type = %q", ct)
	}
	var out struct {
		Transfer string           `json:"transfer"`
		Objects  []map[string]any `json:"objects"`
	}
	r.JSON(t, &out)
	if out.Transfer != "basic" {
		t.Fatalf("transfer = %q", out.Transfer)
	}
	return out.Objects
}

func errorCode(o map[string]any) float64 {
	if e, ok := o["error"].(map[string]any); ok {
		return e["code"].(float64)
	}
	return 0
}

func TestLFSWithGitLFSClient(t *testing.T) {
	t.Parallel()
	e := newLFSEnv(t)
	s := e.s
	tm := s.NewTeam(t)
	path := tm.Project.PathWithNamespace
	root := s.Client(t, s.RootToken)

	content := make([]byte, 3<<20)
	_, _ = rand.Read(content)
	oid, size := object(content)

	work := filepath.Join(t.TempDir(), "work")
	// The maintainer creates main (developers may not create protected branches).
	e.git(filepath.Dir(work), "clone", s.GitURL(tm.Maintainer, path), work)
	t.Run("push over HTTP", func(t *testing.T) {
		e.git(work, "lfs", "track", "*.bin")
		if err := os.WriteFile(filepath.Join(work, "big.bin"), content, 0o600); err != nil {
			t.Fatal(err)
		}
		e.git(work, "add", ".gitattributes", "big.bin")
		e.git(work, "commit", "-m", "big file")
		e.git(work, "push", "origin", "HEAD:main")
		// The repository holds the pointer, the server the object.
		f, _, err := root.RepositoryFiles.GetRawFile(tm.Project.ID, "big.bin", &gitlab.GetRawFileOptions{Ref: gitlab.Ptr("main")})
		if err != nil || !bytes.Contains(f, []byte("oid sha256:"+oid)) {
			t.Fatalf("pointer in repository = %q, %v", f, err)
		}
		objs := objectsOf(t, e.batch(path, tm.Developer.Username, tm.Developer.Token, "upload", ptr(oid, size)))
		if len(objs) != 1 || objs[0]["actions"] != nil || errorCode(objs[0]) != 0 {
			t.Fatalf("upload batch of a stored object = %v, want no actions", objs)
		}
	})
	devClone := filepath.Join(t.TempDir(), "clone")
	t.Run("clone elsewhere gets the content", func(t *testing.T) {
		dir := devClone
		e.git(filepath.Dir(dir), "clone", s.GitURL(tm.Developer, path), dir)
		got, err := os.ReadFile(filepath.Join(dir, "big.bin"))
		if err != nil || !bytes.Equal(got, content) {
			t.Fatalf("cloned big.bin: %d bytes, equal %v, %v", len(got), bytes.Equal(got, content), err)
		}
	})
	t.Run("locks", func(t *testing.T) {
		dev, maint := devClone, work
		out := e.git(dev, "lfs", "lock", "big.bin")
		if !strings.Contains(out, "Locked big.bin") {
			t.Fatalf("lock: %s", out)
		}
		if out := e.git(maint, "lfs", "locks"); !strings.Contains(out, "big.bin") || !strings.Contains(out, tm.Developer.Name) {
			t.Fatalf("locks: %s", out)
		}
		if out, err := e.run(maint, "lfs", "lock", "big.bin"); err == nil {
			t.Fatalf("second lock succeeded: %s", out)
		}
		if out, err := e.run(maint, "lfs", "unlock", "big.bin"); err == nil {
			t.Fatalf("unlock of another's lock without force succeeded: %s", out)
		}
		// A reporter has no lock access.
		rep := s.NewUser(t, "reporter1")
		if _, _, err := root.ProjectMembers.AddProjectMember(tm.Project.ID, &gitlab.AddProjectMemberOptions{UserID: rep.ID,
			AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
			t.Fatal(err)
		}
		r := s.Do(t, labtest.Request{Method: http.MethodGet, Path: s.URL + "/" + path + ".git/info/lfs/locks",
			Header: map[string]string{"Authorization": basic(rep.Username, rep.Token)}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("reporter's locks = %d %s", r.Status, r.Body)
		}
		e.git(dev, "lfs", "unlock", "big.bin")
		if out := e.git(maint, "lfs", "locks"); strings.Contains(out, "big.bin") {
			t.Fatalf("locks after unlock: %s", out)
		}
		// A maintainer forces another's lock open.
		e.git(dev, "lfs", "lock", "big.bin")
		e.git(maint, "lfs", "unlock", "--force", "big.bin")
		if out := e.git(dev, "lfs", "locks"); strings.Contains(out, "big.bin") {
			t.Fatalf("locks after forced unlock: %s", out)
		}
	})
	t.Run("size or sha256 mismatch is refused and not kept", func(t *testing.T) {
		good := []byte("the right content\n")
		goodOid, goodSize := object(good)
		put := func(oid string, size int, body []byte) *labtest.Response {
			return s.Do(t, labtest.Request{Method: http.MethodPut, Path: fmt.Sprintf("%s/%s.git/gitlab-lfs/objects/%s/%d", s.URL, path, oid, size),
				RawBody: string(body), ContentType: "application/octet-stream",
				Header: map[string]string{"Authorization": basic(tm.Developer.Username, tm.Developer.Token)}})
		}
		for name, r := range map[string]*labtest.Response{
			"wrong content": put(goodOid, goodSize, []byte("the wrong content\n")),
			"too short":     put(goodOid, goodSize, good[:5]),
			"too long":      put(goodOid, goodSize, append(append([]byte{}, good...), 'x')),
			"size in URL":   put(goodOid, goodSize+1, good),
			"bad oid":       put("ABC", goodSize, good),
		} {
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s, want 422", name, r.Status, r.Body)
			}
		}
		objs := objectsOf(t, e.batch(path, tm.Developer.Username, tm.Developer.Token, "download", ptr(goodOid, goodSize)))
		if errorCode(objs[0]) != 404 {
			t.Fatalf("download of a refused object = %v", objs)
		}
		objs = objectsOf(t, e.batch(path, tm.Developer.Username, tm.Developer.Token, "download", ptr("xyz", 1), ptr(goodOid, -1)))
		if errorCode(objs[0]) != 422 || errorCode(objs[1]) != 422 {
			t.Fatalf("invalid oid and size = %v, want 422 each", objs)
		}
		if r := put(goodOid, goodSize, good); r.Status != http.StatusOK {
			t.Fatalf("good upload = %d %s", r.Status, r.Body)
		}
		objs = objectsOf(t, e.batch(path, tm.Developer.Username, tm.Developer.Token, "download", ptr(goodOid, goodSize)))
		if errorCode(objs[0]) != 0 || objs[0]["actions"] == nil {
			t.Fatalf("download after a good upload = %v", objs)
		}
	})
	t.Run("access", func(t *testing.T) {
		outsider := s.NewUser(t, "outsider")
		r := e.batch(path, outsider.Username, outsider.Token, "download", ptr(oid, size))
		if r.Status != http.StatusNotFound {
			t.Fatalf("outsider batch = %d %s", r.Status, r.Body)
		}
		r = s.Do(t, labtest.Request{Method: http.MethodGet, Path: s.URL + "/" + path + ".git/gitlab-lfs/objects/" + oid,
			Header: map[string]string{"Authorization": basic(outsider.Username, outsider.Token)}})
		if r.Status != http.StatusNotFound {
			t.Fatalf("outsider download = %d", r.Status)
		}
		if r := e.batch(path, "", "", "download", ptr(oid, size)); r.Status != http.StatusUnauthorized ||
			!strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("anonymous batch = %d %v", r.Status, r.Header)
		}
		// The outsider's own project does not have the team's object:
		// knowing an oid is not enough to download it.
		own, _, err := s.Client(t, outsider.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("mine")})
		if err != nil {
			t.Fatal(err)
		}
		objs := objectsOf(t, e.batch(own.PathWithNamespace, outsider.Username, outsider.Token, "download", ptr(oid, size)))
		if errorCode(objs[0]) != 404 || objs[0]["actions"] != nil {
			t.Fatalf("batch for another project's object = %v", objs)
		}
		r = s.Do(t, labtest.Request{Method: http.MethodGet, Path: s.URL + "/" + own.PathWithNamespace + ".git/gitlab-lfs/objects/" + oid,
			Header: map[string]string{"Authorization": basic(outsider.Username, outsider.Token)}})
		if r.Status != http.StatusNotFound {
			t.Fatalf("download of another project's object = %d", r.Status)
		}
		// A reporter downloads but does not upload.
		r = e.batch(path, tm.Maintainer.Username, s.NewToken(t, tm.Maintainer.ID, "read_repository"), "upload", ptr(oid, size))
		if r.Status != http.StatusForbidden {
			t.Fatalf("upload batch with read_repository = %d %s", r.Status, r.Body)
		}
	})
	t.Run("fork downloads its source's objects", func(t *testing.T) {
		fork, _, err := s.Client(t, tm.Maintainer.Token).Projects.ForkProject(tm.Project.ID, &gitlab.ForkProjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		objs := objectsOf(t, e.batch(fork.PathWithNamespace, tm.Maintainer.Username, tm.Maintainer.Token, "download", ptr(oid, size)))
		if errorCode(objs[0]) != 0 || objs[0]["actions"] == nil {
			t.Fatalf("fork's batch = %v", objs)
		}
	})
	t.Run("lfs_enabled false", func(t *testing.T) {
		if _, _, err := root.Projects.EditProject(tm.Project.ID, &gitlab.EditProjectOptions{LFSEnabled: gitlab.Ptr(false)}); err != nil {
			t.Fatal(err)
		}
		r := e.batch(path, tm.Developer.Username, tm.Developer.Token, "download", ptr(oid, size))
		if r.Status != http.StatusNotFound {
			t.Fatalf("batch with LFS disabled = %d %s", r.Status, r.Body)
		}
		if _, _, err := root.Projects.EditProject(tm.Project.ID, &gitlab.EditProjectOptions{LFSEnabled: gitlab.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		r := e.batch(path, tm.Developer.Username, tm.Developer.Token, "delete", ptr(oid, size))
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("operation delete = %d", r.Status)
		}
		r = s.Do(t, labtest.Request{Method: http.MethodPost, Path: s.URL + "/" + path + ".git/info/lfs/objects/batch",
			RawBody: "{not json", ContentType: "application/vnd.git-lfs+json",
			Header: map[string]string{"Authorization": basic(tm.Developer.Username, tm.Developer.Token)}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("malformed batch = %d", r.Status)
		}
	})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

package v4_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// repoFixture is a private project with a README on main and one member
// per role.
type repoFixture struct {
	s                                     *labtest.Server
	p                                     *gitlab.Project
	owner, dev, reporter, guest, stranger *labtest.User
}

func newRepoFixture(t *testing.T, vis gitlab.VisibilityValue, opts ...labtest.Option) *repoFixture {
	t.Helper()
	s := labtest.Start(t, opts...)
	f := &repoFixture{s: s, owner: s.NewUser(t, "alice"), dev: s.NewUser(t, "bob"), reporter: s.NewUser(t, "carol"),
		guest: s.NewUser(t, "dave"), stranger: s.NewUser(t, "eve")}
	c := s.Client(t, f.owner.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Code"),
		InitializeWithReadme: gitlab.Ptr(true), DefaultBranch: gitlab.Ptr("main"), Visibility: gitlab.Ptr(vis)})
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.dev: gitlab.DeveloperPermissions,
		f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *repoFixture) gitDir() string { return f.s.Srv.Repos.Path(int64(f.p.ID)) }

// head returns a branch's commit straight from the repository.
func (f *repoFixture) head(t *testing.T, branch string) string {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", f.gitDir(), "rev-parse", "--verify", "-q", "refs/heads/"+branch).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func (f *repoFixture) filesPath(p string) string {
	return "/projects/" + itoa(f.p.ID) + "/repository/files/" + url.PathEscape(p)
}

func TestFilesLifecycle(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility)
	c := f.s.Client(t, f.owner.Token)
	pid := f.p.ID

	// main is protected by default (Maintainers push): a Developer is
	// refused there in GitLab's words, the branch untouched.
	head0 := f.head(t, "main")
	f.s.Do(t, labtest.Request{Method: "POST", Path: f.filesPath("x.txt"), Token: f.dev.Token,
		JSON: map[string]any{"branch": "main", "content": "x", "commit_message": "m"}}).
		ExpectError(t, 403, `{"message":"403 Forbidden - You are not allowed to push into this branch"}`)
	if f.head(t, "main") != head0 {
		t.Fatal("refused write moved main")
	}

	info, resp, err := c.RepositoryFiles.CreateFile(pid, "lib/main.go", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("package main\n"), CommitMessage: gitlab.Ptr("add main"),
		ExecuteFilemode: gitlab.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusCreated || info.FilePath != "lib/main.go" || info.Branch != "main" {
		t.Fatalf("create = %+v, %v", info, err)
	}
	file, _, err := c.RepositoryFiles.GetFile(pid, "lib/main.go", &gitlab.GetFileOptions{Ref: gitlab.Ptr("main")})
	if err != nil {
		t.Fatal(err)
	}
	content, _ := base64.StdEncoding.DecodeString(file.Content)
	if string(content) != "package main\n" || file.FileName != "main.go" || file.Encoding != "base64" ||
		!file.ExecuteFilemode || file.Ref != "main" || file.CommitID != f.head(t, "main") ||
		file.LastCommitID != file.CommitID || file.Size != 13 || len(file.SHA256) != 64 || file.BlobID == "" {
		t.Fatalf("file = %+v", file)
	}
	meta, resp, err := c.RepositoryFiles.GetFileMetaData(pid, "lib/main.go", &gitlab.GetFileMetaDataOptions{Ref: gitlab.Ptr("main")})
	if err != nil || meta.BlobID != file.BlobID || meta.LastCommitID != file.LastCommitID || meta.SHA256 != file.SHA256 ||
		resp.Header.Get("X-Gitlab-Execute-Filemode") != "true" || resp.Header.Get("X-Gitlab-Size") != "13" {
		t.Fatalf("meta = %+v, %v, %v", meta, resp.Header, err)
	}
	raw, _, err := c.RepositoryFiles.GetRawFile(pid, "lib/main.go", nil)
	if err != nil || string(raw) != "package main\n" {
		t.Fatalf("raw = %q, %v", raw, err)
	}

	// Update with base64 and the right last_commit_id, then a stale one.
	old := file.LastCommitID
	_, resp, err = c.RepositoryFiles.UpdateFile(pid, "lib/main.go", &gitlab.UpdateFileOptions{Branch: gitlab.Ptr("main"),
		Content:  gitlab.Ptr(base64.StdEncoding.EncodeToString([]byte("package main\n\nfunc main() {}\n"))),
		Encoding: gitlab.Ptr("base64"), CommitMessage: gitlab.Ptr("body"), LastCommitID: gitlab.Ptr(old),
		AuthorName: gitlab.Ptr("Someone"), AuthorEmail: gitlab.Ptr("someone@example.com")})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("update: %v", err)
	}
	cm, _, err := c.Commits.GetCommit(pid, "main", nil)
	if err != nil || cm.AuthorName != "Someone" || cm.CommitterName != "Alice" || cm.Stats == nil || cm.Stats.Additions != 2 {
		t.Fatalf("commit = %+v, %v", cm, err)
	}
	before := f.head(t, "main")
	r := f.s.Do(t, labtest.Request{Method: "PUT", Path: f.filesPath("lib/main.go"), Token: f.owner.Token,
		JSON: map[string]any{"branch": "main", "content": "x", "commit_message": "m", "last_commit_id": old}})
	r.ExpectError(t, 400, `{"message":"You are attempting to update a file that has changed since you started editing it."}`)

	blame, _, err := c.RepositoryFiles.GetFileBlame(pid, "lib/main.go", &gitlab.GetFileBlameOptions{Ref: gitlab.Ptr("main")})
	if err != nil || len(blame) != 2 || blame[0].Commit.ID != old || blame[1].Commit.ID != cm.ID ||
		strings.Join(blame[1].Lines, "|") != "|func main() {}" {
		t.Fatalf("blame = %+v, %v", blame, err)
	}
	ranged, _, err := c.RepositoryFiles.GetFileBlame(pid, "lib/main.go", &gitlab.GetFileBlameOptions{Ref: gitlab.Ptr("main"),
		RangeStart: gitlab.Ptr(int64(3)), RangeEnd: gitlab.Ptr(int64(3))})
	if err != nil || len(ranged) != 1 || ranged[0].Lines[0] != "func main() {}" {
		t.Fatalf("ranged blame = %+v, %v", ranged, err)
	}
	if f.head(t, "main") != before {
		t.Fatal("refused update moved the branch")
	}

	// Create on a new branch from main, then delete there.
	if _, _, err := c.RepositoryFiles.CreateFile(pid, "NOTES", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("notes"),
		StartBranch: gitlab.Ptr("main"), Content: gitlab.Ptr("n"), CommitMessage: gitlab.Ptr("notes")}); err != nil {
		t.Fatal(err)
	}
	resp, err = c.RepositoryFiles.DeleteFile(pid, "NOTES", &gitlab.DeleteFileOptions{Branch: gitlab.Ptr("notes"),
		CommitMessage: gitlab.Ptr("rm")})
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if _, resp, err := c.RepositoryFiles.GetFile(pid, "NOTES", &gitlab.GetFileOptions{Ref: gitlab.Ptr("notes")}); resp == nil || resp.StatusCode != 404 {
		t.Fatalf("deleted file: %v", err)
	}
	r = f.s.Do(t, labtest.Request{Path: f.filesPath("NOTES") + "?ref=notes", Token: f.dev.Token})
	r.ExpectError(t, 404, `{"message":"404 File Not Found"}`)
	r = f.s.Do(t, labtest.Request{Path: f.filesPath("README.md") + "?ref=nope", Token: f.dev.Token})
	r.ExpectError(t, 404, `{"message":"404 Commit Not Found"}`)
	r = f.s.Do(t, labtest.Request{Path: f.filesPath("README.md"), Token: f.dev.Token})
	r.ExpectError(t, 400, `{"error":"ref is missing"}`)
}

func TestFilesBadInput(t *testing.T) {
	t.Parallel()
	f := newRepoFixture(t, gitlab.PrivateVisibility, func(c *config.Config) { c.MaxFileSize = 1000 })
	before := f.head(t, "main")
	do := func(method, p string, body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: method, Path: f.filesPath(p), Token: f.owner.Token, JSON: body})
	}
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"branch": "main", "content": "x", "commit_message": "m"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	do("POST", "README.md", base(nil)).ExpectError(t, 400, `{"message":"A file with this name already exists"}`)
	do("PUT", "missing.txt", base(nil)).ExpectError(t, 400, `{"message":"A file with this name doesn't exist"}`)
	do("DELETE", "missing.txt", base(nil)).ExpectError(t, 400, `{"message":"A file with this name doesn't exist"}`)
	do("POST", "new.txt", map[string]any{"content": "x", "commit_message": "m"}).ExpectError(t, 400, `{"error":"branch is missing"}`)
	do("POST", "new.txt", map[string]any{"branch": "main", "content": "x"}).ExpectError(t, 400, `{"error":"commit_message is missing"}`)
	do("POST", "new.txt", map[string]any{"branch": "main", "commit_message": "m"}).ExpectError(t, 400, `{"error":"content is missing"}`)
	do("POST", "new.txt", base(map[string]any{"encoding": "base64", "content": "!!!"})).ExpectError(t, 400,
		`{"message":"400 Bad request - content is not valid base64"}`)
	do("POST", "new.txt", base(map[string]any{"encoding": "rot13"})).ExpectError(t, 400, `{"error":"encoding does not have a valid value"}`)
	do("POST", "big.txt", base(map[string]any{"content": strings.Repeat("x", 1001)})).ExpectError(t, 400,
		`{"message":"400 Bad request - file is too large (limit is 1000 bytes)"}`)
	do("POST", "new.txt", base(map[string]any{"branch": "nope"})).ExpectError(t, 400,
		`{"message":"You can only create or edit files when you are on a branch"}`)
	for _, p := range []string{"../etc/passwd", "a/../../b", "/abs", "a\x00b"} {
		do("POST", p, base(nil)).ExpectError(t, 400, `{"error":"file_path should be a valid file path"}`)
	}
	do("POST", ".git/config", base(nil)).ExpectError(t, 400, `{"message":"invalid path: '.git/config'"}`)
	do("POST", "sub/.GIT/hooks", base(nil)).ExpectError(t, 400, `{"message":"invalid path: 'sub/.GIT/hooks'"}`)
	// Non-UTF-8 text sent as a form.
	r := f.s.Do(t, labtest.Request{Method: "POST", Path: f.filesPath("bin.txt"), Token: f.owner.Token,
		RawBody: "branch=main&commit_message=m&content=%ff%fe", ContentType: "application/x-www-form-urlencoded"})
	r.ExpectError(t, 400, `{"error":"content is invalid"}`)
	if got := f.head(t, "main"); got != before {
		t.Fatalf("bad input moved main from %s to %s", before, got)
	}
	out, err := exec.Command("git", "--git-dir", f.gitDir(), "fsck", "--strict").CombinedOutput()
	if err != nil {
		t.Fatalf("fsck: %v %s", err, out)
	}
}

func TestFilesPermissions(t *testing.T) {
	t.Parallel()
	for _, vis := range []gitlab.VisibilityValue{gitlab.PrivateVisibility, gitlab.PublicVisibility} {
		t.Run(string(vis), func(t *testing.T) {
			f := newRepoFixture(t, vis)
			// A guest sees the private project, not its code: 403.
			read := map[string]int{"alice": 200, "bob": 200, "carol": 200, "dave": 403, "eve": 404, "anon": 404}
			write := map[string]int{"alice": 201, "bob": 201, "carol": 403, "dave": 403, "eve": 404, "anon": 401}
			if vis == gitlab.PublicVisibility {
				read = map[string]int{"alice": 200, "bob": 200, "carol": 200, "dave": 200, "eve": 200, "anon": 200}
				write = map[string]int{"alice": 201, "bob": 201, "carol": 403, "dave": 403, "eve": 403, "anon": 401}
			}
			users := map[string]string{"alice": f.owner.Token, "bob": f.dev.Token, "carol": f.reporter.Token,
				"dave": f.guest.Token, "eve": f.stranger.Token, "anon": ""}
			for name, tok := range users {
				r := f.s.Do(t, labtest.Request{Path: f.filesPath("README.md") + "?ref=main", Token: tok})
				if r.Status != read[name] {
					t.Errorf("%s read = %d %s, want %d", name, r.Status, r.Body, read[name])
				}
				r = f.s.Do(t, labtest.Request{Path: f.filesPath("README.md") + "/raw", Token: tok})
				if r.Status != read[name] {
					t.Errorf("%s raw = %d, want %d", name, r.Status, read[name])
				}
				before := f.head(t, "main")
				r = f.s.Do(t, labtest.Request{Method: "POST", Path: f.filesPath(name + ".txt"), Token: tok,
					JSON: map[string]any{"branch": "topic-" + name, "start_branch": "main", "content": "x", "commit_message": "m"}})
				if r.Status != write[name] {
					t.Errorf("%s write = %d %s, want %d", name, r.Status, r.Body, write[name])
				}
				if r.Status == 403 {
					r.ExpectError(t, 403, `{"message":"403 Forbidden"}`)
				}
				if r.Status != 201 && f.head(t, "main") != before {
					t.Errorf("%s: refused write moved main", name)
				}
			}
		})
	}
}

// TestFilesEmptyRepository checks the first commit of an empty project.
func TestFilesEmptyRepository(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	c := s.Client(t, alice.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Empty")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.RepositoryFiles.CreateFile(p.ID, "first.txt", &gitlab.CreateFileOptions{Branch: gitlab.Ptr("main"),
		Content: gitlab.Ptr("hi"), CommitMessage: gitlab.Ptr("first")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := c.Projects.GetProject(p.ID, nil)
	if err != nil || got.EmptyRepo {
		t.Fatalf("project after first commit: empty_repo=%v, %v", got.EmptyRepo, err)
	}
	if _, err := s.Srv.Repos.Open(int64(p.ID)).Blob(context.Background(), "main", "first.txt"); err != nil {
		t.Fatal(err)
	}
}

package v4_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/config"
	"github.com/lablet/lablet/internal/labtest"
)

// upFixture is a public project grp/app and a private one grp/secret,
// owned by olga, with dev (Developer) and maxi (Maintainer) on both.
type upFixture struct {
	s                           *labtest.Server
	owner, dev, maint, outsider *labtest.User
	app, secret                 *gitlab.Project
}

func newUpFixture(t *testing.T, opts ...labtest.Option) *upFixture {
	t.Helper()
	s := labtest.Start(t, opts...)
	f := &upFixture{s: s, owner: s.NewUser(t, "olga"), dev: s.NewUser(t, "dev"), maint: s.NewUser(t, "maxi"),
		outsider: s.NewUser(t, "otto")}
	c := s.Client(t, f.owner.Token)
	g, _, err := c.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("grp"), Path: gitlab.Ptr("grp"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string, v gitlab.VisibilityValue) *gitlab.Project {
		p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name),
			NamespaceID: gitlab.Ptr(g.ID), Visibility: gitlab.Ptr(v)})
		if err != nil {
			t.Fatal(err)
		}
		for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.dev: gitlab.DeveloperPermissions, f.maint: gitlab.MaintainerPermissions} {
			if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
				AccessLevel: gitlab.Ptr(l)}); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	f.app, f.secret = mk("app", gitlab.PublicVisibility), mk("secret", gitlab.PrivateVisibility)
	return f
}

// rawUpload posts a multipart body with a "file" part named filename.
func (f *upFixture) rawUpload(t *testing.T, token string, project int64, filename, content string) *labtest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(pw, content)
	_ = mw.Close()
	return f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(project) + "/uploads", Token: token,
		RawBody: b.String(), ContentType: mw.FormDataContentType()})
}

var pngBytes = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"

var uploadURL = regexp.MustCompile(`^/uploads/[0-9a-f]{32}/`)

func TestUploadsLifecycle(t *testing.T) {
	t.Parallel()
	f := newUpFixture(t)
	c := f.s.Client(t, f.dev.Token)

	img, resp, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(f.app.ID, strings.NewReader(pngBytes), "dk.png")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || img.ID == 0 || img.Alt != "dk" || !uploadURL.MatchString(img.URL) ||
		!strings.HasSuffix(img.URL, "/dk.png") || img.FullPath != "/-/project/"+itoa(f.app.ID)+img.URL ||
		img.Markdown != "![dk]("+img.URL+")" {
		t.Fatalf("image upload = %d %+v", resp.StatusCode, img)
	}
	txt, _, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(f.app.ID, strings.NewReader("notes"), "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if txt.Alt != "notes.txt" || txt.Markdown != "[notes.txt]("+txt.URL+")" {
		t.Fatalf("text upload = %+v", txt)
	}

	// Listing and downloading by id are the Maintainer's.
	if _, resp, err := c.ProjectMarkdownUploads.ListProjectMarkdownUploads(f.app.ID); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("developer lists uploads: %v", err)
	}
	mc := f.s.Client(t, f.maint.Token)
	list, resp, err := mc.ProjectMarkdownUploads.ListProjectMarkdownUploads(f.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != txt.ID || list[1].ID != img.ID || list[1].Filename != "dk.png" ||
		list[1].Size != int64(len(pngBytes)) || list[1].UploadedBy == nil || list[1].UploadedBy.Username != "dev" ||
		list[1].CreatedAt == nil || resp.TotalItems != 2 {
		t.Fatalf("list = %+v", list)
	}
	got, _, err := mc.ProjectMarkdownUploads.DownloadProjectMarkdownUploadByID(f.app.ID, img.ID)
	if err != nil || string(got) != pngBytes {
		t.Fatalf("download by id = %q, %v", got, err)
	}
	// By secret: whoever sees the project, anonymous callers included.
	secret, name, _ := strings.Cut(strings.TrimPrefix(txt.URL, "/uploads/"), "/")
	got, _, err = f.s.Client(t, "").ProjectMarkdownUploads.DownloadProjectMarkdownUploadBySecretAndFilename(f.app.ID, secret, name)
	if err != nil || string(got) != "notes" {
		t.Fatalf("download by secret = %q, %v", got, err)
	}

	// Unknown ones are 404, in GitLab's two wordings.
	p := "/projects/" + itoa(f.app.ID) + "/uploads/"
	f.s.Do(t, labtest.Request{Path: p + "999999", Token: f.maint.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Path: p + secret + "/other.txt", Token: f.maint.Token}).ExpectError(t, 404, `{"message":"404 Not Found"}`)
	f.s.Do(t, labtest.Request{Path: p + "nothex/notes.txt", Token: f.maint.Token}).ExpectError(t, 404, `{"message":"404 Not Found"}`)
	f.s.Do(t, labtest.Request{Path: p + "abc", Token: f.maint.Token}).ExpectError(t, 400, `{"error":"upload_id is invalid"}`)

	// Deleting is the Maintainer's, by id or by secret; the bytes go too.
	if resp, err := c.ProjectMarkdownUploads.DeleteProjectMarkdownUploadByID(f.app.ID, img.ID); resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("developer deletes: %v", err)
	}
	if resp, err := mc.ProjectMarkdownUploads.DeleteProjectMarkdownUploadByID(f.app.ID, img.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete by id: %v", err)
	}
	if resp, err := mc.ProjectMarkdownUploads.DeleteProjectMarkdownUploadBySecretAndFilename(f.app.ID, secret, name); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete by secret: %v", err)
	}
	f.s.Do(t, labtest.Request{Method: "DELETE", Path: p + itoa(img.ID), Token: f.maint.Token}).ExpectError(t, 404, `{"message":"404 Not found"}`)
	if list, _, _ := mc.ProjectMarkdownUploads.ListProjectMarkdownUploads(f.app.ID); len(list) != 0 {
		t.Fatalf("after deletes: %+v", list)
	}
	if left := blobFiles(t, f.s); len(left) != 0 {
		t.Fatalf("blobs left after deletes: %v", left)
	}
}

// blobFiles lists the files under the server's blob storage.
func blobFiles(t *testing.T, s *labtest.Server) []string {
	t.Helper()
	var out []string
	root := filepath.Join(s.Config.DataDir, "blobs")
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			out = append(out, strings.TrimPrefix(p, root))
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v", p, info.Mode().Perm())
			}
		}
		return nil
	})
	return out
}

func TestUploadsRefused(t *testing.T) {
	t.Parallel()
	f := newUpFixture(t, func(c *config.Config) { c.MaxAttachmentSize = 1024 })
	// Anonymous callers, and outsiders of a private project.
	f.rawUpload(t, "", f.app.ID, "a.txt", "x").ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	f.rawUpload(t, f.outsider.Token, f.secret.ID, "a.txt", "x").ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	// Over the configured size: 413, and nothing kept.
	f.rawUpload(t, f.dev.Token, f.app.ID, "big.bin", strings.Repeat("x", 1025)).
		ExpectError(t, 413, `{"message":"413 Request Entity Too Large"}`)
	if r := f.rawUpload(t, f.dev.Token, f.app.ID, "fits.bin", strings.Repeat("x", 1024)); r.Status != 201 {
		t.Fatalf("a file of exactly the limit: %d %s", r.Status, r.Body)
	}
	if left := blobFiles(t, f.s); len(left) != 1 {
		t.Fatalf("blobs = %v, want the one that fits", left)
	}
	// No file part, or not multipart at all.
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.app.ID) + "/uploads", Token: f.dev.Token,
		JSON: map[string]any{"file": "x"}}).ExpectError(t, 400, `{"error":"file is missing"}`)
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("file", "not a file")
	_ = mw.Close()
	f.s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(f.app.ID) + "/uploads", Token: f.dev.Token,
		RawBody: b.String(), ContentType: mw.FormDataContentType()}).ExpectError(t, 400, `{"error":"file is invalid"}`)
}

func TestUploadFilenamesAreSanitized(t *testing.T) {
	t.Parallel()
	f := newUpFixture(t)
	long := strings.Repeat("a", 1000) + ".txt"
	for in, want := range map[string]string{
		"../../etc/passwd": "passwd",
		`..\..\evil.txt`:   "evil.txt",
		"résumé (1).pdf":   "résumé__1_.pdf",
		"<script>.html":    "_script_.html",
		"..":               "_..",
		"semi;colon \"q\"": "semi_colon__q_",
		"tab\there.txt":    "tab_here.txt",
		long:               strings.Repeat("a", 196) + ".txt",
	} {
		r := f.rawUpload(t, f.dev.Token, f.app.ID, strings.ReplaceAll(in, `"`, `\"`), "x")
		if r.Status != http.StatusCreated {
			t.Errorf("upload %q: %d %s", in, r.Status, r.Body)
			continue
		}
		var up gitlab.ProjectMarkdownUploadedFile
		r.JSON(t, &up)
		if !uploadURL.MatchString(up.URL) || strings.TrimLeft(uploadURL.FindString(up.URL), "") == "" ||
			up.URL[len("/uploads/")+33:] != want {
			t.Errorf("upload %q: url %q, want filename %q", in, up.URL, want)
		}
	}
	// A NUL in the name never reaches storage: refused or replaced.
	r := f.rawUpload(t, f.dev.Token, f.app.ID, "nul\x00.txt", "x")
	if r.Status >= 500 || r.Status == http.StatusCreated && strings.ContainsRune(string(r.Body), 0) {
		t.Fatalf("NUL filename: %d %q", r.Status, r.Body)
	}
}

func TestUploadsServedWithTheProjectsVisibility(t *testing.T) {
	t.Parallel()
	f := newUpFixture(t)
	c := f.s.Client(t, f.dev.Token)
	up := func(p *gitlab.Project, name, content string) *gitlab.ProjectMarkdownUploadedFile {
		u, _, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(p.ID, strings.NewReader(content), name)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	img := up(f.app, "shot.png", pngBytes)
	for _, path := range []string{img.FullPath, "/grp/app" + img.URL} {
		r := f.s.Do(t, labtest.Request{Path: f.s.URL + path})
		if r.Status != 200 || string(r.Body) != pngBytes || r.Header.Get("Content-Type") != "image/png" ||
			!strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline") ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("GET %s = %d %v", path, r.Status, r.Header)
		}
	}
	// HTML and SVG are downloads, never documents of the instance's origin.
	for name, content := range map[string]string{"x.html": "<script>alert(1)</script>", "x.svg": `<svg onload="alert(1)"/>`,
		"x.txt": "<html><script>alert(1)</script>"} {
		u := up(f.app, name, content)
		r := f.s.Do(t, labtest.Request{Path: f.s.URL + u.FullPath})
		ct := r.Header.Get("Content-Type")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") ||
			strings.Contains(ct, "html") || strings.Contains(ct, "svg") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s served as %d %v", name, r.Status, r.Header)
		}
	}
	// A private project's uploads: 404 to whoever can't see the project.
	priv := up(f.secret, "p.png", pngBytes)
	for _, path := range []string{priv.FullPath, "/grp/secret" + priv.URL, "/grp/app" + priv.URL} {
		if r := f.s.Do(t, labtest.Request{Path: f.s.URL + path}); r.Status != 404 || bytes.Contains(r.Body, []byte("PNG")) {
			t.Fatalf("anonymous GET %s = %d", path, r.Status)
		}
	}
	got, _, err := c.ProjectMarkdownUploads.DownloadProjectMarkdownUploadBySecretAndFilename(f.secret.ID,
		priv.URL[len("/uploads/"):len("/uploads/")+32], "p.png")
	if err != nil || string(got) != pngBytes {
		t.Fatalf("member download: %v", err)
	}
	oc := f.s.Client(t, f.outsider.Token)
	if _, resp, _ := oc.ProjectMarkdownUploads.DownloadProjectMarkdownUploadBySecretAndFilename(f.secret.ID,
		priv.URL[len("/uploads/"):len("/uploads/")+32], "p.png"); resp == nil || resp.StatusCode != 404 {
		t.Fatalf("outsider download: %v", resp)
	}
	// Range requests work (browsers seek in videos).
	r := f.s.Do(t, labtest.Request{Path: f.s.URL + img.FullPath, Header: map[string]string{"Range": "bytes=0-3"}})
	if r.Status != http.StatusPartialContent || string(r.Body) != pngBytes[:4] {
		t.Fatalf("range = %d %q", r.Status, r.Body)
	}
}

func TestUploadsGoWithTheirProject(t *testing.T) {
	t.Parallel()
	f := newUpFixture(t)
	c := f.s.Client(t, f.owner.Token)
	for _, p := range []*gitlab.Project{f.app, f.secret} {
		if _, _, err := c.ProjectMarkdownUploads.UploadProjectMarkdown(p.ID, strings.NewReader("x"), "x.txt"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Projects.DeleteProject(f.app.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Srv.Service.PurgeDeletedProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	left := blobFiles(t, f.s)
	if len(left) != 1 || !strings.HasPrefix(left[0], "/uploads/"+itoa(f.secret.ID)+"/") {
		t.Fatalf("blobs after purging the project = %v, want the other project's only", left)
	}
}

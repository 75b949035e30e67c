package wikis_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/repo"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func pageKeys(pages []*gitlab.Wiki) string {
	var out []string
	for _, p := range pages {
		out = append(out, p.Slug+"|"+p.Title+"|"+string(p.Format))
	}
	return strings.Join(out, ",")
}

// TestProjectWikiPages: a Developer creates, lists, reads, renders and
// edits pages through client-go; slugs are GitLab's (spaces as hyphens,
// directories with '/'); a Maintainer deletes; bad input is 400.
func TestProjectWikiPages(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	dc := s.Client(t, f.Developer.Token)
	pid := f.Project.ID

	home, resp, err := dc.Wikis.CreateWikiPage(pid, &gitlab.CreateWikiPageOptions{Title: gitlab.Ptr("Home"),
		Content: gitlab.Ptr("# Welcome\n\nSee [setup](docs/Setup-guide).")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	if home.Slug != "Home" || home.Title != "Home" || home.Format != "markdown" || home.Encoding != "UTF-8" ||
		!strings.HasPrefix(home.Content, "# Welcome") {
		t.Fatalf("created = %+v", home)
	}
	started, _, err := dc.Wikis.CreateWikiPage(pid, &gitlab.CreateWikiPageOptions{Title: gitlab.Ptr("Getting started"),
		Content: gitlab.Ptr("steps")})
	if err != nil || started.Slug != "Getting-started" || started.Title != "Getting started" {
		t.Fatalf("spaces: %+v, %v", started, err)
	}
	setup, _, err := dc.Wikis.CreateWikiPage(pid, &gitlab.CreateWikiPageOptions{Title: gitlab.Ptr("docs/Setup guide"),
		Content: gitlab.Ptr("= Setup <b>"), Format: gitlab.Ptr(gitlab.WikiFormatRDoc)})
	if err != nil || setup.Slug != "docs/Setup-guide" || setup.Title != "Setup guide" || setup.Format != "rdoc" {
		t.Fatalf("directory: %+v, %v", setup, err)
	}

	list, _, err := dc.Wikis.ListWikis(pid, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := pageKeys(list); got != "Getting-started|Getting started|markdown,Home|Home|markdown,docs/Setup-guide|Setup guide|rdoc" {
		t.Fatalf("list = %s", got)
	}
	if list[0].Content != "" {
		t.Fatalf("list without content shows %q", list[0].Content)
	}
	full, _, err := dc.Wikis.ListWikis(pid, &gitlab.ListWikisOptions{WithContent: gitlab.Ptr(true)})
	if err != nil || len(full) != 3 || full[0].Content != "steps" || full[2].Content != "= Setup <b>" {
		t.Fatalf("with_content = %+v, %v", full, err)
	}

	// A slug with '/' is one escaped path segment; titles find pages too,
	// case-insensitively.
	got, _, err := dc.Wikis.GetWikiPage(pid, "docs/Setup-guide", nil)
	if err != nil || got.Content != "= Setup <b>" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if got, _, err := dc.Wikis.GetWikiPage(pid, "getting started", nil); err != nil || got.Slug != "Getting-started" {
		t.Fatalf("get by title = %+v, %v", got, err)
	}
	html, _, err := dc.Wikis.GetWikiPage(pid, "Home", &gitlab.GetWikiPageOptions{RenderHTML: gitlab.Ptr(true)})
	if err != nil || !strings.Contains(html.Content, "<h1") || !strings.Contains(html.Content, "Welcome</h1>") ||
		strings.Contains(html.Content, "# Welcome") {
		t.Fatalf("render_html = %q, %v", html.Content, err)
	}
	// Formats lablet does not render are escaped text.
	if rd, _, err := dc.Wikis.GetWikiPage(pid, "docs/Setup-guide", &gitlab.GetWikiPageOptions{RenderHTML: gitlab.Ptr(true)}); err != nil ||
		rd.Content != "<pre>= Setup &lt;b&gt;</pre>" {
		t.Fatalf("render_html rdoc = %q, %v", rd.Content, err)
	}

	// Editing the content keeps the file; a new title moves it.
	ed, _, err := dc.Wikis.EditWikiPage(pid, "Getting-started", &gitlab.EditWikiPageOptions{Content: gitlab.Ptr("new steps")})
	if err != nil || ed.Slug != "Getting-started" || ed.Content != "new steps" {
		t.Fatalf("edit = %+v, %v", ed, err)
	}
	mv, _, err := dc.Wikis.EditWikiPage(pid, "Getting-started", &gitlab.EditWikiPageOptions{Title: gitlab.Ptr("guides/First steps"),
		Format: gitlab.Ptr(gitlab.WikiFormatOrg)})
	if err != nil || mv.Slug != "guides/First-steps" || mv.Format != "org" || mv.Content != "new steps" {
		t.Fatalf("move = %+v, %v", mv, err)
	}
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/wikis/Getting-started", Token: f.Developer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Wiki Page Not Found"}`)
	// A version is a commit: the page as it was.
	if _, _, err := dc.Wikis.GetWikiPage(pid, "Home", &gitlab.GetWikiPageOptions{Version: gitlab.Ptr("0000000")}); err == nil {
		t.Fatal("unknown version found")
	}

	// Bad input.
	base := "/projects/" + itoa(pid) + "/wikis"
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"title": "", "content": "x"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"title":["can't be blank"]}}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"title": "T", "content": "x", "format": "textile"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"format does not have a valid value"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"title is missing, content is missing"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"title": "home", "content": "x", "format": "asciidoc"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"base":["Duplicate page: A page with that title already exists in the file home.asciidoc"]}}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: base + "/Home", Token: f.Developer.Token, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"content, title, format are missing, at least one parameter must be provided"}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: base + "/Home", Token: f.Developer.Token, JSON: map[string]any{"title": "docs/Setup guide"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"base":["Duplicate page: A page with that title already exists in the file docs/Setup-guide.md"]}}`)

	// Deleting takes a Maintainer (admin_wiki).
	s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/Home", Token: f.Developer.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	mc := s.Client(t, f.Maintainer.Token)
	if resp, err := mc.Wikis.DeleteWikiPage(pid, "docs/Setup-guide"); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if list, _, _ := mc.Wikis.ListWikis(pid, nil); pageKeys(list) != "Home|Home|markdown,guides/First-steps|First steps|org" {
		t.Fatalf("after delete = %s", pageKeys(list))
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/docs%2FSetup-guide", Token: f.Maintainer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Wiki Page Not Found"}`)

	// The commits are the callers', with GitLab's default messages.
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", s.GitURL(f.Maintainer, "team/app.wiki"), "w")
	logs := labtest.Git(t, filepath.Join(dir, "w"), "log", "--format=%an|%s")
	want := strings.Join([]string{"mia|mia deleted page: Setup guide", "dev|dev updated page: guides/First steps",
		"dev|dev updated page: Getting-started", "dev|dev created page: docs/Setup guide",
		"dev|dev created page: Getting started", "dev|dev created page: Home"}, "\n")
	if logs != strings.Replace(strings.Replace(want, "mia|", f.Maintainer.Name+"|", 1), "dev|", f.Developer.Name+"|", -1) {
		t.Fatalf("log =\n%s", logs)
	}
}

// TestWikiGitAndAttachments: the wiki is a git repository: a clone shows
// the pages' files and attachments (uploads/<hex>/<name>), a pushed page
// shows in the API; a Reporter clones but does not push; nobody else
// sees a private wiki.
func TestWikiGitAndAttachments(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	dc := s.Client(t, f.Developer.Token)
	pid := f.Project.ID
	if _, _, err := dc.Wikis.CreateWikiPage(pid, &gitlab.CreateWikiPageOptions{Title: gitlab.Ptr("Home Page"),
		Content: gitlab.Ptr("hello")}); err != nil {
		t.Fatal(err)
	}
	att, resp, err := dc.Wikis.UploadWikiAttachment(pid, strings.NewReader("PNGDATA"), "my logo.png", nil)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("attachment: %v", err)
	}
	if !regexp.MustCompile(`^uploads/[0-9a-f]{32}/my_logo\.png$`).MatchString(att.FilePath) || att.FileName != "my_logo.png" ||
		att.Branch != "main" || att.Link.URL != att.FilePath || att.Link.Markdown != "![my_logo.png]("+att.FilePath+")" {
		t.Fatalf("attachment = %+v", att)
	}

	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", s.GitURL(f.Developer, "team/app.wiki"), "w")
	wd := filepath.Join(dir, "w")
	if b, err := os.ReadFile(filepath.Join(wd, "Home-Page.md")); err != nil || string(b) != "hello" {
		t.Fatalf("page file: %q, %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(wd, filepath.FromSlash(att.FilePath))); err != nil || string(b) != "PNGDATA" {
		t.Fatalf("attachment file: %q, %v", b, err)
	}
	// A push of a new page: the API lists it; attachments are no pages.
	if err := os.MkdirAll(filepath.Join(wd, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wd, "notes", "Pushed-page.md"), []byte("from git"), 0o644); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, wd, "add", ".")
	labtest.Git(t, wd, "commit", "-q", "-m", "pushed")
	labtest.Git(t, wd, "push", "-q", "origin", "HEAD")
	list, _, err := dc.Wikis.ListWikis(pid, nil)
	if err != nil || pageKeys(list) != "Home-Page|Home Page|markdown,notes/Pushed-page|Pushed page|markdown" {
		t.Fatalf("after push = %s, %v", pageKeys(list), err)
	}
	if pg, _, err := dc.Wikis.GetWikiPage(pid, "notes/Pushed-page", nil); err != nil || pg.Content != "from git" {
		t.Fatalf("pushed page = %+v, %v", pg, err)
	}

	// A Reporter reads and clones, but neither writes nor pushes.
	reporter := s.NewUser(t, "rita")
	root := s.Client(t, s.RootToken)
	if _, _, err := root.ProjectMembers.AddProjectMember(pid, &gitlab.AddProjectMemberOptions{UserID: reporter.ID,
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	rc := s.Client(t, reporter.Token)
	if _, _, err := rc.Wikis.GetWikiPage(pid, "Home-Page", nil); err != nil {
		t.Fatalf("reporter read: %v", err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(pid) + "/wikis", Token: reporter.Token,
		JSON: map[string]any{"title": "x", "content": "y"}}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	rdir := t.TempDir()
	labtest.Git(t, rdir, "clone", "-q", s.GitURL(reporter, "team/app.wiki"), "w")
	rwd := filepath.Join(rdir, "w")
	if err := os.WriteFile(filepath.Join(rwd, "x.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	labtest.Git(t, rwd, "add", ".")
	labtest.Git(t, rwd, "commit", "-q", "-m", "x")
	if out, err := gitErr(rwd, "push", "origin", "HEAD"); err == nil || !strings.Contains(out, "You are not allowed to write to this project's wiki.") {
		t.Fatalf("reporter push: %v: %s", err, out)
	}
	// Strangers: private wiki is not found, through the API and git.
	stranger := s.NewUser(t, "stan")
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/wikis", Token: stranger.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(pid) + "/wikis"}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	if out, err := gitErr(t.TempDir(), "clone", "-q", s.GitURL(stranger, "team/app.wiki"), "w"); err == nil {
		t.Fatalf("stranger cloned: %s", out)
	}
}

func gitErr(dir string, args ...string) (string, error) {
	cmd := execGit(dir, args...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestWikiVisibilityAndDisabled: anyone reads a public project's wiki
// (API and git); a disabled wiki is 403 through the API and hidden from
// git; guests of a private project read but do not write.
func TestWikiVisibilityAndDisabled(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	owner := s.NewUser(t, "owen")
	oc := s.Client(t, owner.Token)
	p, _, err := oc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Pub"), Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := oc.Wikis.CreateWikiPage(p.ID, &gitlab.CreateWikiPageOptions{Title: gitlab.Ptr("Readme"), Content: gitlab.Ptr("public")}); err != nil {
		t.Fatal(err)
	}
	anon := s.Do(t, labtest.Request{Path: "/projects/" + itoa(p.ID) + "/wikis/Readme"})
	if anon.Status != http.StatusOK || !strings.Contains(string(anon.Body), `"content":"public"`) {
		t.Fatalf("anonymous read: %d %s", anon.Status, anon.Body)
	}
	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", s.URL+"/"+p.PathWithNamespace+".wiki.git", "w")
	if _, err := os.Stat(filepath.Join(dir, "w", "Readme.md")); err != nil {
		t.Fatalf("anonymous clone: %v", err)
	}
	// A signed-in non-member reads but may not write (Developer+).
	other := s.NewUser(t, "otto")
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(p.ID) + "/wikis", Token: other.Token,
		JSON: map[string]any{"title": "x", "content": "y"}}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + itoa(p.ID) + "/wikis",
		JSON: map[string]any{"title": "x", "content": "y"}}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)

	if _, _, err := oc.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{WikiAccessLevel: gitlab.Ptr(gitlab.DisabledAccessControl)}); err != nil {
		t.Fatal(err)
	}
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(p.ID) + "/wikis", Token: owner.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(p.ID) + "/wikis/Readme"}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	if out, err := gitErr(t.TempDir(), "clone", "-q", s.GitURL(owner, p.PathWithNamespace+".wiki"), "w"); err == nil {
		t.Fatalf("clone of a disabled wiki: %s", out)
	}
}

// TestGroupWikiPages: a group's wiki through client-go's GroupWikis, its
// attachments and its git repository (<group>.wiki.git).
func TestGroupWikiPages(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	oc := s.Client(t, f.Owner.Token)
	gid := f.Group.ID
	pg, resp, err := oc.GroupWikis.CreateGroupWikiPage(gid, &gitlab.CreateGroupWikiPageOptions{Title: gitlab.Ptr("Team rules"),
		Content: gitlab.Ptr("be kind")})
	if err != nil || resp.StatusCode != http.StatusCreated || pg.Slug != "Team-rules" || pg.Title != "Team rules" {
		t.Fatalf("create: %+v, %v", pg, err)
	}
	if _, _, err := oc.GroupWikis.EditGroupWikiPage(gid, "Team-rules", &gitlab.EditGroupWikiPageOptions{Content: gitlab.Ptr("be very kind")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := oc.GroupWikis.GetGroupWikiPage(gid, "Team-rules", nil)
	if err != nil || got.Content != "be very kind" || got.Encoding != "UTF-8" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	list, _, err := oc.GroupWikis.ListGroupWikis(gid, &gitlab.ListGroupWikisOptions{WithContent: gitlab.Ptr(true)})
	if err != nil || len(list) != 1 || list[0].Content != "be very kind" {
		t.Fatalf("list = %+v, %v", list, err)
	}

	// An attachment, multipart as GitLab takes it, on a branch of its own.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "notes.txt")
	fw.Write([]byte("attached"))
	mw.WriteField("branch", "extra")
	mw.Close()
	r := s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + itoa(gid) + "/wikis/attachments", Token: f.Owner.Token,
		RawBody: body.String(), ContentType: mw.FormDataContentType()})
	if r.Status != http.StatusCreated || !regexp.MustCompile(`"branch":"extra".*"markdown":"\[notes.txt\]\(uploads/[0-9a-f]{32}/notes.txt\)"`).Match(r.Body) {
		t.Fatalf("attachment: %d %s", r.Status, r.Body)
	}

	dir := t.TempDir()
	labtest.Git(t, dir, "clone", "-q", s.GitURL(f.Owner, "team.wiki"), "w")
	if b, err := os.ReadFile(filepath.Join(dir, "w", "Team-rules.md")); err != nil || string(b) != "be very kind" {
		t.Fatalf("group wiki clone: %q, %v", b, err)
	}
	if out := labtest.Git(t, filepath.Join(dir, "w"), "branch", "-r"); !strings.Contains(out, "origin/extra") {
		t.Fatalf("branches: %s", out)
	}

	// A project-only member sees the private group but not its wiki;
	// Developers of the project are no group developers.
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(gid) + "/wikis", Token: f.Developer.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(gid) + "/wikis"}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)
	gm := s.Client(t, f.GroupMaintainer.Token)
	if resp, err := gm.GroupWikis.DeleteGroupWikiPage(gid, "Team-rules"); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if list, _, _ := gm.GroupWikis.ListGroupWikis(gid, nil); len(list) != 0 {
		t.Fatalf("after delete = %+v", list)
	}
}

// TestWikisGoWithTheirHolders: purging a deleted project or group removes
// its wiki repository (a group's takes its projects' too).
func TestWikisGoWithTheirHolders(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("G"), Path: gitlab.Ptr("g")})
	if err != nil {
		t.Fatal(err)
	}
	var projects []*gitlab.Project
	for _, name := range []string{"One", "Two"} {
		p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name), NamespaceID: gitlab.Ptr(g.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := root.Wikis.CreateWikiPage(p.ID, &gitlab.CreateWikiPageOptions{Title: gitlab.Ptr("Home"), Content: gitlab.Ptr("x")}); err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p)
	}
	if _, _, err := root.GroupWikis.CreateGroupWikiPage(g.ID, &gitlab.CreateGroupWikiPageOptions{Title: gitlab.Ptr("Home"), Content: gitlab.Ptr("x")}); err != nil {
		t.Fatal(err)
	}
	exists := func(kind repo.WikiKind, id int64) bool { return s.Srv.Repos.OpenWiki(kind, id).Exists() }
	if !exists(repo.ProjectWiki, projects[0].ID) || !exists(repo.ProjectWiki, projects[1].ID) || !exists(repo.GroupWiki, g.ID) {
		t.Fatal("wikis not created")
	}
	ctx := context.Background()
	if _, err := root.Projects.DeleteProject(projects[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Service.PurgeDeletedProjects(ctx); err != nil {
		t.Fatal(err)
	}
	if exists(repo.ProjectWiki, projects[0].ID) || !exists(repo.ProjectWiki, projects[1].ID) {
		t.Fatal("project purge: wrong wikis removed")
	}
	if _, err := root.Groups.DeleteGroup(g.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Service.PurgeDeletedGroups(ctx); err != nil {
		t.Fatal(err)
	}
	if exists(repo.ProjectWiki, projects[1].ID) || exists(repo.GroupWiki, g.ID) {
		t.Fatal("group purge left wikis")
	}
}

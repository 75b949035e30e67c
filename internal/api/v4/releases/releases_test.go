package releases_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// seed commits a README on main as root, so that tags have a target.
func seed(t *testing.T, s *labtest.Server, projectID int64) {
	t.Helper()
	root := s.Client(t, s.RootToken)
	if _, _, err := root.RepositoryFiles.CreateFile(projectID, "README.md", &gitlab.CreateFileOptions{
		Branch: gitlab.Ptr("main"), Content: gitlab.Ptr("# app\n"), CommitMessage: gitlab.Ptr("Initial commit")}); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// TestReleasesLifecycle: a Developer creates a release whose tag is made
// from ref, with a milestone and an asset link; lists order by released_at
// or created_at; the latest's permalink redirects; update and delete keep
// the tag; bad input gets GitLab's answers and leaves no tag behind.
func TestReleasesLifecycle(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	seed(t, s, f.Project.ID)
	root := s.Client(t, s.RootToken)
	dc := s.Client(t, f.Developer.Token)
	if _, _, err := root.Milestones.CreateMilestone(f.Project.ID, &gitlab.CreateMilestoneOptions{Title: gitlab.Ptr("M1")}); err != nil {
		t.Fatal(err)
	}
	base := "/projects/" + itoa(f.Project.ID) + "/releases"

	rel, resp, err := dc.Releases.CreateRelease(f.Project.ID, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr("v1.0"),
		Ref: gitlab.Ptr("main"), TagMessage: gitlab.Ptr("Version 1"), Name: gitlab.Ptr("First"),
		Description: gitlab.Ptr("**bold** notes"), Milestones: &[]string{"M1"},
		Assets: &gitlab.ReleaseAssetsOptions{Links: []*gitlab.ReleaseAssetLinkOptions{{Name: gitlab.Ptr("binary"),
			URL: gitlab.Ptr("https://example.com/app"), DirectAssetPath: gitlab.Ptr("/bin/app"),
			LinkType: gitlab.Ptr(gitlab.PackageLinkType)}}}})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	web := s.URL + "/team/app"
	if rel.TagName != "v1.0" || rel.Name != "First" || rel.Description != "**bold** notes" || rel.UpcomingRelease ||
		rel.Author.Username != "dev" || rel.Commit.ID == "" || rel.CommitPath != "/team/app/-/commit/"+rel.Commit.ID ||
		rel.TagPath != "/team/app/-/tags/v1.0" || rel.Assets.Count != 5 || len(rel.Assets.Sources) != 4 ||
		rel.Assets.Sources[0].URL != web+"/-/archive/v1.0/app-v1.0.zip" || len(rel.Assets.Links) != 1 ||
		rel.Assets.Links[0].DirectAssetURL != web+"/-/releases/v1.0/downloads/bin/app" ||
		rel.Assets.Links[0].LinkType != gitlab.PackageLinkType || len(rel.Milestones) != 1 || rel.Milestones[0].Title != "M1" ||
		rel.Links.Self != web+"/-/releases/v1.0" || rel.Links.EditURL != web+"/-/releases/v1.0/edit" ||
		rel.Links.OpenedIssues != web+"/-/issues?release_tag=v1.0&scope=all&state=opened" {
		t.Fatalf("created = %+v", rel)
	}
	tag, _, err := dc.Tags.GetTag(f.Project.ID, "v1.0")
	if err != nil || tag.Message != "Version 1" || tag.Commit.ID != rel.Commit.ID {
		t.Fatalf("tag = %+v, %v", tag, err)
	}
	if m := s.Do(t, labtest.Request{Path: base + "/v1.0", Token: f.Developer.Token}).Map(t); m["evidences"] == nil {
		t.Fatalf("evidences missing: %v", m)
	}

	// Bad input: GitLab's answers, and no tag made for a refused release.
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"tag_name": "v1.0", "ref": "main"}}).
		ExpectError(t, http.StatusConflict, `{"message":"Release already exists"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"tag_name": "v9"}}).
		ExpectError(t, http.StatusUnprocessableEntity, `{"message":"Ref is not specified"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"tag_name": "v9", "ref": "nope"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":"Target nope is invalid"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"tag_name": "v9", "ref": "main",
		"milestones": []string{"M1", "Nope"}}}).
		ExpectError(t, http.StatusBadRequest, `{"message":"Milestone(s) not found: Nope"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"tag_name": "v9", "ref": "main",
		"assets": map[string]any{"links": []any{map[string]any{"name": "x", "url": "javascript:alert(1)"}}}}}).
		ExpectError(t, http.StatusBadRequest, `{"message":"Validation failed: Links url is blocked: Only allowed schemes are http, https, ftp"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.Developer.Token, JSON: map[string]any{"ref": "main"}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"tag_name is missing"}`)
	if _, resp, err := dc.Tags.GetTag(f.Project.ID, "v9"); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a refused release left its tag: %v", err)
	}

	// A historical and an upcoming release; a tag name with a slash.
	past := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
	future := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Second)
	if _, _, err := dc.Releases.CreateRelease(f.Project.ID, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr("v0.9"),
		Ref: gitlab.Ptr("main"), ReleasedAt: &past}); err != nil {
		t.Fatal(err)
	}
	up, _, err := dc.Releases.CreateRelease(f.Project.ID, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr("release/2"),
		Ref: gitlab.Ptr("v1.0"), ReleasedAt: &future})
	if err != nil || !up.UpcomingRelease || up.Name != "release/2" || !up.ReleasedAt.Equal(future) {
		t.Fatalf("upcoming = %+v, %v", up, err)
	}
	if got, _, err := dc.Releases.GetRelease(f.Project.ID, "release/2"); err != nil || got.TagName != "release/2" {
		t.Fatalf("get slash tag = %+v, %v", got, err)
	}
	tags := func(list []*gitlab.Release) string {
		var out []string
		for _, r := range list {
			out = append(out, r.TagName)
		}
		return strings.Join(out, ",")
	}
	list, resp, err := dc.Releases.ListReleases(f.Project.ID, nil)
	if err != nil || tags(list) != "release/2,v1.0,v0.9" || resp.Header.Get("X-Total") != "3" {
		t.Fatalf("list = %s, %v", tags(list), err)
	}
	list, _, err = dc.Releases.ListReleases(f.Project.ID, &gitlab.ListReleasesOptions{OrderBy: gitlab.Ptr("created_at"),
		Sort: gitlab.Ptr("asc")})
	if err != nil || tags(list) != "v1.0,v0.9,release/2" {
		t.Fatalf("created_at asc = %s, %v", tags(list), err)
	}
	list, resp, err = dc.Releases.ListReleases(f.Project.ID, &gitlab.ListReleasesOptions{ListOptions: gitlab.ListOptions{PerPage: 1, Page: 2}})
	if err != nil || tags(list) != "v1.0" || resp.Header.Get("X-Next-Page") != "3" {
		t.Fatalf("page 2 = %s, %v", tags(list), err)
	}
	s.Do(t, labtest.Request{Path: base + "?order_by=name", Token: f.Developer.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"order_by does not have a valid value"}`)
	html, _, err := dc.Releases.ListReleases(f.Project.ID, &gitlab.ListReleasesOptions{IncludeHTMLDescription: gitlab.Ptr(true)})
	if err != nil || !strings.Contains(html[1].DescriptionHTML, "<strong>bold</strong>") {
		t.Fatalf("description_html = %+v, %v", html, err)
	}
	if plain := s.Do(t, labtest.Request{Path: base + "/v1.0", Token: f.Developer.Token}).Map(t); plain["description_html"] != nil {
		t.Fatalf("description_html shown unasked: %v", plain)
	}

	// The latest release's permalink redirects, with its suffix and query.
	latest, _, err := dc.Releases.GetLatestRelease(f.Project.ID)
	if err != nil || latest.TagName != "release/2" {
		t.Fatalf("latest = %+v, %v", latest, err)
	}
	links, _, err := dc.ReleaseLinks.ListReleaseLinks(f.Project.ID, "release/2", nil)
	if err != nil || len(links) != 0 {
		t.Fatalf("links via id = %+v, %v", links, err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", s.URL+"/api/v4"+base+"/permalink/latest/assets/links?order_by=x&per_page=5", nil)
	req.Header.Set("PRIVATE-TOKEN", f.Developer.Token)
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/api/v4"+base+"/release%2F2/assets/links?per_page=5" {
		t.Fatalf("permalink = %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	// Update: the name, milestones cleared; client-go sends a null
	// description, which clears it as on GitLab.
	upd, _, err := dc.Releases.UpdateRelease(f.Project.ID, "v1.0", &gitlab.UpdateReleaseOptions{Name: gitlab.Ptr("Renamed"),
		Milestones: &[]string{}})
	if err != nil || upd.Name != "Renamed" || len(upd.Milestones) != 0 || upd.Description != "" {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	s.Do(t, labtest.Request{Method: "PUT", Path: base + "/v7", Token: f.Developer.Token, JSON: map[string]any{"name": "x"}}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: base + "/v1.0", Token: f.Developer.Token, JSON: map[string]any{"milestones": []string{"Zed"}}}).
		ExpectError(t, http.StatusBadRequest, `{"message":"Milestone(s) not found: Zed"}`)
	if m := s.Do(t, labtest.Request{Method: "PUT", Path: base + "/v1.0", Token: f.Developer.Token,
		JSON: map[string]any{"description": "kept"}}).Map(t); m["name"] != "Renamed" || m["description"] != "kept" {
		t.Fatalf("partial update = %v", m)
	}

	// Delete answers the release; the tag stays.
	del, _, err := dc.Releases.DeleteRelease(f.Project.ID, "v0.9")
	if err != nil || del.TagName != "v0.9" {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	s.Do(t, labtest.Request{Path: base + "/v0.9", Token: f.Developer.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not Found"}`)
	if _, _, err := dc.Tags.GetTag(f.Project.ID, "v0.9"); err != nil {
		t.Fatalf("the tag went with the release: %v", err)
	}
	// Deleting the tag keeps the release, as GitLab does.
	if _, err := dc.Tags.DeleteTag(f.Project.ID, "v1.0"); err != nil {
		t.Fatal(err)
	}
	if got, _, err := dc.Releases.GetRelease(f.Project.ID, "v1.0"); err != nil || got.Name != "Renamed" {
		t.Fatalf("release after tag delete = %+v, %v", got, err)
	}
	s.Do(t, labtest.Request{Method: "PUT", Path: base + "/v1.0", Token: f.Developer.Token, JSON: map[string]any{"name": "x"}}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Tag does not exist"}`)
}

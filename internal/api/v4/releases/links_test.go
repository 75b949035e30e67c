package releases_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestReleaseLinks: a Developer adds, lists, reads, changes and deletes a
// release's asset links through client-go; duplicate names and URLs, bad
// URLs, paths and link types get GitLab's 400s.
func TestReleaseLinks(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	seed(t, s, f.Project.ID)
	dc := s.Client(t, f.Developer.Token)
	if _, _, err := dc.Releases.CreateRelease(f.Project.ID, &gitlab.CreateReleaseOptions{TagName: gitlab.Ptr("v1"),
		Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	link, resp, err := dc.ReleaseLinks.CreateReleaseLink(f.Project.ID, "v1", &gitlab.CreateReleaseLinkOptions{
		Name: gitlab.Ptr("linux"), URL: gitlab.Ptr("https://example.com/linux"), DirectAssetPath: gitlab.Ptr("/bin/linux-amd64"),
		LinkType: gitlab.Ptr(gitlab.PackageLinkType)})
	if err != nil || resp.StatusCode != http.StatusCreated || link.Name != "linux" || link.LinkType != gitlab.PackageLinkType ||
		link.DirectAssetURL != s.URL+"/team/app/-/releases/v1/downloads/bin/linux-amd64" {
		t.Fatalf("create = %+v, %v", link, err)
	}
	// The deprecated filepath alias; link_type defaults to other.
	other, _, err := dc.ReleaseLinks.CreateReleaseLink(f.Project.ID, "v1", &gitlab.CreateReleaseLinkOptions{
		Name: gitlab.Ptr("docs"), URL: gitlab.Ptr("ftp://example.com/docs"), FilePath: gitlab.Ptr("/docs")})
	if err != nil || other.LinkType != gitlab.OtherLinkType || other.DirectAssetURL != s.URL+"/team/app/-/releases/v1/downloads/docs" {
		t.Fatalf("create other = %+v, %v", other, err)
	}
	list, _, err := dc.ReleaseLinks.ListReleaseLinks(f.Project.ID, "v1", nil)
	if err != nil || len(list) != 2 || list[0].ID != other.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if rel, _, err := dc.Releases.GetRelease(f.Project.ID, "v1"); err != nil || rel.Assets.Count != 6 || len(rel.Assets.Links) != 2 {
		t.Fatalf("release assets = %+v, %v", rel, err)
	}
	got, _, err := dc.ReleaseLinks.GetReleaseLink(f.Project.ID, "v1", link.ID)
	if err != nil || got.URL != "https://example.com/linux" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	upd, _, err := dc.ReleaseLinks.UpdateReleaseLink(f.Project.ID, "v1", link.ID, &gitlab.UpdateReleaseLinkOptions{
		Name: gitlab.Ptr("linux-amd64"), LinkType: gitlab.Ptr(gitlab.ImageLinkType)})
	if err != nil || upd.Name != "linux-amd64" || upd.LinkType != gitlab.ImageLinkType || upd.URL != "https://example.com/linux" {
		t.Fatalf("update = %+v, %v", upd, err)
	}

	links := "/projects/" + itoa(f.Project.ID) + "/releases/v1/assets/links"
	bad := func(body map[string]any, want string) {
		t.Helper()
		s.Do(t, labtest.Request{Method: "POST", Path: links, Token: f.Developer.Token, JSON: body}).
			ExpectError(t, http.StatusBadRequest, want)
	}
	bad(map[string]any{"name": "docs", "url": "https://example.com/new"}, `{"message":["Name has already been taken"]}`)
	bad(map[string]any{"name": "new", "url": "ftp://example.com/docs"}, `{"message":["Url has already been taken"]}`)
	bad(map[string]any{"name": "new", "url": "javascript:alert(1)"}, `{"message":["Url is blocked: Only allowed schemes are http, https, ftp"]}`)
	bad(map[string]any{"name": "new", "url": "not a url"}, `{"message":["Url must be a valid URL"]}`)
	bad(map[string]any{"name": "new", "url": "https://example.com/p", "direct_asset_path": "no-slash"},
		`{"message":["Filepath is in an invalid format"]}`)
	bad(map[string]any{"name": "new", "url": "https://example.com/p", "link_type": "video"}, `{"error":"link_type does not have a valid value"}`)
	bad(map[string]any{"url": "https://example.com/p"}, `{"error":"name is missing"}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: links + "/" + itoa(link.ID), Token: f.Developer.Token, JSON: map[string]any{"name": "docs"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":["Name has already been taken"]}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: links + "/" + itoa(link.ID), Token: f.Developer.Token, JSON: map[string]any{}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"name, url, filepath, direct_asset_path, link_type are missing, at least one parameter must be provided"}`)
	s.Do(t, labtest.Request{Path: "/projects/" + itoa(f.Project.ID) + "/releases/v404/assets/links", Token: f.Developer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)

	del, _, err := dc.ReleaseLinks.DeleteReleaseLink(f.Project.ID, "v1", link.ID)
	if err != nil || del.ID != link.ID {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	s.Do(t, labtest.Request{Path: links + "/" + itoa(link.ID), Token: f.Developer.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
}

// TestReleasePermissions: on a private project guests list releases
// without the commit but may not read one (read_code), reporters may not
// write, non-members and anonymous callers get 404; a public project's
// releases are anyone's to read; a group lists its projects' releases.
func TestReleasePermissions(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	f := s.NewTeam(t)
	seed(t, s, f.Project.ID)
	root := s.Client(t, s.RootToken)
	guest, reporter, stranger := s.NewUser(t, "gus"), s.NewUser(t, "rita"), s.NewUser(t, "stan")
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{guest: gitlab.GuestPermissions, reporter: gitlab.ReporterPermissions} {
		if _, _, err := root.ProjectMembers.AddProjectMember(f.Project.ID, &gitlab.AddProjectMemberOptions{UserID: gitlab.Ptr(u.ID),
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Client(t, f.Developer.Token).Releases.CreateRelease(f.Project.ID, &gitlab.CreateReleaseOptions{
		TagName: gitlab.Ptr("v1"), Ref: gitlab.Ptr("main")}); err != nil {
		t.Fatal(err)
	}
	base := "/projects/" + itoa(f.Project.ID) + "/releases"

	var list []map[string]any
	s.Do(t, labtest.Request{Path: base, Token: guest.Token}).JSON(t, &list)
	if len(list) != 1 || list[0]["commit"] != nil || list[0]["tag_path"] != nil || list[0]["evidences"] != nil {
		t.Fatalf("guest list = %v", list)
	}
	if links := list[0]["_links"].(map[string]any); links["edit_url"] != nil {
		t.Fatalf("guest sees edit_url: %v", links)
	}
	s.Do(t, labtest.Request{Path: base + "/v1", Token: guest.Token}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: base + "/v1", Token: reporter.Token}).JSON(t, &map[string]any{})
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: reporter.Token, JSON: map[string]any{"tag_name": "v2", "ref": "main"}}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/v1", Token: reporter.Token}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: base + "/v1/assets/links", Token: guest.Token,
		JSON: map[string]any{"name": "x", "url": "https://example.com"}}).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Path: base, Token: stranger.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Path: base}).ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)

	// Public: anonymous callers read the release, its commit included.
	if _, _, err := root.Groups.UpdateGroup(f.Group.ID, &gitlab.UpdateGroupOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Projects.EditProject(f.Project.ID, &gitlab.EditProjectOptions{Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if m := s.Do(t, labtest.Request{Path: base + "/v1"}).Map(t); m["commit"] == nil || m["author"] == nil {
		t.Fatalf("anonymous get = %v", m)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: stranger.Token, JSON: map[string]any{"tag_name": "v2", "ref": "main"}}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)

	// The group's releases, and simple's short entity.
	var group []map[string]any
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(f.Group.ID) + "/releases?simple=true"}).JSON(t, &group)
	if len(group) != 1 || group[0]["tag_name"] != "v1" || group[0]["assets"] != nil {
		t.Fatalf("group releases = %v", group)
	}
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(f.Group.ID) + "/releases?sort=up"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"sort does not have a valid value"}`)
}

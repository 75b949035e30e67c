package v4_test

import (
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestProjectAndGroupBadges: Maintainers manage a project's badges,
// Owners a group's; a project lists its group's badges too (kind
// "group"), with placeholders rendered for the project; bad URLs are
// GitLab's validation errors; Developers are refused.
func TestProjectAndGroupBadges(t *testing.T) {
	t.Parallel()
	f := atkSetup(t)
	s := f.s
	mc := s.Client(t, f.maint.Token)
	oc := s.Client(t, f.owner.Token)
	gb, resp, err := oc.GroupBadges.AddGroupBadge(f.group.ID, &gitlab.AddGroupBadgeOptions{Name: gitlab.Ptr("group"),
		LinkURL: gitlab.Ptr("https://ci.example/%{project_path}/-/%{default_branch}"), ImageURL: gitlab.Ptr("https://ci.example/%{project_id}.svg")})
	if err != nil || resp.StatusCode != http.StatusCreated || gb.Kind != "group" || gb.RenderedLinkURL != gb.LinkURL {
		t.Fatalf("group badge = %+v, %v", gb, err)
	}
	pb, resp, err := mc.ProjectBadges.AddProjectBadge(f.project.ID, &gitlab.AddProjectBadgeOptions{Name: gitlab.Ptr("cov"),
		LinkURL:  gitlab.Ptr("https://cov.example/?t=%{project_title}&g=%{group_name}&s=%{gitlab_server}&u=%{unknown}"),
		ImageURL: gitlab.Ptr("https://cov.example/%25%7Bproject_name%7D.svg?n=%{project_namespace}")})
	if err != nil || resp.StatusCode != http.StatusCreated || pb.Kind != "project" {
		t.Fatalf("project badge = %+v, %v", pb, err)
	}
	wantLink := "https://cov.example/?t=App&g=team&s=127.0.0.1&u=%{unknown}"
	if pb.RenderedLinkURL != wantLink || pb.RenderedImageURL != "https://cov.example/app.svg?n=team" {
		t.Fatalf("rendered = %q, %q", pb.RenderedLinkURL, pb.RenderedImageURL)
	}
	list, resp, err := s.Client(t, f.dev.Token).ProjectBadges.ListProjectBadges(f.project.ID, nil)
	if err != nil || len(list) != 2 || resp.Header.Get("X-Total") != "2" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if list[0].ID != gb.ID || list[0].Kind != "group" || list[0].RenderedLinkURL != "https://ci.example/team/app/-/main" ||
		list[0].RenderedImageURL != "https://ci.example/"+itoa(f.project.ID)+".svg" {
		t.Fatalf("group badge in project = %+v", list[0])
	}
	if named, _, _ := mc.ProjectBadges.ListProjectBadges(f.project.ID, &gitlab.ListProjectBadgesOptions{Name: gitlab.Ptr("cov")}); len(named) != 1 || named[0].ID != pb.ID {
		t.Fatalf("by name = %+v", named)
	}
	if got, _, err := mc.ProjectBadges.GetProjectBadge(f.project.ID, gb.ID); err != nil || got.Kind != "group" {
		t.Fatalf("get group badge through project = %+v, %v", got, err)
	}
	up, _, err := mc.ProjectBadges.EditProjectBadge(f.project.ID, pb.ID, &gitlab.EditProjectBadgeOptions{Name: gitlab.Ptr("coverage")})
	if err != nil || up.Name != "coverage" || up.LinkURL != pb.LinkURL {
		t.Fatalf("edit = %+v, %v", up, err)
	}
	preview, _, err := mc.ProjectBadges.PreviewProjectBadge(f.project.ID, &gitlab.ProjectBadgePreviewOptions{
		LinkURL: gitlab.Ptr("https://x.example/%{project_id}"), ImageURL: gitlab.Ptr("https://x.example/i.svg")})
	if err != nil || preview.RenderedLinkURL != "https://x.example/"+itoa(f.project.ID) || preview.ID != 0 {
		t.Fatalf("preview = %+v, %v", preview, err)
	}
	stranger := s.NewUser(t, "stranger")
	s.Do(t, labtest.Request{Path: "/groups/" + itoa(f.group.ID) + "/badges", Token: stranger.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)

	base := "/projects/" + itoa(f.project.ID) + "/badges"
	for _, bad := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"image_url": "https://x.example/i"}, `{"error":"link_url is missing"}`},
		{map[string]any{"link_url": "javascript:alert(1)", "image_url": "https://x.example/i"},
			`{"message":{"link_url":["is blocked: Only allowed schemes are http, https"]}}`},
		{map[string]any{"link_url": "https://x.example", "image_url": "ftp://x.example/i"},
			`{"message":{"image_url":["is blocked: Only allowed schemes are http, https"]}}`},
		{map[string]any{"link_url": []string{"a"}, "image_url": "https://x.example/i"}, `{"error":"link_url is invalid"}`},
	} {
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.maint.Token, JSON: bad.body}).ExpectError(t, http.StatusBadRequest, bad.want)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.dev.Token, JSON: map[string]any{"link_url": "https://a.example", "image_url": "https://a.example"}}).
		ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	// A project's route changes its own badges only, not its group's.
	s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/" + itoa(gb.ID), Token: f.maint.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Path: base + "/999999", Token: f.maint.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	s.Do(t, labtest.Request{Path: base + "/abc", Token: f.maint.Token}).ExpectError(t, http.StatusBadRequest, `{"error":"badge_id is invalid"}`)
	s.Do(t, labtest.Request{Path: base, Token: stranger.Token}).ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	// A failed update changes nothing.
	s.Do(t, labtest.Request{Method: "PUT", Path: base + "/" + itoa(pb.ID), Token: f.maint.Token,
		JSON: map[string]any{"name": "half", "link_url": "nope"}}).ExpectError(t, http.StatusBadRequest,
		`{"message":{"link_url":["is blocked: Only allowed schemes are http, https"]}}`)
	if got, _, _ := mc.ProjectBadges.GetProjectBadge(f.project.ID, pb.ID); got.Name != "coverage" {
		t.Fatalf("after a refused update: %+v", got)
	}

	if _, err := mc.ProjectBadges.DeleteProjectBadge(f.project.ID, pb.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := mc.GroupBadges.DeleteGroupBadge(f.group.ID, gb.ID); err == nil {
		t.Fatal("a project maintainer deleted a group badge")
	}
	if _, err := oc.GroupBadges.DeleteGroupBadge(f.group.ID, gb.ID); err != nil {
		t.Fatal(err)
	}
	if left, _, _ := mc.ProjectBadges.ListProjectBadges(f.project.ID, nil); len(left) != 0 {
		t.Fatalf("left = %+v", left)
	}
}

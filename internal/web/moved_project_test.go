package web_test

import (
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestMovedProjectPages: a project page by the project's old path (after
// a rename or transfer) is a 302 to the page by its path now, query kept;
// a private project's old path tells a visitor who may not see it nothing.
func TestMovedProjectPages(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	rc := s.Client(t, s.RootToken)
	pub, _, err := rc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Old"), Visibility: gitlab.Ptr(gitlab.PublicVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	priv, _, err := rc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Hid")})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*gitlab.Project{pub, priv} {
		if _, _, err := rc.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{Path: gitlab.Ptr(p.Path + "-new")}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(path string) *http.Response {
		t.Helper()
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := get("/" + pub.PathWithNamespace + "/-/issues?state=closed")
	if want := "/" + pub.PathWithNamespace + "-new/-/issues?state=closed"; resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
		t.Fatalf("old path = %d %q, want 302 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if resp := get("/" + pub.PathWithNamespace + "-new/-/issues"); resp.StatusCode != http.StatusOK {
		t.Fatalf("new path = %d", resp.StatusCode)
	}
	// The private project's old path: to an anonymous visitor the same as
	// any hidden page (sign in), never the new path.
	resp = get("/" + priv.PathWithNamespace + "/-/issues")
	if loc := resp.Header.Get("Location"); strings.Contains(loc, priv.Path+"-new") || !strings.Contains(loc, "/users/sign_in") {
		t.Fatalf("private old path = %d %q", resp.StatusCode, loc)
	}
	// A new project at the old path takes it over.
	if _, _, err := rc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Old again"), Path: gitlab.Ptr(pub.Path),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	if resp := get("/" + pub.PathWithNamespace + "/-/issues"); resp.StatusCode != http.StatusOK {
		t.Fatalf("old path taken by a new project = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

package instance_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestRestrictedVisibilityLevels: with public restricted, non-admins
// neither create nor change projects and groups to public (GitLab's 400
// and messages); administrators still do; the defaults may not be
// restricted, and unknown levels are refused.
func TestRestrictedVisibilityLevels(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	u := s.NewUser(t, "restricted")
	uc := s.Client(t, u.Token)
	proj, _, err := uc.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("before")})
	if err != nil {
		t.Fatal(err)
	}
	grp, _, err := uc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("before"), Path: gitlab.Ptr("before")})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := root.Settings.UpdateSettings(&gitlab.UpdateSettingsOptions{
		RestrictedVisibilityLevels: &[]gitlab.VisibilityValue{gitlab.PublicVisibility}})
	if err != nil || !slices.Equal(got.RestrictedVisibilityLevels, []gitlab.VisibilityValue{gitlab.PublicVisibility}) {
		t.Fatalf("settings = %+v, %v", got, err)
	}
	const msg = `public has been restricted by your GitLab administrator`
	for _, c := range []struct {
		method, path string
		body         map[string]any
		want         string
	}{
		{"POST", "/projects", map[string]any{"name": "pub", "visibility": "public"}, `{"message":{"visibility_level":["` + msg + `"]}}`},
		{"PUT", "/projects/" + strconv.FormatInt(proj.ID, 10), map[string]any{"visibility": "public"}, `{"message":{"visibility_level":["` + msg + `"]}}`},
		{"POST", "/groups", map[string]any{"name": "pub", "path": "pub", "visibility": "public"},
			`{"message":"Failed to save group {:visibility_level=>[\"` + msg + `\"]}"}`},
		{"PUT", "/groups/" + strconv.FormatInt(grp.ID, 10), map[string]any{"visibility": "public"}, `{"message":{"visibility_level":["` + msg + `"]}}`},
	} {
		s.Do(t, labtest.Request{Method: c.method, Path: c.path, Token: u.Token, JSON: c.body}).ExpectError(t, http.StatusBadRequest, c.want)
	}
	// Other levels stay open; administrators are not restricted.
	if _, _, err := uc.Projects.EditProject(proj.ID, &gitlab.EditProjectOptions{Visibility: gitlab.Ptr(gitlab.InternalVisibility)}); err != nil {
		t.Fatalf("internal: %v", err)
	}
	if p, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("adminpub"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil || p.Visibility != gitlab.PublicVisibility {
		t.Fatalf("admin's public project = %+v, %v", p, err)
	}
	s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"default_project_visibility": "public"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"default_project_visibility":["cannot be set to a restricted visibility level"]}}`)
	s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken,
		JSON: map[string]any{"restricted_visibility_levels": []string{"secret"}}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"restricted_visibility_levels":["'secret' is not a valid visibility level"]}}`)
	if got, _, err := root.Settings.GetSettings(); err != nil || len(got.RestrictedVisibilityLevels) != 1 || got.DefaultProjectVisibility != gitlab.PrivateVisibility {
		t.Fatalf("settings after refusals = %+v, %v", got, err)
	}
}

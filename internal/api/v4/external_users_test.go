package v4_test

import (
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestExternalUserCreatesNoGroups: an external user has can_create_group
// false and projects_limit 0 whatever the request that made them external
// said, and so creates no top-level group; made internal again, the
// defaults come back (GitLab's ensure_user_rights_and_limits).
func TestExternalUserCreatesNoGroups(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	admin := s.Client(t, s.RootToken)
	u, _, err := admin.Users.CreateUser(&gitlab.CreateUserOptions{Email: gitlab.Ptr("ext@example.com"),
		Username: gitlab.Ptr("ext"), Name: gitlab.Ptr("Ext"), Password: gitlab.Ptr("ext-password-1"),
		External: gitlab.Ptr(true), CanCreateGroup: gitlab.Ptr(true), ProjectsLimit: gitlab.Ptr(int64(10))})
	if err != nil {
		t.Fatal(err)
	}
	if u.CanCreateGroup || u.ProjectsLimit != 0 || !u.External {
		t.Fatalf("external user = %+v", u)
	}
	tok := s.NewToken(t, u.ID)
	createGroup := func() *labtest.Response {
		return s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: tok, JSON: map[string]any{"name": "Mine", "path": "mine"}})
	}
	createGroup().ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: tok, JSON: map[string]any{"name": "mine"}}).
		ExpectError(t, 403, `{"message":["You cannot create projects in your personal namespace. Contact your GitLab administrator."]}`)

	u, _, err = admin.Users.ModifyUser(u.ID, &gitlab.ModifyUserOptions{External: gitlab.Ptr(false)})
	if err != nil || !u.CanCreateGroup || u.ProjectsLimit != 100000 || u.External {
		t.Fatalf("internal again = %+v, %v", u, err)
	}
	if r := createGroup(); r.Status != 201 {
		t.Fatalf("create group = %d %s", r.Status, r.Body)
	}
	// Made external by an update, the rights go again.
	u, _, err = admin.Users.ModifyUser(u.ID, &gitlab.ModifyUserOptions{External: gitlab.Ptr(true)})
	if err != nil || u.CanCreateGroup || u.ProjectsLimit != 0 {
		t.Fatalf("external again = %+v, %v", u, err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/groups", Token: tok, JSON: map[string]any{"name": "Two", "path": "two"}}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
}

// TestExternalGuestSeesNoCodeOfInternalProject: on an internal project an
// external user needs Reporter for the repository (GitLab's internal_access
// excludes external users); as a Guest they see the project and get 403
// for its code, while an internal Guest reads it.
func TestExternalGuestSeesNoCodeOfInternalProject(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	admin := s.Client(t, s.RootToken)
	p, _, err := admin.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Inside"),
		Visibility: gitlab.Ptr(gitlab.InternalVisibility), InitializeWithReadme: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	guest, reporter, internal := s.NewUser(t, "eguest"), s.NewUser(t, "ereporter"), s.NewUser(t, "iguest")
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{guest: gitlab.GuestPermissions,
		reporter: gitlab.ReporterPermissions, internal: gitlab.GuestPermissions} {
		if _, _, err := admin.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	stranger := s.NewUser(t, "estranger")
	for _, u := range []*labtest.User{guest, reporter, stranger} {
		if _, _, err := admin.Users.ModifyUser(u.ID, &gitlab.ModifyUserOptions{External: gitlab.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
	}
	base := "/projects/" + grpID(p.ID)
	code := []string{"/repository/tree", "/repository/files/README.md?ref=main", "/repository/files/README.md/raw?ref=main",
		"/repository/branches", "/repository/commits", "/repository/tags", "/repository/archive"}
	// The project shows; readme_url, which names a file of the repository,
	// only to those who read the code.
	for u, readme := range map[*labtest.User]bool{guest: false, reporter: true, internal: true} {
		r := s.Do(t, labtest.Request{Path: base, Token: u.Token})
		if r.Status != 200 || (r.Map(t)["readme_url"] != nil) != readme {
			t.Fatalf("%s: project = %d %s", u.Username, r.Status, r.Body)
		}
	}
	for _, path := range code {
		s.Do(t, labtest.Request{Path: base + path, Token: guest.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		for _, u := range []*labtest.User{reporter, internal} {
			if r := s.Do(t, labtest.Request{Path: base + path, Token: u.Token}); r.Status != 200 {
				t.Errorf("%s %s = %d %s", u.Username, path, r.Status, r.Body)
			}
		}
		// An external non-member does not see the project at all.
		s.Do(t, labtest.Request{Path: base + path, Token: stranger.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	}
}

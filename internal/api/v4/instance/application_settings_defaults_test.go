package instance_test

import (
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestSettingsNewUserDefaults: default_projects_limit, can_create_group
// and user_default_external shape the users an administrator creates.
func TestSettingsNewUserDefaults(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	got, _, err := root.Settings.GetSettings()
	if err != nil || got.DefaultProjectsLimit != 100000 || !got.CanCreateGroup || got.UserDefaultExternal {
		t.Fatalf("defaults = %+v, %v", got, err)
	}
	newUser := func(name string, opt *gitlab.CreateUserOptions) *gitlab.User {
		t.Helper()
		opt.Username, opt.Name, opt.Email = gitlab.Ptr(name), gitlab.Ptr(name), gitlab.Ptr(name+"@example.com")
		opt.Password = gitlab.Ptr("a-long-password-1234")
		u, _, err := root.Users.CreateUser(opt)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	if u := newUser("before", &gitlab.CreateUserOptions{}); u.ProjectsLimit != 100000 || !u.CanCreateGroup {
		t.Fatalf("before = %+v", u)
	}
	if _, _, err := root.Settings.UpdateSettings(&gitlab.UpdateSettingsOptions{DefaultProjectsLimit: gitlab.Ptr(int64(5)),
		CanCreateGroup: gitlab.Ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if u := newUser("limited", &gitlab.CreateUserOptions{}); u.ProjectsLimit != 5 || u.CanCreateGroup || u.External {
		t.Fatalf("limited = %+v", u)
	}
	// What the request says wins over the defaults.
	if u := newUser("explicit", &gitlab.CreateUserOptions{ProjectsLimit: gitlab.Ptr(int64(7)), CanCreateGroup: gitlab.Ptr(true)}); u.ProjectsLimit != 7 || !u.CanCreateGroup {
		t.Fatalf("explicit = %+v", u)
	}
	if _, _, err := root.Settings.UpdateSettings(&gitlab.UpdateSettingsOptions{UserDefaultExternal: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	ext := newUser("outsider", &gitlab.CreateUserOptions{})
	if !ext.External || ext.ProjectsLimit != 0 || ext.CanCreateGroup {
		t.Fatalf("outsider = %+v", ext)
	}
	// Made internal again, the user gets the instance's defaults.
	back, _, err := root.Users.ModifyUser(ext.ID, &gitlab.ModifyUserOptions{External: gitlab.Ptr(false)})
	if err != nil || back.External || back.ProjectsLimit != 5 || back.CanCreateGroup {
		t.Fatalf("made internal = %+v, %v", back, err)
	}

	for _, bad := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"default_projects_limit": -1}, `{"message":{"default_projects_limit":["must be greater than or equal to 0 and less than or equal to 2147483647"]}}`},
		{map[string]any{"default_projects_limit": "lots"}, `{"error":"default_projects_limit is invalid"}`},
		{map[string]any{"default_project_visibility": "secret"}, `{"error":"default_project_visibility does not have a valid value"}`},
	} {
		s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken, JSON: bad.body}).
			ExpectError(t, http.StatusBadRequest, bad.want)
	}
	if after, _, _ := root.Settings.GetSettings(); after.DefaultProjectsLimit != 5 || after.DefaultProjectVisibility != "private" {
		t.Fatalf("after refusals = %+v", after)
	}
}

// TestSettingsDefaultVisibility: projects and groups created without a
// visibility get the instance's defaults, lowered to their group's.
func TestSettingsDefaultVisibility(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	before, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("before")})
	if err != nil || before.Visibility != gitlab.PrivateVisibility {
		t.Fatalf("before = %v, %v", before.Visibility, err)
	}
	if _, _, err := root.Settings.UpdateSettings(&gitlab.UpdateSettingsOptions{
		DefaultProjectVisibility: gitlab.Ptr(gitlab.InternalVisibility), DefaultGroupVisibility: gitlab.Ptr(gitlab.PublicVisibility)}); err != nil {
		t.Fatal(err)
	}
	p, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("after")})
	if err != nil || p.Visibility != gitlab.InternalVisibility {
		t.Fatalf("after = %v, %v", p.Visibility, err)
	}
	explicit, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("mine"), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil || explicit.Visibility != gitlab.PrivateVisibility {
		t.Fatalf("explicit = %v, %v", explicit.Visibility, err)
	}
	g, _, err := ac.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("open"), Path: gitlab.Ptr("open")})
	if err != nil || g.Visibility != gitlab.PublicVisibility {
		t.Fatalf("group = %v, %v", g.Visibility, err)
	}
	closed, _, err := ac.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("closed"), Path: gitlab.Ptr("closed"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := ac.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("sub"), Path: gitlab.Ptr("sub"), ParentID: gitlab.Ptr(closed.ID)})
	if err != nil || sub.Visibility != gitlab.PrivateVisibility {
		t.Fatalf("subgroup = %v, %v", sub.Visibility, err)
	}
	inClosed, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("inside"), NamespaceID: gitlab.Ptr(closed.ID)})
	if err != nil || inClosed.Visibility != gitlab.PrivateVisibility {
		t.Fatalf("project in private group = %v, %v", inClosed.Visibility, err)
	}
}

// TestSettingsMaxAttachmentSize: max_attachment_size (MiB) bounds
// Markdown uploads; unset, it shows the server's configured limit.
func TestSettingsMaxAttachmentSize(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	got, _, err := root.Settings.GetSettings()
	if err != nil || got.MaxAttachmentSize != 100 {
		t.Fatalf("default = %d, %v", got.MaxAttachmentSize, err)
	}
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)
	p, _, err := ac.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("attachments")})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 3<<20/2) // 1.5 MiB
	if _, _, err := ac.ProjectMarkdownUploads.UploadProjectMarkdown(p.ID, strings.NewReader(big), "big.txt"); err != nil {
		t.Fatalf("under the default limit: %v", err)
	}
	if _, _, err := root.Settings.UpdateSettings(&gitlab.UpdateSettingsOptions{MaxAttachmentSize: gitlab.Ptr(int64(1))}); err != nil {
		t.Fatal(err)
	}
	if _, resp, err := ac.ProjectMarkdownUploads.UploadProjectMarkdown(p.ID, strings.NewReader(big), "big.txt"); err == nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("over max_attachment_size: %v", err)
	}
	if _, _, err := ac.ProjectMarkdownUploads.UploadProjectMarkdown(p.ID, strings.NewReader(big[:1<<19]), "small.txt"); err != nil {
		t.Fatalf("under max_attachment_size: %v", err)
	}
	s.Do(t, labtest.Request{Method: "PUT", Path: "/application/settings", Token: s.RootToken, JSON: map[string]any{"max_attachment_size": 0}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"max_attachment_size":["must be greater than 0 and less than or equal to 2147483647"]}}`)
	if after, _, _ := root.Settings.GetSettings(); after.MaxAttachmentSize != 1 {
		t.Fatalf("after refusal = %d", after.MaxAttachmentSize)
	}
}

package v4_test

import (
	"net/http"
	"net/url"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// pbFixture is a private project (default branch main, protected at
// creation) with a member per role.
type pbFixture struct {
	s                                        *labtest.Server
	p                                        *gitlab.Project
	owner, maint, dev, reporter, guest, none *labtest.User
}

func newPBFixture(t *testing.T) *pbFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &pbFixture{s: s, owner: s.NewUser(t, "olga"), maint: s.NewUser(t, "max"), dev: s.NewUser(t, "dora"),
		reporter: s.NewUser(t, "remy"), guest: s.NewUser(t, "gus"), none: s.NewUser(t, "nina")}
	c := s.Client(t, f.owner.Token)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Guarded"),
		InitializeWithReadme: gitlab.Ptr(true), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.maint: gitlab.MaintainerPermissions,
		f.dev: gitlab.DeveloperPermissions, f.reporter: gitlab.ReporterPermissions, f.guest: gitlab.GuestPermissions} {
		if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *pbFixture) path(suffix string) string {
	return "/projects/" + itoa(f.p.ID) + "/protected_branches" + suffix
}

func wantAccess(t *testing.T, what string, got []*gitlab.BranchAccessDescription, level gitlab.AccessLevelValue, desc string) {
	t.Helper()
	if len(got) != 1 || got[0].AccessLevel != level || got[0].AccessLevelDescription != desc || got[0].ID == 0 {
		t.Fatalf("%s = %+v, want one %d %q", what, got, level, desc)
	}
}

func TestProtectedBranchesDefaultAndLifecycle(t *testing.T) {
	t.Parallel()
	f := newPBFixture(t)
	c := f.s.Client(t, f.maint.Token)

	// The default branch is protected at creation, as GitLab does.
	list, resp, err := c.ProtectedBranches.ListProtectedBranches(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "main" || list[0].AllowForcePush || resp.TotalItems != 1 {
		t.Fatalf("list = %+v", list)
	}
	wantAccess(t, "push", list[0].PushAccessLevels, gitlab.MaintainerPermissions, "Maintainers")
	wantAccess(t, "merge", list[0].MergeAccessLevels, gitlab.MaintainerPermissions, "Maintainers")

	// A wildcard rule.
	pb, resp, err := c.ProtectedBranches.ProtectRepositoryBranches(f.p.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("release/*"), PushAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions),
		MergeAccessLevel: gitlab.Ptr(gitlab.NoPermissions), AllowForcePush: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || pb.Name != "release/*" || !pb.AllowForcePush {
		t.Fatalf("created %d %+v", resp.StatusCode, pb)
	}
	wantAccess(t, "push", pb.PushAccessLevels, gitlab.DeveloperPermissions, "Developers + Maintainers")
	wantAccess(t, "merge", pb.MergeAccessLevels, gitlab.NoPermissions, "No one")
	wantAccess(t, "unprotect", pb.UnprotectAccessLevels, gitlab.MaintainerPermissions, "Maintainers")

	// Read back by its URL-encoded name; search.
	got, _, err := c.ProtectedBranches.GetProtectedBranch(f.p.ID, "release/*")
	if err != nil || got.ID != pb.ID {
		t.Fatalf("get = %+v, %v", got, err)
	}
	found, _, err := c.ProtectedBranches.ListProtectedBranches(f.p.ID,
		&gitlab.ListProtectedBranchesOptions{Search: gitlab.Ptr("REL")})
	if err != nil || len(found) != 1 || found[0].Name != "release/*" {
		t.Fatalf("search = %+v, %v", found, err)
	}

	// A duplicate is GitLab's 409.
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(""), Token: f.maint.Token,
		JSON: map[string]any{"name": "release/*"}}).
		ExpectError(t, http.StatusConflict, `{"message":"Protected branch 'release/*' already exists"}`)

	// PATCH, including the allowed_to_* form the client sends.
	upd, _, err := c.ProtectedBranches.UpdateProtectedBranch(f.p.ID, "release/*", &gitlab.UpdateProtectedBranchOptions{
		AllowForcePush: gitlab.Ptr(false),
		AllowedToPush:  &[]*gitlab.BranchPermissionOptions{{AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.AllowForcePush {
		t.Fatalf("updated = %+v", upd)
	}
	wantAccess(t, "push after patch", upd.PushAccessLevels, gitlab.MaintainerPermissions, "Maintainers")

	// Unprotect, then it is gone.
	if _, err := c.ProtectedBranches.UnprotectRepositoryBranches(f.p.ID, "release/*"); err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Path: f.path("/" + url.PathEscape("release/*")), Token: f.maint.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodDelete, Path: f.path("/" + url.PathEscape("release/*")), Token: f.maint.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
}

func TestProtectedBranchesRoles(t *testing.T) {
	t.Parallel()
	f := newPBFixture(t)
	admin := f.s.RootToken
	for _, tc := range []struct {
		name   string
		token  string
		status int
		body   string
	}{
		{"owner", f.owner.Token, http.StatusOK, ""},
		{"maintainer", f.maint.Token, http.StatusOK, ""},
		{"admin", admin, http.StatusOK, ""},
		{"developer", f.dev.Token, http.StatusForbidden, `{"message":"403 Forbidden"}`},
		{"reporter", f.reporter.Token, http.StatusForbidden, `{"message":"403 Forbidden"}`},
		{"guest", f.guest.Token, http.StatusForbidden, `{"message":"403 Forbidden"}`},
		{"non-member", f.none.Token, http.StatusNotFound, `{"message":"404 Project Not Found"}`},
		{"anonymous", "", http.StatusUnauthorized, `{"message":"401 Unauthorized"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.s.Client(t, tc.token)
			_, resp, err := c.ProtectedBranches.ListProtectedBranches(f.p.ID, nil)
			if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("list: %v %v", resp, err)
			}
			name := "feat-" + tc.name
			_, resp, _ = c.ProtectedBranches.ProtectRepositoryBranches(f.p.ID,
				&gitlab.ProtectRepositoryBranchesOptions{Name: gitlab.Ptr(name)})
			want := tc.status
			if want == http.StatusOK {
				want = http.StatusCreated
			}
			if resp == nil || resp.StatusCode != want {
				t.Fatalf("protect: %v", resp)
			}
			if tc.body != "" {
				f.s.Do(t, labtest.Request{Method: http.MethodDelete, Path: f.path("/main"), Token: tc.token}).
					ExpectError(t, tc.status, tc.body)
			}
		})
	}
	// A read_api token may list but not change.
	ro := f.s.NewToken(t, f.maint.ID, "read_api")
	if r := f.s.Do(t, labtest.Request{Path: f.path(""), Token: ro}); r.Status != http.StatusOK {
		t.Fatalf("read_api list = %d %s", r.Status, r.Body)
	}
	r := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(""), Token: ro, JSON: map[string]any{"name": "x"}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("read_api protect = %d %s", r.Status, r.Body)
	}
}

// TestProtectedBranchesUnprotectLevelGuardsUpdates: a rule only
// administrators may unprotect (unprotect_access_level 60) can't be
// loosened, renamed or removed by a Maintainer, and a Maintainer can't
// create such a rule either — as GitLab's ProtectedBranchPolicy prevents
// create, update and destroy for whoever can't unprotect the rule.
func TestProtectedBranchesUnprotectLevelGuardsUpdates(t *testing.T) {
	t.Parallel()
	f := newPBFixture(t)
	admin := f.s.RootToken
	forbidden := `{"message":"403 Forbidden"}`
	c := f.s.Client(t, f.maint.Token)
	_, resp, _ := c.ProtectedBranches.ProtectRepositoryBranches(f.p.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("mine"), UnprotectAccessLevel: gitlab.Ptr(gitlab.AdminPermissions)})
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("maintainer created an admin-only rule: %v", resp)
	}
	if _, _, err := f.s.Client(t, admin).ProtectedBranches.ProtectRepositoryBranches(f.p.ID, &gitlab.ProtectRepositoryBranchesOptions{
		Name: gitlab.Ptr("locked"), PushAccessLevel: gitlab.Ptr(gitlab.NoPermissions),
		UnprotectAccessLevel: gitlab.Ptr(gitlab.AdminPermissions)}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []map[string]any{
		{"push_access_level": 30}, {"allow_force_push": true}, {"unprotect_access_level": 40}, {"name": "unlocked"},
	} {
		f.s.Do(t, labtest.Request{Method: http.MethodPatch, Path: f.path("/locked"), Token: f.maint.Token, JSON: body}).
			ExpectError(t, http.StatusForbidden, forbidden)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodDelete, Path: f.path("/locked"), Token: f.maint.Token}).
		ExpectError(t, http.StatusForbidden, forbidden)
	pb, _, err := c.ProtectedBranches.GetProtectedBranch(f.p.ID, "locked")
	if err != nil {
		t.Fatal(err)
	}
	wantAccess(t, "push", pb.PushAccessLevels, gitlab.NoPermissions, "No one")
	wantAccess(t, "unprotect", pb.UnprotectAccessLevels, gitlab.AdminPermissions, "Administrators")
	if pb.AllowForcePush {
		t.Fatal("force push was allowed")
	}
	// Administrators pass the rule's level.
	r := f.s.Do(t, labtest.Request{Method: http.MethodPatch, Path: f.path("/locked"), Token: admin, JSON: map[string]any{"push_access_level": 40}})
	if r.Status != http.StatusOK {
		t.Fatalf("admin update = %d %s", r.Status, r.Body)
	}
	if r := f.s.Do(t, labtest.Request{Method: http.MethodDelete, Path: f.path("/locked"), Token: admin}); r.Status != http.StatusNoContent {
		t.Fatalf("admin unprotect = %d %s", r.Status, r.Body)
	}
}

func TestProtectedBranchesBadInput(t *testing.T) {
	t.Parallel()
	f := newPBFixture(t)
	tok := f.maint.Token
	post := func(body any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(""), Token: tok, JSON: body})
	}
	f.s.Do(t, labtest.Request{Path: "/projects/999999/protected_branches", Token: tok}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	f.s.Do(t, labtest.Request{Path: "/projects/nope%2Fnope/protected_branches/main", Token: tok}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.path("/nothere"), Token: tok}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Not found"}`)
	post(map[string]any{}).ExpectError(t, http.StatusBadRequest, `{"error":"name is missing"}`)
	post(map[string]any{"name": ""}).ExpectError(t, http.StatusUnprocessableEntity, `{"message":["Name can't be blank"]}`)
	post(map[string]any{"name": "bad..name"}).ExpectError(t, http.StatusUnprocessableEntity, `{"message":["Name is invalid"]}`)
	post(map[string]any{"name": "sp ace"}).ExpectError(t, http.StatusUnprocessableEntity, `{"message":["Name is invalid"]}`)
	post(map[string]any{"name": "x", "push_access_level": 20}).
		ExpectError(t, http.StatusBadRequest, `{"error":"push_access_level does not have a valid value"}`)
	post(map[string]any{"name": "x", "merge_access_level": "abc"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"merge_access_level is invalid"}`)
	post(map[string]any{"name": "x", "unprotect_access_level": 0}).
		ExpectError(t, http.StatusBadRequest, `{"error":"unprotect_access_level does not have a valid value"}`)
	post(map[string]any{"name": "x", "allow_force_push": "maybe"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"allow_force_push is invalid"}`)
	post(map[string]any{"name": "x", "allowed_to_push": []any{map[string]any{"access_level": 35}}}).
		ExpectError(t, http.StatusBadRequest, `{"error":"allowed_to_push[access_level] does not have a valid value"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(""), Token: tok, RawBody: `{"name":`}).
		ExpectError(t, http.StatusBadRequest, `{"error":"The provided content-type 'application/json' is not valid JSON"}`)
	post(map[string]any{"name": "main"}).
		ExpectError(t, http.StatusConflict, `{"message":"Protected branch 'main' already exists"}`)
	// Form encoding, as curl -d sends it.
	r := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.path(""), Token: tok,
		Form: url.Values{"name": {"*-stable"}, "push_access_level": {"30"}}})
	if r.Status != http.StatusCreated {
		t.Fatalf("form protect = %d %s", r.Status, r.Body)
	}
}

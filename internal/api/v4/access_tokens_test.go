package v4_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// atkFixture: private group team (owner Owner, gm Maintainer) with private
// project team/app (maint Maintainer, dev Developer).
type atkFixture struct {
	s                     *labtest.Server
	group                 *gitlab.Group
	project               *gitlab.Project
	owner, gm, maint, dev *labtest.User
}

func atkSetup(t *testing.T) *atkFixture {
	t.Helper()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	return &atkFixture{s: s, group: tm.Group, project: tm.Project, owner: tm.Owner, gm: tm.GroupMaintainer,
		maint: tm.Maintainer, dev: tm.Developer}
}

func atkDate(days int) *gitlab.ISOTime {
	d := gitlab.ISOTime(time.Now().UTC().AddDate(0, 0, days))
	return &d
}

func (f *atkFixture) countTokens(t *testing.T) int {
	t.Helper()
	tokens, _, err := f.s.Client(t, f.s.RootToken).ProjectAccessTokens.ListProjectAccessTokens(f.project.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(tokens)
}

func TestProjectAccessTokensAPI(t *testing.T) {
	t.Parallel()
	f := atkSetup(t)
	s := f.s
	pid := strconv.FormatInt(f.project.ID, 10)
	base := "/projects/" + pid + "/access_tokens"
	mc := s.Client(t, f.maint.Token)

	scopes := []string{"api", "read_repository"}
	tok, resp, err := mc.ProjectAccessTokens.CreateProjectAccessToken(f.project.ID, &gitlab.CreateProjectAccessTokenOptions{
		Name: gitlab.Ptr("deploy"), Description: gitlab.Ptr("for CI"), Scopes: &scopes, ExpiresAt: atkDate(30)})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	if tok.Token == "" || tok.AccessLevel != gitlab.MaintainerPermissions || !tok.Active || tok.Revoked ||
		tok.Name != "deploy" || tok.Description != "for CI" || len(tok.Scopes) != 2 || tok.UserID == 0 || tok.ExpiresAt == nil {
		t.Fatalf("created = %+v", tok)
	}

	t.Run("BotUser", func(t *testing.T) {
		bot := s.Do(t, labtest.Request{Path: "/users/" + strconv.FormatInt(tok.UserID, 10), Token: s.RootToken}).Map(t)
		prefix := "project_" + pid + "_bot_"
		if bot["bot"] != true || !strings.HasPrefix(bot["username"].(string), prefix) ||
			!strings.HasSuffix(bot["email"].(string), "@noreply.127.0.0.1") {
			t.Fatalf("bot = %v", bot)
		}
		// Non-admins don't see bots in the user list.
		users, _, err := s.Client(t, f.dev.Token).Users.ListUsers(&gitlab.ListUsersOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.ID == tok.UserID {
				t.Fatal("bot listed for a non-admin")
			}
		}
	})

	t.Run("ListAndGet", func(t *testing.T) {
		list, _, err := mc.ProjectAccessTokens.ListProjectAccessTokens(f.project.ID, nil)
		if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].Token != "" || list[0].AccessLevel != 40 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		got, _, err := mc.ProjectAccessTokens.GetProjectAccessToken(f.project.ID, tok.ID)
		if err != nil || got.Name != "deploy" || got.Token != "" {
			t.Fatalf("get = %+v, %v", got, err)
		}
		s.Do(t, labtest.Request{Path: base + "/999999", Token: f.maint.Token}).
			ExpectError(t, 404, `{"message":"404 project Access Token Not Found"}`)
	})

	t.Run("BotReach", func(t *testing.T) {
		if r := s.Do(t, labtest.Request{Path: "/projects/" + pid, Token: tok.Token}); r.Status != 200 {
			t.Fatalf("own project = %d", r.Status)
		}
		other, _, err := s.Client(t, f.dev.Token).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Mine"),
			Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
		if err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Path: "/projects/" + strconv.FormatInt(other.ID, 10), Token: tok.Token}).
			ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
		s.Do(t, labtest.Request{Path: "/user", Token: tok.Token, Header: map[string]string{"Sudo": "root"}}).
			ExpectError(t, 403, `{"message":"403 Forbidden - Must be admin to use sudo"}`)
		// A project access token can't mint more tokens.
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: tok.Token,
			JSON: map[string]any{"name": "x", "scopes": []string{"api"}}}).
			ExpectError(t, 400, `{"message":"400 Bad request - User does not have permission to create project access token"}`)
	})

	t.Run("Roles", func(t *testing.T) {
		dc := s.Client(t, f.dev.Token)
		if _, resp, err := dc.ProjectAccessTokens.ListProjectAccessTokens(f.project.ID, nil); err == nil || resp.StatusCode != 401 {
			t.Fatalf("developer list: %v", err)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.dev.Token,
			JSON: map[string]any{"name": "x", "scopes": []string{"api"}, "access_level": 10}}).
			ExpectError(t, 400, `{"message":"400 Bad request - User does not have permission to create project access token"}`)
		if resp, err := dc.ProjectAccessTokens.RevokeProjectAccessToken(f.project.ID, tok.ID); err == nil || resp.StatusCode != 400 {
			t.Fatalf("developer revoke: %v", err)
		}
		stranger := s.NewUser(t, "stan")
		s.Do(t, labtest.Request{Path: base, Token: stranger.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
		// A Maintainer can't give Owner; the group's Owner can.
		s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.maint.Token,
			JSON: map[string]any{"name": "x", "scopes": []string{"api"}, "access_level": 50}}).
			ExpectError(t, 400, `{"message":"400 Bad request - Could not provision owner access to project access token"}`)
		owned, _, err := s.Client(t, f.owner.Token).ProjectAccessTokens.CreateProjectAccessToken(f.project.ID,
			&gitlab.CreateProjectAccessTokenOptions{Name: gitlab.Ptr("own"), Scopes: &[]string{"read_api"},
				AccessLevel: gitlab.Ptr(gitlab.OwnerPermissions)})
		if err != nil || owned.AccessLevel != gitlab.OwnerPermissions || owned.ExpiresAt == nil {
			t.Fatalf("owner token = %+v, %v", owned, err)
		}
		// Maintainers can't rotate a token above their level.
		s.Do(t, labtest.Request{Method: "POST", Path: base + "/" + strconv.FormatInt(owned.ID, 10) + "/rotate", Token: f.maint.Token}).
			ExpectError(t, 400, `{"message":"400 Bad request - Not eligible to rotate token with access level higher than the user"}`)
		if _, err := mc.ProjectAccessTokens.RevokeProjectAccessToken(f.project.ID, owned.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		before := f.countTokens(t)
		for _, c := range []struct {
			body   map[string]any
			raw    string
			status int
			want   string
		}{
			{body: map[string]any{"name": "x", "scopes": []string{"sudo"}}, status: 400, want: `{"error":"scopes does not have a valid value"}`},
			{body: map[string]any{"name": "x", "scopes": []string{"nope"}}, status: 400, want: `{"error":"scopes does not have a valid value"}`},
			{body: map[string]any{"scopes": []string{"api"}}, status: 400, want: `{"error":"name is missing"}`},
			{body: map[string]any{"name": "x"}, status: 400, want: `{"error":"scopes is missing"}`},
			{body: map[string]any{"name": "x", "scopes": []string{"api"}, "access_level": 60}, status: 400, want: `{"error":"access_level does not have a valid value"}`},
			{body: map[string]any{"name": "x", "scopes": []string{"api"}, "access_level": "high"}, status: 400, want: `{"error":"access_level is invalid"}`},
			{body: map[string]any{"name": "x", "scopes": []string{"api"}, "expires_at": "2001-01-01"}, status: 400,
				want: `{"message":"400 Bad request - Expiration date must be in the future"}`},
			{body: map[string]any{"name": "x", "scopes": []string{"api"}, "expires_at": "tomorrow"}, status: 400, want: `{"error":"expires_at is invalid"}`},
		} {
			s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.maint.Token, JSON: c.body}).ExpectError(t, c.status, c.want)
		}
		r := s.Do(t, labtest.Request{Method: "POST", Path: base, Token: f.maint.Token, RawBody: `{"name": "x", "scopes": [`})
		if r.Status != 400 {
			t.Fatalf("malformed JSON = %d %s", r.Status, r.Body)
		}
		if after := f.countTokens(t); after != before {
			t.Fatalf("tokens %d -> %d after refused creations", before, after)
		}
	})

	t.Run("RotateAndRevoke", func(t *testing.T) {
		next, _, err := mc.ProjectAccessTokens.RotateProjectAccessToken(f.project.ID, tok.ID, nil)
		if err != nil || next.Token == "" || next.UserID != tok.UserID || next.AccessLevel != 40 {
			t.Fatalf("rotate = %+v, %v", next, err)
		}
		if r := s.Do(t, labtest.Request{Path: "/projects/" + pid, Token: tok.Token}); r.Status != 401 {
			t.Fatalf("old token = %d", r.Status)
		}
		self, _, err := s.Client(t, next.Token).ProjectAccessTokens.RotateProjectAccessTokenSelf(f.project.ID, nil)
		if err != nil || self.Token == "" {
			t.Fatalf("self rotate = %+v, %v", self, err)
		}
		// A project token may not rotate others.
		s.Do(t, labtest.Request{Method: "POST", Path: base + "/" + strconv.FormatInt(self.ID, 10) + "/rotate", Token: self.Token}).
			ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
		// …/self/rotate is for bots' tokens only: a person's is not_allowed!.
		s.Do(t, labtest.Request{Method: "POST", Path: base + "/self/rotate", Token: f.maint.Token}).
			ExpectError(t, 405, `{"message":"405 Method Not Allowed"}`)
		// But a bot that manages the project may revoke its other tokens,
		// as in GitLab (only creating and rotating are kept from bots).
		other, _, err := mc.ProjectAccessTokens.CreateProjectAccessToken(f.project.ID, &gitlab.CreateProjectAccessTokenOptions{
			Name: gitlab.Ptr("other"), Scopes: &[]string{"read_api"}, AccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)})
		if err != nil {
			t.Fatal(err)
		}
		if r := s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/" + strconv.FormatInt(other.ID, 10), Token: self.Token}); r.Status != 204 {
			t.Fatalf("revoke by a Maintainer bot = %d %s", r.Status, r.Body)
		}

		if _, err := mc.ProjectAccessTokens.RevokeProjectAccessToken(f.project.ID, self.ID); err != nil {
			t.Fatal(err)
		}
		if r := s.Do(t, labtest.Request{Path: "/projects/" + pid, Token: self.Token}); r.Status != 401 {
			t.Fatalf("revoked token = %d", r.Status)
		}
		members, _, err := s.Client(t, s.RootToken).ProjectMembers.ListAllProjectMembers(f.project.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range members {
			if m.ID == tok.UserID {
				t.Fatal("revoked bot is still a member")
			}
		}
		inactive, _, err := mc.ProjectAccessTokens.ListProjectAccessTokens(f.project.ID,
			&gitlab.ListProjectAccessTokensOptions{State: gitlab.Ptr("inactive")})
		if err != nil || len(inactive) < 3 {
			t.Fatalf("inactive = %d, %v", len(inactive), err)
		}
		for _, it := range inactive {
			if it.Active {
				t.Fatalf("inactive list holds active %+v", it)
			}
		}
		s.Do(t, labtest.Request{Method: "DELETE", Path: base + "/abc", Token: f.maint.Token}).
			ExpectError(t, 404, `{"message":"404 project Access Token Not Found"}`)
	})
}

func TestGroupAccessTokensAPI(t *testing.T) {
	t.Parallel()
	f := atkSetup(t)
	s := f.s
	root := s.Client(t, s.RootToken)
	sub, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(f.group.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	deep, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Deep"),
		NamespaceID: gitlab.Ptr(sub.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	gid := strconv.FormatInt(f.group.ID, 10)

	// Group Maintainers don't manage group tokens; Owners do.
	if _, resp, err := s.Client(t, f.gm.Token).GroupAccessTokens.ListGroupAccessTokens(f.group.ID, nil); err == nil || resp.StatusCode != 401 {
		t.Fatalf("maintainer list: %v", err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/groups/" + gid + "/access_tokens", Token: f.gm.Token,
		JSON: map[string]any{"name": "x", "scopes": []string{"api"}, "access_level": 30}}).
		ExpectError(t, 400, `{"message":"400 Bad request - User does not have permission to create group access token"}`)

	oc := s.Client(t, f.owner.Token)
	tok, _, err := oc.GroupAccessTokens.CreateGroupAccessToken(f.group.ID, &gitlab.CreateGroupAccessTokenOptions{
		Name: gitlab.Ptr("grp"), Scopes: &[]string{"read_api"}, AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)})
	if err != nil || tok.AccessLevel != gitlab.ReporterPermissions || tok.Token == "" {
		t.Fatalf("create = %+v, %v", tok, err)
	}
	bot := s.Do(t, labtest.Request{Path: "/users/" + strconv.FormatInt(tok.UserID, 10), Token: s.RootToken}).Map(t)
	if !strings.HasPrefix(bot["username"].(string), "group_"+gid+"_bot_") {
		t.Fatalf("bot = %v", bot)
	}
	for _, p := range []int64{f.project.ID, deep.ID} {
		if r := s.Do(t, labtest.Request{Path: "/projects/" + strconv.FormatInt(p, 10), Token: tok.Token}); r.Status != 200 {
			t.Fatalf("project %d with group token = %d", p, r.Status)
		}
	}
	// read_api does not write.
	if r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects/" + strconv.FormatInt(deep.ID, 10) + "/repository/branches",
		Token: tok.Token, JSON: map[string]any{"branch": "b", "ref": "main"}}); r.Status != 403 {
		t.Fatalf("write with read_api = %d", r.Status)
	}
	list, _, err := oc.GroupAccessTokens.ListGroupAccessTokens(f.group.ID, nil)
	if err != nil || len(list) != 1 || list[0].ID != tok.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
	// A project's tokens aren't the group's.
	ptok, _, err := s.Client(t, f.maint.Token).ProjectAccessTokens.CreateProjectAccessToken(f.project.ID,
		&gitlab.CreateProjectAccessTokenOptions{Name: gitlab.Ptr("p"), Scopes: &[]string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, resp, err := oc.GroupAccessTokens.GetGroupAccessToken(f.group.ID, ptok.ID); err == nil || resp.StatusCode != 404 {
		t.Fatalf("project token through group: %v", err)
	}
	next, _, err := oc.GroupAccessTokens.RotateGroupAccessToken(f.group.ID, tok.ID, &gitlab.RotateGroupAccessTokenOptions{ExpiresAt: atkDate(3)})
	if err != nil || next.Token == "" {
		t.Fatalf("rotate = %+v, %v", next, err)
	}
	if _, err := oc.GroupAccessTokens.RevokeGroupAccessToken(f.group.ID, next.ID); err != nil {
		t.Fatal(err)
	}
	if r := s.Do(t, labtest.Request{Path: "/projects/" + strconv.FormatInt(deep.ID, 10), Token: next.Token}); r.Status != 401 {
		t.Fatalf("revoked group token = %d", r.Status)
	}
}

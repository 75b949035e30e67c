package v4_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
	"github.com/lablet/lablet/internal/store"
)

const forbidden = `{"message":"403 Forbidden"}`

func TestUserCurrent(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	t.Run("SelfShape", func(t *testing.T) {
		m := s.Do(t, labtest.Request{Path: "/user", Token: alice.Token}).Map(t)
		for _, k := range []string{"id", "username", "name", "state", "web_url", "created_at", "email", "projects_limit",
			"can_create_group", "can_create_project", "two_factor_enabled", "external", "private_profile", "identities",
			"last_sign_in_at", "confirmed_at", "theme_id", "bio", "locked", "avatar_url"} {
			if _, has := m[k]; !has {
				t.Errorf("missing %q in %v", k, m)
			}
		}
		for _, k := range []string{"is_admin", "note", "namespace_id"} {
			if _, has := m[k]; has {
				t.Errorf("non-admin sees %q", k)
			}
		}
		if m["two_factor_enabled"] != false || m["email"] != "alice@example.com" {
			t.Fatalf("shape = %v", m)
		}
	})
	t.Run("AdminShape", func(t *testing.T) {
		u, _, err := s.Client(t, s.RootToken).Users.CurrentUser()
		if err != nil {
			t.Fatal(err)
		}
		if !u.IsAdmin || u.Username != "root" || u.NamespaceID == 0 || u.CreatedAt == nil {
			t.Fatalf("user = %+v", u)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/user"}).ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
}

func TestUserList(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	carol := s.NewUser(t, "carol")
	admin := s.Client(t, s.RootToken)
	if _, _, err := admin.Users.ModifyUser(carol.ID, &gitlab.ModifyUserOptions{External: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if err := admin.Users.BlockUser(bob.ID); err != nil {
		t.Fatal(err)
	}
	names := func(us []*gitlab.User) []string {
		var out []string
		for _, u := range us {
			out = append(out, u.Username)
		}
		return out
	}
	expect := func(t *testing.T, got []*gitlab.User, want ...string) {
		t.Helper()
		g := names(got)
		if len(g) != len(want) {
			t.Fatalf("users = %v, want %v", g, want)
		}
		for i := range want {
			if g[i] != want[i] {
				t.Fatalf("users = %v, want %v", g, want)
			}
		}
	}
	t.Run("AdminDefaultOrderIDDesc", func(t *testing.T) {
		us, resp, err := admin.Users.ListUsers(&gitlab.ListUsersOptions{})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, us, "carol", "bob", "alice", "root")
		if resp.TotalItems != 4 || resp.TotalPages != 1 {
			t.Fatalf("total = %d pages %d", resp.TotalItems, resp.TotalPages)
		}
		if us[0].Email != "carol@example.com" || !us[3].IsAdmin {
			t.Fatalf("admin shape missing: %+v", us[0])
		}
	})
	t.Run("NonAdminBasicShapeHidesBlocked", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/users", Token: alice.Token})
		var list []map[string]any
		r.JSON(t, &list)
		if len(list) != 3 {
			t.Fatalf("list = %v", list)
		}
		for _, u := range list {
			if _, has := u["email"]; has {
				t.Fatalf("non-admin sees email: %v", u)
			}
			if u["username"] == "bob" {
				t.Fatal("non-admin sees blocked user")
			}
		}
	})
	t.Run("Filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opt  gitlab.ListUsersOptions
			want []string
		}{
			{"Search", gitlab.ListUsersOptions{Search: gitlab.Ptr("AL")}, []string{"alice"}},
			{"SearchEmail", gitlab.ListUsersOptions{Search: gitlab.Ptr("bob@example.com")}, []string{"bob"}},
			{"Username", gitlab.ListUsersOptions{Username: gitlab.Ptr("Carol")}, []string{"carol"}},
			{"Active", gitlab.ListUsersOptions{Active: gitlab.Ptr(true)}, []string{"carol", "alice", "root"}},
			{"Blocked", gitlab.ListUsersOptions{Blocked: gitlab.Ptr(true)}, []string{"bob"}},
			{"External", gitlab.ListUsersOptions{External: gitlab.Ptr(true)}, []string{"carol"}},
			{"ExcludeExternal", gitlab.ListUsersOptions{ExcludeExternal: gitlab.Ptr(true)}, []string{"bob", "alice", "root"}},
			{"Admins", gitlab.ListUsersOptions{Admins: gitlab.Ptr(true)}, []string{"root"}},
			{"OrderByUsernameAsc", gitlab.ListUsersOptions{OrderBy: gitlab.Ptr("username"), Sort: gitlab.Ptr("asc")}, []string{"alice", "bob", "carol", "root"}},
			{"OrderByNameDesc", gitlab.ListUsersOptions{OrderBy: gitlab.Ptr("name"), Sort: gitlab.Ptr("desc")}, []string{"carol", "bob", "alice", "root"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				us, _, err := admin.Users.ListUsers(&tc.opt)
				if err != nil {
					t.Fatal(err)
				}
				expect(t, us, tc.want...)
			})
		}
	})
	t.Run("NonAdminAdminsFilterIgnored", func(t *testing.T) {
		us, _, err := s.Client(t, alice.Token).Users.ListUsers(&gitlab.ListUsersOptions{Admins: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != 3 {
			t.Fatalf("users = %v", names(us))
		}
	})
	t.Run("NonAdminSearchNoPrivateEmail", func(t *testing.T) {
		us, _, err := s.Client(t, alice.Token).Users.ListUsers(&gitlab.ListUsersOptions{Search: gitlab.Ptr("carol@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, us)
	})
	t.Run("Pagination", func(t *testing.T) {
		us, resp, err := admin.Users.ListUsers(&gitlab.ListUsersOptions{ListOptions: gitlab.ListOptions{Page: 2, PerPage: 3}})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, us, "root")
		if resp.TotalItems != 4 || resp.TotalPages != 2 || resp.CurrentPage != 2 || resp.PreviousPage != 1 || resp.NextPage != 0 {
			t.Fatalf("headers = %+v", resp.Header)
		}
	})
	t.Run("AnonymousByUsername", func(t *testing.T) {
		us, _, err := s.Client(t, "").Users.ListUsers(&gitlab.ListUsersOptions{Username: gitlab.Ptr("alice")})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, us, "alice")
	})
	t.Run("ErrAnonymousWithoutUsername", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/users"}).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden - Not authorized to access /api/v4/users"}`)
	})
	t.Run("ErrBadParams", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/users?order_by=email", Token: s.RootToken}).
			ExpectError(t, http.StatusBadRequest, `{"error":"order_by does not have a valid value"}`)
		s.Do(t, labtest.Request{Path: "/users?active=maybe&sort=up", Token: s.RootToken}).
			ExpectError(t, http.StatusBadRequest, `{"error":"active is invalid, sort does not have a valid value"}`)
		s.Do(t, labtest.Request{Path: "/users?created_after=yesterday", Token: s.RootToken}).
			ExpectError(t, http.StatusBadRequest, `{"error":"created_after is invalid"}`)
	})
}

func TestUserGet(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	t.Run("PublicShape", func(t *testing.T) {
		for _, token := range []string{bob.Token, ""} {
			m := s.Do(t, labtest.Request{Path: "/users/" + itoa(alice.ID), Token: token}).Map(t)
			if m["username"] != "alice" || m["created_at"] == nil {
				t.Fatalf("user = %v", m)
			}
			for _, k := range []string{"email", "is_admin", "note", "projects_limit"} {
				if _, has := m[k]; has {
					t.Fatalf("public shape has %q: %v", k, m)
				}
			}
		}
	})
	t.Run("AdminShape", func(t *testing.T) {
		u, _, err := s.Client(t, s.RootToken).Users.GetUser(alice.ID, gitlab.GetUsersOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "alice@example.com" || u.IsAdmin || u.NamespaceID != alice.NamespaceID || u.ProjectsLimit != 100000 {
			t.Fatalf("user = %+v", u)
		}
	})
	t.Run("PrivateProfile", func(t *testing.T) {
		_, _, err := s.Client(t, s.RootToken).Users.ModifyUser(alice.ID, &gitlab.ModifyUserOptions{
			PrivateProfile: gitlab.Ptr(true), Bio: gitlab.Ptr("secret bio")})
		if err != nil {
			t.Fatal(err)
		}
		m := s.Do(t, labtest.Request{Path: "/users/" + itoa(alice.ID), Token: bob.Token}).Map(t)
		if _, has := m["created_at"]; has || m["bio"] != "" {
			t.Fatalf("private profile shows details: %v", m)
		}
		m = s.Do(t, labtest.Request{Path: "/users/" + itoa(alice.ID), Token: alice.Token}).Map(t)
		if m["bio"] != "secret bio" {
			t.Fatalf("owner can't see own bio: %v", m)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s.Do(t, labtest.Request{Path: "/users/99999", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
		s.Do(t, labtest.Request{Path: "/users/abc", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"error":"404 Not Found"}`)
	})
}

func TestUserCreate(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	admin := s.Client(t, s.RootToken)
	t.Run("OK", func(t *testing.T) {
		u, resp, err := admin.Users.CreateUser(&gitlab.CreateUserOptions{
			Email: gitlab.Ptr("dave@example.com"), Username: gitlab.Ptr("dave"), Name: gitlab.Ptr("Dave"),
			Password: gitlab.Ptr("s3cret-password"), ProjectsLimit: gitlab.Ptr(int64(5)), Bio: gitlab.Ptr("hi"),
			CanCreateGroup: gitlab.Ptr(false), External: gitlab.Ptr(true), Note: gitlab.Ptr("admin note")})
		if err != nil {
			t.Fatal(err)
		}
		// External users get projects_limit 0 and no group creation,
		// whatever the request says (GitLab's ensure_user_rights_and_limits).
		if resp.StatusCode != http.StatusCreated || u.Username != "dave" || u.ProjectsLimit != 0 || u.Bio != "hi" ||
			u.CanCreateGroup || !u.External || u.Note != "admin note" || u.IsAdmin || u.NamespaceID == 0 ||
			u.CreatedBy == nil || u.CreatedBy.Username != "root" || u.State != "active" {
			t.Fatalf("user = %+v", u)
		}
		got, err := s.Srv.DB.Queries().UserByUsername(context.Background(), "dave")
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash == "" || got.PasswordHash == "s3cret-password" {
			t.Fatalf("password not hashed: %q", got.PasswordHash)
		}
		ns, err := s.Srv.DB.Queries().NamespaceByFullPath(context.Background(), "dave")
		if err != nil || ns.ID != u.NamespaceID {
			t.Fatalf("namespace = %+v, %v", ns, err)
		}
	})
	t.Run("AdminWithRandomPassword", func(t *testing.T) {
		u, _, err := admin.Users.CreateUser(&gitlab.CreateUserOptions{
			Email: gitlab.Ptr("erin@example.com"), Username: gitlab.Ptr("erin"), Name: gitlab.Ptr("Erin"),
			ForceRandomPassword: gitlab.Ptr(true), Admin: gitlab.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if !u.IsAdmin {
			t.Fatalf("user = %+v", u)
		}
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: "/users", Token: alice.Token,
			JSON: map[string]any{"email": "x@example.com", "username": "x", "name": "X", "password": "password123"}}).
			ExpectError(t, http.StatusForbidden, forbidden)
		s.Do(t, labtest.Request{Method: "POST", Path: "/users",
			JSON: map[string]any{"email": "x@example.com", "username": "x", "name": "X", "password": "password123"}}).
			ExpectError(t, http.StatusUnauthorized, unauthorized)
	})
	post := func(body map[string]any) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "POST", Path: "/users", Token: s.RootToken, JSON: body})
	}
	valid := func(changes map[string]any) map[string]any {
		m := map[string]any{"email": "frank@example.com", "username": "frank", "name": "Frank", "password": "password123"}
		for k, v := range changes {
			if v == nil {
				delete(m, k)
				continue
			}
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		want   string
	}{
		{"Missing", map[string]any{}, 400, `{"error":"email is missing, password, reset_password, force_random_password are missing, at least one parameter must be provided, name is missing, username is missing"}`},
		{"MissingPassword", valid(map[string]any{"password": nil}), 400, `{"error":"password, reset_password, force_random_password are missing, at least one parameter must be provided"}`},
		{"DuplicateUsername", valid(map[string]any{"username": "ALICE"}), 409, `{"message":"Username has already been taken"}`},
		{"DuplicateEmail", valid(map[string]any{"email": "Alice@Example.com", "username": "alice"}), 409, `{"message":"Email has already been taken"}`},
		{"ShortPassword", valid(map[string]any{"password": "short"}), 400, `{"message":{"password":["is too short (minimum is 8 characters)"]}}`},
		{"BadEmail", valid(map[string]any{"email": "not-an-email"}), 400, `{"message":{"email":["is invalid"]}}`},
		{"BadUsername", valid(map[string]any{"username": "-frank"}), 400, `{"message":{"username":["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"]}}`},
		{"ReservedUsername", valid(map[string]any{"username": "admin"}), 400, `{"message":{"username":["is a reserved name"]}}`},
		{"BlankName", valid(map[string]any{"name": ""}), 400, `{"message":{"name":["can't be blank"]}}`},
		{"NULInName", valid(map[string]any{"name": "a\x00b"}), 400, `{"error":"name is invalid"}`},
		{"LongBio", valid(map[string]any{"bio": longString(300)}), 400, `{"message":{"bio":["is too long (maximum is 255 characters)"]}}`},
		{"NegativeProjectsLimit", valid(map[string]any{"projects_limit": -1}), 400, `{"message":{"projects_limit":["must be greater than or equal to 0"]}}`},
		{"WrongTypeProjectsLimit", valid(map[string]any{"projects_limit": "many"}), 400, `{"error":"projects_limit is invalid"}`},
		{"WrongTypeAdmin", valid(map[string]any{"admin": "perhaps"}), 400, `{"error":"admin is invalid"}`},
		{"WrongTypeName", valid(map[string]any{"name": []string{"a"}}), 400, `{"error":"name is invalid"}`},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			post(tc.body).ExpectError(t, tc.status, tc.want)
			if _, err := s.Srv.DB.Queries().UserByUsername(context.Background(), "frank"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("user half-written: %v", err)
			}
		})
	}
	t.Run("LongPassword", func(t *testing.T) {
		// 128 characters is GitLab's maximum, past bcrypt's 72 bytes.
		password := strings.Repeat("pässwörd", 16)
		r := post(map[string]any{"email": "longpw@example.com", "username": "longpw", "name": "Long", "password": password})
		if r.Status != http.StatusCreated {
			t.Fatalf("create with a 128-character password: %d %s", r.Status, r.Body)
		}
		if _, err := s.Srv.Service.SignIn(context.Background(), service.SignInInput{Login: "longpw", Password: password}); err != nil {
			t.Fatalf("sign in with the 128-character password: %v", err)
		}
		post(map[string]any{"email": "longpw2@example.com", "username": "longpw2", "name": "Long", "password": password + "x"}).
			ExpectError(t, http.StatusBadRequest, `{"message":{"password":["is too long (maximum is 128 characters)"]}}`)
	})
	t.Run("ErrLongNameRunes", func(t *testing.T) {
		post(valid(map[string]any{"name": longString(256)})).
			ExpectError(t, http.StatusBadRequest, `{"message":{"name":["is too long (maximum is 255 characters)"]}}`)
	})
	t.Run("ErrMalformedJSON", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/users", Token: s.RootToken, RawBody: `{"email":`})
		if r.Status != http.StatusBadRequest {
			t.Fatalf("status = %d; body %s", r.Status, r.Body)
		}
	})
	t.Run("ErrUsernameTakenByGroup", func(t *testing.T) {
		ctx := context.Background()
		err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
			return q.CreateNamespace(ctx, &model.Namespace{Kind: model.KindGroup, Name: "Team", Path: "team"})
		})
		if err != nil {
			t.Fatal(err)
		}
		post(valid(map[string]any{"username": "team"})).
			ExpectError(t, http.StatusBadRequest, `{"message":{"username":["has already been taken"]}}`)
	})
}

func longString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}

func TestUserUpdate(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	bob := s.NewUser(t, "bob")
	admin := s.Client(t, s.RootToken)
	t.Run("OK", func(t *testing.T) {
		u, _, err := admin.Users.ModifyUser(alice.ID, &gitlab.ModifyUserOptions{Name: gitlab.Ptr("Alice A"),
			Username: gitlab.Ptr("alice2"), Admin: gitlab.Ptr(true), Location: gitlab.Ptr("Berlin"),
			Password: gitlab.Ptr("new-password-1")})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Alice A" || u.Username != "alice2" || !u.IsAdmin || u.Location != "Berlin" || u.Email != "alice@example.com" {
			t.Fatalf("user = %+v", u)
		}
		ns, err := s.Srv.DB.Queries().NamespaceByID(context.Background(), alice.NamespaceID)
		if err != nil || ns.FullPath != "alice2" || ns.Name != "Alice A" {
			t.Fatalf("namespace = %+v, %v", ns, err)
		}
	})
	t.Run("SameUsernameOK", func(t *testing.T) {
		if _, _, err := admin.Users.ModifyUser(bob.ID, &gitlab.ModifyUserOptions{Username: gitlab.Ptr("bob"),
			Email: gitlab.Ptr("BOB@example.com")}); err != nil {
			t.Fatal(err)
		}
	})
	put := func(id int64, token string, body map[string]any) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "PUT", Path: "/users/" + itoa(id), Token: token, JSON: body})
	}
	t.Run("ErrConflicts", func(t *testing.T) {
		put(bob.ID, s.RootToken, map[string]any{"username": "Alice2"}).
			ExpectError(t, http.StatusConflict, `{"message":"Username has already been taken"}`)
		put(bob.ID, s.RootToken, map[string]any{"email": "alice@example.com"}).
			ExpectError(t, http.StatusConflict, `{"message":"Email has already been taken"}`)
	})
	t.Run("ErrValidation", func(t *testing.T) {
		put(bob.ID, s.RootToken, map[string]any{"password": "short", "name": ""}).
			ExpectError(t, http.StatusBadRequest, `{"message":{"name":["can't be blank"],"password":["is too short (minimum is 8 characters)"]}}`)
		u, _ := s.Srv.DB.Queries().UserByID(context.Background(), bob.ID)
		if u.Name != "Bob" {
			t.Fatalf("half-written: %+v", u)
		}
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		put(bob.ID, bob.Token, map[string]any{"admin": true}).ExpectError(t, http.StatusForbidden, forbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		put(99999, s.RootToken, map[string]any{"name": "x"}).ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	})
}

func TestUserDelete(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	admin := s.Client(t, s.RootToken)
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		alice := s.NewUser(t, "alice")
		err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
			return q.CreateProject(ctx, &model.Project{NamespaceID: alice.NamespaceID, Name: "p", Path: "p", CreatorID: &alice.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := admin.Users.DeleteUser(alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		s.Do(t, labtest.Request{Path: "/users/" + itoa(alice.ID), Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
		s.Do(t, labtest.Request{Path: "/user", Token: alice.Token}).ExpectError(t, http.StatusUnauthorized, unauthorized)
		if _, err := s.Srv.DB.Queries().ProjectByFullPath(ctx, "alice/p"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("personal project left: %v", err)
		}
		// The username is free again.
		s.NewUser(t, "alice")
	})
	t.Run("SoleGroupOwner", func(t *testing.T) {
		bob := s.NewUser(t, "bob")
		var group int64
		err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
			ns := &model.Namespace{Kind: model.KindGroup, Name: "G", Path: "g", OwnerID: &bob.ID}
			if err := q.CreateNamespace(ctx, ns); err != nil {
				return err
			}
			group = ns.ID
			return q.UpsertMember(ctx, &model.Member{SourceType: model.SourceNamespace, SourceID: ns.ID, UserID: bob.ID, AccessLevel: 50})
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/users/" + itoa(bob.ID), Token: s.RootToken}).
			ExpectError(t, http.StatusConflict, `{"message":"User cannot be removed while is the sole-owner of a group"}`)
		r := s.Do(t, labtest.Request{Method: "DELETE", Path: "/users/" + itoa(bob.ID) + "?hard_delete=true", Token: s.RootToken})
		if r.Status != http.StatusNoContent {
			t.Fatalf("hard delete: %d %s", r.Status, r.Body)
		}
		// A hard delete takes the groups the user owned alone along, as
		// GitLab's hard_delete does: marked at once, then purged.
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			r := s.Do(t, labtest.Request{Path: "/groups/" + itoa(group), Token: s.RootToken})
			if r.Status == http.StatusNotFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the sole-owned group is still there: %d %s", r.Status, r.Body)
			}
		}
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		carol := s.NewUser(t, "carol")
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/users/" + itoa(carol.ID), Token: carol.Token}).
			ExpectError(t, http.StatusForbidden, forbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "DELETE", Path: "/users/99999", Token: s.RootToken}).
			ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
	})
}

func TestUserState(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	admin := s.Client(t, s.RootToken)
	post := func(path, token string) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "POST", Path: path, Token: token})
	}
	expectBody := func(t *testing.T, r *labtest.Response, want string) {
		t.Helper()
		if r.Status != http.StatusCreated || string(r.Body) != want+"\n" {
			t.Fatalf("got %d %q, want 201 %s", r.Status, r.Body, want)
		}
	}
	base := "/users/" + itoa(alice.ID)
	t.Run("BlockUnblock", func(t *testing.T) {
		expectBody(t, post(base+"/block", s.RootToken), "true")
		expectBody(t, post(base+"/block", s.RootToken), "null")
		u, _, _ := admin.Users.GetUser(alice.ID, gitlab.GetUsersOptions{})
		if u.State != "blocked" {
			t.Fatalf("state = %q", u.State)
		}
		s.Do(t, labtest.Request{Path: "/user", Token: alice.Token}).ExpectError(t, http.StatusUnauthorized, unauthorized)
		if err := admin.Users.UnblockUser(alice.ID); err != nil {
			t.Fatal(err)
		}
		expectBody(t, post(base+"/unblock", s.RootToken), "false")
	})
	t.Run("DeactivateActivate", func(t *testing.T) {
		if err := admin.Users.DeactivateUser(alice.ID); err != nil {
			t.Fatal(err)
		}
		expectBody(t, post(base+"/deactivate", s.RootToken), "null")
		post(base+"/unblock", s.RootToken).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden - Deactivated users cannot be unblocked by the API"}`)
		if err := admin.Users.ActivateUser(alice.ID); err != nil {
			t.Fatal(err)
		}
		expectBody(t, post(base+"/activate", s.RootToken), "false")
		if err := admin.Users.BlockUser(alice.ID); err != nil {
			t.Fatal(err)
		}
		post(base+"/activate", s.RootToken).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden - A blocked user must be unblocked to be activated"}`)
		post(base+"/deactivate", s.RootToken).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden - A blocked user cannot be deactivated by the API"}`)
		if err := admin.Users.UnblockUser(alice.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrSelf", func(t *testing.T) {
		post("/users/1/block", s.RootToken).
			ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden - The API initiating user cannot be blocked by the API"}`)
	})
	t.Run("ErrNotAdmin", func(t *testing.T) {
		post("/users/1/block", alice.Token).ExpectError(t, http.StatusForbidden, forbidden)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		post("/users/99999/block", s.RootToken).ExpectError(t, http.StatusNotFound, `{"message":"404 User Not Found"}`)
		if err := admin.Users.UnblockUser(99999); !errors.Is(err, gitlab.ErrUserNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
}

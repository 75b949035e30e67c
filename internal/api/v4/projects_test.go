package v4_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// projNewGroup creates a group (below parent when not nil) straight through the
// store, so these tests don't depend on the groups API.
func projNewGroup(t *testing.T, s *labtest.Server, path string, parent *model.Namespace, visibility int) *model.Namespace {
	t.Helper()
	ctx := context.Background()
	ns := &model.Namespace{Kind: model.KindGroup, Name: strings.ToUpper(path[:1]) + path[1:], Path: path,
		VisibilityLevel: visibility, LFSEnabled: true, RequestAccessEnabled: true}
	if parent != nil {
		ns.ParentID = &parent.ID
	}
	if err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.CreateNamespace(ctx, ns) }); err != nil {
		t.Fatalf("create group %s: %v", path, err)
	}
	return ns
}

// projAddMember grants user a level on a group ("Namespace") or project.
func projAddMember(t *testing.T, s *labtest.Server, sourceType string, sourceID, userID int64, level int) {
	t.Helper()
	ctx := context.Background()
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		return q.UpsertMember(ctx, &model.Member{SourceType: sourceType, SourceID: sourceID, UserID: userID, AccessLevel: level})
	})
	if err != nil {
		t.Fatalf("add member: %v", err)
	}
}

// projSetExternal marks a user external, with what GitLab sets along
// (ensure_user_rights_and_limits): no group creation, no personal projects.
func projSetExternal(t *testing.T, s *labtest.Server, u *labtest.User) {
	t.Helper()
	ctx := context.Background()
	err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
		u.External, u.CanCreateGroup, u.ProjectsLimit = true, false, 0
		return q.UpdateUser(ctx, u.User)
	})
	if err != nil {
		t.Fatalf("set external: %v", err)
	}
}

func projMustCreate(t *testing.T, c *gitlab.Client, opt *gitlab.CreateProjectOptions) *gitlab.Project {
	t.Helper()
	p, _, err := c.Projects.CreateProject(opt)
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	return p
}

func projIDs(ps []*gitlab.Project) []int64 {
	out := make([]int64, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func projSameIDs(t *testing.T, got []*gitlab.Project, want ...*gitlab.Project) {
	t.Helper()
	g := projIDs(got)
	var w []int64
	for _, p := range want {
		w = append(w, p.ID)
	}
	sort.Slice(g, func(i, j int) bool { return g[i] < g[j] })
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	if fmt.Sprint(g) != fmt.Sprint(w) {
		t.Fatalf("projects = %v, want %v", g, w)
	}
}

func TestProjectCreate(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	alice := s.NewUser(t, "alice")
	ac := s.Client(t, alice.Token)

	t.Run("OK", func(t *testing.T) {
		p := projMustCreate(t, ac, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("My Project"),
			Description: gitlab.Ptr("hello"), Topics: &[]string{"go", "Go", " api "},
			InitializeWithReadme: gitlab.Ptr(true)})
		if p.Path != "my-project" || p.Name != "My Project" || p.PathWithNamespace != "alice/my-project" ||
			p.NameWithNamespace != "Alice / My Project" {
			t.Fatalf("names: %+v", p)
		}
		if p.Visibility != gitlab.PrivateVisibility || p.DefaultBranch != "main" || p.EmptyRepo || p.Archived {
			t.Fatalf("defaults: %+v", p)
		}
		if p.HTTPURLToRepo != s.URL+"/alice/my-project.git" || p.WebURL != s.URL+"/alice/my-project" ||
			!strings.HasSuffix(p.SSHURLToRepo, ":alice/my-project.git") {
			t.Fatalf("urls: %q %q %q", p.HTTPURLToRepo, p.WebURL, p.SSHURLToRepo)
		}
		if p.Namespace == nil || p.Namespace.Kind != "user" || p.Namespace.FullPath != "alice" || p.Namespace.ID != alice.NamespaceID {
			t.Fatalf("namespace: %+v", p.Namespace)
		}
		if p.Owner == nil || p.Owner.ID != alice.ID || p.CreatorID != alice.ID {
			t.Fatalf("owner: %+v creator %d", p.Owner, p.CreatorID)
		}
		if fmt.Sprint(p.Topics) != "[go api]" || fmt.Sprint(p.TagList) != "[go api]" || p.Description != "hello" {
			t.Fatalf("topics %v description %q", p.Topics, p.Description)
		}
		if !p.IssuesEnabled || p.IssuesAccessLevel != gitlab.EnabledAccessControl || p.ImportStatus != "none" ||
			p.CreatedAt == nil || p.LastActivityAt == nil || p.MarkedForDeletionOn != nil || p.Permissions != nil {
			t.Fatalf("details: %+v", p)
		}
	})
	t.Run("PathOnlyAndFeatures", func(t *testing.T) {
		p := projMustCreate(t, ac, &gitlab.CreateProjectOptions{Path: gitlab.Ptr("only-path"),
			Visibility: gitlab.Ptr(gitlab.PublicVisibility), IssuesAccessLevel: gitlab.Ptr(gitlab.DisabledAccessControl),
			WikiEnabled: gitlab.Ptr(false), DefaultBranch: gitlab.Ptr("trunk")})
		if p.Name != "only-path" || p.Visibility != gitlab.PublicVisibility || p.IssuesEnabled || p.WikiEnabled ||
			p.IssuesAccessLevel != gitlab.DisabledAccessControl || p.DefaultBranch != "trunk" {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("FormEncoded", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: alice.Token,
			Form: url.Values{"name": {"formed"}, "tag_list": {"a,b"}, "jobs_enabled": {"false"}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		m := r.Map(t)
		if m["path"] != "formed" || fmt.Sprint(m["topics"]) != "[a b]" || m["jobs_enabled"] != false {
			t.Fatalf("%s", r.Body)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		projMustCreate(t, ac, &gitlab.CreateProjectOptions{Name: gitlab.Ptr("dup")})
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: alice.Token, JSON: map[string]any{"name": "DUP"}})
		r.ExpectError(t, 400, `{"message":{"name":["has already been taken"],"path":["has already been taken"]}}`)
		r = s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: alice.Token, JSON: map[string]any{"name": "other", "path": "dup"}})
		r.ExpectError(t, 400, `{"message":{"path":["has already been taken"]}}`)
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		cases := []struct {
			body   string
			status int
			want   string
		}{
			{`{}`, 400, `{"error":"name, path are missing, at least one parameter must be provided"}`},
			{`{"name":`, 400, `{"error":"The provided content-type 'application/json' is not valid JSON"}`},
			{`[1]`, 400, `{"error":"The provided JSON body must be an object"}`},
			{`{"name":{"x":1}}`, 400, `{"error":"name is invalid"}`},
			{`{"name":"x","visibility":"secret"}`, 400, `{"error":"visibility does not have a valid value"}`},
			{`{"name":"x","issues_enabled":"maybe"}`, 400, `{"error":"issues_enabled is invalid"}`},
			{`{"name":"x","topics":[1]}`, 400, `{"error":"topics is invalid"}`},
			{`{"name":"ok","path":"-bad"}`, 400, `{"message":{"path":["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"]}}`},
			{`{"name":"ok","path":"x.git"}`, 400, `{"message":{"path":["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"]}}`},
			{`{"path":"tree"}`, 400, `{"message":{"path":["is a reserved name"]}}`},
			{`{"name":"` + strings.Repeat("n", 256) + `"}`, 400, `{"message":{"name":["is too long (maximum is 255 characters)"],"path":["is too long (maximum is 255 characters)"]}}`},
			{`{"name":"x","path":"y","description":"` + strings.Repeat("d", 2001) + `"}`, 400, `{"message":{"description":["is too long (maximum is 2000 characters)"]}}`},
			{`{"name":"a\u0000b"}`, 400, `{"error":"name is invalid"}`},
			{`{"name":"x","namespace_id":999999}`, 400, `{"message":{"namespace":["is not valid"]}}`},
			{`{"name":"x","namespace_id":"root"}`, 400, `{"message":{"namespace":["is not valid"]}}`},
			{`{"name":"x","default_branch":"a..b"}`, 400, `{"message":{"default_branch":["is invalid"]}}`},
		}
		for _, c := range cases {
			r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: alice.Token, RawBody: c.body})
			r.ExpectError(t, c.status, c.want)
		}
		// Nothing was half-written by any of them.
		ps, _, err := ac.Projects.ListProjects(&gitlab.ListProjectsOptions{Search: gitlab.Ptr("x")})
		if err != nil || len(ps) != 0 {
			t.Fatalf("leftovers: %v %v", projIDs(ps), err)
		}
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		s.Do(t, labtest.Request{Method: "POST", Path: "/projects", JSON: map[string]any{"name": "anon"}}).
			ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	})
	t.Run("ReadAPIScope", func(t *testing.T) {
		tok := s.NewToken(t, alice.ID, "read_api")
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: tok, JSON: map[string]any{"name": "ro"}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("status %d", r.Status)
		}
	})

	t.Run("InGroup", func(t *testing.T) {
		g := projNewGroup(t, s, "acme", nil, 10)
		sub := projNewGroup(t, s, "sub", g, 10)
		dev, rep, out := s.NewUser(t, "gdev"), s.NewUser(t, "grep"), s.NewUser(t, "gout")
		projAddMember(t, s, model.SourceNamespace, g.ID, dev.ID, 30)
		projAddMember(t, s, model.SourceNamespace, g.ID, rep.ID, 20)
		// Inherited Developer creates in the subgroup, by id and by path.
		p := projMustCreate(t, s.Client(t, dev.Token), &gitlab.CreateProjectOptions{Name: gitlab.Ptr("tool"), NamespaceID: gitlab.Ptr(sub.ID),
			Visibility: gitlab.Ptr(gitlab.InternalVisibility)})
		if p.PathWithNamespace != "acme/sub/tool" || p.Namespace.Kind != "group" || p.Namespace.ParentID != g.ID || p.Owner != nil {
			t.Fatalf("%+v %+v", p, p.Namespace)
		}
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: dev.Token, JSON: map[string]any{"name": "bypath", "namespace_id": "acme/sub"}})
		if r.Status != 201 {
			t.Fatalf("by path: %d %s", r.Status, r.Body)
		}
		for _, u := range []*labtest.User{rep, out} {
			r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: u.Token, JSON: map[string]any{"name": "nope", "namespace_id": g.ID}})
			r.ExpectError(t, 400, `{"message":{"namespace":["is not valid"]}}`)
		}
		// Someone else's personal namespace is off limits too.
		r = s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: dev.Token, JSON: map[string]any{"name": "nope", "namespace_id": alice.NamespaceID}})
		r.ExpectError(t, 400, `{"message":{"namespace":["is not valid"]}}`)
		// Visibility may not exceed the group's.
		r = s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: dev.Token, JSON: map[string]any{"name": "pub", "namespace_id": g.ID, "visibility": "public"}})
		r.ExpectError(t, 400, `{"message":{"visibility_level":["public is not allowed in a internal group."]}}`)
		// A project path may not shadow a subgroup.
		r = s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: dev.Token, JSON: map[string]any{"name": "Sub", "path": "sub", "namespace_id": g.ID}})
		r.ExpectError(t, 400, `{"message":{"path":["has already been taken"]}}`)
		// project_creation_level maintainer shuts developers out.
		ctx := context.Background()
		err := s.Srv.DB.WithTx(ctx, func(q *store.Queries) error {
			g.ProjectCreationLevel = "maintainer"
			return q.UpdateNamespace(ctx, g)
		})
		if err != nil {
			t.Fatal(err)
		}
		r = s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: dev.Token, JSON: map[string]any{"name": "late", "namespace_id": g.ID}})
		r.ExpectError(t, 400, `{"message":{"namespace":["is not valid"]}}`)
		// Admins may create anywhere.
		if _, _, err := s.Client(t, s.RootToken).Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("late"), NamespaceID: gitlab.Ptr(g.ID)}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ExternalPersonal", func(t *testing.T) {
		ext := s.NewUser(t, "ext1")
		projSetExternal(t, s, ext)
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: ext.Token, JSON: map[string]any{"name": "mine"}})
		r.ExpectError(t, 403, `{"message":["You cannot create projects in your personal namespace. Contact your GitLab administrator."]}`)
	})
	t.Run("ForUser", func(t *testing.T) {
		bob := s.NewUser(t, "bob")
		p, _, err := s.Client(t, s.RootToken).Projects.CreateProjectForUser(bob.ID, &gitlab.CreateProjectForUserOptions{Name: gitlab.Ptr("gift")})
		if err != nil {
			t.Fatal(err)
		}
		if p.PathWithNamespace != "bob/gift" || p.Owner == nil || p.Owner.ID != bob.ID || p.CreatorID != bob.ID {
			t.Fatalf("%+v", p)
		}
		// Bob owns it.
		got, _, err := s.Client(t, bob.Token).Projects.GetProject(p.ID, nil)
		if err != nil || got.Permissions.ProjectAccess == nil || got.Permissions.ProjectAccess.AccessLevel != gitlab.OwnerPermissions {
			t.Fatalf("%+v %v", got, err)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/projects/user/%d", bob.ID), Token: alice.Token, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/projects/user/999999", Token: s.RootToken, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, 404, `{"message":"404 User Not Found"}`)
		s.Do(t, labtest.Request{Method: "POST", Path: "/projects/user/abc", Token: s.RootToken, JSON: map[string]any{"name": "x"}}).
			ExpectError(t, 404, `{"message":"404 User Not Found"}`)
	})
}

// projWorld is a small instance: a group tree with members of every
// role and projects of every visibility.
type projWorld struct {
	s                                                          *labtest.Server
	owner, maint, dev, reporter, guest, inherited, outsider    *labtest.User
	external                                                   *labtest.User
	group, sub                                                 *model.Namespace
	private, internal, public, subPrivate, personal, personal2 *gitlab.Project
}

func newProjWorld(t *testing.T) *projWorld {
	s := labtest.Start(t)
	w := &projWorld{s: s}
	w.owner, w.maint, w.dev = s.NewUser(t, "owner"), s.NewUser(t, "maint"), s.NewUser(t, "dev")
	w.reporter, w.guest, w.inherited = s.NewUser(t, "reporter"), s.NewUser(t, "guest"), s.NewUser(t, "inherited")
	w.outsider, w.external = s.NewUser(t, "outsider"), s.NewUser(t, "external")
	projSetExternal(t, s, w.external)
	w.group = projNewGroup(t, s, "corp", nil, 20)
	w.sub = projNewGroup(t, s, "team", w.group, 20)
	projAddMember(t, s, model.SourceNamespace, w.group.ID, w.owner.ID, 50)
	projAddMember(t, s, model.SourceNamespace, w.group.ID, w.inherited.ID, 30)
	root := s.Client(t, s.RootToken)
	mk := func(name string, ns int64, vis gitlab.VisibilityValue) *gitlab.Project {
		return projMustCreate(t, root, &gitlab.CreateProjectOptions{Name: gitlab.Ptr(name), NamespaceID: gitlab.Ptr(ns), Visibility: gitlab.Ptr(vis)})
	}
	w.private = mk("secret", w.group.ID, gitlab.PrivateVisibility)
	w.internal = mk("inside", w.group.ID, gitlab.InternalVisibility)
	w.public = mk("open", w.group.ID, gitlab.PublicVisibility)
	w.subPrivate = mk("deep", w.sub.ID, gitlab.PrivateVisibility)
	for _, m := range []struct {
		u     *labtest.User
		level int
	}{{w.maint, 40}, {w.dev, 30}, {w.reporter, 20}, {w.guest, 10}} {
		for _, p := range []*gitlab.Project{w.private, w.internal, w.public, w.subPrivate} {
			projAddMember(t, s, model.SourceProject, p.ID, m.u.ID, m.level)
		}
	}
	w.personal = projMustCreate(t, s.Client(t, w.outsider.Token), &gitlab.CreateProjectOptions{Name: gitlab.Ptr("diary")})
	w.personal2 = projMustCreate(t, s.Client(t, w.outsider.Token), &gitlab.CreateProjectOptions{Name: gitlab.Ptr("blog"),
		Visibility: gitlab.Ptr(gitlab.PublicVisibility), Topics: &[]string{"web", "docs"}})
	return w
}

func TestProjectGet(t *testing.T) {
	t.Parallel()
	w := newProjWorld(t)
	s := w.s
	t.Run("ByIDAndPath", func(t *testing.T) {
		c := s.Client(t, w.dev.Token)
		for _, ref := range []any{w.private.ID, "corp/secret", "CORP/Secret"} {
			p, _, err := c.Projects.GetProject(ref, nil)
			if err != nil || p.ID != w.private.ID {
				t.Fatalf("%v: %+v %v", ref, p, err)
			}
			if p.Permissions == nil || p.Permissions.ProjectAccess == nil || p.Permissions.ProjectAccess.AccessLevel != gitlab.DeveloperPermissions ||
				p.Permissions.GroupAccess != nil {
				t.Fatalf("permissions %+v", p.Permissions)
			}
		}
		r := s.Do(t, labtest.Request{Path: "/projects/corp%2Fteam%2Fdeep", Token: w.inherited.Token})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		m := r.Map(t)
		perms := m["permissions"].(map[string]any)
		if perms["project_access"] != nil || perms["group_access"].(map[string]any)["access_level"].(float64) != 30 {
			t.Fatalf("%v", perms)
		}
		if m["readme_url"] != nil || m["owner"] != nil || m["namespace"].(map[string]any)["full_path"] != "corp/team" {
			t.Fatalf("%s", r.Body)
		}
	})
	t.Run("Visibility", func(t *testing.T) {
		type want struct {
			u    *labtest.User
			p    *gitlab.Project
			seen bool
		}
		var anon *labtest.User
		cases := []want{
			{anon, w.public, true}, {anon, w.internal, false}, {anon, w.private, false},
			{w.outsider, w.internal, true}, {w.outsider, w.private, false}, {w.outsider, w.subPrivate, false},
			{w.external, w.internal, false}, {w.external, w.public, true},
			{w.guest, w.private, true}, {w.inherited, w.subPrivate, true}, {w.inherited, w.private, true},
			{w.dev, w.personal, false}, {w.outsider, w.personal, true},
		}
		for i, c := range cases {
			tok := ""
			if c.u != nil {
				tok = c.u.Token
			}
			r := s.Do(t, labtest.Request{Path: fmt.Sprintf("/projects/%d", c.p.ID), Token: tok})
			if c.seen && r.Status != 200 {
				t.Fatalf("case %d: %d %s", i, r.Status, r.Body)
			}
			if !c.seen {
				r.ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
			}
		}
		// Admins see everything.
		if _, _, err := s.Client(t, s.RootToken).Projects.GetProject(w.personal.ID, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("HostileIDs", func(t *testing.T) {
		for _, path := range []string{"/projects/999999", "/projects/..%2F..%2Fetc%2Fpasswd", "/projects/%00",
			"/projects/a%00b", "/projects/0", "/projects/-1", "/projects/99999999999999999999999", "/projects/corp%2F",
			"/projects/%2F", "/projects/%ff%fe", "/projects/corp%2Fsecret%2F..%2Fopen"} {
			for _, m := range []string{"GET", "PUT", "DELETE"} {
				r := s.Do(t, labtest.Request{Method: m, Path: path, Token: w.dev.Token, JSON: map[string]any{"description": "x"}})
				if r.Status != 404 {
					t.Fatalf("%s %s: %d %s", m, path, r.Status, r.Body)
				}
			}
			r := s.Do(t, labtest.Request{Method: "POST", Path: path + "/archive", Token: w.dev.Token})
			if r.Status != 404 {
				t.Fatalf("archive %s: %d %s", path, r.Status, r.Body)
			}
		}
		for _, path := range []string{"/users/%00/projects", "/users/a%ffb/projects", "/groups/%00/projects", "/groups/..%2F..%2Fetc/projects"} {
			r := s.Do(t, labtest.Request{Path: path, Token: w.dev.Token})
			if r.Status != 404 {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
		}
		for _, ns := range []string{`a\u0000b`, `corp\u0000`} {
			r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: w.dev.Token, RawBody: `{"name":"n","namespace_id":"` + ns + `"}`})
			r.ExpectError(t, 400, `{"message":{"namespace":["is not valid"]}}`)
		}
		r := s.Do(t, labtest.Request{Method: "POST", Path: "/projects", Token: w.dev.Token, Form: url.Values{"name": {"n"}, "namespace_id": {"a\xffb"}}})
		r.ExpectError(t, 400, `{"message":{"namespace":["is not valid"]}}`)
	})
}

func TestProjectList(t *testing.T) {
	t.Parallel()
	w := newProjWorld(t)
	s := w.s
	all := []*gitlab.Project{w.private, w.internal, w.public, w.subPrivate, w.personal, w.personal2}
	t.Run("Visibility", func(t *testing.T) {
		list := func(tok string, opt *gitlab.ListProjectsOptions) []*gitlab.Project {
			ps, _, err := s.Client(t, tok).Projects.ListProjects(opt)
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}
		projSameIDs(t, list("", nil), w.public, w.personal2)
		projSameIDs(t, list(w.outsider.Token, nil), w.internal, w.public, w.personal, w.personal2)
		projSameIDs(t, list(w.external.Token, nil), w.public, w.personal2)
		projSameIDs(t, list(w.inherited.Token, nil), w.private, w.internal, w.public, w.subPrivate, w.personal2)
		projSameIDs(t, list(w.guest.Token, nil), w.private, w.internal, w.public, w.subPrivate, w.personal2)
		projSameIDs(t, list(s.RootToken, nil), all...)
		projSameIDs(t, list(w.outsider.Token, &gitlab.ListProjectsOptions{Owned: gitlab.Ptr(true)}), w.personal, w.personal2)
		projSameIDs(t, list(w.owner.Token, &gitlab.ListProjectsOptions{Owned: gitlab.Ptr(true)}), w.private, w.internal, w.public, w.subPrivate)
		projSameIDs(t, list(w.inherited.Token, &gitlab.ListProjectsOptions{Membership: gitlab.Ptr(true)}), w.private, w.internal, w.public, w.subPrivate)
		projSameIDs(t, list(s.RootToken, &gitlab.ListProjectsOptions{Membership: gitlab.Ptr(true)}))
		projSameIDs(t, list(w.dev.Token, &gitlab.ListProjectsOptions{MinAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}), w.private, w.internal, w.public, w.subPrivate)
		projSameIDs(t, list(w.reporter.Token, &gitlab.ListProjectsOptions{MinAccessLevel: gitlab.Ptr(gitlab.DeveloperPermissions)}))
		projSameIDs(t, list(s.RootToken, &gitlab.ListProjectsOptions{Visibility: gitlab.Ptr(gitlab.PrivateVisibility)}), w.private, w.subPrivate, w.personal)
		projSameIDs(t, list(w.outsider.Token, &gitlab.ListProjectsOptions{Search: gitlab.Ptr("O")}), w.public, w.personal2)
		projSameIDs(t, list(w.inherited.Token, &gitlab.ListProjectsOptions{Search: gitlab.Ptr("team"), SearchNamespaces: gitlab.Ptr(true)}), w.subPrivate)
		projSameIDs(t, list(w.inherited.Token, &gitlab.ListProjectsOptions{Search: gitlab.Ptr("%")}))
		projSameIDs(t, list(w.outsider.Token, &gitlab.ListProjectsOptions{Topic: gitlab.Ptr("DOCS")}), w.personal2)
		projSameIDs(t, list(w.outsider.Token, &gitlab.ListProjectsOptions{Topic: gitlab.Ptr("doc")}))
	})
	t.Run("PermissionsAndSimple", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/projects?order_by=id&sort=asc", Token: w.maint.Token})
		var full []map[string]any
		r.JSON(t, &full)
		if len(full) == 0 || full[0]["permissions"].(map[string]any)["project_access"].(map[string]any)["access_level"].(float64) != 40 {
			t.Fatalf("%s", r.Body)
		}
		r = s.Do(t, labtest.Request{Path: "/projects?simple=true", Token: w.maint.Token})
		var simple []map[string]any
		r.JSON(t, &simple)
		if len(simple) == 0 || simple[0]["permissions"] != nil || simple[0]["_links"] != nil || simple[0]["path_with_namespace"] == nil {
			t.Fatalf("%s", r.Body)
		}
		r = s.Do(t, labtest.Request{Path: "/projects"})
		r.JSON(t, &simple)
		if len(simple) != 2 || simple[0]["owner"] != nil || simple[0]["namespace"] == nil {
			t.Fatalf("anonymous: %s", r.Body)
		}
	})
	t.Run("Order", func(t *testing.T) {
		c := s.Client(t, s.RootToken)
		ps, _, err := c.Projects.ListProjects(&gitlab.ListProjectsOptions{OrderBy: gitlab.Ptr("name"), Sort: gitlab.Ptr("asc")})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if strings.Join(names, ",") != "blog,deep,diary,inside,open,secret" {
			t.Fatalf("%v", names)
		}
		ps, _, _ = c.Projects.ListProjects(nil) // created_at desc by default
		if ps[0].ID != w.personal2.ID || ps[len(ps)-1].ID != w.private.ID {
			t.Fatalf("default order %v", projIDs(ps))
		}
		for _, q := range []string{"order_by=bogus", "sort=up", "visibility=x", "min_access_level=7", "archived=maybe", "id_after=x"} {
			r := s.Do(t, labtest.Request{Path: "/projects?" + q, Token: s.RootToken})
			if r.Status != 400 || !strings.Contains(string(r.Body), `"error"`) {
				t.Fatalf("%s: %d %s", q, r.Status, r.Body)
			}
		}
	})
	t.Run("OffsetPagination", func(t *testing.T) {
		r := s.Do(t, labtest.Request{Path: "/projects?per_page=4&page=1&order_by=id&sort=asc", Token: s.RootToken})
		h := r.Header
		if h.Get("X-Total") != "6" || h.Get("X-Total-Pages") != "2" || h.Get("X-Next-Page") != "2" || h.Get("X-Page") != "1" ||
			h.Get("X-Per-Page") != "4" || h.Get("X-Prev-Page") != "" || !strings.Contains(h.Get("Link"), `rel="next"`) {
			t.Fatalf("headers %v", h)
		}
		c := s.Client(t, s.RootToken)
		ps, resp, err := c.Projects.ListProjects(&gitlab.ListProjectsOptions{ListOptions: gitlab.ListOptions{PerPage: 4, Page: 2}})
		if err != nil || len(ps) != 2 || resp.TotalItems != 6 || resp.TotalPages != 2 || resp.NextPage != 0 || resp.PreviousPage != 1 {
			t.Fatalf("page 2: %d %+v %v", len(ps), resp, err)
		}
	})
	t.Run("Keyset", func(t *testing.T) {
		// Enough projects for several pages.
		c := s.Client(t, w.outsider.Token)
		for i := range 7 {
			projMustCreate(t, c, &gitlab.CreateProjectOptions{Name: gitlab.Ptr(fmt.Sprintf("k%d", i))})
		}
		for _, dir := range []string{"asc", "desc"} {
			var got []int64
			opt := &gitlab.ListProjectsOptions{ListOptions: gitlab.ListOptions{Pagination: "keyset", PerPage: 3, OrderBy: "id", Sort: dir}}
			var reqOpts []gitlab.RequestOptionFunc
			pages := 0
			for {
				ps, resp, err := c.Projects.ListProjects(opt, reqOpts...)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				got = append(got, projIDs(ps)...)
				if resp.NextLink == "" {
					break
				}
				if !strings.Contains(resp.NextLink, "pagination=keyset") || !strings.Contains(resp.NextLink, "id_") {
					t.Fatalf("link %s", resp.NextLink)
				}
				reqOpts = []gitlab.RequestOptionFunc{gitlab.WithKeysetPaginationParameters(resp.NextLink)}
				if pages > 10 {
					t.Fatal("runaway pagination")
				}
			}
			// 2 + 7 personal projects and 2 visible group ones: 11 on 4 pages.
			if len(got) != 11 || pages != 4 {
				t.Fatalf("%s: %d projects on %d pages: %v", dir, len(got), pages, got)
			}
			for i := 1; i < len(got); i++ {
				if dir == "asc" && got[i] <= got[i-1] || dir == "desc" && got[i] >= got[i-1] {
					t.Fatalf("%s order: %v", dir, got)
				}
			}
		}
		r := s.Do(t, labtest.Request{Path: "/projects?pagination=keyset&order_by=name", Token: w.outsider.Token})
		r.ExpectError(t, 405, `{"error":"Keyset pagination is not yet available for this type of request"}`)
	})
	t.Run("Group", func(t *testing.T) {
		c := s.Client(t, w.outsider.Token)
		ps, _, err := c.Groups.ListGroupProjects(w.group.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		projSameIDs(t, ps, w.internal, w.public)
		ps, _, _ = s.Client(t, w.inherited.Token).Groups.ListGroupProjects("corp", &gitlab.ListGroupProjectsOptions{IncludeSubGroups: gitlab.Ptr(true)})
		projSameIDs(t, ps, w.private, w.internal, w.public, w.subPrivate)
		ps, _, _ = s.Client(t, w.inherited.Token).Groups.ListGroupProjects("corp", &gitlab.ListGroupProjectsOptions{Search: gitlab.Ptr("sec")})
		projSameIDs(t, ps, w.private)
		ps, _, _ = s.Client(t, "").Groups.ListGroupProjects("corp", nil)
		projSameIDs(t, ps, w.public)
		hidden := projNewGroup(t, s, "hidden", nil, 0)
		s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/projects", hidden.ID), Token: w.outsider.Token}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		s.Do(t, labtest.Request{Path: "/groups/nope/projects", Token: w.outsider.Token}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
		s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/projects", w.outsider.NamespaceID), Token: w.outsider.Token}).
			ExpectError(t, 404, `{"message":"404 Group Not Found"}`)
	})
	t.Run("User", func(t *testing.T) {
		ps, _, err := s.Client(t, w.dev.Token).Projects.ListUserProjects(w.outsider.ID, &gitlab.ListProjectsOptions{Search: gitlab.Ptr("blog")})
		if err != nil {
			t.Fatal(err)
		}
		projSameIDs(t, ps, w.personal2)
		ps, _, _ = s.Client(t, w.outsider.Token).Projects.ListUserProjects("outsider", &gitlab.ListProjectsOptions{Search: gitlab.Ptr("d")})
		projSameIDs(t, ps, w.personal)
		s.Do(t, labtest.Request{Path: "/users/nobody/projects", Token: w.dev.Token}).ExpectError(t, 404, `{"message":"404 User Not Found"}`)
	})
}

func TestProjectUpdate(t *testing.T) {
	t.Parallel()
	w := newProjWorld(t)
	s := w.s
	pid := w.private.ID
	path := fmt.Sprintf("/projects/%d", pid)
	t.Run("Roles", func(t *testing.T) {
		for _, c := range []struct {
			u      *labtest.User
			status int
		}{{w.dev, 403}, {w.reporter, 403}, {w.guest, 403}, {w.outsider, 404}, {w.external, 404}} {
			r := s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: c.u.Token, JSON: map[string]any{"description": "x"}})
			if r.Status != c.status {
				t.Fatalf("%s: %d %s", c.u.Username, r.Status, r.Body)
			}
		}
		s.Do(t, labtest.Request{Method: "PUT", Path: path, JSON: map[string]any{"description": "x"}}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
	})
	t.Run("Maintainer", func(t *testing.T) {
		c := s.Client(t, w.maint.Token)
		p, _, err := c.Projects.EditProject(pid, &gitlab.EditProjectOptions{Description: gitlab.Ptr("new"),
			Topics: &[]string{"x"}, IssuesEnabled: gitlab.Ptr(false), DefaultBranch: gitlab.Ptr("dev")})
		if err != nil || p.Description != "new" || p.IssuesEnabled || p.DefaultBranch != "dev" || fmt.Sprint(p.Topics) != "[x]" {
			t.Fatalf("%+v %v", p, err)
		}
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.maint.Token, JSON: map[string]any{"visibility": "internal"}}).
			ExpectError(t, 400, `{"message":"New visibility level not allowed!"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.maint.Token, JSON: map[string]any{"name": "renamed"}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	})
	t.Run("Owner", func(t *testing.T) {
		c := s.Client(t, w.owner.Token)
		p, _, err := c.Projects.EditProject(pid, &gitlab.EditProjectOptions{Name: gitlab.Ptr("Renamed"), Path: gitlab.Ptr("renamed"),
			Visibility: gitlab.Ptr(gitlab.InternalVisibility)})
		if err != nil || p.PathWithNamespace != "corp/renamed" || p.Visibility != gitlab.InternalVisibility {
			t.Fatalf("%+v %v", p, err)
		}
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.owner.Token, JSON: map[string]any{"path": "open"}}).
			ExpectError(t, 400, `{"message":{"path":["has already been taken"]}}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.owner.Token, JSON: map[string]any{"path": "team"}}).
			ExpectError(t, 400, `{"message":{"path":["has already been taken"]}}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.owner.Token, JSON: map[string]any{"path": "bad/path"}}).
			ExpectError(t, 400, `{"message":{"path":["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'"]}}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.owner.Token, RawBody: `{"wiki_enabled":[true]}`}).
			ExpectError(t, 400, `{"error":"wiki_enabled is invalid"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: "/projects/999999", Token: w.owner.Token, JSON: map[string]any{"description": "x"}}).
			ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
		got, _, _ := c.Projects.GetProject("corp/renamed", nil)
		if got == nil || got.Name != "Renamed" {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("Archive", func(t *testing.T) {
		// archive_project is Owner's (GitLab's owner_access): Maintainers
		// and below get 403 for both directions.
		for _, u := range []*labtest.User{w.dev, w.maint} {
			for _, action := range []string{"/archive", "/unarchive"} {
				s.Do(t, labtest.Request{Method: "POST", Path: path + action, Token: u.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
			}
		}
		s.Do(t, labtest.Request{Method: "POST", Path: fmt.Sprintf("/projects/%d/archive", w.subPrivate.ID), Token: w.outsider.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
		c := s.Client(t, w.owner.Token)
		p, resp, err := c.Projects.ArchiveProject(pid)
		if err != nil || !p.Archived || resp.StatusCode != 201 {
			t.Fatalf("%+v %v", p, err)
		}
		// Archived projects are read-only.
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.owner.Token, JSON: map[string]any{"description": "y"}}).
			ExpectError(t, 403, `{"message":"403 Forbidden"}`)
		ps, _, _ := c.Projects.ListProjects(&gitlab.ListProjectsOptions{Archived: gitlab.Ptr(true)})
		projSameIDs(t, ps, p)
		p, _, err = c.Projects.UnarchiveProject(pid)
		if err != nil || p.Archived {
			t.Fatalf("%+v %v", p, err)
		}
		s.Do(t, labtest.Request{Method: "POST", Path: path + "/bogus", Token: w.owner.Token}).ExpectError(t, 404, `{"error":"404 Not Found"}`)
	})
}

func TestProjectDelete(t *testing.T) {
	t.Parallel()
	w := newProjWorld(t)
	s := w.s
	path := fmt.Sprintf("/projects/%d", w.internal.ID)
	for _, u := range []*labtest.User{w.maint, w.dev, w.guest} {
		s.Do(t, labtest.Request{Method: "DELETE", Path: path, Token: u.Token}).ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: fmt.Sprintf("/projects/%d", w.private.ID), Token: w.outsider.Token}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	r := s.Do(t, labtest.Request{Method: "DELETE", Path: path, Token: w.owner.Token})
	r.ExpectError(t, 202, `{"message":"202 Accepted"}`)
	// Gone for everyone but owners at once.
	for _, u := range []*labtest.User{w.maint, w.outsider} {
		s.Do(t, labtest.Request{Path: path, Token: u.Token}).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	}
	ps, _, _ := s.Client(t, w.maint.Token).Projects.ListProjects(nil)
	for _, p := range ps {
		if p.ID == w.internal.ID {
			t.Fatal("deleted project still listed")
		}
	}
	// The purge removes it; then its path is free again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := s.Do(t, labtest.Request{Path: path, Token: s.RootToken})
		if r.Status == 404 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not purged: %d %s", r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	p := projMustCreate(t, s.Client(t, w.owner.Token), &gitlab.CreateProjectOptions{Name: gitlab.Ptr("inside"), NamespaceID: gitlab.Ptr(w.group.ID)})
	if p.ID == w.internal.ID || p.PathWithNamespace != "corp/inside" {
		t.Fatalf("%+v", p)
	}
	// Admins may delete any project; personal owners their own.
	if _, err := s.Client(t, s.RootToken).Projects.DeleteProject(w.public.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Client(t, w.outsider.Token).Projects.DeleteProject("outsider/diary", nil); err != nil {
		t.Fatal(err)
	}
}

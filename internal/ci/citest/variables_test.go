package citest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// variablesFixture is a private group with a subgroup and a project in the
// subgroup, a member per role on the project and a Maintainer of the group.
type variablesFixture struct {
	s                             *labtest.Server
	root                          *gitlab.Client
	top, sub                      *gitlab.Group
	p                             *gitlab.Project
	maint, dev, groupMaint, other *labtest.User
}

func newVariablesFixture(t *testing.T) *variablesFixture {
	t.Helper()
	s := labtest.Start(t)
	f := &variablesFixture{s: s, root: s.Client(t, s.RootToken), maint: s.NewUser(t, "vmaint"),
		dev: s.NewUser(t, "vdev"), groupMaint: s.NewUser(t, "vgmaint"), other: s.NewUser(t, "vother")}
	var err error
	if f.top, _, err = f.root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Top"), Path: gitlab.Ptr("top"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)}); err != nil {
		t.Fatal(err)
	}
	if f.sub, _, err = f.root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"),
		ParentID: gitlab.Ptr(f.top.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)}); err != nil {
		t.Fatal(err)
	}
	if f.p, _, err = f.root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("app"),
		NamespaceID: gitlab.Ptr(f.sub.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)}); err != nil {
		t.Fatal(err)
	}
	for u, l := range map[*labtest.User]gitlab.AccessLevelValue{f.maint: gitlab.MaintainerPermissions,
		f.dev: gitlab.DeveloperPermissions} {
		if _, _, err := f.root.ProjectMembers.AddProjectMember(f.p.ID, &gitlab.AddProjectMemberOptions{UserID: u.ID,
			AccessLevel: gitlab.Ptr(l)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.root.GroupMembers.AddGroupMember(f.top.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(f.groupMaint.ID),
		AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *variablesFixture) projectPath(suffix string) string {
	return fmt.Sprintf("/projects/%d/variables%s", f.p.ID, suffix)
}

func variablesStatus(t *testing.T, resp *gitlab.Response, err error, want int) {
	t.Helper()
	if resp == nil || resp.StatusCode != want {
		t.Fatalf("status = %v (err %v), want %d", resp, err, want)
	}
}

func TestVariablesProjectLifecycle(t *testing.T) {
	f := newVariablesFixture(t)
	c := f.s.Client(t, f.maint.Token)

	v, resp, err := c.ProjectVariables.CreateVariable(f.p.ID, &gitlab.CreateProjectVariableOptions{Key: gitlab.Ptr("DEPLOY_TOKEN"),
		Value: gitlab.Ptr("s3cr3t-value"), Masked: gitlab.Ptr(true), Protected: gitlab.Ptr(true),
		Description: gitlab.Ptr("for deploys")})
	if err != nil {
		t.Fatal(err)
	}
	variablesStatus(t, resp, err, http.StatusCreated)
	want := gitlab.ProjectVariable{Key: "DEPLOY_TOKEN", Value: "s3cr3t-value", VariableType: gitlab.EnvVariableType,
		Protected: true, Masked: true, EnvironmentScope: "*", Description: "for deploys"}
	if *v != want {
		t.Fatalf("created %+v, want %+v", v, want)
	}
	if _, _, err := c.ProjectVariables.CreateVariable(f.p.ID, &gitlab.CreateProjectVariableOptions{Key: gitlab.Ptr("CONFIG"),
		Value: gitlab.Ptr("line one\nline two"), VariableType: gitlab.Ptr(gitlab.FileVariableType), Raw: gitlab.Ptr(true)}); err != nil {
		t.Fatal(err)
	}

	list, resp, err := c.ProjectVariables.ListVariables(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "DEPLOY_TOKEN" || list[1].Key != "CONFIG" || resp.TotalItems != 2 {
		t.Fatalf("list = %+v (total %d)", list, resp.TotalItems)
	}
	if list[1].VariableType != gitlab.FileVariableType || !list[1].Raw || list[1].Value != "line one\nline two" {
		t.Fatalf("file variable = %+v", list[1])
	}

	// An update changes what it is given; the key stays.
	v, _, err = c.ProjectVariables.UpdateVariable(f.p.ID, "DEPLOY_TOKEN", &gitlab.UpdateProjectVariableOptions{
		Value: gitlab.Ptr("n3w-s3cr3t"), Protected: gitlab.Ptr(false), EnvironmentScope: gitlab.Ptr("production")})
	if err != nil {
		t.Fatal(err)
	}
	if v.Value != "n3w-s3cr3t" || v.Protected || !v.Masked || v.EnvironmentScope != "production" || v.Description != "for deploys" {
		t.Fatalf("updated %+v", v)
	}
	got, _, err := c.ProjectVariables.GetVariable(f.p.ID, "DEPLOY_TOKEN", nil)
	if err != nil || *got != *v {
		t.Fatalf("get = %+v, %v; want %+v", got, err, v)
	}

	// The entity, field for field; no description is null.
	raw := f.s.Do(t, labtest.Request{Path: f.projectPath("/CONFIG"), Token: f.maint.Token})
	raw.ExpectError(t, http.StatusOK, `{"variable_type":"file","key":"CONFIG","value":"line one\nline two","hidden":false,
		"protected":false,"masked":false,"raw":true,"environment_scope":"*","description":null}`)

	resp, err = c.ProjectVariables.RemoveVariable(f.p.ID, "CONFIG", nil)
	variablesStatus(t, resp, err, http.StatusNoContent)
	f.s.Do(t, labtest.Request{Path: f.projectPath("/CONFIG"), Token: f.maint.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Variable Not Found"}`)
	f.s.Do(t, labtest.Request{Method: http.MethodDelete, Path: f.projectPath("/CONFIG"), Token: f.maint.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Variable Not Found"}`)
}

func TestVariablesHidden(t *testing.T) {
	f := newVariablesFixture(t)
	c := f.s.Client(t, f.maint.Token)
	v, _, err := c.ProjectVariables.CreateVariable(f.p.ID, &gitlab.CreateProjectVariableOptions{Key: gitlab.Ptr("HIDDEN"),
		Value: gitlab.Ptr("hidden-value-1"), MaskedAndHidden: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if !v.Hidden || !v.Masked || v.Value != "" {
		t.Fatalf("created %+v, want hidden and masked without a value", v)
	}
	f.s.Do(t, labtest.Request{Path: f.projectPath("/HIDDEN"), Token: f.maint.Token}).
		ExpectError(t, http.StatusOK, `{"variable_type":"env_var","key":"HIDDEN","value":null,"hidden":true,
		"protected":false,"masked":true,"raw":false,"environment_scope":"*","description":null}`)

	// A hidden variable stays masked; its value may change.
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: f.projectPath("/HIDDEN"), Token: f.maint.Token,
		JSON: map[string]any{"masked": false}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"base":["Updating masked attribute is not allowed on updates for hidden variables."]}}`)
	if _, _, err := c.ProjectVariables.UpdateVariable(f.p.ID, "HIDDEN", &gitlab.UpdateProjectVariableOptions{
		Value: gitlab.Ptr("other-hidden-2")}); err != nil {
		t.Fatal(err)
	}
	vars, err := f.s.Srv.Service.CIVariables(context.Background(), f.p.ID, false, "")
	if err != nil || len(vars) != 1 || vars[0].Value != "other-hidden-2" || !vars[0].Hidden {
		t.Fatalf("job variables = %+v, %v; want the hidden value", vars, err)
	}
	// A masked value must be maskable even when hidden.
	f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.projectPath(""), Token: f.maint.Token,
		JSON: map[string]any{"key": "SHORT", "value": "short", "masked_and_hidden": true}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"value":["is invalid"]}}`)
}

func TestVariablesValidation(t *testing.T) {
	f := newVariablesFixture(t)
	post := func(body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.projectPath(""), Token: f.maint.Token, JSON: body})
	}
	post(map[string]any{"value": "v"}).ExpectError(t, http.StatusBadRequest, `{"error":"key is missing"}`)
	post(map[string]any{"key": "K"}).ExpectError(t, http.StatusBadRequest, `{"error":"value is missing"}`)
	post(map[string]any{"key": "BAD-KEY", "value": "v"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["can contain only letters, digits and '_'."]}}`)
	post(map[string]any{"key": "", "value": "v"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["can't be blank","can contain only letters, digits and '_'."]}}`)
	post(map[string]any{"key": strings.Repeat("K", 256), "value": "v"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["is too long (maximum is 255 characters)"]}}`)
	post(map[string]any{"key": "K", "value": "v", "variable_type": "secret"}).
		ExpectError(t, http.StatusBadRequest, `{"error":"variable_type does not have a valid value"}`)
	post(map[string]any{"key": "K", "value": "v", "environment_scope": "prod|staging"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"environment_scope":["can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', '*' and spaces"]}}`)
	post(map[string]any{"key": "K", "value": "v", "description": strings.Repeat("d", 256)}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"description":["is too long (maximum is 255 characters)"]}}`)

	// Masked values: eight characters or more, one line, and (unless raw)
	// from Base64's alphabet with @ : . ~.
	for _, bad := range []string{"short", "has a space", "two\nlines", "dollar$sign", "quote'quote"} {
		post(map[string]any{"key": "MASKED", "value": bad, "masked": true}).
			ExpectError(t, http.StatusBadRequest, `{"message":{"value":["is invalid"]}}`)
	}
	for i, good := range []string{"abcdefgh", "user@example.com:pw~1.2+3=/_-"} {
		if r := post(map[string]any{"key": fmt.Sprintf("MASKED_%d", i), "value": good, "masked": true}); r.Status != http.StatusCreated {
			t.Fatalf("masked %q: %d %s", good, r.Status, r.Body)
		}
	}
	if r := post(map[string]any{"key": "MASKED_RAW", "value": "dollar$sign'quote", "masked": true, "raw": true}); r.Status != http.StatusCreated {
		t.Fatalf("masked raw: %d %s", r.Status, r.Body)
	}
	post(map[string]any{"key": "MASKED_RAW2", "value": "has a space", "masked": true, "raw": true}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"value":["is invalid"]}}`)
	// Masking an existing variable checks its value too.
	post(map[string]any{"key": "PLAIN", "value": "plain"})
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: f.projectPath("/PLAIN"), Token: f.maint.Token,
		JSON: map[string]any{"masked": true}}).ExpectError(t, http.StatusBadRequest, `{"message":{"value":["is invalid"]}}`)

	// One key per environment scope.
	post(map[string]any{"key": "PLAIN", "value": "again"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["(PLAIN) has already been taken"]}}`)
	if r := post(map[string]any{"key": "PLAIN", "value": "prod", "environment_scope": "production"}); r.Status != http.StatusCreated {
		t.Fatalf("scoped duplicate: %d %s", r.Status, r.Body)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: f.projectPath("/PLAIN?filter[environment_scope]=production"),
		Token: f.maint.Token, JSON: map[string]any{"environment_scope": "*"}}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["(PLAIN) has already been taken"]}}`)

	// Nothing half-written: the refused requests left these only.
	list, _, err := f.s.Client(t, f.maint.Token).ProjectVariables.ListVariables(f.p.ID, nil)
	if err != nil || len(list) != 5 {
		t.Fatalf("list = %d variables, %v; want 5", len(list), err)
	}
	if list[3].Key != "PLAIN" || list[3].Value != "plain" || list[3].Masked {
		t.Fatalf("PLAIN changed: %+v", list[3])
	}
}

func TestVariablesEnvironmentScopeFilter(t *testing.T) {
	f := newVariablesFixture(t)
	c := f.s.Client(t, f.maint.Token)
	for _, scope := range []string{"*", "production"} {
		if _, _, err := c.ProjectVariables.CreateVariable(f.p.ID, &gitlab.CreateProjectVariableOptions{Key: gitlab.Ptr("URL"),
			Value: gitlab.Ptr("url-" + scope), EnvironmentScope: gitlab.Ptr(scope)}); err != nil {
			t.Fatal(err)
		}
	}
	const ambiguous = `{"message":"There are multiple variables with provided parameters. Please use 'filter[environment_scope]'"}`
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		f.s.Do(t, labtest.Request{Method: m, Path: f.projectPath("/URL"), Token: f.maint.Token,
			JSON: map[string]any{"value": "x"}}).ExpectError(t, http.StatusConflict, ambiguous)
	}
	v, _, err := c.ProjectVariables.GetVariable(f.p.ID, "URL", &gitlab.GetProjectVariableOptions{
		Filter: &gitlab.VariableFilter{EnvironmentScope: "production"}})
	if err != nil || v.Value != "url-production" {
		t.Fatalf("filtered get = %+v, %v", v, err)
	}
	v, _, err = c.ProjectVariables.UpdateVariable(f.p.ID, "URL", &gitlab.UpdateProjectVariableOptions{
		Value: gitlab.Ptr("url-prod2"), Filter: &gitlab.VariableFilter{EnvironmentScope: "production"}})
	if err != nil || v.Value != "url-prod2" || v.EnvironmentScope != "production" {
		t.Fatalf("filtered update = %+v, %v", v, err)
	}
	f.s.Do(t, labtest.Request{Path: f.projectPath("/URL?filter[environment_scope]=staging"), Token: f.maint.Token}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 Variable Not Found"}`)
	f.s.Do(t, labtest.Request{Path: f.projectPath("/URL?filter=production"), Token: f.maint.Token}).
		ExpectError(t, http.StatusBadRequest, `{"error":"filter is invalid"}`)
	if _, err := c.ProjectVariables.RemoveVariable(f.p.ID, "URL", &gitlab.RemoveProjectVariableOptions{
		Filter: &gitlab.VariableFilter{EnvironmentScope: "production"}}); err != nil {
		t.Fatal(err)
	}
	v, _, err = c.ProjectVariables.GetVariable(f.p.ID, "URL", nil)
	if err != nil || v.EnvironmentScope != "*" {
		t.Fatalf("left = %+v, %v", v, err)
	}

	// The group API updates the first variable of a key without a filter,
	// as GitLab keeps it; get and delete refuse to guess.
	root := f.root
	for _, scope := range []string{"*", "staging"} {
		if _, _, err := root.GroupVariables.CreateVariable(f.top.ID, &gitlab.CreateGroupVariableOptions{Key: gitlab.Ptr("G"),
			Value: gitlab.Ptr("g-" + scope), EnvironmentScope: gitlab.Ptr(scope)}); err != nil {
			t.Fatal(err)
		}
	}
	gv, _, err := root.GroupVariables.UpdateVariable(f.top.ID, "G", &gitlab.UpdateGroupVariableOptions{Value: gitlab.Ptr("g-new")})
	if err != nil || gv.EnvironmentScope != "*" || gv.Value != "g-new" {
		t.Fatalf("group update = %+v, %v", gv, err)
	}
	f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/variables/G", f.top.ID), Token: f.s.RootToken}).
		ExpectError(t, http.StatusConflict, ambiguous)
	f.s.Do(t, labtest.Request{Path: fmt.Sprintf("/groups/%d/variables/NONE", f.top.ID), Token: f.s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 GroupVariable Not Found"}`)
}

func TestVariablesPermissions(t *testing.T) {
	f := newVariablesFixture(t)
	do := func(u *labtest.User, method, path string) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: method, Path: path, Token: u.Token, JSON: map[string]any{"key": "K", "value": "v"}})
	}
	// A project's variables take Maintainer: a Developer sees the project
	// (403), a stranger does not (404).
	do(f.dev, http.MethodGet, f.projectPath("")).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	do(f.dev, http.MethodPost, f.projectPath("")).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	do(f.other, http.MethodGet, f.projectPath("")).ExpectError(t, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
	// A Maintainer of the top group is one of the project, not an Owner
	// of the group: group variables take Owner.
	if r := do(f.groupMaint, http.MethodPost, f.projectPath("")); r.Status != http.StatusCreated {
		t.Fatalf("inherited maintainer: %d %s", r.Status, r.Body)
	}
	groupVars := fmt.Sprintf("/groups/%d/variables", f.top.ID)
	do(f.groupMaint, http.MethodGet, groupVars).ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	do(f.other, http.MethodGet, groupVars).ExpectError(t, http.StatusNotFound, `{"message":"404 Group Not Found"}`)
	if r := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: groupVars, Token: f.s.RootToken,
		JSON: map[string]any{"key": "K", "value": "v"}}); r.Status != http.StatusCreated {
		t.Fatalf("group variable as admin: %d %s", r.Status, r.Body)
	}
	// Instance variables: administrators only.
	do(f.maint, http.MethodGet, "/admin/ci/variables").ExpectError(t, http.StatusForbidden, `{"message":"403 Forbidden"}`)
	f.s.Do(t, labtest.Request{Path: "/admin/ci/variables"}).ExpectError(t, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
}

func TestVariablesInstance(t *testing.T) {
	f := newVariablesFixture(t)
	c := f.root
	v, _, err := c.InstanceVariables.CreateVariable(&gitlab.CreateInstanceVariableOptions{Key: gitlab.Ptr("REGISTRY"),
		Value: gitlab.Ptr("registry.example.com"), Protected: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if *v != (gitlab.InstanceVariable{Key: "REGISTRY", Value: "registry.example.com", VariableType: gitlab.EnvVariableType, Protected: true}) {
		t.Fatalf("created %+v", v)
	}
	f.s.Do(t, labtest.Request{Path: "/admin/ci/variables/REGISTRY", Token: f.s.RootToken}).ExpectError(t, http.StatusOK,
		`{"variable_type":"env_var","key":"REGISTRY","value":"registry.example.com","protected":true,"masked":false,"raw":false,"description":null}`)
	post := func(body map[string]any) *labtest.Response {
		return f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/admin/ci/variables", Token: f.s.RootToken, JSON: body})
	}
	post(map[string]any{"key": "REGISTRY", "value": "x"}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"key":["(REGISTRY) has already been taken"]}}`)
	post(map[string]any{"key": "BIG", "value": strings.Repeat("x", 10001)}).
		ExpectError(t, http.StatusBadRequest, `{"message":{"value":["The value of the provided variable exceeds the 10000 character limit"]}}`)
	if v, _, err = c.InstanceVariables.UpdateVariable("REGISTRY", &gitlab.UpdateInstanceVariableOptions{
		Value: gitlab.Ptr("mirror.example.com")}); err != nil || v.Value != "mirror.example.com" || !v.Protected {
		t.Fatalf("update = %+v, %v", v, err)
	}
	list, _, err := c.InstanceVariables.ListVariables(nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if _, err := c.InstanceVariables.RemoveVariable("REGISTRY"); err != nil {
		t.Fatal(err)
	}
	f.s.Do(t, labtest.Request{Method: http.MethodDelete, Path: "/admin/ci/variables/REGISTRY", Token: f.s.RootToken}).
		ExpectError(t, http.StatusNotFound, `{"message":"404 InstanceVariable Not Found"}`)
}

// TestVariablesConcurrentCreate races creations of one key: one wins, the
// others get GitLab's validation answer, never a 500.
func TestVariablesConcurrentCreate(t *testing.T) {
	f := newVariablesFixture(t)
	const n = 8
	statuses := make(chan *labtest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: f.projectPath(""), Token: f.maint.Token,
				JSON: map[string]any{"key": "RACE", "value": fmt.Sprint(i)}})
		}()
	}
	wg.Wait()
	close(statuses)
	created := 0
	for r := range statuses {
		switch {
		case r.Status == http.StatusCreated:
			created++
		case r.Status == http.StatusBadRequest && strings.TrimSpace(string(r.Body)) == `{"message":{"key":["(RACE) has already been taken"]}}`:
		default:
			t.Errorf("racing create: %d %s", r.Status, r.Body)
		}
	}
	if created != 1 {
		t.Fatalf("%d creations succeeded, want 1", created)
	}
}

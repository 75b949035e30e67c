package citest_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

// variablesPost creates a variable through the API as root, failing t
// unless it is created.
func variablesPost(t *testing.T, s *labtest.Server, path string, body map[string]any) {
	t.Helper()
	if r := s.Do(t, labtest.Request{Method: http.MethodPost, Path: path, Token: s.RootToken, JSON: body}); r.Status != http.StatusCreated {
		t.Fatalf("POST %s %v: %d %s", path, body, r.Status, r.Body)
	}
}

// variablesOf renders what a job gets as KEY=value lines, in order.
func variablesOf(t *testing.T, f *variablesFixture, protected bool, environment string) string {
	t.Helper()
	vars, err := f.s.Srv.Service.CIVariables(context.Background(), f.p.ID, protected, environment)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range vars {
		b.WriteString(v.Key + "=" + v.Value + "\n")
	}
	return b.String()
}

func TestVariablesForJobPrecedence(t *testing.T) {
	f := newVariablesFixture(t)
	top, sub, project := "/groups/"+strconv.FormatInt(f.top.ID, 10)+"/variables", "/groups/"+strconv.FormatInt(f.sub.ID, 10)+"/variables", f.projectPath("")
	variablesPost(t, f.s, "/admin/ci/variables", map[string]any{"key": "A", "value": "instance"})
	variablesPost(t, f.s, "/admin/ci/variables", map[string]any{"key": "ONLY_INSTANCE", "value": "i"})
	variablesPost(t, f.s, "/admin/ci/variables", map[string]any{"key": "SECRET", "value": "instance-secret", "protected": true})
	variablesPost(t, f.s, top, map[string]any{"key": "A", "value": "top"})
	variablesPost(t, f.s, top, map[string]any{"key": "B", "value": "top"})
	variablesPost(t, f.s, sub, map[string]any{"key": "B", "value": "sub"})
	variablesPost(t, f.s, sub, map[string]any{"key": "C", "value": "sub"})
	variablesPost(t, f.s, project, map[string]any{"key": "C", "value": "project"})
	variablesPost(t, f.s, project, map[string]any{"key": "P", "value": "project-protected", "protected": true})
	// A group created later but higher up still yields to the subgroup.
	variablesPost(t, f.s, top, map[string]any{"key": "C", "value": "top-late"})

	// Instance, then groups from the top down, then the project: the last
	// one of a key wins, in its place.
	if got, want := variablesOf(t, f, false, ""), "ONLY_INSTANCE=i\nA=top\nB=sub\nC=project\n"; got != want {
		t.Fatalf("unprotected ref:\n%s\nwant:\n%s", got, want)
	}
	if got, want := variablesOf(t, f, true, ""), "ONLY_INSTANCE=i\nSECRET=instance-secret\nA=top\nB=sub\nC=project\nP=project-protected\n"; got != want {
		t.Fatalf("protected ref:\n%s\nwant:\n%s", got, want)
	}
}

func TestVariablesForJobEnvironmentScopes(t *testing.T) {
	f := newVariablesFixture(t)
	project, sub := f.projectPath(""), "/groups/"+strconv.FormatInt(f.sub.ID, 10)+"/variables"
	// Created from the most to the least specific, so that creation order
	// can't be what decides.
	variablesPost(t, f.s, project, map[string]any{"key": "URL", "value": "review-app1", "environment_scope": "review/app1"})
	variablesPost(t, f.s, project, map[string]any{"key": "URL", "value": "review-any", "environment_scope": "review/*"})
	variablesPost(t, f.s, project, map[string]any{"key": "URL", "value": "default", "environment_scope": "*"})
	variablesPost(t, f.s, project, map[string]any{"key": "PROD_ONLY", "value": "p", "environment_scope": "production"})
	variablesPost(t, f.s, project, map[string]any{"key": "STAGES", "value": "any-stage", "environment_scope": "*-stage"})
	// A subgroup's exact match yields to the project's `*`: owners first,
	// then scopes within an owner.
	variablesPost(t, f.s, sub, map[string]any{"key": "URL", "value": "group-production", "environment_scope": "production"})
	variablesPost(t, f.s, sub, map[string]any{"key": "GROUP_PROD", "value": "g", "environment_scope": "production"})

	for _, c := range []struct{ environment, want string }{
		{"", "URL=default\n"},
		{"review/app1", "URL=review-app1\n"},
		{"review/app2/deep", "URL=review-any\n"},
		{"review", "URL=default\n"},
		{"production", "GROUP_PROD=g\nURL=default\nPROD_ONLY=p\n"},
		{"Production", "URL=default\n"},
		{"qa-stage", "URL=default\nSTAGES=any-stage\n"},
	} {
		if got := variablesOf(t, f, false, c.environment); got != c.want {
			t.Errorf("environment %q:\n%s\nwant:\n%s", c.environment, got, c.want)
		}
	}

	// A project without a group gets the instance's and its own.
	u := f.s.NewUser(t, "solo")
	r := f.s.Do(t, labtest.Request{Method: http.MethodPost, Path: "/projects", Token: u.Token, JSON: map[string]any{"name": "solo"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("project: %d %s", r.Status, r.Body)
	}
	id := int64(r.Map(t)["id"].(float64))
	variablesPost(t, f.s, "/projects/"+strconv.FormatInt(id, 10)+"/variables", map[string]any{"key": "MINE", "value": "m", "variable_type": "file"})
	vars, err := f.s.Srv.Service.CIVariables(context.Background(), id, false, "")
	if err != nil || len(vars) != 1 || vars[0].Key != "MINE" || vars[0].VariableType != "file" {
		t.Fatalf("solo project = %+v, %v", vars, err)
	}
}

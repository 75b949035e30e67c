package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestGraphQLCiConfig lints CI configuration as REST's POST …/ci/lint
// does: a valid one with its merged YAML, an invalid one with REST's
// errors; who may not create pipelines gets GitLab's no-access error.
func TestGraphQLCiConfig(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	outsider := s.NewUser(t, "outsider")
	dev := s.Client(t, tm.Developer.Token)
	mrBranches(t, s, tm)
	const q = `query($p: ID!, $c: String!) { ciConfig(projectPath: $p, content: $c) { status errors warnings mergedYaml includes { type } } }`
	p := tm.Project.PathWithNamespace

	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": p, "c": "build:\n  script: [make]\n"})
	c := dig(mustData(t, r), "ciConfig")
	if dig(c, "status") != "VALID" || fmt.Sprint(dig(c, "errors")) != "[]" ||
		!strings.Contains(fmt.Sprint(dig(c, "mergedYaml")), "make") {
		t.Errorf("valid = %v", c)
	}

	bad := "build:\n  stage: nowhere\n  script: [make]\n"
	rest, _, err := dev.Validate.ProjectNamespaceLint(tm.Project.ID, &gitlab.ProjectNamespaceLintOptions{Content: gitlab.Ptr(bad)})
	if err != nil || rest.Valid || len(rest.Errors) == 0 {
		t.Fatalf("REST lint = %+v %v", rest, err)
	}
	_, r = post(t, s, tm.Developer.Token, q, map[string]any{"p": p, "c": bad})
	c = dig(mustData(t, r), "ciConfig")
	if dig(c, "status") != "INVALID" || fmt.Sprint(dig(c, "errors")) != fmt.Sprint(rest.Errors) || dig(c, "mergedYaml") != nil {
		t.Errorf("invalid = %v, REST's errors %v", c, rest.Errors)
	}

	_, r = post(t, s, outsider.Token, q, map[string]any{"p": p, "c": "build:\n  script: [make]\n"})
	if len(r.Errors) == 0 || !strings.Contains(fmt.Sprint(r.Errors[0]["message"]), "don't have permission") ||
		dig(r.Data, "ciConfig") != nil {
		t.Errorf("outsider = %v %v", r.Data, r.Errors)
	}
}

// TestGraphQLInstanceCiVariables lists the instance's CI/CD variables as
// REST's /admin/ci/variables does, for administrators only; anyone else
// gets null, and a bad window is an error.
func TestGraphQLInstanceCiVariables(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	user := s.NewUser(t, "someone")
	root := s.Client(t, s.RootToken)
	for _, k := range []string{"ONE", "TWO"} {
		if _, _, err := root.InstanceVariables.CreateVariable(&gitlab.CreateInstanceVariableOptions{Key: gitlab.Ptr(k),
			Value: gitlab.Ptr("v-" + k), Protected: gitlab.Ptr(k == "TWO")}); err != nil {
			t.Fatal(err)
		}
	}
	q := func(first int) string {
		return fmt.Sprintf(`{ ciVariables(first: %d) { count pageInfo { hasNextPage } nodes { key value protected variableType } } }`, first)
	}
	_, r := post(t, s, s.RootToken, q(1), nil)
	if got := fmt.Sprint(dig(mustData(t, r), "ciVariables")); got !=
		"map[count:2 nodes:[map[key:ONE protected:false value:v-ONE variableType:ENV_VAR]] pageInfo:map[hasNextPage:true]]" {
		t.Errorf("root = %s", got)
	}
	_, r = post(t, s, user.Token, q(5), nil)
	if v, ok := mustData(t, r)["ciVariables"]; !ok || v != nil {
		t.Errorf("non-admin = %v", r.Data)
	}
	_, r = post(t, s, s.RootToken, q(-1), nil)
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r)
	}
}

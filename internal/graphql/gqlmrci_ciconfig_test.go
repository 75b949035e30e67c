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

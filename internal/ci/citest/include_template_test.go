package citest_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lablet/lablet/internal/labtest"
)

const templateYAML = `
include:
  - template: Bash.gitlab-ci.yml
  - template: Workflows/Branch-Pipelines.gitlab-ci.yml
test:
  script:
    - echo "own test, overriding the template's"
`

// TestIncludeTemplate: include:template brings lablet's own templates
// into a pipeline the runner runs (the including file wins a job both
// define), lint lists them as template includes, and a name lablet has
// no template of is GitLab's error.
func TestIncludeTemplate(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	p, info := pipelineProject(t, c, "templated", map[string]string{".gitlab-ci.yml": templateYAML})
	pl := pipelineWait(t, c, p.ID, info.ID, "success", "failed", "canceled")
	jobs := pipelineJobs(t, c, p.ID, pl.ID)
	if pl.Status != "success" || len(jobs) != 3 || jobs["build"] == nil || jobs["deploy"] == nil {
		t.Fatalf("pipeline %s (%q), jobs %v", pl.Status, pl.YamlErrors, jobs)
	}
	if tr := pipelineTrace(t, c, p.ID, jobs["build"].ID); !strings.Contains(tr, "Build here") || !strings.Contains(tr, "Running build on main") {
		t.Errorf("build log:\n%s", tr)
	}
	if tr := pipelineTrace(t, c, p.ID, jobs["test"].ID); !strings.Contains(tr, "own test, overriding") {
		t.Errorf("test log:\n%s", tr)
	}

	base := "/projects/" + strconv.FormatInt(p.ID, 10) + "/ci/lint"
	resp, a := lintCall(t, s, http.MethodPost, base, s.RootToken, map[string]any{"content": templateYAML})
	if resp.Status != http.StatusOK || !a.Valid || len(a.Includes) != 2 || a.Includes[0].Type != "template" ||
		a.Includes[0].Location != "Bash.gitlab-ci.yml" || a.Includes[1].Location != "Workflows/Branch-Pipelines.gitlab-ci.yml" ||
		!strings.Contains(string(resp.Body), `"blob":null`) {
		t.Errorf("lint: %d %s", resp.Status, resp.Body)
	}
	for yml, want := range map[string]string{
		"include:\n  template: Nope.gitlab-ci.yml\nj:\n  script: x\n": "Included file `Nope.gitlab-ci.yml` is empty or does not exist!",
		"include:\n  template: Bash.yml\nj:\n  script: x\n":           "Template file `Bash.yml` is not a valid location!",
		"include:\n  template: ../ci_lint.go\nj:\n  script: x\n":      "Template file `../ci_lint.go` is not a valid location!",
	} {
		_, a := lintCall(t, s, http.MethodPost, base, s.RootToken, map[string]any{"content": yml})
		if a.Valid || !slices.Contains(a.Errors, want) {
			t.Errorf("lint of %q: valid %v, errors %q; want %q", yml, a.Valid, a.Errors, want)
		}
	}
}

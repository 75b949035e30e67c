package citest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

const lintProjectYAML = `
include:
  - local: ci/extra.yml
stages: [build, test]
unit:
  stage: test
  script: make test
  needs: [compile]
compile:
  stage: build
  script: make
  rules:
    - if: $CI_COMMIT_REF_NAME == "main"
`

// lintAnswer is the part of a lint answer with include_jobs a test reads.
type lintAnswer struct {
	Valid      bool     `json:"valid"`
	Errors     []string `json:"errors"`
	Warnings   []string `json:"warnings"`
	MergedYAML *string  `json:"merged_yaml"`
	Includes   []struct {
		Type, Location, Blob, Raw string
		ContextProject            string `json:"context_project"`
	} `json:"includes"`
	Jobs *[]struct {
		Name, Stage, When string
		Script            []string
		TagList           []string `json:"tag_list"`
		Needs             []struct {
			Name string `json:"name"`
		} `json:"needs"`
	} `json:"jobs"`
}

func lintCall(t *testing.T, s *labtest.Server, method, path, token string, body any) (*labtest.Response, *lintAnswer) {
	t.Helper()
	resp := s.Do(t, labtest.Request{Method: method, Path: path, Token: token, JSON: body})
	var a lintAnswer
	if resp.Status == http.StatusOK {
		resp.JSON(t, &a)
	}
	return resp, &a
}

// TestCILint lints posted content and the project's own configuration:
// includes come from the repository, jobs list in stage order with their
// needs, a dry run evaluates rules for its ref, and bad input or callers
// who may not get GitLab's statuses.
func TestCILint(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _ := pipelineProject(t, c, "lint", map[string]string{".gitlab-ci.yml": lintProjectYAML,
		"ci/extra.yml": "extra:\n  stage: test\n  script: echo extra\n  tags: [docker]\n"})
	base := "/projects/" + strconv.FormatInt(p.ID, 10) + "/ci/lint"

	// GET: the default branch's configuration, with its include.
	got, _, err := c.Validate.ProjectLint(p.ID, &gitlab.ProjectLintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Valid || len(got.Errors) != 0 || !strings.Contains(got.MergedYaml, "echo extra") {
		t.Errorf("GET lint = %+v", got)
	}
	if len(got.Includes) != 1 || got.Includes[0].Type != "local" || got.Includes[0].Location != "ci/extra.yml" ||
		got.Includes[0].ContextProject != p.PathWithNamespace || !strings.Contains(got.Includes[0].Raw, "/-/raw/") {
		t.Errorf("includes = %+v", got.Includes)
	}

	// POST with include_jobs: stage order, then the merged file's order
	// (included files first).
	resp, a := lintCall(t, s, http.MethodPost, base, s.RootToken, map[string]any{"content": lintProjectYAML, "include_jobs": true})
	if resp.Status != http.StatusOK || !a.Valid || a.Jobs == nil {
		t.Fatalf("POST lint: %d %s", resp.Status, resp.Body)
	}
	var order []string
	for _, j := range *a.Jobs {
		order = append(order, j.Stage+"/"+j.Name)
	}
	if strings.Join(order, ",") != "build/compile,test/extra,test/unit" {
		t.Errorf("jobs = %v", order)
	}
	unit := (*a.Jobs)[2]
	if len(unit.Needs) != 1 || unit.Needs[0].Name != "compile" || unit.When != "on_success" || unit.Script[0] != "make test" {
		t.Errorf("unit = %+v", unit)
	}
	if extra := (*a.Jobs)[1]; len(extra.TagList) != 1 || extra.TagList[0] != "docker" {
		t.Errorf("extra = %+v", extra)
	}
	// Without include_jobs there is no jobs key.
	if resp, _ := lintCall(t, s, http.MethodPost, base, s.RootToken, map[string]any{"content": lintProjectYAML}); strings.Contains(string(resp.Body), `"jobs"`) {
		t.Errorf("jobs without include_jobs: %s", resp.Body)
	}

	// Dry run for another ref: compile's rule does not match, so unit's
	// need is missing.
	c.Branches.CreateBranch(p.ID, &gitlab.CreateBranchOptions{Branch: gitlab.Ptr("other"), Ref: gitlab.Ptr("main")})
	resp, a = lintCall(t, s, http.MethodPost, base, s.RootToken, map[string]any{"content": lintProjectYAML, "dry_run": true,
		"ref": "other", "include_jobs": true})
	if resp.Status != http.StatusOK || a.Valid || len(a.Errors) == 0 || !strings.Contains(a.Errors[0], "compile") {
		t.Errorf("dry run on other: %d %s", resp.Status, resp.Body)
	}
	resp, a = lintCall(t, s, http.MethodPost, base, s.RootToken, map[string]any{"content": lintProjectYAML, "dry_run": true,
		"include_jobs": true})
	if resp.Status != http.StatusOK || !a.Valid || a.Jobs == nil || len(*a.Jobs) != 3 {
		t.Errorf("dry run on main: %d %s", resp.Status, resp.Body)
	}

	// Invalid content is a 200 with errors.
	resp, a = lintCall(t, s, http.MethodPost, base, s.RootToken, map[string]any{"content": "job:\n  scrip: x\n"})
	if resp.Status != http.StatusOK || a.Valid || len(a.Errors) == 0 || a.Warnings == nil {
		t.Errorf("invalid content: %d %s", resp.Status, resp.Body)
	}

	// Bad requests.
	for _, r := range []labtest.Request{
		{Method: http.MethodPost, Path: base, JSON: map[string]any{"dry_run": true}},
		{Method: http.MethodGet, Path: base + "?sha=main&content_ref=main"},
		{Method: http.MethodGet, Path: base + "?dry_run=maybe"},
	} {
		r.Token = s.RootToken
		if resp := s.Do(t, r); resp.Status != http.StatusBadRequest {
			t.Errorf("%s %s: %d %s, want 400", r.Method, r.Path, resp.Status, resp.Body)
		}
	}
	if resp := s.Do(t, labtest.Request{Method: http.MethodGet, Path: base + "?content_ref=nope", Token: s.RootToken}); resp.Status != http.StatusNotFound ||
		!strings.Contains(string(resp.Body), "Commit") {
		t.Errorf("unknown content_ref: %d %s, want 404 Commit Not Found", resp.Status, resp.Body)
	}

	// Who may: a stranger does not see the private project; a Reporter
	// reads its configuration but may not lint content (create_pipeline).
	stranger := s.NewUser(t, "stranger")
	reporter := s.NewUser(t, "reporter")
	if _, _, err := c.ProjectMembers.AddProjectMember(p.ID, &gitlab.AddProjectMemberOptions{UserID: reporter.ID,
		AccessLevel: gitlab.Ptr(gitlab.ReporterPermissions)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, token string
		want          int
	}{
		{http.MethodGet, stranger.Token, http.StatusNotFound},
		{http.MethodPost, stranger.Token, http.StatusNotFound},
		{http.MethodGet, reporter.Token, http.StatusOK},
		{http.MethodPost, reporter.Token, http.StatusForbidden},
	} {
		resp := s.Do(t, labtest.Request{Method: tc.method, Path: base, Token: tc.token, JSON: map[string]any{"content": "a: b"}})
		if resp.Status != tc.want {
			t.Errorf("%s as %s: %d, want %d", tc.method, tc.token[:4], resp.Status, tc.want)
		}
	}
}

package config

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// TestTemplatesCompile: every embedded template is valid configuration
// when included, and names outside the set (other suffixes, paths that
// climb out) are not found.
func TestTemplatesCompile(t *testing.T) {
	var names []string
	err := fs.WalkDir(templates, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, "templates/"))
		}
		return err
	})
	if err != nil || len(names) < 3 {
		t.Fatalf("templates: %v %v", names, err)
	}
	opts := fixture{}.options()
	opts.Include = func(_ context.Context, inc Include) ([]byte, error) { return Template(inc.File) }
	for _, n := range names {
		yml := "include:\n  - template: " + n + "\nown:\n  script: echo own\n"
		p, err := Compile(context.Background(), []byte(yml), opts)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if len(p.Jobs) == 0 {
			t.Errorf("%s: no jobs", n)
		}
	}
	for _, bad := range []string{"../include.go", "templates/../Bash.gitlab-ci.yml", "/Bash.gitlab-ci.yml", "Bash.yml", "Nope.gitlab-ci.yml"} {
		if _, err := Template(bad); !errors.Is(err, ErrIncludeNotFound) {
			t.Errorf("Template(%q) = %v, want not found", bad, err)
		}
	}
}

// TestTemplateBranchPipelines: Workflows/Branch-Pipelines runs branch and
// tag pipelines, not merge request ones, as GitLab's template does.
func TestTemplateBranchPipelines(t *testing.T) {
	yml := "include:\n  - template: Workflows/Branch-Pipelines.gitlab-ci.yml\nj:\n  script: x\n"
	run := func(vars map[string]string) error {
		opts := fixture{vars: vars}.options()
		opts.Include = func(_ context.Context, inc Include) ([]byte, error) { return Template(inc.File) }
		_, err := Compile(context.Background(), []byte(yml), opts)
		return err
	}
	if err := run(nil); err != nil {
		t.Errorf("branch pipeline: %v", err)
	}
	mr := map[string]string{"CI_COMMIT_BRANCH": "-", "CI_MERGE_REQUEST_IID": "1", "CI_PIPELINE_SOURCE": "merge_request_event"}
	if err := run(mr); err == nil {
		t.Error("merge request pipeline: created, want none")
	}
}

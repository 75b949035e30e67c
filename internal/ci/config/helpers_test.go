package config

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// fakeEval understands what the tests use of GitLab's expressions:
// $A, $A == "x", $A != "x", $A =~ /re/, joined by && and ||.
func fakeEval(expr string, lookup func(string) (string, bool)) (bool, error) {
	for _, or := range strings.Split(expr, "||") {
		all := true
		for _, and := range strings.Split(or, "&&") {
			ok, err := fakeTerm(strings.TrimSpace(and), lookup)
			if err != nil {
				return false, err
			}
			all = all && ok
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

func fakeTerm(t string, lookup func(string) (string, bool)) (bool, error) {
	val := func(s string) string {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "$") {
			v, _ := lookup(s[1:])
			return v
		}
		return strings.Trim(s, `"'`)
	}
	switch {
	case strings.Contains(t, "=="):
		p := strings.SplitN(t, "==", 2)
		return val(p[0]) == val(p[1]), nil
	case strings.Contains(t, "!="):
		p := strings.SplitN(t, "!=", 2)
		return val(p[0]) != val(p[1]), nil
	case strings.Contains(t, "=~"):
		p := strings.SplitN(t, "=~", 2)
		re, err := regexp.Compile(strings.Trim(strings.TrimSpace(p[1]), "/"))
		if err != nil {
			return false, err
		}
		return re.MatchString(val(p[0])), nil
	case strings.HasPrefix(t, "$"):
		return val(t) != "", nil
	}
	return false, fmt.Errorf("unsupported expression %q", t)
}

// fakeMatch: exact match, or a pattern ending in /** matching below it,
// or *.ext at any depth with **/.
func fakeMatch(pattern, path string) bool {
	if pattern == path {
		return true
	}
	if dir, ok := strings.CutSuffix(pattern, "**"); ok {
		return strings.HasPrefix(path, dir)
	}
	if ext, ok := strings.CutPrefix(pattern, "**/*"); ok {
		return strings.HasSuffix(path, ext)
	}
	if dir, ext, ok := strings.Cut(pattern, "*"); ok {
		return strings.HasPrefix(path, dir) && strings.HasSuffix(path, ext) && !strings.Contains(path[len(dir):], "/")
	}
	return false
}

type fixture struct {
	files   map[string]string // local files at the ref
	project map[string]string // "group/p@ref:file"
	changed []string
	known   bool
	vars    map[string]string
	source  string
}

func (f fixture) options() Options {
	vars := map[string]string{"CI_COMMIT_REF_NAME": "main", "CI_COMMIT_BRANCH": "main",
		"CI_DEFAULT_BRANCH": "main", "CI_PIPELINE_SOURCE": "push", "CI_PROJECT_PATH": "group/app"}
	for k, v := range f.vars {
		if v == "-" {
			delete(vars, k)
			continue
		}
		vars[k] = v
	}
	src := f.source
	if src == "" {
		src = "push"
	}
	return Options{
		Variables: vars,
		Source:    src,
		Evaluate:  fakeEval,
		Match:     fakeMatch,
		Changed: func(context.Context) ([]string, bool, error) {
			return f.changed, f.known, nil
		},
		Files: func(context.Context) ([]string, error) {
			var out []string
			for k := range f.files {
				out = append(out, k)
			}
			return out, nil
		},
		Include: func(_ context.Context, inc Include) ([]byte, error) {
			var s string
			var ok bool
			switch inc.Kind {
			case "local":
				s, ok = f.files[inc.File]
			case "project":
				s, ok = f.project[inc.Project+"@"+inc.Ref+":"+inc.File]
				if !ok && !strings.HasPrefix(inc.Project, "group/") {
					return nil, fmt.Errorf("fetch: %w", ErrIncludeProjectNotFound)
				}
			case "template":
				s, ok = map[string]string{"Bash.gitlab-ci.yml": "tpl:\n  script: echo tpl\n"}[inc.File]
			}
			if !ok {
				return nil, fmt.Errorf("fetch %s: %w", inc.File, ErrIncludeNotFound)
			}
			return []byte(s), nil
		},
	}
}

func compile(t *testing.T, yml string, f fixture) *Pipeline {
	t.Helper()
	p, err := Compile(context.Background(), []byte(yml), f.options())
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

// compileErr returns the first error message.
func compileErr(t *testing.T, yml string, f fixture) string {
	t.Helper()
	_, err := Compile(context.Background(), []byte(yml), f.options())
	if err == nil {
		t.Fatalf("Compile succeeded; want an error")
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Messages[0]
	}
	return err.Error()
}

func names(p *Pipeline) []string {
	var out []string
	for _, j := range p.Jobs {
		out = append(out, j.Name)
	}
	return out
}

func job(t *testing.T, p *Pipeline, name string) *Job {
	t.Helper()
	for _, j := range p.Jobs {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q in %v", name, names(p))
	return nil
}

func eq[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// expectErrors compiles each YAML and checks its first error message.
func expectErrors(t *testing.T, cases map[string]string, f fixture) {
	t.Helper()
	for yml, want := range cases {
		if got := compileErr(t, yml, f); got != want {
			t.Errorf("%q: got %q, want %q", yml, got, want)
		}
	}
}

package config

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStagesDefaultAndEdges(t *testing.T) {
	p := compile(t, `
post: {stage: .post, script: x}
d: {stage: deploy, script: x}
b: {stage: build, script: x}
t1: {script: x}
pre: {stage: .pre, script: x}
`, fixture{})
	eq(t, "stages", p.Stages, []string{".pre", "build", "test", "deploy", ".post"})
	eq(t, "jobs", names(p), []string{"pre", "b", "t1", "d", "post"})
	if job(t, p, "t1").Stage != "test" {
		t.Error("a job without stage is in test")
	}
}

func TestUnknownStage(t *testing.T) {
	got := compileErr(t, "stages: [a]\nj: {stage: b, script: x}\n", fixture{})
	want := "j job: chosen stage b does not exist; available stages are .pre, a, .post"
	if got != want {
		t.Errorf("got %q", got)
	}
}

func TestDefaultAndInherit(t *testing.T) {
	p := compile(t, `
default:
  image: ruby:3.3
  before_script: [setup]
  tags: [docker]
  retry: 2
  timeout: 1h 30m
  interruptible: true
variables:
  A: "1"
  B:
    value: "2"
    description: bee
    expand: false
plain:
  script: [run]
noinherit:
  inherit:
    default: false
    variables: false
  script: run
some:
  inherit:
    default: [image]
    variables: [B]
  variables: {C: 3}
  script: run
`, fixture{})
	j := job(t, p, "plain")
	if j.Image == nil || j.Image.Name != "ruby:3.3" || j.Retry.Max != 2 || j.Timeout != "1h 30m" || !*j.Interruptible {
		t.Errorf("defaults not applied: %+v", j)
	}
	eq(t, "before_script", j.BeforeScript, []string{"setup"})
	eq(t, "tags", j.Tags, []string{"docker"})
	if len(j.Variables) != 2 || j.Variables[1] != (Variable{Key: "B", Value: "2", Description: "bee", Raw: true}) {
		t.Errorf("variables = %+v", j.Variables)
	}
	n := job(t, p, "noinherit")
	if n.Image != nil || n.BeforeScript != nil || len(n.Variables) != 0 {
		t.Errorf("inherit false still inherits: %+v", n)
	}
	s := job(t, p, "some")
	if s.Image == nil || s.BeforeScript != nil {
		t.Errorf("inherit:default list: %+v", s)
	}
	if len(s.Variables) != 2 || s.Variables[0].Key != "B" || s.Variables[1] != (Variable{Key: "C", Value: "3"}) {
		t.Errorf("inherit:variables list: %+v", s.Variables)
	}
}

func TestAnchorsMergeKeysAndHiddenJobs(t *testing.T) {
	p := compile(t, `
.base: &base
  image: alpine
  script: [echo base]
  variables: {X: a}
.cmds: &cmds [one, two]
job:
  <<: *base
  variables: {Y: b}
  after_script: *cmds
`, fixture{})
	eq(t, "jobs", names(p), []string{"job"})
	j := p.Jobs[0]
	if j.Image.Name != "alpine" || len(j.Variables) != 1 || j.Variables[0].Key != "Y" {
		t.Errorf("merge key: %+v", j)
	}
	eq(t, "after_script", j.AfterScript, []string{"one", "two"})
}

func TestExtendsDeepMerge(t *testing.T) {
	// The docs' example: hashes merge, arrays are replaced.
	p := compile(t, `
.only-important:
  variables:
    URL: "http://my-url.internal"
    IMPORTANT_VAR: "the details"
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
  tags: [production]
.in-docker:
  variables:
    URL: "http://docker-url.internal"
  tags: [docker]
  image: alpine
rspec:
  extends: [.only-important, .in-docker]
  variables:
    GITLAB: "is-awesome"
  script: [rake rspec]
`, fixture{})
	j := job(t, p, "rspec")
	eq(t, "tags", j.Tags, []string{"docker"})
	got := map[string]string{}
	for _, v := range j.Variables {
		got[v.Key] = v.Value
	}
	if got["URL"] != "http://docker-url.internal" || got["IMPORTANT_VAR"] != "the details" || got["GITLAB"] != "is-awesome" {
		t.Errorf("variables = %v", got)
	}
}

func TestExtendsErrors(t *testing.T) {
	cases := map[string]string{
		"a: {extends: .b, script: x}\n.b: {extends: a}\n": "a: circular dependency detected in `extends`",
		"a: {extends: .nope, script: x}\n":                "a: unknown keys in `extends` (.nope)",
		"a: {extends: .s, script: x}\n.s: str\n":          "a: invalid base hashes in `extends` (.s)",
	}
	var deep strings.Builder
	deep.WriteString(".l0: {script: x}\n")
	for i := 1; i <= 12; i++ {
		deep.WriteString(".l" + strconv.Itoa(i) + ": {extends: .l" + strconv.Itoa(i-1) + "}\n")
	}
	deep.WriteString("job: {extends: .l12}\n")
	cases[deep.String()] = ".l1: nesting too deep in `extends`"
	expectErrors(t, cases, fixture{})
}

func TestReferenceTag(t *testing.T) {
	p := compile(t, `
.setup:
  script:
    - echo creating environment
  vars:
    X: !reference [.vars, variables]
.vars:
  variables: {A: "1"}
.teardown:
  after_script: [echo deleting]
test:
  variables: !reference [.vars, variables]
  script:
    - !reference [.setup, script]
    - echo running
  after_script: !reference [.teardown, after_script]
`, fixture{})
	j := job(t, p, "test")
	eq(t, "script", j.Script, []string{"echo creating environment", "echo running"})
	eq(t, "after_script", j.AfterScript, []string{"echo deleting"})
	if len(j.Variables) != 1 || j.Variables[0].Key != "A" {
		t.Errorf("variables = %+v", j.Variables)
	}
	got := compileErr(t, "j:\n  script: !reference [.x, script]\n", fixture{})
	if got != `!reference [".x", "script"] could not be found` {
		t.Errorf("missing reference: %q", got)
	}
	got = compileErr(t, ".a: {s: !reference [.b, s]}\n.b: {s: !reference [.a, s]}\nj: {script: x}\n", fixture{})
	if !strings.Contains(got, "circular chain") {
		t.Errorf("circular reference: %q", got)
	}
}

func TestIncludes(t *testing.T) {
	f := fixture{files: map[string]string{
		"ci/a.yml":      "include: ci/b.yml\na: {script: a, stage: build}\n",
		"ci/b.yml":      "b: {script: b}\nvariables: {V: from-b}\n",
		"ci/extra1.yml": "e1: {script: e}\n",
		"ci/extra2.yml": "e2: {script: e}\n",
	}, project: map[string]string{
		"group/lib@v1:/tpl.yml":   "x",
		"group/lib@v1:tpl.yml":    "include: {local: nested.yml}\nlib: {script: lib}\n",
		"group/lib@v1:nested.yml": "nested: {script: n}\n",
	}}
	p := compile(t, `
include:
  - ci/a.yml
  - local: /ci/extra*.yml
  - project: group/lib
    ref: v1
    file: /tpl.yml
  - template: Bash.gitlab-ci.yml
variables: {V: main}
main: {script: m}
`, f)
	eq(t, "jobs", names(p), []string{"a", "b", "e1", "e2", "nested", "lib", "tpl", "main"})
	if p.Variables[0].Value != "main" {
		t.Errorf("the including file wins: %+v", p.Variables)
	}
}

func TestIncludeErrors(t *testing.T) {
	f := fixture{files: map[string]string{
		"loop.yml": "include: loop.yml\nj: {script: x}\n",
		"bad.yml":  "a: [b\n",
	}}
	cases := map[string]string{
		"include: missing.yml\nj: {script: x}\n":                     "Local file `missing.yml` does not exist!",
		"include: loop.yml\n":                                        "Maximum of 150 nested includes are allowed!",
		"include: bad.yml\nj: {script: x}\n":                         "Included file `bad.yml` does not have valid YAML syntax!",
		"include: https://example.com/x.yml\nj: {script: x}\n":       "Remote file `https://example.com/x.yml` could not be fetched: remote includes are not allowed on this instance",
		"include: {project: other/p, file: a.yml}\nj: {script: x}\n": "Project `other/p` not found or access denied! Make sure any includes in the pipeline configuration are correctly defined.",
		"include: x.txt\nj: {script: x}\n":                           "Included file `x.txt` does not have YAML extension!",
		"include: {template: Bash.yml}\nj: {script: x}\n":            "Template file `Bash.yml` is not a valid location!",
		"include: {template: No.gitlab-ci.yml}\nj: {script: x}\n":    "Included file `No.gitlab-ci.yml` is empty or does not exist!",
	}
	expectErrors(t, cases, f)
}

func TestIncludeRules(t *testing.T) {
	f := fixture{files: map[string]string{"a.yml": "a: {script: a}\n"}}
	yml := "include:\n  - local: a.yml\n    rules:\n      - if: $INC == \"yes\"\nj: {script: x}\n"
	eq(t, "jobs", names(compile(t, yml, f)), []string{"j"})
	f.vars = map[string]string{"INC": "yes"}
	eq(t, "jobs", names(compile(t, yml, f)), []string{"a", "j"})
}

func TestWorkflowRules(t *testing.T) {
	yml := `
workflow:
  name: 'Pipeline for $CI_COMMIT_REF_NAME'
  rules:
    - if: $CI_COMMIT_TAG
      when: never
    - if: $CI_COMMIT_BRANCH
      variables: {DEPLOY: "yes"}
j: {script: x}
`
	p := compile(t, yml, fixture{})
	if p.WorkflowName != "Pipeline for main" {
		t.Errorf("name = %q", p.WorkflowName)
	}
	if len(p.Variables) != 1 || p.Variables[0].Key != "DEPLOY" {
		t.Errorf("workflow variables = %+v", p.Variables)
	}
	_, err := Compile(context.Background(), []byte(yml), fixture{vars: map[string]string{"CI_COMMIT_TAG": "v1"}}.options())
	if !errors.Is(err, ErrFiltered) || err.Error() != "Pipeline filtered out by workflow rules." {
		t.Errorf("tag: %v", err)
	}
	_, err = Compile(context.Background(), []byte(yml), fixture{vars: map[string]string{"CI_COMMIT_BRANCH": "-"}}.options())
	if !errors.Is(err, ErrFiltered) {
		t.Errorf("no rule matched: %v", err)
	}
}

func TestJobRules(t *testing.T) {
	yml := `
docker:
  script: build
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
      when: delayed
      start_in: 3 hours
      allow_failure: true
      variables: {TARGET: prod}
    - changes: [Dockerfile]
      when: manual
    - exists: [docs/**]
      needs: []
skip:
  script: x
  rules:
    - if: $NOPE
manual:
  script: x
  when: manual
`
	p := compile(t, yml, fixture{})
	eq(t, "jobs", names(p), []string{"docker", "manual"})
	d := job(t, p, "docker")
	if d.When != "delayed" || d.StartIn != "3 hours" || !d.AllowFailure || d.Variables[0].Value != "prod" {
		t.Errorf("first rule: %+v", d)
	}
	if m := job(t, p, "manual"); !m.AllowFailure {
		t.Error("a manual job outside rules may fail")
	}
	f := fixture{vars: map[string]string{"CI_COMMIT_BRANCH": "dev", "CI_COMMIT_REF_NAME": "dev"}, changed: []string{"Dockerfile"}, known: true}
	d = job(t, compile(t, yml, f), "docker")
	if d.When != "manual" || d.AllowFailure {
		t.Errorf("changes rule: manual in rules does not allow failure: %+v", d)
	}
	f.changed = []string{"README"}
	f.files = map[string]string{"docs/index.md": ""}
	d = job(t, compile(t, yml, f), "docker")
	if !d.NeedsSet || len(d.Needs) != 0 || d.When != "on_success" {
		t.Errorf("exists rule: %+v", d)
	}
	f.files = nil
	eq(t, "jobs", names(compile(t, yml, f)), []string{"manual"})
	f.known = false // unknown changes: changes is true
	eq(t, "jobs", names(compile(t, yml, f)), []string{"docker", "manual"})
}

func TestOnlyExcept(t *testing.T) {
	yml := `
always: {script: x}
tags_only: {script: x, only: [tags]}
main_only: {script: x, only: [main, /^release-.*$/]}
not_main: {script: x, except: [main]}
mr: {script: x, only: [merge_requests]}
vars: {script: x, only: {variables: [$DEPLOY == "yes"]}}
sched: {script: x, except: {refs: [schedules]}}
`
	eq(t, "jobs", names(compile(t, yml, fixture{})), []string{"always", "main_only", "sched"})
	tag := fixture{vars: map[string]string{"CI_COMMIT_TAG": "v1", "CI_COMMIT_REF_NAME": "v1", "CI_COMMIT_BRANCH": "-"}}
	eq(t, "jobs", names(compile(t, yml, tag)), []string{"always", "tags_only", "not_main", "sched"})
	rel := fixture{vars: map[string]string{"CI_COMMIT_REF_NAME": "release-1", "DEPLOY": "yes"}, source: "schedule"}
	eq(t, "jobs", names(compile(t, yml, rel)), []string{"always", "main_only", "not_main", "vars"})
	mr := fixture{source: "merge_request_event", vars: map[string]string{"CI_COMMIT_REF_NAME": "feature", "CI_COMMIT_BRANCH": "-"}}
	eq(t, "jobs", names(compile(t, yml, mr)), []string{"not_main", "mr", "sched"})
}

func TestParallel(t *testing.T) {
	p := compile(t, `
test:
  script: x
  parallel: 3
deploy:
  stage: deploy
  script: x
  parallel:
    matrix:
      - PROVIDER: aws
        STACK: [monitoring, app1]
      - PROVIDER: gcp
        STACK: data
  needs: [test]
`, fixture{})
	eq(t, "jobs", names(p), []string{"test 1/3", "test 2/3", "test 3/3",
		"deploy: [aws, monitoring]", "deploy: [aws, app1]", "deploy: [gcp, data]"})
	j := job(t, p, "test 2/3")
	if j.NodeIndex != 2 || j.NodeTotal != 3 {
		t.Errorf("node %d/%d", j.NodeIndex, j.NodeTotal)
	}
	d := job(t, p, "deploy: [aws, app1]")
	if len(d.Needs) != 3 || d.Needs[0].Job != "test 1/3" || d.MatrixVariables[1] != (Variable{Key: "STACK", Value: "app1"}) {
		t.Errorf("matrix job: %+v", d)
	}
}

func TestNeedsAndDependencies(t *testing.T) {
	cases := map[string]string{
		"a: {script: x, needs: [nope]}\n":                                              "a job: undefined need: nope",
		"a: {stage: build, script: x, needs: [b]}\nb: {stage: test, script: x}\n":      "a job: need b is not defined in current or prior stages",
		"a: {script: x, needs: [b, b]}\nb: {script: x}\n":                              "a has the following needs duplicated: b.",
		"a: {script: x, needs: [b]}\nb: {script: x, needs: [a]}\n":                     `The pipeline has circular dependencies: topological sort failed: ["a", "b"]`,
		"a: {script: x, needs: [a]}\n":                                                 "The pipeline has circular dependencies: self-dependency: a",
		"a: {script: x, dependencies: [z]}\n":                                          "a job: undefined dependency: z",
		"a: {stage: build, script: x, dependencies: [b]}\nb: {script: x}\n":            "a job: dependency b is not defined in current or prior stages",
		"a: {script: x, needs: [], dependencies: [b]}\nb: {stage: build, script: x}\n": "jobs:a dependencies the b should be part of needs",
	}
	expectErrors(t, cases, fixture{})
	// Same-stage needs are allowed; an optional need of a missing job is dropped.
	p := compile(t, "a: {script: x}\nb: {script: x, needs: [a, {job: c, optional: true, artifacts: false}]}\n", fixture{})
	if n := job(t, p, "b").Needs; len(n) != 1 || n[0] != (Need{Job: "a", Artifacts: true}) {
		t.Errorf("needs = %+v", n)
	}
	got := compileErr(t, "a: {script: x, rules: [{if: $NOPE}]}\nb: {script: x, needs: [a]}\n", fixture{})
	if !strings.HasPrefix(got, "'b' job needs 'a' job, but 'a' does not exist in the pipeline.") {
		t.Errorf("excluded need: %q", got)
	}
}

func TestStructuralErrors(t *testing.T) {
	cases := map[string]string{
		"build: {script: x, foo: 1}\n":                       "jobs:build config contains unknown keys: foo",
		"test: {script: []}\n":                               "jobs:test script can't be blank",
		"rspec: {stage: test}\n":                             "jobs rspec config should implement the script:, run:, or trigger: keyword",
		".hidden: {script: x}\n":                             "jobs config should contain at least one visible job",
		"j: {script: x, when: later}\n":                      "jobs:j when should be one of: on_success, on_failure, always, manual, delayed",
		"j: {script: x, when: delayed}\n":                    "jobs:j start_in should be a duration",
		"j: {script: x, when: delayed, start_in: 2 weeks}\n": "jobs:j start_in should not exceed the limit",
		"image: {script: x}\nj: {script: y}\n":               "image config contains unknown keys: script",
		"a: [b\n":                                            "(<unknown>): line 1: did not find expected ',' or ']'",
		"- a\n- b\n":                                         "Invalid configuration format",
		"  \n":                                               "Please provide content of .gitlab-ci.yml",
		"j: {script: x, coverage: 'abc'}\n":                  "jobs:j coverage config must be a regular expression",
		"j: {script: x, timeout: soon}\n":                    "jobs:j timeout config should be a duration",
		"j: {script: x, retry: 3}\n":                         "jobs:j retry max config must be greater than or equal to 0 and less than or equal to 2",
	}
	expectErrors(t, cases, fixture{})
}

func TestEmptyPipeline(t *testing.T) {
	_, err := Compile(context.Background(), []byte("j: {script: x, only: [tags]}\n"), fixture{}.options())
	if !errors.Is(err, ErrNoJobs) {
		t.Errorf("err = %v", err)
	}
}

func TestJobFields(t *testing.T) {
	p := compile(t, `
deploy:
  stage: deploy
  image: {name: "registry/img:1", entrypoint: [""], pull_policy: [always, if-not-present]}
  services: [postgres:16, {name: redis, alias: cache}]
  script: [[a, [b]], c]
  allow_failure: {exit_codes: [137, 255]}
  retry: {max: 2, when: [runner_system_failure], exit_codes: 1}
  resource_group: prod
  environment: {name: production, url: https://x, on_stop: stop}
  artifacts: {paths: [out/], exclude: [out/*.tmp], expire_in: 1 week, when: always, reports: {junit: report.xml}}
  cache: [{key: {files: [Gemfile.lock]}, paths: [vendor/]}, {key: k, policy: pull}]
  coverage: '/Total: \d+%/'
stop:
  stage: deploy
  script: x
  when: manual
  environment: {name: production, action: stop}
child:
  trigger: {include: [ci/child.yml]}
down:
  trigger: {project: group/other, branch: main, strategy: depend}
`, fixture{})
	d := job(t, p, "deploy")
	eq(t, "script", d.Script, []string{"a", "b", "c"})
	eq(t, "pull_policy", d.Image.PullPolicy, []string{"always", "if-not-present"})
	if d.Services[1].Alias != "cache" || d.AllowFailure || d.AllowFailureExitCodes[1] != 255 ||
		d.Retry.ExitCodes[0] != 1 || d.Environment.OnStop != "stop" || d.Artifacts.Reports["junit"][0] != "report.xml" ||
		d.Cache[0].KeyFiles[0] != "Gemfile.lock" || d.Cache[1].Policy != "pull" || d.Coverage != `Total: \d+%` {
		t.Errorf("deploy = %+v", d)
	}
	if c := job(t, p, "child"); c.Trigger.Include[0] != "ci/child.yml" {
		t.Errorf("child = %+v", c.Trigger)
	}
	if c := job(t, p, "down"); c.Trigger.Project != "group/other" || c.Trigger.Strategy != "depend" {
		t.Errorf("down = %+v", c.Trigger)
	}
	got := compileErr(t, "a: {script: x, environment: {name: p, on_stop: s}}\ns: {script: x, environment: {name: p}}\n", fixture{})
	if got != "a job: on_stop job s needs to have action stop defined" {
		t.Errorf("on_stop: %q", got)
	}
}

// A resource group's key is expanded with the job's variables and its
// environment's name, as GitLab expands it when the pipeline is created.
func TestResourceGroupExpanded(t *testing.T) {
	p := compile(t, `
variables: {REGION: eu}
deploy:
  script: x
  environment: {name: review/$CI_COMMIT_REF_NAME}
  resource_group: $CI_ENVIRONMENT_NAME-$REGION
plain:
  script: x
  variables: {REGION: us}
  resource_group: ${REGION}
`, fixture{})
	if g := job(t, p, "deploy").ResourceGroup; g != "review/main-eu" {
		t.Errorf("deploy's resource group %q, want review/main-eu", g)
	}
	if g := job(t, p, "plain").ResourceGroup; g != "us" {
		t.Errorf("plain's resource group %q, want us", g)
	}
}

func TestSizeLimits(t *testing.T) {
	big := []byte("j: {script: x}\n# " + strings.Repeat("x", 10<<20))
	start := time.Now()
	_, err := Compile(context.Background(), big, fixture{}.options())
	if err == nil || err.Error() != "The provided YAML is too big" || time.Since(start) > time.Second {
		t.Errorf("10 MB: %v after %v", err, time.Since(start))
	}
	laughs := `
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
j: {script: *i}
`
	start = time.Now()
	_, err = Compile(context.Background(), []byte(laughs), fixture{}.options())
	if err == nil || err.Error() != "The parsed YAML is too big" || time.Since(start) > 5*time.Second {
		t.Errorf("billion laughs: %v after %v", err, time.Since(start))
	}
}

func TestLint(t *testing.T) {
	r := Lint(context.Background(), []byte(".b: {image: alpine}\nj: {extends: .b, script: x, rules: [{when: always}]}\n"), fixture{}.options())
	if !r.Valid || len(r.Jobs) != 1 || !strings.Contains(r.MergedYAML, "image: alpine") || strings.Contains(r.MergedYAML, "extends") {
		t.Errorf("lint = %+v", r)
	}
	if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], "jobs:j may allow multiple pipelines") {
		t.Errorf("warnings = %q", r.Warnings)
	}
	r = Lint(context.Background(), []byte("j: {scriptt: x}\n"), fixture{}.options())
	if r.Valid || r.Errors[0] != "jobs j config should implement the script:, run:, or trigger: keyword" {
		t.Errorf("lint invalid = %+v", r)
	}
}

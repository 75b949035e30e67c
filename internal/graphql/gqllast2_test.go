package graphql_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/runner"
	"github.com/lablet/lablet/internal/store"
)

// junitYAML: a parallel job whose two instances write a junit report
// each (one case passes, one fails) and a job without reports.
const junitYAML = `
rspec:
  parallel: 2
  script:
    - |
      cat > report.xml <<XML
      <testsuites><testsuite name="unit">
      <testcase classname="spec.a" name="passes $CI_NODE_INDEX" time="0.5"/>
      <testcase classname="spec.a" name="fails $CI_NODE_INDEX" time="1"><failure>boom</failure></testcase>
      </testsuite></testsuites>
      XML
  artifacts:
    reports:
      junit: report.xml
plain:
  script: echo no reports
`

// runPipeline pushes files to a new project of root's, runs its pipeline
// on an in-process shell runner and returns the project and pipeline.
func runPipeline(t *testing.T, s *labtest.Server, files map[string]string) (*gitlab.Project, *gitlab.Pipeline) {
	t.Helper()
	token := auth.NewSecret("glrt-", 27)
	r := &model.Runner{RunnerType: model.RunnerInstance, TokenDigest: auth.Digest(token), RunUntagged: true,
		AccessLevel: "not_protected", RegistrationType: "authenticated_user", Description: "gql"}
	if err := s.Srv.DB.WithTx(context.Background(), func(q *store.Queries) error { return q.InsertRunner(context.Background(), r) }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cfg := runner.Config{Concurrent: 2, PollInterval: 200 * time.Millisecond, Version: "test",
		Runners: []runner.RunnerConfig{{Name: "gql", URL: s.URL, Token: token, Executor: "shell",
			BuildsDir: t.TempDir(), CacheDir: t.TempDir()}}}
	go func() { done <- runner.Run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	t.Cleanup(func() { cancel(); <-done })

	c := s.Client(t, s.RootToken)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("reports"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	var actions []*gitlab.CommitActionOptions
	for path, content := range files {
		actions = append(actions, &gitlab.CommitActionOptions{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr(path), Content: gitlab.Ptr(content)})
	}
	if _, _, err := c.Commits.CreateCommit(p.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("ci"), Actions: actions}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		list, _, err := c.Pipelines.ListProjectPipelines(p.ID, &gitlab.ListProjectPipelinesOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && slices.Contains([]string{"success", "failed", "canceled"}, list[0].Status) {
			pl, _, err := c.Pipelines.GetPipeline(p.ID, list[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			return p, pl
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("pipeline did not finish")
	return nil, nil
}

// TestGraphQLPipelineTestReportSummary reads a pipeline's junit summary
// as REST's test_report_summary answers it; a second pipeline in one
// request is an error (no N+1 artifact reads), a caller who may not see
// the project gets null, and a bad window is an error.
func TestGraphQLPipelineTestReportSummary(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	p, pl := runPipeline(t, s, map[string]string{".gitlab-ci.yml": junitYAML})
	if pl.Status != "success" {
		t.Fatalf("pipeline %s", pl.Status)
	}
	rest, _, err := s.Client(t, s.RootToken).Pipelines.GetPipelineTestReportSummary(p.ID, pl.ID)
	if err != nil {
		t.Fatal(err)
	}
	const q = `query($p: ID!, $id: CiPipelineID!) { project(fullPath: $p) { pipeline(id: $id) { testReportSummary {
		total { count success failed skipped error time suiteError }
		testSuites(first: 5) { count nodes { name totalCount successCount failedCount totalTime buildIds suiteError } } } } } }`
	vars := map[string]any{"p": p.PathWithNamespace, "id": fmt.Sprintf("gid://gitlab/Ci::Pipeline/%d", pl.ID)}
	_, r := post(t, s, s.RootToken, q, vars)
	sum := dig(mustData(t, r), "project", "pipeline", "testReportSummary")
	tot := dig(sum, "total")
	if dig(tot, "count") != float64(rest.Total.Count) || dig(tot, "count") != float64(4) ||
		dig(tot, "success") != float64(2) || dig(tot, "failed") != float64(2) || dig(tot, "time") != rest.Total.Time {
		t.Errorf("total = %v, REST's %+v", tot, rest.Total)
	}
	nodes, _ := dig(sum, "testSuites", "nodes").([]any)
	if len(nodes) != 1 || len(rest.TestSuites) != 1 || dig(sum, "testSuites", "count") != float64(1) {
		t.Fatalf("suites = %v, REST's %+v", sum, rest.TestSuites)
	}
	ids, _ := dig(nodes[0], "buildIds").([]any)
	var got []string
	for _, id := range ids {
		got = append(got, fmt.Sprint(id))
	}
	var want []string
	for _, id := range rest.TestSuites[0].BuildIDs {
		want = append(want, fmt.Sprint(id))
	}
	slices.Sort(got)
	slices.Sort(want)
	if dig(nodes[0], "name") != "rspec" || dig(nodes[0], "totalCount") != float64(4) || !slices.Equal(got, want) || len(got) != 2 {
		t.Errorf("suite = %v, REST's %+v", nodes[0], rest.TestSuites[0])
	}

	// Two pipelines' summaries in one request: an error, as GitLab's
	// one-object fields answer.
	_, r = post(t, s, s.RootToken, `query($p: ID!) { project(fullPath: $p) { pipelines(first: 5) { nodes { testReportSummary { total { count } } } } } }`,
		map[string]any{"p": p.PathWithNamespace})
	if len(r.Errors) != 0 {
		t.Errorf("one pipeline in a list = %v", r.Errors)
	}
	_, r = post(t, s, s.RootToken, `query($p: ID!, $id: CiPipelineID!) { project(fullPath: $p) {
		a: pipeline(id: $id) { testReportSummary { total { count } } } b: pipeline(id: $id) { testReportSummary { total { count } } } } }`, vars)
	if len(r.Errors) == 0 {
		t.Errorf("two summaries = %v", r.Data)
	}

	stranger := s.NewUser(t, "stranger")
	_, r = post(t, s, stranger.Token, q, vars)
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("stranger = %v", r.Data)
	}
	_, r = post(t, s, s.RootToken, `query($p: ID!, $id: CiPipelineID!) { project(fullPath: $p) { pipeline(id: $id) {
		testReportSummary { testSuites(first: -1) { count } } } } }`, vars)
	if len(r.Errors) == 0 {
		t.Errorf("first: -1 = %v", r.Data)
	}
}

// TestGraphQLCiJobTokenScope lists a project's job token allowlists as
// REST's job_token_scope routes do (the project itself first); a
// developer, who may not administer the project, gets null.
func TestGraphQLCiJobTokenScope(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	root := s.Client(t, s.RootToken)
	other, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("Other")})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Allowed"), Path: gitlab.Ptr("allowed")})
	if err != nil {
		t.Fatal(err)
	}
	// Root adds them: the maintainer may not see the targets.
	mc := s.Client(t, tm.Maintainer.Token)
	if _, _, err := root.JobTokenScope.AddProjectToJobScopeAllowList(tm.Project.ID,
		&gitlab.JobTokenInboundAllowOptions{TargetProjectID: gitlab.Ptr(other.ID)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.JobTokenScope.AddGroupToJobTokenAllowlist(tm.Project.ID,
		&gitlab.AddGroupToJobTokenAllowlistOptions{TargetGroupID: gitlab.Ptr(g.ID)}); err != nil {
		t.Fatal(err)
	}
	rest, _, err := mc.JobTokenScope.GetProjectJobTokenInboundAllowList(tm.Project.ID, nil)
	if err != nil {
		t.Fatal(err)
	}

	const q = `query($p: ID!) { project(fullPath: $p) { ciJobTokenScope { inboundAllowlistCount groupsAllowlistCount
		inboundAllowlist(first: 5) { count nodes { fullPath } } groupsAllowlist(first: 5) { count nodes { fullPath } } } } }`
	vars := map[string]any{"p": tm.Project.PathWithNamespace}
	_, r := post(t, s, tm.Maintainer.Token, q, vars)
	sc := dig(mustData(t, r), "project", "ciJobTokenScope")
	var paths []string
	for _, n := range dig(sc, "inboundAllowlist", "nodes").([]any) {
		paths = append(paths, fmt.Sprint(dig(n, "fullPath")))
	}
	var want []string
	for _, rp := range rest {
		want = append(want, rp.PathWithNamespace)
	}
	if !slices.Equal(paths, want) || len(paths) != 2 || paths[0] != tm.Project.PathWithNamespace ||
		dig(sc, "inboundAllowlistCount") != float64(2) || dig(sc, "inboundAllowlist", "count") != float64(2) {
		t.Errorf("inbound = %v, REST's %v", sc, want)
	}
	gn, _ := dig(sc, "groupsAllowlist", "nodes").([]any)
	if dig(sc, "groupsAllowlistCount") != float64(1) || len(gn) != 1 || dig(gn[0], "fullPath") != "allowed" {
		t.Errorf("groups = %v", sc)
	}

	_, r = post(t, s, tm.Developer.Token, q, vars)
	if p := dig(mustData(t, r), "project"); p == nil || dig(p, "ciJobTokenScope") != nil {
		t.Errorf("developer = %v", r.Data)
	}
	_, r = post(t, s, tm.Maintainer.Token, `query($p: ID!) { project(fullPath: $p) { ciJobTokenScope {
		inboundAllowlist(last: -2) { count } } } }`, vars)
	if len(r.Errors) == 0 {
		t.Errorf("last: -2 = %v", r.Data)
	}
}

// TestGraphQLTreeLastCommit answers each directory's newest commit, as
// REST's commits?path= does; an unknown ref is a null tree and a
// stranger sees no project.
func TestGraphQLTreeLastCommit(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	tm := s.NewTeam(t)
	c := s.Client(t, tm.Maintainer.Token)
	var shas []string
	for _, f := range []string{"a/x.txt", "b/y.txt"} {
		cm, _, err := c.Commits.CreateCommit(tm.Project.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
			CommitMessage: gitlab.Ptr("add " + f), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
				FilePath: gitlab.Ptr(f), Content: gitlab.Ptr(f)}}})
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, cm.ID)
	}
	const q = `query($p: ID!, $path: String, $ref: String) { project(fullPath: $p) { repository {
		tree(path: $path, ref: $ref) { lastCommit { sha title webPath } } } } }`
	for path, want := range map[string]string{"": shas[1], "a": shas[0], "b/": shas[1]} {
		_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "path": path, "ref": "main"})
		lc := dig(mustData(t, r), "project", "repository", "tree", "lastCommit")
		if dig(lc, "sha") != want || dig(lc, "webPath") != "/"+tm.Project.PathWithNamespace+"/-/commit/"+want {
			t.Errorf("tree %q lastCommit = %v, want %s", path, lc, want)
		}
	}
	_, r := post(t, s, tm.Developer.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "path": "a", "ref": "nope"})
	if dig(mustData(t, r), "project", "repository", "tree") != nil {
		t.Errorf("unknown ref = %v", r.Data)
	}
	stranger := s.NewUser(t, "stranger")
	_, r = post(t, s, stranger.Token, q, map[string]any{"p": tm.Project.PathWithNamespace, "path": "a"})
	if dig(mustData(t, r), "project") != nil {
		t.Errorf("stranger = %v", r.Data)
	}
}

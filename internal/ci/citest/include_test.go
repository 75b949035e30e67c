package citest_test

import (
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestIncludeProject: include:project brings another project's file (its
// default branch, or the ref named) into the pipeline, read as the
// pipeline's user; a project that user may not read is GitLab's error on
// the failed pipeline.
func TestIncludeProject(t *testing.T) {
	s := labtest.Start(t)
	root := s.Client(t, s.RootToken)
	pipelineStartRunner(t, s, pipelineRunnerToken(t, s), 1)
	shared, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("shared"),
		Visibility: gitlab.Ptr(gitlab.InternalVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := root.Commits.CreateCommit(shared.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("template"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr("templates/ci.yml"), Content: gitlab.Ptr("shared-job:\n  script: echo from the shared project\n")}}}); err != nil {
		t.Fatal(err)
	}
	yml := "include:\n  - project: " + shared.PathWithNamespace + "\n    file: /templates/ci.yml\nown:\n  script: echo own\n"
	p, info := pipelineProject(t, root, "includer", map[string]string{".gitlab-ci.yml": yml})
	pl := pipelineWait(t, root, p.ID, info.ID, "success", "failed", "canceled")
	jobs := pipelineJobs(t, root, p.ID, pl.ID)
	if pl.Status != "success" || jobs["shared-job"] == nil || jobs["own"] == nil {
		t.Fatalf("pipeline %s (%q), jobs %v", pl.Status, pl.YamlErrors, jobs)
	}
	if !strings.Contains(pipelineTrace(t, root, p.ID, jobs["shared-job"].ID), "from the shared project") {
		t.Error("the included job's log lacks its output")
	}

	// A user who can't see a private project's file gets GitLab's error.
	private, _, err := root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("secret"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatal(err)
	}
	u := s.NewUser(t, "dev")
	dev := s.Client(t, u.Token)
	own, _, err := dev.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("mine")})
	if err != nil {
		t.Fatal(err)
	}
	yml = "include:\n  - project: " + private.PathWithNamespace + "\n    file: ci.yml\nown:\n  script: echo own\n"
	if _, _, err := dev.Commits.CreateCommit(own.ID, &gitlab.CreateCommitOptions{Branch: gitlab.Ptr("main"),
		CommitMessage: gitlab.Ptr("ci"), Actions: []*gitlab.CommitActionOptions{{Action: gitlab.Ptr(gitlab.FileCreate),
			FilePath: gitlab.Ptr(".gitlab-ci.yml"), Content: gitlab.Ptr(yml)}}}); err != nil {
		t.Fatal(err)
	}
	list, _, err := dev.Pipelines.ListProjectPipelines(own.ID, &gitlab.ListProjectPipelinesOptions{})
	if err != nil || len(list) != 1 {
		t.Fatalf("pipelines: %v %v", list, err)
	}
	failed, _, err := dev.Pipelines.GetPipeline(own.ID, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if failed.Status != "failed" || !strings.Contains(failed.YamlErrors, private.PathWithNamespace) {
		t.Errorf("pipeline %s, yaml errors %q; want failed naming the project", failed.Status, failed.YamlErrors)
	}
}

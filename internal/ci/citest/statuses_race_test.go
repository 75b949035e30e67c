package citest_test

import (
	"fmt"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestStatusesAtOnceOnePipeline: an external CI posting the statuses of
// several jobs at once for a commit without a pipeline gets them all in
// one external pipeline.
func TestStatusesAtOnceOnePipeline(t *testing.T) {
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, sha := statusesProject(t, c, "ext-at-once")
	const n = 6
	pipelines := make([]int64, n)
	errs := labtest.AtOnce(n, func(k int) error {
		st, _, err := c.Commits.SetCommitStatus(p.ID, sha, &gitlab.SetCommitStatusOptions{State: gitlab.Running,
			Name: gitlab.Ptr(fmt.Sprint("ext/job-", k))})
		if err == nil {
			pipelines[k] = st.PipelineID
		}
		return err
	})
	for k, err := range errs {
		if err != nil {
			t.Fatalf("status %d: %v", k, err)
		}
	}
	list, _, err := c.Pipelines.ListProjectPipelines(p.ID, &gitlab.ListProjectPipelinesOptions{SHA: gitlab.Ptr(sha)})
	if err != nil || len(list) != 1 {
		t.Fatalf("pipelines of the commit: %d (%v), want 1; statuses' pipelines %v", len(list), err, pipelines)
	}
	statuses, _, err := c.Commits.GetCommitStatuses(p.ID, sha, nil)
	if err != nil || len(statuses) != n {
		t.Fatalf("statuses: %d (%v), want %d", len(statuses), err, n)
	}
}

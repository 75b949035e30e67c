package v4_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// auto_cancel_pending_pipelines: "enabled" on a new project, set by POST
// and PUT, returned by GET; another value is GitLab's 400.
func TestProjectAutoCancelPendingPipelines(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	c := s.Client(t, s.RootToken)
	p, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("ac")})
	if err != nil {
		t.Fatal(err)
	}
	if p.AutoCancelPendingPipelines != "enabled" {
		t.Fatalf("new project: %q, want enabled", p.AutoCancelPendingPipelines)
	}
	off, _, err := c.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("off"),
		AutoCancelPendingPipelines: gitlab.Ptr("disabled")})
	if err != nil {
		t.Fatal(err)
	}
	if off.AutoCancelPendingPipelines != "disabled" {
		t.Fatalf("created disabled: %q", off.AutoCancelPendingPipelines)
	}
	for _, v := range []string{"disabled", "enabled"} {
		if _, _, err := c.Projects.EditProject(p.ID, &gitlab.EditProjectOptions{AutoCancelPendingPipelines: gitlab.Ptr(v)}); err != nil {
			t.Fatal(err)
		}
		got, _, err := c.Projects.GetProject(p.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.AutoCancelPendingPipelines != v {
			t.Fatalf("after PUT %s: %q", v, got.AutoCancelPendingPipelines)
		}
	}
	resp := s.Do(t, labtest.Request{Method: http.MethodPut, Path: fmt.Sprintf("/projects/%d", p.ID), Token: s.RootToken,
		JSON: map[string]any{"auto_cancel_pending_pipelines": "sometimes"}})
	want := `{"error":"auto_cancel_pending_pipelines does not have a valid value"}`
	if resp.Status != http.StatusBadRequest || strings.TrimSpace(string(resp.Body)) != want {
		t.Fatalf("bad value: %d %s", resp.Status, resp.Body)
	}
}

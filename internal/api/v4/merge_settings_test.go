package v4_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// A project's merge settings: GitLab's defaults on a new project, set by
// POST and PUT, returned by GET; bad values are GitLab's 400s.
func TestProjectMergeSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	f := newMRFixture(t)
	if f.p.MergeMethod != gitlab.NoFastForwardMerge || f.p.SquashOption != gitlab.SquashOptionDefaultOff ||
		!f.p.RemoveSourceBranchAfterMerge || f.p.OnlyAllowMergeIfAllDiscussionsAreResolved ||
		f.p.OnlyAllowMergeIfPipelineSucceeds || f.p.AllowMergeOnSkippedPipeline || f.p.MergeCommitTemplate != "" {
		t.Fatalf("new project's merge settings: %+v", f.p)
	}
	created, _, err := f.ownerC.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr("FF"),
		NamespaceID: gitlab.Ptr(f.g.ID), MergeMethod: gitlab.Ptr(gitlab.FastForwardMerge),
		SquashOption: gitlab.Ptr(gitlab.SquashOptionAlways), RemoveSourceBranchAfterMerge: gitlab.Ptr(false),
		MergeCommitTemplate: gitlab.Ptr("%{title}"), OnlyAllowMergeIfAllDiscussionsAreResolved: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if created.MergeMethod != gitlab.FastForwardMerge || created.SquashOption != gitlab.SquashOptionAlways ||
		created.RemoveSourceBranchAfterMerge || created.MergeCommitTemplate != "%{title}" ||
		!created.OnlyAllowMergeIfAllDiscussionsAreResolved {
		t.Fatalf("created: %+v", created)
	}
	_, _, err = f.ownerC.Projects.EditProject(f.p.ID, &gitlab.EditProjectOptions{MergeMethod: gitlab.Ptr(gitlab.RebaseMerge),
		SquashOption: gitlab.Ptr(gitlab.SquashOptionNever), OnlyAllowMergeIfPipelineSucceeds: gitlab.Ptr(true),
		AllowMergeOnSkippedPipeline: gitlab.Ptr(true), SquashCommitTemplate: gitlab.Ptr("%{title} (%{reference})")})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := f.reporterC.Projects.GetProject(f.p.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.MergeMethod != gitlab.RebaseMerge || got.SquashOption != gitlab.SquashOptionNever ||
		!got.OnlyAllowMergeIfPipelineSucceeds || !got.AllowMergeOnSkippedPipeline ||
		got.SquashCommitTemplate != "%{title} (%{reference})" || !got.RemoveSourceBranchAfterMerge {
		t.Fatalf("after update: %+v", got)
	}
	// The list entity carries them too.
	list, _, err := f.ownerC.Projects.ListProjects(&gitlab.ListProjectsOptions{Membership: gitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.ID == f.p.ID && p.MergeMethod != gitlab.RebaseMerge {
			t.Fatalf("listed: %+v", p)
		}
	}

	for _, tc := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"merge_method": "squash"}, `{"error":"merge_method does not have a valid value"}`},
		{map[string]any{"squash_option": "sometimes"}, `{"error":"squash_option does not have a valid value"}`},
		{map[string]any{"merge_commit_template": strings.Repeat("x", 501)},
			`{"message":{"merge_commit_template":["is too long (maximum is 500 characters)"]}}`},
	} {
		resp := f.s.Do(t, labtest.Request{Method: http.MethodPut, Path: fmt.Sprintf("/projects/%d", f.p.ID), Token: f.owner.Token,
			JSON: tc.body})
		if resp.Status != http.StatusBadRequest || strings.TrimSpace(string(resp.Body)) != tc.want {
			t.Fatalf("%v: %d %s", tc.body, resp.Status, resp.Body)
		}
	}
	if got, _, _ := f.ownerC.Projects.GetProject(f.p.ID, nil); got.MergeMethod != gitlab.RebaseMerge {
		t.Fatalf("a refused update changed the project: %+v", got)
	}
	// A Developer does not change settings.
	if _, _, err := f.devC.Projects.EditProject(f.p.ID, &gitlab.EditProjectOptions{MergeMethod: gitlab.Ptr(gitlab.FastForwardMerge)}); status(err) != http.StatusForbidden {
		t.Fatalf("developer update: %v", err)
	}
}

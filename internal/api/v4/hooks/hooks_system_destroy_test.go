package hooks_test

import (
	"context"
	"net/http"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
)

// TestSystemHooksForCascadedDeletions: purging a group sends
// group_destroy for it and each subgroup and project_destroy for every
// project removed with them; deleting a user sends project_destroy for
// each personal project (GitLab's Projects::DestroyService runs for
// each, and each sends its system hook).
func TestSystemHooksForCascadedDeletions(t *testing.T) {
	t.Parallel()
	s := labtest.Start(t)
	setLocalHooks(t, s, true)
	sysRecv := newHookReceiver(t, http.StatusOK)
	rc := s.Client(t, s.RootToken)
	if _, _, err := rc.SystemHooks.AddHook(&gitlab.AddHookOptions{URL: gitlab.Ptr(sysRecv.URL)}); err != nil {
		t.Fatal(err)
	}
	owner := s.NewUser(t, "cascader")
	oc := s.Client(t, owner.Token)
	top, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Top"), Path: gitlab.Ptr("top")})
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := oc.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("Sub"), Path: gitlab.Ptr("sub"), ParentID: gitlab.Ptr(top.ID)})
	if err != nil {
		t.Fatal(err)
	}
	newProject := func(name string, ns int64) *gitlab.Project {
		o := &gitlab.CreateProjectOptions{Name: gitlab.Ptr(name)}
		if ns != 0 {
			o.NamespaceID = gitlab.Ptr(ns)
		}
		p, _, err := oc.Projects.CreateProject(o)
		if err != nil {
			t.Fatalf("create project %s: %v", name, err)
		}
		return p
	}
	inTop, inSub, personal := newProject("a", top.ID), newProject("b", sub.ID), newProject("mine", 0)

	destroyed := func(event, key string, id int64) map[string]any {
		t.Helper()
		return sysRecv.wait(t, "System Hook", func(r receivedHook) bool {
			return r.body["event_name"] == event && r.body[key] == float64(id)
		}).body
	}

	if _, err := oc.Groups.DeleteGroup(top.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.Service.PurgeDeletedGroups(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*gitlab.Project{inTop, inSub} {
		if b := destroyed("project_destroy", "project_id", p.ID); b["path_with_namespace"] != p.PathWithNamespace {
			t.Fatalf("project_destroy of %s = %v", p.PathWithNamespace, b)
		}
	}
	if b := destroyed("group_destroy", "group_id", sub.ID); b["full_path"] != "top/sub" {
		t.Fatalf("group_destroy of the subgroup = %v", b)
	}
	destroyed("group_destroy", "group_id", top.ID)

	if _, err := rc.Users.DeleteUser(owner.ID); err != nil {
		t.Fatal(err)
	}
	if b := destroyed("project_destroy", "project_id", personal.ID); b["path_with_namespace"] != "cascader/mine" ||
		b["owner_name"] == nil {
		t.Fatalf("project_destroy of the personal project = %v", b)
	}
	destroyed("user_destroy", "user_id", owner.ID)
}

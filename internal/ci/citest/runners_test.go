package citest_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"

	gitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/model"
)

// runnersWorld is a private group "ci" with projects app and lib, and
// users in every role that matters to runners.
type runnersWorld struct {
	s        *labtest.Server
	root     *gitlab.Client
	group    int64
	app, lib int64
	// gowner owns the group, gmaint maintains it (and so both projects),
	// pmaint maintains app only, dev develops in the group, outsider has
	// no membership.
	gowner, gmaint, pmaint, dev, outsider *labtest.User
}

func runnersSetUp(t *testing.T) *runnersWorld {
	t.Helper()
	s := labtest.Start(t)
	w := &runnersWorld{s: s, root: s.Client(t, s.RootToken)}
	g, _, err := w.root.Groups.CreateGroup(&gitlab.CreateGroupOptions{Name: gitlab.Ptr("ci"), Path: gitlab.Ptr("ci"),
		Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
	if err != nil {
		t.Fatalf("create group: %v", err)
	}
	w.group = g.ID
	for _, name := range []string{"app", "lib"} {
		p, _, err := w.root.Projects.CreateProject(&gitlab.CreateProjectOptions{Name: gitlab.Ptr(name),
			NamespaceID: gitlab.Ptr(g.ID), Visibility: gitlab.Ptr(gitlab.PrivateVisibility)})
		if err != nil {
			t.Fatalf("create project %s: %v", name, err)
		}
		if name == "app" {
			w.app = p.ID
		} else {
			w.lib = p.ID
		}
	}
	w.gowner, w.gmaint, w.pmaint = s.NewUser(t, "gowner"), s.NewUser(t, "gmaint"), s.NewUser(t, "pmaint")
	w.dev, w.outsider = s.NewUser(t, "dev"), s.NewUser(t, "outsider")
	for u, level := range map[*labtest.User]gitlab.AccessLevelValue{w.gowner: gitlab.OwnerPermissions,
		w.gmaint: gitlab.MaintainerPermissions, w.dev: gitlab.DeveloperPermissions} {
		if _, _, err := w.root.GroupMembers.AddGroupMember(g.ID, &gitlab.AddGroupMemberOptions{UserID: gitlab.Ptr(u.ID),
			AccessLevel: gitlab.Ptr(level)}); err != nil {
			t.Fatalf("add group member: %v", err)
		}
	}
	if _, _, err := w.root.ProjectMembers.AddProjectMember(w.app, &gitlab.AddProjectMemberOptions{
		UserID: gitlab.Ptr(w.pmaint.ID), AccessLevel: gitlab.Ptr(gitlab.MaintainerPermissions)}); err != nil {
		t.Fatalf("add project member: %v", err)
	}
	return w
}

func (w *runnersWorld) client(t *testing.T, u *labtest.User) *gitlab.Client {
	return w.s.Client(t, u.Token)
}

// runnersCreate creates a runner with c, failing t.
func runnersCreate(t *testing.T, c *gitlab.Client, opt *gitlab.CreateUserRunnerOptions) *gitlab.UserRunner {
	t.Helper()
	r, _, err := c.Users.CreateUserRunner(opt)
	if err != nil {
		t.Fatalf("create %s runner: %v", *opt.RunnerType, err)
	}
	if r.ID == 0 || len(r.Token) < 10 || r.Token[:5] != "glrt-" || r.TokenExpiresAt != nil {
		t.Fatalf("created runner = %+v, want an id and a glrt- token without expiry", r)
	}
	return r
}

func runnersIDs(rs []*gitlab.Runner) []int64 {
	var ids []int64
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}

func runnersWantIDs(t *testing.T, what string, got []*gitlab.Runner, err error, want ...int64) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	slices.Sort(want)
	if ids := runnersIDs(got); !slices.Equal(ids, want) {
		t.Fatalf("%s = %v, want %v", what, ids, want)
	}
}

func runnersStatus(t *testing.T, resp *gitlab.Response, err error, want int) {
	t.Helper()
	if resp == nil {
		t.Fatalf("no response (err %v), want %d", err, want)
	}
	if resp.StatusCode != want {
		t.Fatalf("status = %d (%v), want %d", resp.StatusCode, err, want)
	}
}

func TestRunnersCreateByRole(t *testing.T) {
	w := runnersSetUp(t)
	s := w.s
	runnersCreate(t, w.root, &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("instance_type")})
	runnersCreate(t, w.client(t, w.gowner), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("group_type"),
		GroupID: gitlab.Ptr(w.group)})
	runnersCreate(t, w.client(t, w.pmaint), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("project_type"),
		ProjectID: gitlab.Ptr(w.app), TagList: gitlab.Ptr([]string{"linux", "docker"})})

	cases := []struct {
		name   string
		token  string
		body   map[string]any
		status int
		want   string
	}{
		{"instance by a group owner", w.gowner.Token, map[string]any{"runner_type": "instance_type"},
			403, `{"message":"403 Forbidden - Insufficient permissions"}`},
		{"group by a group maintainer", w.gmaint.Token, map[string]any{"runner_type": "group_type", "group_id": w.group},
			403, `{"message":"403 Forbidden - Insufficient permissions"}`},
		{"project by a developer", w.dev.Token, map[string]any{"runner_type": "project_type", "project_id": w.app},
			403, `{"message":"403 Forbidden - Insufficient permissions"}`},
		{"private project by an outsider", w.outsider.Token, map[string]any{"runner_type": "project_type", "project_id": w.app},
			403, `{"message":"403 Forbidden - Insufficient permissions"}`},
		{"unknown project", w.pmaint.Token, map[string]any{"runner_type": "project_type", "project_id": 99999},
			400, `{"message":"400 Bad request - Missing/invalid scope"}`},
		{"unknown group", w.gowner.Token, map[string]any{"runner_type": "group_type", "group_id": 99999},
			400, `{"message":"400 Bad request - Missing/invalid scope"}`},
		{"no runner_type", w.pmaint.Token, map[string]any{"project_id": w.app},
			400, `{"error":"runner_type is missing"}`},
		{"bad runner_type", w.pmaint.Token, map[string]any{"runner_type": "shared"},
			400, `{"error":"runner_type does not have a valid value"}`},
		{"group without group_id", w.gowner.Token, map[string]any{"runner_type": "group_type"},
			400, `{"error":"group_id is missing"}`},
		{"untagged refused without tags", w.pmaint.Token, map[string]any{"runner_type": "project_type",
			"project_id": w.app, "run_untagged": false},
			400, `{"message":{"tags_list":["can not be empty when runner is not allowed to pick untagged jobs"]}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Do(t, labtest.Request{Method: "POST", Path: "/user/runners", Token: tc.token, JSON: tc.body}).
				ExpectError(t, tc.status, tc.want)
		})
	}
	// A token with only create_runner may create; read_api may not.
	tok := s.NewToken(t, w.pmaint.ID, "create_runner")
	if resp := s.Do(t, labtest.Request{Method: "POST", Path: "/user/runners", Token: tok,
		JSON: map[string]any{"runner_type": "project_type", "project_id": w.app}}); resp.Status != http.StatusCreated {
		t.Fatalf("create_runner token: %d %s", resp.Status, resp.Body)
	}
	tok = s.NewToken(t, w.pmaint.ID, "read_api")
	if resp := s.Do(t, labtest.Request{Method: "POST", Path: "/user/runners", Token: tok,
		JSON: map[string]any{"runner_type": "project_type", "project_id": w.app}}); resp.Status != http.StatusForbidden {
		t.Fatalf("read_api token: %d %s", resp.Status, resp.Body)
	}
}

func TestRunnersReadListUpdate(t *testing.T) {
	w := runnersSetUp(t)
	inst := runnersCreate(t, w.root, &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("instance_type")})
	grp := runnersCreate(t, w.client(t, w.gowner), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("group_type"),
		GroupID: gitlab.Ptr(w.group), Description: gitlab.Ptr("group runner")})
	prj := runnersCreate(t, w.client(t, w.pmaint), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("project_type"),
		ProjectID: gitlab.Ptr(w.app), TagList: gitlab.Ptr([]string{"linux", "docker"}), Paused: gitlab.Ptr(true)})

	t.Run("details", func(t *testing.T) {
		d, _, err := w.client(t, w.pmaint).Runners.GetRunnerDetails(prj.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.RunnerType != "project_type" || !d.Paused || d.Active || d.IsShared || d.Status != "never_contacted" ||
			d.Online || d.ContactedAt != nil || !slices.Equal(d.TagList, []string{"docker", "linux"}) ||
			!d.RunUntagged || d.AccessLevel != "not_protected" || d.Locked {
			t.Fatalf("details = %+v", d)
		}
		if len(d.Projects) != 1 || d.Projects[0].ID != w.app || d.Projects[0].PathWithNamespace != "ci/app" ||
			len(d.Groups) != 0 {
			t.Fatalf("projects %+v groups %+v", d.Projects, d.Groups)
		}
		g, _, err := w.client(t, w.gmaint).Runners.GetRunnerDetails(grp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.RunnerType != "group_type" || g.Description != "group runner" || len(g.Groups) != 1 ||
			g.Groups[0].ID != w.group {
			t.Fatalf("group runner details = %+v", g)
		}
		// Instance runners are readable by every signed-in user.
		i, _, err := w.client(t, w.outsider).Runners.GetRunnerDetails(inst.ID)
		if err != nil || !i.IsShared || i.RunnerType != "instance_type" {
			t.Fatalf("instance runner as outsider = %+v, %v", i, err)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		s := w.s
		for _, tc := range []struct {
			who *labtest.User
			id  int64
		}{{w.dev, grp.ID}, {w.dev, prj.ID}, {w.outsider, prj.ID}, {w.outsider, grp.ID}} {
			s.Do(t, labtest.Request{Path: "/runners/" + runnersItoa(tc.id), Token: tc.who.Token}).
				ExpectError(t, 403, `{"message":"403 Forbidden - No access granted"}`)
		}
		s.Do(t, labtest.Request{Path: "/runners/99999", Token: w.pmaint.Token}).
			ExpectError(t, 404, `{"message":"404 Runner Not Found"}`)
		s.Do(t, labtest.Request{Path: "/runners/" + runnersItoa(prj.ID)}).ExpectError(t, 401, `{"message":"401 Unauthorized"}`)
		if _, resp, err := w.client(t, w.gmaint).Runners.GetRunnerDetails(prj.ID); err != nil {
			t.Fatalf("group maintainer reads a runner of a project in the group: %v %v", resp, err)
		}
	})
	t.Run("owned lists", func(t *testing.T) {
		got, _, err := w.client(t, w.pmaint).Runners.ListRunners(nil)
		runnersWantIDs(t, "pmaint's runners", got, err, prj.ID)
		got, _, err = w.client(t, w.gowner).Runners.ListRunners(nil)
		runnersWantIDs(t, "gowner's runners", got, err, grp.ID, prj.ID)
		got, _, err = w.client(t, w.gmaint).Runners.ListRunners(nil)
		runnersWantIDs(t, "gmaint's runners", got, err, prj.ID)
		got, _, err = w.client(t, w.outsider).Runners.ListRunners(nil)
		runnersWantIDs(t, "outsider's runners", got, err)
		got, _, err = w.client(t, w.gowner).Runners.ListRunners(&gitlab.ListRunnersOptions{Type: gitlab.Ptr("group_type")})
		runnersWantIDs(t, "gowner's group runners", got, err, grp.ID)
		got, _, err = w.client(t, w.gowner).Runners.ListRunners(&gitlab.ListRunnersOptions{Paused: gitlab.Ptr(true)})
		runnersWantIDs(t, "gowner's paused runners", got, err, prj.ID)
		got, _, err = w.client(t, w.gowner).Runners.ListRunners(&gitlab.ListRunnersOptions{TagList: gitlab.Ptr([]string{"linux"})})
		runnersWantIDs(t, "gowner's linux runners", got, err, prj.ID)
		got, _, err = w.client(t, w.gowner).Runners.ListRunners(&gitlab.ListRunnersOptions{TagList: gitlab.Ptr([]string{"lin"})})
		runnersWantIDs(t, "a tag matches whole", got, err)
	})
	t.Run("all", func(t *testing.T) {
		got, resp, err := w.root.Runners.ListAllRunners(nil)
		runnersWantIDs(t, "all runners", got, err, inst.ID, grp.ID, prj.ID)
		if got[0].ID != inst.ID || got[2].ID != prj.ID {
			t.Fatalf("all runners in order %v, want id order", []int64{got[0].ID, got[1].ID, got[2].ID})
		}
		page, _, err := w.root.Runners.ListAllRunners(&gitlab.ListRunnersOptions{
			ListOptions: gitlab.ListOptions{Page: 2, PerPage: 2}})
		runnersWantIDs(t, "second page of two", page, err, prj.ID)
		if resp.Header.Get("X-Total") != "3" {
			t.Fatalf("X-Total = %q", resp.Header.Get("X-Total"))
		}
		got, _, err = w.root.Runners.ListAllRunners(&gitlab.ListRunnersOptions{Type: gitlab.Ptr("instance_type")})
		runnersWantIDs(t, "instance runners", got, err, inst.ID)
		got, _, err = w.root.Runners.ListAllRunners(&gitlab.ListRunnersOptions{Status: gitlab.Ptr("never_contacted")})
		runnersWantIDs(t, "never contacted", got, err, inst.ID, grp.ID, prj.ID)
		_, resp, err = w.client(t, w.gowner).Runners.ListAllRunners(nil)
		runnersStatus(t, resp, err, http.StatusForbidden)
		w.s.Do(t, labtest.Request{Path: "/runners/all?type=shared", Token: w.s.RootToken}).
			ExpectError(t, 400, `{"error":"type does not have a valid value"}`)
	})
	t.Run("project and group lists", func(t *testing.T) {
		got, _, err := w.client(t, w.pmaint).Runners.ListProjectRunners(w.app, nil)
		runnersWantIDs(t, "app's runners", got, err, inst.ID, grp.ID, prj.ID)
		got, _, err = w.client(t, w.gmaint).Runners.ListProjectRunners(w.lib, nil)
		runnersWantIDs(t, "lib's runners", got, err, inst.ID, grp.ID)
		got, _, err = w.client(t, w.pmaint).Runners.ListProjectRunners(w.app,
			&gitlab.ListProjectRunnersOptions{Type: gitlab.Ptr("project_type")})
		runnersWantIDs(t, "app's project runners", got, err, prj.ID)
		_, resp, err := w.client(t, w.dev).Runners.ListProjectRunners(w.app, nil)
		runnersStatus(t, resp, err, http.StatusForbidden)
		w.s.Do(t, labtest.Request{Path: "/projects/" + runnersItoa(w.app) + "/runners", Token: w.outsider.Token}).
			ExpectError(t, 404, `{"message":"404 Project Not Found"}`)

		got, _, err = w.client(t, w.gmaint).Runners.ListGroupsRunners(w.group, nil)
		runnersWantIDs(t, "group's runners", got, err, inst.ID, grp.ID)
		_, resp, err = w.client(t, w.dev).Runners.ListGroupsRunners(w.group, nil)
		runnersStatus(t, resp, err, http.StatusForbidden)
		_, resp, err = w.client(t, w.outsider).Runners.ListGroupsRunners(w.group, nil)
		runnersStatus(t, resp, err, http.StatusNotFound)
	})
	t.Run("update", func(t *testing.T) {
		d, _, err := w.client(t, w.pmaint).Runners.UpdateRunnerDetails(prj.ID, &gitlab.UpdateRunnerDetailsOptions{
			Description: gitlab.Ptr("builds"), Paused: gitlab.Ptr(false), TagList: gitlab.Ptr([]string{"arm"}),
			Locked: gitlab.Ptr(true), AccessLevel: gitlab.Ptr("ref_protected"), MaximumTimeout: gitlab.Ptr(int64(3600)),
			MaintenanceNote: gitlab.Ptr("rack 4")})
		if err != nil {
			t.Fatal(err)
		}
		if d.Description != "builds" || d.Paused || !d.Active || !slices.Equal(d.TagList, []string{"arm"}) || !d.Locked ||
			d.AccessLevel != "ref_protected" || d.MaximumTimeout != 3600 || d.MaintenanceNote != "rack 4" {
			t.Fatalf("updated = %+v", d)
		}
		again, _, err := w.client(t, w.pmaint).Runners.GetRunnerDetails(prj.ID)
		if err != nil || again.Description != "builds" || !again.Locked {
			t.Fatalf("re-read = %+v, %v", again, err)
		}
		s := w.s
		path := "/runners/" + runnersItoa(prj.ID)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.dev.Token, JSON: map[string]any{"description": "x"}}).
			ExpectError(t, 403, `{"message":"403 Forbidden - No access granted"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.pmaint.Token, JSON: map[string]any{"maximum_timeout": 60}}).
			ExpectError(t, 400, `{"message":{"maximum_timeout":["needs to be at least 10 minutes"]}}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.pmaint.Token, JSON: map[string]any{"access_level": "all"}}).
			ExpectError(t, 400, `{"error":"access_level does not have a valid value"}`)
		s.Do(t, labtest.Request{Method: "PUT", Path: path, Token: w.pmaint.Token, JSON: map[string]any{}}).
			ExpectError(t, 400, `{"error":"description, active, paused, tag_list, run_untagged, locked, access_level, maximum_timeout, maintenance_note are missing, at least one parameter must be provided"}`)
		// The refused updates changed nothing.
		after, _, err := w.client(t, w.pmaint).Runners.GetRunnerDetails(prj.ID)
		if err != nil || after.MaximumTimeout != 3600 || after.AccessLevel != "ref_protected" {
			t.Fatalf("after refusals = %+v, %v", after, err)
		}
		// Group runners are managed by the group's Owners only; instance
		// runners by admins.
		_, resp, err := w.client(t, w.gmaint).Runners.UpdateRunnerDetails(grp.ID, &gitlab.UpdateRunnerDetailsOptions{
			Description: gitlab.Ptr("x")})
		runnersStatus(t, resp, err, http.StatusForbidden)
		if _, _, err := w.client(t, w.gowner).Runners.UpdateRunnerDetails(grp.ID, &gitlab.UpdateRunnerDetailsOptions{
			Description: gitlab.Ptr("owned")}); err != nil {
			t.Fatal(err)
		}
		_, resp, err = w.client(t, w.gowner).Runners.UpdateRunnerDetails(inst.ID, &gitlab.UpdateRunnerDetailsOptions{
			Description: gitlab.Ptr("x")})
		runnersStatus(t, resp, err, http.StatusForbidden)
	})
}

func TestRunnersAssignAndDelete(t *testing.T) {
	w := runnersSetUp(t)
	s := w.s
	grp := runnersCreate(t, w.client(t, w.gowner), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("group_type"),
		GroupID: gitlab.Ptr(w.group)})
	prj := runnersCreate(t, w.client(t, w.gmaint), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("project_type"),
		ProjectID: gitlab.Ptr(w.app)})
	locked := runnersCreate(t, w.client(t, w.gmaint), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("project_type"),
		ProjectID: gitlab.Ptr(w.app), Locked: gitlab.Ptr(true)})
	gm := w.client(t, w.gmaint)
	libPath := "/projects/" + runnersItoa(w.lib) + "/runners"

	// pmaint maintains app, not lib: may not add runners to lib.
	s.Do(t, labtest.Request{Method: "POST", Path: libPath, Token: w.pmaint.Token, JSON: map[string]any{"runner_id": prj.ID}}).
		ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: libPath, Token: w.dev.Token, JSON: map[string]any{"runner_id": prj.ID}}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: libPath, Token: w.gmaint.Token, JSON: map[string]any{"runner_id": locked.ID}}).
		ExpectError(t, 403, `{"message":"403 Forbidden - Runner is locked"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: libPath, Token: w.gmaint.Token, JSON: map[string]any{"runner_id": grp.ID}}).
		ExpectError(t, 403, `{"message":"403 Forbidden - Runner is a group runner"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: libPath, Token: w.gmaint.Token, JSON: map[string]any{"runner_id": 99999}}).
		ExpectError(t, 404, `{"message":"404 Runner Not Found"}`)
	s.Do(t, labtest.Request{Method: "POST", Path: libPath, Token: w.gmaint.Token, JSON: map[string]any{}}).
		ExpectError(t, 400, `{"error":"runner_id is missing"}`)

	r, resp, err := gm.Runners.EnableProjectRunner(w.lib, &gitlab.EnableProjectRunnerOptions{RunnerID: prj.ID})
	runnersStatus(t, resp, err, http.StatusCreated)
	if r.ID != prj.ID || r.RunnerType != "project_type" {
		t.Fatalf("enabled = %+v", r)
	}
	_, resp, err = gm.Runners.EnableProjectRunner(w.lib, &gitlab.EnableProjectRunnerOptions{RunnerID: prj.ID})
	runnersStatus(t, resp, err, http.StatusBadRequest)
	d, _, err := gm.Runners.GetRunnerDetails(prj.ID)
	if err != nil || len(d.Projects) != 2 {
		t.Fatalf("details after enabling = %+v, %v", d, err)
	}
	got, _, err := gm.Runners.ListProjectRunners(w.lib, &gitlab.ListProjectRunnersOptions{Type: gitlab.Ptr("project_type")})
	runnersWantIDs(t, "lib's project runners", got, err, prj.ID)

	// A runner of two projects is deleted by admins only.
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/runners/" + runnersItoa(prj.ID), Token: w.gmaint.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden - Runner associated with more than one project"}`)
	// Never unassigned from its owner project.
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/projects/" + runnersItoa(w.app) + "/runners/" + runnersItoa(prj.ID), Token: w.gmaint.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden - You cannot unassign a runner from the owner project. Delete the runner instead"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: libPath + "/" + runnersItoa(grp.ID), Token: w.gmaint.Token}).
		ExpectError(t, 404, `{"message":"404 Runner Not Found"}`)
	s.Do(t, labtest.Request{Method: "DELETE", Path: libPath + "/" + runnersItoa(prj.ID), Token: w.dev.Token}).
		ExpectError(t, 403, `{"message":"403 Forbidden"}`)
	resp, err = gm.Runners.DisableProjectRunner(w.lib, prj.ID)
	runnersStatus(t, resp, err, http.StatusNoContent)
	got, _, err = gm.Runners.ListProjectRunners(w.lib, &gitlab.ListProjectRunnersOptions{Type: gitlab.Ptr("project_type")})
	runnersWantIDs(t, "lib's project runners after disabling", got, err)

	// Deletion: by the owner project's maintainers, the group's owners.
	resp, err = w.client(t, w.dev).Runners.RemoveRunner(prj.ID)
	runnersStatus(t, resp, err, http.StatusForbidden)
	resp, err = w.client(t, w.pmaint).Runners.RemoveRunner(prj.ID)
	runnersStatus(t, resp, err, http.StatusNoContent)
	_, resp, err = gm.Runners.GetRunnerDetails(prj.ID)
	runnersStatus(t, resp, err, http.StatusNotFound)
	resp, err = gm.Runners.RemoveRunner(grp.ID)
	runnersStatus(t, resp, err, http.StatusForbidden)
	resp, err = w.client(t, w.gowner).Runners.RemoveRunner(grp.ID)
	runnersStatus(t, resp, err, http.StatusNoContent)
	resp, err = w.root.Runners.RemoveRunner(locked.ID)
	runnersStatus(t, resp, err, http.StatusNoContent)
}

func TestRunnersTokenEndpoints(t *testing.T) {
	w := runnersSetUp(t)
	s := w.s
	prj := runnersCreate(t, w.client(t, w.pmaint), &gitlab.CreateUserRunnerOptions{RunnerType: gitlab.Ptr("project_type"),
		ProjectID: gitlab.Ptr(w.app)})
	forbidden := `{"message":"403 Forbidden"}`

	resp := s.Do(t, labtest.Request{Method: "POST", Path: "/runners/verify", JSON: map[string]any{"token": prj.Token}})
	if resp.Status != http.StatusOK {
		t.Fatalf("verify = %d %s", resp.Status, resp.Body)
	}
	if m := resp.Map(t); m["id"] != float64(prj.ID) || m["token"] != prj.Token || m["token_expires_at"] != nil {
		t.Fatalf("verify body = %v", m)
	}
	// User credentials are not read: a bad one changes nothing.
	resp = s.Do(t, labtest.Request{Method: "POST", Path: "/runners/verify", Token: "glpat-wrong",
		JSON: map[string]any{"token": prj.Token}})
	if resp.Status != http.StatusOK {
		t.Fatalf("verify with a bad user token = %d %s", resp.Status, resp.Body)
	}
	if _, err := w.client(t, w.outsider).Runners.VerifyRegisteredRunner(&gitlab.VerifyRegisteredRunnerOptions{
		Token: gitlab.Ptr(prj.Token)}); err != nil {
		t.Fatalf("client-go verify: %v", err)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/runners/verify", JSON: map[string]any{"token": "glrt-wrong"}}).
		ExpectError(t, 403, forbidden)
	s.Do(t, labtest.Request{Method: "POST", Path: "/runners/verify", JSON: map[string]any{}}).
		ExpectError(t, 400, `{"error":"token is missing"}`)
	// Verification is not contact.
	d, _, err := w.client(t, w.pmaint).Runners.GetRunnerDetails(prj.ID)
	if err != nil || d.Status != "never_contacted" {
		t.Fatalf("after verify = %+v, %v", d, err)
	}

	// A runner's own reset: the old token stops working.
	resp = s.Do(t, labtest.Request{Method: "POST", Path: "/runners/reset_authentication_token",
		JSON: map[string]any{"token": prj.Token}})
	if resp.Status != http.StatusCreated {
		t.Fatalf("reset = %d %s", resp.Status, resp.Body)
	}
	m := resp.Map(t)
	fresh, _ := m["token"].(string)
	if len(fresh) < 10 || fresh[:5] != "glrt-" || fresh == prj.Token || m["id"] != nil {
		t.Fatalf("reset body = %v", m)
	}
	s.Do(t, labtest.Request{Method: "POST", Path: "/runners/verify", JSON: map[string]any{"token": prj.Token}}).
		ExpectError(t, 403, forbidden)

	// The API's reset, by someone who may update the runner.
	if _, resp, err := w.client(t, w.dev).Runners.ResetRunnerAuthenticationToken(prj.ID); resp == nil ||
		resp.StatusCode != http.StatusForbidden {
		t.Fatalf("developer reset = %v, %v", resp, err)
	}
	rt, resp2, err := w.client(t, w.pmaint).Runners.ResetRunnerAuthenticationToken(prj.ID)
	runnersStatus(t, resp2, err, http.StatusCreated)
	s.Do(t, labtest.Request{Method: "POST", Path: "/runners/verify", JSON: map[string]any{"token": fresh}}).
		ExpectError(t, 403, forbidden)

	// Contact, as the job queue records it, makes the runner online.
	if _, err := s.Srv.Service.RunnerForToken(context.Background(), *rt.Token,
		model.RunnerContact{Version: "17.5.0", Platform: "linux", Architecture: "amd64", IPAddress: "10.0.0.7"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Srv.Service.RunnerForToken(context.Background(), "glrt-nope", model.RunnerContact{}); err == nil {
		t.Fatal("RunnerForToken accepted an unknown token")
	}
	d, _, err = w.client(t, w.pmaint).Runners.GetRunnerDetails(prj.ID)
	if err != nil || d.Status != "online" || !d.Online || d.ContactedAt == nil || d.Version != "17.5.0" ||
		d.Platform != "linux" || d.IPAddress != "10.0.0.7" {
		t.Fatalf("after contact = %+v, %v", d, err)
	}
	got, _, err := w.client(t, w.pmaint).Runners.ListRunners(&gitlab.ListRunnersOptions{Status: gitlab.Ptr("online")})
	runnersWantIDs(t, "online runners", got, err, prj.ID)
	got, _, err = w.client(t, w.pmaint).Runners.ListRunners(&gitlab.ListRunnersOptions{Status: gitlab.Ptr("offline")})
	runnersWantIDs(t, "offline runners", got, err)

	// The runner unregisters itself.
	resp = s.Do(t, labtest.Request{Method: "DELETE", Path: "/runners", JSON: map[string]any{"token": *rt.Token}})
	if resp.Status != http.StatusNoContent {
		t.Fatalf("unregister = %d %s", resp.Status, resp.Body)
	}
	s.Do(t, labtest.Request{Method: "DELETE", Path: "/runners", JSON: map[string]any{"token": *rt.Token}}).
		ExpectError(t, 403, forbidden)
	_, resp2, err = w.client(t, w.pmaint).Runners.GetRunnerDetails(prj.ID)
	runnersStatus(t, resp2, err, http.StatusNotFound)
}

func TestRunnersLegacyRegistration(t *testing.T) {
	w := runnersSetUp(t)
	s := w.s
	forbidden := `{"message":"403 Forbidden"}`
	// No registration token exists until one is reset.
	s.Do(t, labtest.Request{Method: "POST", Path: "/runners", JSON: map[string]any{"token": "GR1348941nothing"}}).
		ExpectError(t, 403, forbidden)

	reset := func(path, token string) *labtest.Response {
		return s.Do(t, labtest.Request{Method: "POST", Path: path + "/runners/reset_registration_token", Token: token})
	}
	reset("/projects/"+runnersItoa(w.app), w.dev.Token).ExpectError(t, 403, forbidden)
	reset("/projects/"+runnersItoa(w.app), w.outsider.Token).ExpectError(t, 404, `{"message":"404 Project Not Found"}`)
	reset("/groups/"+runnersItoa(w.group), w.gmaint.Token).ExpectError(t, 403, forbidden)
	reset("", w.gowner.Token).ExpectError(t, 403, forbidden)

	tokens := map[string]string{}
	for path, token := range map[string]string{"/projects/" + runnersItoa(w.app): w.pmaint.Token,
		"/groups/" + runnersItoa(w.group): w.gowner.Token, "": s.RootToken} {
		resp := reset(path, token)
		if resp.Status != http.StatusCreated {
			t.Fatalf("reset %q = %d %s", path, resp.Status, resp.Body)
		}
		tok, _ := resp.Map(t)["token"].(string)
		if len(tok) < 12 || tok[:9] != "GR1348941" {
			t.Fatalf("registration token %q", tok)
		}
		tokens[path] = tok
	}
	register := func(token string, extra map[string]any) *labtest.Response {
		body := map[string]any{"token": token, "description": "legacy", "tag_list": "a,b",
			"info": map[string]any{"version": "17.0.0"}}
		for k, v := range extra {
			body[k] = v
		}
		return s.Do(t, labtest.Request{Method: "POST", Path: "/runners", JSON: body})
	}
	resp := register(tokens["/projects/"+runnersItoa(w.app)], map[string]any{"locked": true})
	if resp.Status != http.StatusCreated {
		t.Fatalf("register = %d %s", resp.Status, resp.Body)
	}
	m := resp.Map(t)
	id := int64(m["id"].(float64))
	glrt, _ := m["token"].(string)
	if len(glrt) < 10 || glrt[:5] != "glrt-" {
		t.Fatalf("registered = %v", m)
	}
	d, _, err := w.client(t, w.pmaint).Runners.GetRunnerDetails(id)
	if err != nil || d.RunnerType != "project_type" || len(d.Projects) != 1 || d.Projects[0].ID != w.app ||
		d.Description != "legacy" || !d.Locked || !slices.Equal(d.TagList, []string{"a", "b"}) {
		t.Fatalf("registered runner = %+v, %v", d, err)
	}
	resp = register(tokens["/groups/"+runnersItoa(w.group)], nil)
	if resp.Status != http.StatusCreated {
		t.Fatalf("group register = %d %s", resp.Status, resp.Body)
	}
	g, _, err := w.client(t, w.gowner).Runners.GetRunnerDetails(int64(resp.Map(t)["id"].(float64)))
	if err != nil || g.RunnerType != "group_type" {
		t.Fatalf("group registered = %+v, %v", g, err)
	}
	resp = register(tokens[""], nil)
	if resp.Status != http.StatusCreated {
		t.Fatalf("instance register = %d %s", resp.Status, resp.Body)
	}
	// A runner's own token registers nothing; a reset token is dead.
	register(glrt, nil).ExpectError(t, 403, forbidden)
	old := tokens["/projects/"+runnersItoa(w.app)]
	reset("/projects/"+runnersItoa(w.app), w.pmaint.Token)
	register(old, nil).ExpectError(t, 403, forbidden)
	register(tokens[""], map[string]any{"run_untagged": false, "tag_list": ""}).ExpectError(t, 400,
		`{"message":{"tags_list":["can not be empty when runner is not allowed to pick untagged jobs"]}}`)
	all, _, err := w.root.Runners.ListAllRunners(nil)
	if err != nil || len(all) != 3 {
		t.Fatalf("runners after registrations = %d, %v", len(all), err)
	}
}

func runnersItoa(n int64) string { return strconv.FormatInt(n, 10) }

package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// issueShared keeps, per project or group, the objects read-only issue
// routes address (one issue, one milestone), made once by the
// administrator: no caller is their author or assignee.
var issueShared = struct {
	sync.Mutex
	issues     map[int64]int64 // project id -> iid
	milestones map[string]int64
}{issues: map[int64]int64{}, milestones: map[string]int64{}}

// freshIssue opens an issue in project as the administrator and returns
// its iid and id.
func (x *matrix) freshIssue(project int64) (int64, int64) {
	is := x.root("POST", fmt.Sprintf("%s/projects/%d/issues", api, project), map[string]any{"title": "issue " + x.next()})
	return int64(is["iid"].(float64)), int64(is["id"].(float64))
}

// sharedIssue is the project's read-only issue.
func (x *matrix) sharedIssue(project int64) int64 {
	issueShared.Lock()
	defer issueShared.Unlock()
	if iid, ok := issueShared.issues[project]; ok {
		return iid
	}
	iid, _ := x.freshIssue(project)
	issueShared.issues[project] = iid
	return iid
}

// sharedMilestone is a milestone of a project (group false) or a group,
// inserted directly (the milestones API is another family's).
func (x *matrix) sharedMilestone(owner int64, group bool) int64 {
	issueShared.Lock()
	defer issueShared.Unlock()
	key := fmt.Sprintf("%v/%d", group, owner)
	if id, ok := issueShared.milestones[key]; ok {
		return id
	}
	m := &model.Milestone{Title: "m" + x.next()}
	if group {
		m.GroupID = &owner
	} else {
		m.ProjectID = &owner
	}
	ctx := context.Background()
	if err := x.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return q.InsertMilestone(ctx, m) }); err != nil {
		panic(fixtureFailure(err.Error()))
	}
	issueShared.milestones[key] = m.ID
	return m.ID
}

// issuePath is a path under one of the project's issues.
func (p *projectFixture) issuePath(iid int64, suffix string) string {
	return p.api(fmt.Sprintf("/issues/%d%s", iid, suffix))
}

// onSharedIssue addresses the project's shared issue.
func onSharedIssue(suffix string) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.issuePath(x.sharedIssue(p.id), suffix))
	})
}

// onFreshIssue addresses an issue made for the request, with body.
func onFreshIssue(suffix string, body map[string]any) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshIssue(p.id)
		return request{path: p.issuePath(iid, suffix), json: body}
	})
}

// subscriptionAnswered: 304 (already in that state) is an allowed answer.
func subscriptionAnswered(status int, _ http.Header) bool {
	return status == http.StatusNotModified || status >= 200 && status < 300
}

var _ = addFixtures(map[string]fixture{
	"GET /api/v4/issues":            static(api + "/issues?scope=all"),
	"GET /api/v4/issues_statistics": static(api + "/issues_statistics?scope=all"),
	"GET /api/v4/issues/{id}": {build: func(x *matrix, c *cell) request {
		_, id := x.freshIssue(x.projects[public].id)
		return get(fmt.Sprintf("%s/issues/%d", api, id))
	}},
	"GET /api/v4/groups/{id}/issues": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf("%s/groups/%d/issues", api, g.id))
	}),
	"GET /api/v4/groups/{id}/issues_statistics": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf("%s/groups/%d/issues_statistics", api, g.id))
	}),
	"GET /api/v4/groups/{id}/milestones/{milestone_id}/issues": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf("%s/groups/%d/milestones/%d/issues", api, g.id, x.sharedMilestone(g.id, true)))
	}),
	"GET /api/v4/projects/{id}/issues": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/issues"))
	}),
	"POST /api/v4/projects/{id}/issues": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: p.api("/issues"), json: map[string]any{"title": "new " + x.next()}}
	}),
	"GET /api/v4/projects/{id}/issues_statistics": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api("/issues_statistics"))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}":    onSharedIssue(""),
	"PUT /api/v4/projects/{id}/issues/{issue_iid}":    onFreshIssue("", map[string]any{"title": "renamed"}),
	"DELETE /api/v4/projects/{id}/issues/{issue_iid}": onFreshIssue("", nil),
	"PUT /api/v4/projects/{id}/issues/{issue_iid}/reorder": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshIssue(p.id)
		_, before := x.freshIssue(p.id)
		return request{path: p.issuePath(iid, "/reorder"), json: map[string]any{"move_before_id": before}}
	}),
	// The target is a project of the same group, where callers have the
	// same role (project bots excepted: see projectAbility).
	"POST /api/v4/projects/{id}/issues/{issue_iid}/move": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshIssue(p.id)
		to := x.root("POST", api+"/projects", map[string]any{"name": "to" + x.next(), "namespace_id": x.groups[c.vis].id,
			"visibility": string(c.vis)})
		return request{path: p.issuePath(iid, "/move"), json: map[string]any{"to_project_id": to["id"]}}
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/subscribe": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshIssue(p.id)
		return request{path: p.issuePath(iid, "/subscribe"), accept: subscriptionAnswered}
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/unsubscribe": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshIssue(p.id)
		return request{path: p.issuePath(iid, "/unsubscribe"), accept: subscriptionAnswered}
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/time_estimate":         onFreshIssue("/time_estimate", map[string]any{"duration": "1h"}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/reset_time_estimate":   onFreshIssue("/reset_time_estimate", nil),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/add_spent_time":        onFreshIssue("/add_spent_time", map[string]any{"duration": "30m"}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/reset_spent_time":      onFreshIssue("/reset_spent_time", nil),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/time_stats":             onSharedIssue("/time_stats"),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/participants":           onSharedIssue("/participants"),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/related_merge_requests": onSharedIssue("/related_merge_requests"),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/closed_by":              onSharedIssue("/closed_by"),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/links":                  onSharedIssue("/links"),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/links": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshIssue(p.id)
		target, _ := x.freshIssue(p.id)
		return request{path: p.issuePath(iid, "/links"), json: map[string]any{"target_project_id": p.id, "target_issue_iid": target}}
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/links/{issue_link_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, link := x.linkedIssue(p)
		return get(p.issuePath(iid, "/links/"+itoa(link)))
	}),
	"DELETE /api/v4/projects/{id}/issues/{issue_iid}/links/{issue_link_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, link := x.linkedIssue(p)
		return get(p.issuePath(iid, "/links/"+itoa(link)))
	}),
	"GET /api/v4/projects/{id}/milestones/{milestone_id}/issues": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api(fmt.Sprintf("/milestones/%d/issues", x.sharedMilestone(p.id, false))))
	}),
	"GET /api/v4/projects/{id}/milestones/{milestone_id}/merge_requests": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(p.api(fmt.Sprintf("/milestones/%d/merge_requests", x.sharedMilestone(p.id, false))))
	}),

	// Pages: the project's issue list and the shared issue's page.
	"GET /{full_path...}/-/issues": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return page("/" + p.path + "/-/issues")
	}),
	"GET /{full_path...}/-/issues/{iid}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return page(fmt.Sprintf("/%s/-/issues/%d", p.path, x.sharedIssue(p.id)))
	}),
})

// linkedIssue links two fresh issues of p as the administrator and returns
// the source's iid and the link's id.
func (x *matrix) linkedIssue(p *projectFixture) (int64, int64) {
	iid, _ := x.freshIssue(p.id)
	target, _ := x.freshIssue(p.id)
	x.root("POST", p.issuePath(iid, "/links"), map[string]any{"target_project_id": p.id, "target_issue_iid": target})
	links := x.rootList(p.issuePath(iid, "/links"))
	if len(links) != 1 {
		panic(fixtureFailure("link not listed"))
	}
	return iid, int64(links[0]["issue_link_id"].(float64))
}

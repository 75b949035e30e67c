package server_test

import (
	"context"
	"fmt"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// callerUserID is the user a cell's credential acts as (0: anonymous).
func callerUserID(c *cell) int64 {
	if id, ok := c.caller.botUser[c.vis]; ok {
		return id
	}
	if c.caller.user != nil {
		return c.caller.user.ID
	}
	return 0
}

// freshTodo gives the cell's caller a pending to-do item on a new issue
// of the main project (an anonymous caller's goes to nobody's list).
func (x *matrix) freshTodo(c *cell) int64 {
	p := x.projects[c.vis]
	_, issueID := x.freshIssue(p.id)
	uid := callerUserID(c)
	if uid == 0 {
		return 999999
	}
	t := &model.Todo{UserID: uid, ProjectID: &p.id, TargetType: model.NoteableIssue, TargetID: issueID, Action: model.TodoMarked}
	ctx := context.Background()
	if err := x.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { _, err := q.InsertTodo(ctx, t); return err }); err != nil {
		panic(fixtureFailure(err.Error()))
	}
	return t.ID
}

var _ = addFixtures(map[string]fixture{
	"GET /api/v4/todos": static(api + "/todos"),
	"POST /api/v4/todos/{id}/mark_as_done": {build: func(x *matrix, c *cell) request {
		return request{path: fmt.Sprintf("%s/todos/%d/mark_as_done", api, x.freshTodo(c))}
	}},
	"POST /api/v4/todos/mark_as_done": static(api + "/todos/mark_as_done"),
	// A fresh issue each: a second "marked" item on one issue is 304.
	"POST /api/v4/projects/{id}/issues/{issue_iid}/todo": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshIssue(p.id)
		return request{path: fmt.Sprintf("%s/issues/%d/todo", p.api(""), iid)}
	}),
})

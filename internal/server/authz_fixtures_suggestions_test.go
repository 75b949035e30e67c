package server_test

import (
	"context"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// freshSuggestion opens a merge request of its own in p and writes a diff
// note of the administrator's on the first line of the file its branch
// adds, with one suggestion replacing that line: each cell applies its
// own, on its own source branch.
func (x *matrix) freshSuggestion(p *projectFixture) int64 {
	_, mrID := x.freshMR(p)
	root := x.rootID()
	var branch string
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		mrs, err := q.MergeRequestsByIDs(ctx, []int64{mrID})
		if err == nil {
			branch = mrs[0].SourceBranch
		}
		return err
	})
	t := "DiffNote"
	pos := `{"base_sha":"","start_sha":"","head_sha":"","old_path":"` + branch + `.txt","new_path":"` + branch +
		`.txt","position_type":"text","old_line":null,"new_line":1}`
	n := &model.Note{ProjectID: &p.id, NoteableType: model.NoteableMergeRequest, NoteableID: mrID, AuthorID: &root,
		Body: "```suggestion:-0+0\nchanged\n```", DiscussionID: discussionIDFor(x.next()), NoteType: &t, Position: &pos,
		Resolvable: true}
	g := &model.Suggestion{FromContent: branch, ToContent: "changed"}
	x.inStore(func(ctx context.Context, q *store.Queries) error {
		if err := q.InsertNote(ctx, n); err != nil {
			return err
		}
		return q.ReplaceNoteSuggestions(ctx, n.ID, []*model.Suggestion{g})
	})
	return g.ID
}

// Suggestions: every cell applies a suggestion of its own.
var _ = addFixtures(map[string]fixture{
	"PUT /api/v4/suggestions/{id}/apply": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: api + "/suggestions/" + itoa(x.freshSuggestion(p)) + "/apply"}
	}),
	"PUT /api/v4/suggestions/batch_apply": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: api + "/suggestions/batch_apply",
			json: map[string]any{"ids": []int64{x.freshSuggestion(p)}}}
	}),
})

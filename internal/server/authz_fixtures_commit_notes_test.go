package server_test

import (
	"context"
	"regexp"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// commitNoteablePattern matches the routes on a commit's notes, which
// need read_code before their own ability.
var commitNoteablePattern = regexp.MustCompile(`/repository/commits/\{sha\}/(comments|discussions)`)

var (
	commitNotesMu sync.Mutex
	commitNotes   = map[*projectFixture]*model.Note{}
)

// commitNote is a note of the administrator's on the project's head
// commit, made once per project straight in the store.
func (x *matrix) commitNote(p *projectFixture) *model.Note {
	commitNotesMu.Lock()
	defer commitNotesMu.Unlock()
	if n := commitNotes[p]; n != nil {
		return n
	}
	n := x.freshCommitNote(p, x.rootID())
	commitNotes[p] = n
	return n
}

// freshCommitNote adds a note by userID on the project's head commit.
func (x *matrix) freshCommitNote(p *projectFixture, userID int64) *model.Note {
	sha := p.head
	n := &model.Note{ProjectID: &p.id, NoteableType: model.NoteableCommit, CommitID: &sha, AuthorID: &userID,
		Body: "matrix commit note", DiscussionID: discussionIDFor(x.next())}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertNote(ctx, n) })
	return n
}

func commitPath(p *projectFixture, suffix string) string {
	return p.api("/repository/commits/" + p.head + suffix)
}

// onCommitNote is onProject with the project's commit note.
func onCommitNote(fn func(x *matrix, c *cell, p *projectFixture, n *model.Note) request) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request { return fn(x, c, p, x.commitNote(p)) })
}

var _ = addFixtures(map[string]fixture{
	"GET /api/v4/projects/{id}/repository/commits/{sha}/merge_requests": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(commitPath(p, "/merge_requests"))
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/comments": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(commitPath(p, "/comments"))
	}),
	"POST /api/v4/projects/{id}/repository/commits/{sha}/comments": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: commitPath(p, "/comments"), json: map[string]any{"note": "nice"}}
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/discussions": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return get(commitPath(p, "/discussions"))
	}),
	"POST /api/v4/projects/{id}/repository/commits/{sha}/discussions": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: commitPath(p, "/discussions"), json: map[string]any{"body": "thread"}}
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/discussions/{discussion_id}": onCommitNote(func(x *matrix, c *cell, p *projectFixture, n *model.Note) request {
		return get(commitPath(p, "/discussions/"+n.DiscussionID))
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes": onCommitNote(func(x *matrix, c *cell, p *projectFixture, n *model.Note) request {
		return get(commitPath(p, "/discussions/"+n.DiscussionID+"/notes"))
	}),
	"POST /api/v4/projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes": onCommitNote(func(x *matrix, c *cell, p *projectFixture, n *model.Note) request {
		return request{path: commitPath(p, "/discussions/"+n.DiscussionID+"/notes"), json: map[string]any{"body": "reply"}}
	}),
	"GET /api/v4/projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}": onCommitNote(func(x *matrix, c *cell, p *projectFixture, n *model.Note) request {
		return get(commitPath(p, "/discussions/"+n.DiscussionID+"/notes/"+itoa(n.ID)))
	}),
	// The administrator's note: its author aside, admin_note (Maintainer).
	"PUT /api/v4/projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}": onCommitNote(func(x *matrix, c *cell, p *projectFixture, n *model.Note) request {
		return request{path: commitPath(p, "/discussions/"+n.DiscussionID+"/notes/"+itoa(n.ID)), json: map[string]any{"body": "edited " + x.next()}}
	}),
	"DELETE /api/v4/projects/{id}/repository/commits/{sha}/discussions/{discussion_id}/notes/{note_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		n := x.freshCommitNote(p, x.rootID())
		return get(commitPath(p, "/discussions/"+n.DiscussionID+"/notes/"+itoa(n.ID)))
	}),
})

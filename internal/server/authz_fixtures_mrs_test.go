package server_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Merge requests: the administrator's, each from a branch of its own made
// at keep-feature (one commit ahead of main), so no two share a source
// branch; read-only routes address one per project, made once.
type mrFixture struct {
	iid, id   int64
	note      *model.Note
	award     int64
	noteAward int64
}

var (
	mrFixturesMu sync.Mutex
	mrFixtures   = map[*projectFixture]*mrFixture{}
)

// freshMR opens a merge request in p as the administrator and returns its
// iid and id.
func (x *matrix) freshMR(p *projectFixture) (int64, int64) {
	branch := "mr-" + x.next()
	x.root("POST", p.api("/repository/branches"), map[string]any{"branch": branch, "ref": "keep-feature"})
	// A commit of its own: merging another merge request (a push to
	// main) must not merge this one as a push of its head would.
	x.root("POST", p.api("/repository/files/"+branch+".txt"), map[string]any{"branch": branch, "content": branch,
		"commit_message": "add " + branch})
	mr := x.root("POST", p.api("/merge_requests"), map[string]any{"title": "mr " + branch, "source_branch": branch,
		"target_branch": "main"})
	return int64(mr["iid"].(float64)), int64(mr["id"].(float64))
}

// sharedMR is the project's read-only merge request, with a note of the
// administrator's and an award emoji on each.
func (x *matrix) sharedMR(p *projectFixture) *mrFixture {
	root := x.rootID()
	mrFixturesMu.Lock()
	defer mrFixturesMu.Unlock()
	if f := mrFixtures[p]; f != nil {
		return f
	}
	f := &mrFixture{}
	f.iid, f.id = x.freshMR(p)
	f.note = x.freshMRNote(p, f.id, root)
	f.award = x.award(model.NoteableMergeRequest, f.id, root, "thumbsup")
	f.noteAward = x.award(model.AwardableNote, f.note.ID, root, "tada")
	mrFixtures[p] = f
	return f
}

// freshMRNote adds a resolvable note by userID to merge request id of p.
func (x *matrix) freshMRNote(p *projectFixture, mrID, userID int64) *model.Note {
	n := &model.Note{ProjectID: &p.id, NoteableType: model.NoteableMergeRequest, NoteableID: mrID, AuthorID: &userID,
		Body: "matrix note", DiscussionID: discussionIDFor(x.next()), Resolvable: true}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertNote(ctx, n) })
	return n
}

func (p *projectFixture) mrPath(iid int64, suffix string) string {
	return p.api(fmt.Sprintf("/merge_requests/%d%s", iid, suffix))
}

// onMR is onProject with the project's shared merge request.
func onMR(fn func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request { return fn(x, c, p, x.sharedMR(p)) })
}

// onSharedMR reads suffix of the project's shared merge request.
func onSharedMR(suffix func(f *mrFixture) string) fixture {
	return onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return get(p.mrPath(f.iid, suffix(f)))
	})
}

func fixed(s string) func(*mrFixture) string { return func(*mrFixture) string { return s } }

var _ = addFixtures(map[string]fixture{
	"GET /api/v4/merge_requests": static(api + "/merge_requests?scope=all"),
	"GET /api/v4/groups/{id}/merge_requests": onGroup(func(x *matrix, c *cell, g *groupFixture) request {
		return get(fmt.Sprintf("%s/groups/%d/merge_requests", api, g.id))
	}),
	"GET /api/v4/projects/{id}/merge_requests": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return get(p.api("/merge_requests"))
	}),
	"POST /api/v4/projects/{id}/merge_requests": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		branch := "new-" + x.next()
		x.root("POST", p.api("/repository/branches"), map[string]any{"branch": branch, "ref": "keep-feature"})
		return request{path: p.api("/merge_requests"), json: map[string]any{"title": "new " + branch,
			"source_branch": branch, "target_branch": "main"}}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}":               onSharedMR(fixed("")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/merge_ref":     onSharedMR(fixed("/merge_ref")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/closes_issues": onSharedMR(fixed("/closes_issues")),
	// The administrator's merge request: no caller is its author.
	"PUT /api/v4/projects/{id}/merge_requests/{merge_request_iid}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return request{path: p.mrPath(iid, ""), json: map[string]any{"title": "renamed"}}
	}),
	"DELETE /api/v4/projects/{id}/merge_requests/{merge_request_iid}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return get(p.mrPath(iid, ""))
	}),
	// Each cell merges a merge request of its own into main.
	"PUT /api/v4/projects/{id}/merge_requests/{merge_request_iid}/merge": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return request{path: p.mrPath(iid, "/merge")}
	}),

	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/subscribe": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return request{path: p.mrPath(iid, "/subscribe"), accept: subscriptionAnswered}
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/unsubscribe": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return request{path: p.mrPath(iid, "/unsubscribe"), accept: subscriptionAnswered}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/participants": onSharedMR(fixed("/participants")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/commits":      onSharedMR(fixed("/commits")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/changes":      onSharedMR(fixed("/changes")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/diffs":        onSharedMR(fixed("/diffs")),

	// Notes
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes": onSharedMR(fixed("/notes")),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/notes"), json: map[string]any{"body": "hello"}}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}": onSharedMR(func(f *mrFixture) string {
		return "/notes/" + itoa(f.note.ID)
	}),
	"PUT /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/notes/"+itoa(f.note.ID)), json: map[string]any{"body": "edited " + x.next()}}
	}),
	"DELETE /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return get(p.mrPath(f.iid, "/notes/"+itoa(x.freshMRNote(p, f.id, x.rootID()).ID)))
	}),

	// Discussions
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions": onSharedMR(fixed("/discussions")),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/discussions"), json: map[string]any{"body": "thread"}}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}": onSharedMR(func(f *mrFixture) string {
		return "/discussions/" + f.note.DiscussionID
	}),
	// The administrator's discussion: resolve_note takes a Developer.
	"PUT /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		n := x.freshMRNote(p, f.id, x.rootID())
		return request{path: p.mrPath(f.iid, "/discussions/"+n.DiscussionID), json: map[string]any{"resolved": true}}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes": onSharedMR(func(f *mrFixture) string {
		return "/discussions/" + f.note.DiscussionID + "/notes"
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/discussions/"+f.note.DiscussionID+"/notes"), json: map[string]any{"body": "reply"}}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}": onSharedMR(func(f *mrFixture) string {
		return "/discussions/" + f.note.DiscussionID + "/notes/" + itoa(f.note.ID)
	}),
	"PUT /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		return request{path: p.mrPath(f.iid, "/discussions/"+f.note.DiscussionID+"/notes/"+itoa(f.note.ID)),
			json: map[string]any{"body": "edited " + x.next()}}
	}),
	"DELETE /api/v4/projects/{id}/merge_requests/{merge_request_iid}/discussions/{discussion_id}/notes/{note_id}": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		n := x.freshMRNote(p, f.id, x.rootID())
		return get(p.mrPath(f.iid, "/discussions/"+n.DiscussionID+"/notes/"+itoa(n.ID)))
	}),

	// Award emoji: as on issues, one award per caller and awardable, and
	// the award to delete is the caller's.
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/award_emoji": onSharedMR(fixed("/award_emoji")),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/award_emoji": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, _ := x.freshMR(p)
		return request{path: p.mrPath(iid, "/award_emoji"), json: map[string]any{"name": "thumbsup"}}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/award_emoji/{award_id}": onSharedMR(func(f *mrFixture) string {
		return "/award_emoji/" + itoa(f.award)
	}),
	"DELETE /api/v4/projects/{id}/merge_requests/{merge_request_iid}/award_emoji/{award_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		iid, id := x.freshMR(p)
		return get(p.mrPath(iid, "/award_emoji/"+itoa(x.award(model.NoteableMergeRequest, id, x.callerUserID(c), "thumbsup"))))
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji": onSharedMR(func(f *mrFixture) string {
		return "/notes/" + itoa(f.note.ID) + "/award_emoji"
	}),
	"POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		n := x.freshMRNote(p, f.id, x.rootID())
		return request{path: p.mrPath(f.iid, "/notes/"+itoa(n.ID)+"/award_emoji"), json: map[string]any{"name": "eyes"}}
	}),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji/{award_id}": onSharedMR(func(f *mrFixture) string {
		return "/notes/" + itoa(f.note.ID) + "/award_emoji/" + itoa(f.noteAward)
	}),
	"DELETE /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}/award_emoji/{award_id}": onMR(func(x *matrix, c *cell, p *projectFixture, f *mrFixture) request {
		n := x.freshMRNote(p, f.id, x.rootID())
		aw := x.award(model.AwardableNote, n.ID, x.callerUserID(c), "eyes")
		return get(p.mrPath(f.iid, "/notes/"+itoa(n.ID)+"/award_emoji/"+itoa(aw)))
	}),

	// Resource events
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/resource_label_events":     onSharedMR(fixed("/resource_label_events")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/resource_milestone_events": onSharedMR(fixed("/resource_milestone_events")),
	"GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/resource_state_events":     onSharedMR(fixed("/resource_state_events")),
})

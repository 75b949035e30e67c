package server_test

import (
	"context"
	"sync"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// noteFixture is what the notes family's routes address on a visibility's
// project: an issue of the administrator's with a note of theirs, an
// award emoji on each and one event of each kind. Made once per project,
// on first use, straight in the store (the issues API is another family's).
type noteFixture struct {
	issue                       *model.Issue
	note                        *model.Note
	issueAward, noteAward       int64
	labelEv, milestoneEv, state int64
}

var (
	noteFixturesMu sync.Mutex
	noteFixtures   = map[*projectFixture]*noteFixture{}
	// rootIDs has a lock of its own: notes takes rootID under its lock.
	rootIDsMu sync.Mutex
	rootIDs   = map[*matrix]int64{}
)

// rootID is the administrator's user id.
func (x *matrix) rootID() int64 {
	rootIDsMu.Lock()
	defer rootIDsMu.Unlock()
	id, ok := rootIDs[x]
	if !ok {
		id = int64(x.root("GET", api+"/user", nil)["id"].(float64))
		rootIDs[x] = id
	}
	return id
}

// inStore runs fn in a transaction; a failure fails the cell.
func (x *matrix) inStore(fn func(ctx context.Context, q *store.Queries) error) {
	ctx := context.Background()
	if err := x.s.Srv.DB.WithTx(ctx, func(q *store.Queries) error { return fn(ctx, q) }); err != nil {
		panic(fixtureFailure(err.Error()))
	}
}

// storedIssue inserts an issue of the administrator's in p through the store.
func (x *matrix) storedIssue(p *projectFixture) *model.Issue {
	root := x.rootID()
	i := &model.Issue{ProjectID: p.id, AuthorID: &root, Title: "matrix " + x.next()}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertIssue(ctx, i) })
	return i
}

// freshNote adds a note by userID to issue i of p.
func (x *matrix) freshNote(p *projectFixture, i *model.Issue, userID int64) *model.Note {
	n := &model.Note{ProjectID: &p.id, NoteableType: model.NoteableIssue, NoteableID: i.ID, AuthorID: &userID,
		Body: "matrix note", DiscussionID: discussionIDFor(x.next())}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertNote(ctx, n) })
	return n
}

// discussionIDFor is a 40-hex-digit discussion id unique to seq.
func discussionIDFor(seq string) string {
	const zeros = "0000000000000000000000000000000000000000"
	return zeros[:40-len(seq)] + seq
}

// award gives awardable an emoji of userID's.
func (x *matrix) award(awardableType string, awardableID, userID int64, name string) int64 {
	a := &model.AwardEmoji{Name: name, UserID: userID, AwardableType: awardableType, AwardableID: awardableID}
	x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertAwardEmoji(ctx, a) })
	return a.ID
}

func (x *matrix) notes(p *projectFixture) *noteFixture {
	root := x.rootID()
	noteFixturesMu.Lock()
	defer noteFixturesMu.Unlock()
	if f := noteFixtures[p]; f != nil {
		return f
	}
	f := &noteFixture{issue: x.storedIssue(p)}
	f.note = x.freshNote(p, f.issue, root)
	f.issueAward = x.award(model.NoteableIssue, f.issue.ID, root, "thumbsup")
	f.noteAward = x.award(model.AwardableNote, f.note.ID, root, "tada")
	for _, e := range []*model.ResourceEvent{
		{Kind: "label", Action: "add"}, {Kind: "milestone", Action: "add", State: "active"}, {Kind: "state", State: "closed"},
	} {
		e.ResourceType, e.ResourceID, e.UserID = model.NoteableIssue, f.issue.ID, &root
		x.inStore(func(ctx context.Context, q *store.Queries) error { return q.InsertResourceEvent(ctx, e) })
		switch e.Kind {
		case "label":
			f.labelEv = e.ID
		case "milestone":
			f.milestoneEv = e.ID
		default:
			f.state = e.ID
		}
	}
	noteFixtures[p] = f
	return f
}

// callerUserID is who the cell's caller acts as (the owner for anonymous
// callers, whom the route refuses before anything is looked up).
func (x *matrix) callerUserID(c *cell) int64 {
	if id := c.caller.botUser[c.vis]; id != 0 {
		return id
	}
	if c.caller.user != nil {
		return c.caller.user.ID
	}
	return x.users["owner"].ID
}

func issuePath(p *projectFixture, i *model.Issue, suffix string) string {
	return p.api("/issues/" + itoa(i.IID) + suffix)
}

// onIssue is onProject with the project's note fixture.
func onIssue(fn func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request) fixture {
	return onProject(func(x *matrix, c *cell, p *projectFixture) request { return fn(x, c, p, x.notes(p)) })
}

var _ = addFixtures(map[string]fixture{
	// Notes
	"GET /api/v4/projects/{id}/issues/{issue_iid}/notes": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/notes"))
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/notes": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return request{path: issuePath(p, f.issue, "/notes"), json: map[string]any{"body": "hello"}}
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/notes/{note_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/notes/"+itoa(f.note.ID)))
	}),
	// The administrator's note: its author aside, admin_note (Maintainer).
	"PUT /api/v4/projects/{id}/issues/{issue_iid}/notes/{note_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return request{path: issuePath(p, f.issue, "/notes/"+itoa(f.note.ID)), json: map[string]any{"body": "edited " + x.next()}}
	}),
	"DELETE /api/v4/projects/{id}/issues/{issue_iid}/notes/{note_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		n := x.freshNote(p, f.issue, x.rootID())
		return get(issuePath(p, f.issue, "/notes/"+itoa(n.ID)))
	}),

	// Discussions
	"GET /api/v4/projects/{id}/issues/{issue_iid}/discussions": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/discussions"))
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/discussions": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return request{path: issuePath(p, f.issue, "/discussions"), json: map[string]any{"body": "thread"}}
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/discussions/{discussion_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/discussions/"+f.note.DiscussionID))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/discussions/"+f.note.DiscussionID+"/notes"))
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return request{path: issuePath(p, f.issue, "/discussions/"+f.note.DiscussionID+"/notes"), json: map[string]any{"body": "reply"}}
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/discussions/"+f.note.DiscussionID+"/notes/"+itoa(f.note.ID)))
	}),
	"PUT /api/v4/projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return request{path: issuePath(p, f.issue, "/discussions/"+f.note.DiscussionID+"/notes/"+itoa(f.note.ID)),
			json: map[string]any{"body": "edited " + x.next()}}
	}),
	"DELETE /api/v4/projects/{id}/issues/{issue_iid}/discussions/{discussion_id}/notes/{note_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		n := x.freshNote(p, f.issue, x.rootID())
		return get(issuePath(p, f.issue, "/discussions/"+n.DiscussionID+"/notes/"+itoa(n.ID)))
	}),

	// Award emoji. A caller awards an emoji once per awardable, so each
	// award is made on an issue or note of its own; only the awarder
	// takes an award back, so the award to delete is the caller's.
	"GET /api/v4/projects/{id}/issues/{issue_iid}/award_emoji": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/award_emoji"))
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/award_emoji": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		return request{path: issuePath(p, x.storedIssue(p), "/award_emoji"), json: map[string]any{"name": "thumbsup"}}
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/award_emoji/{award_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/award_emoji/"+itoa(f.issueAward)))
	}),
	"DELETE /api/v4/projects/{id}/issues/{issue_iid}/award_emoji/{award_id}": onProject(func(x *matrix, c *cell, p *projectFixture) request {
		i := x.storedIssue(p)
		return get(issuePath(p, i, "/award_emoji/"+itoa(x.award(model.NoteableIssue, i.ID, x.callerUserID(c), "thumbsup"))))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/notes/"+itoa(f.note.ID)+"/award_emoji"))
	}),
	"POST /api/v4/projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		n := x.freshNote(p, f.issue, x.rootID())
		return request{path: issuePath(p, f.issue, "/notes/"+itoa(n.ID)+"/award_emoji"), json: map[string]any{"name": "eyes"}}
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji/{award_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/notes/"+itoa(f.note.ID)+"/award_emoji/"+itoa(f.noteAward)))
	}),
	"DELETE /api/v4/projects/{id}/issues/{issue_iid}/notes/{note_id}/award_emoji/{award_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		n := x.freshNote(p, f.issue, x.rootID())
		aw := x.award(model.AwardableNote, n.ID, x.callerUserID(c), "eyes")
		return get(issuePath(p, f.issue, "/notes/"+itoa(n.ID)+"/award_emoji/"+itoa(aw)))
	}),

	// Resource events
	"GET /api/v4/projects/{id}/issues/{issue_iid}/resource_label_events": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/resource_label_events"))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/resource_label_events/{event_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/resource_label_events/"+itoa(f.labelEv)))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/resource_milestone_events": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/resource_milestone_events"))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/resource_milestone_events/{event_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/resource_milestone_events/"+itoa(f.milestoneEv)))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/resource_state_events": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/resource_state_events"))
	}),
	"GET /api/v4/projects/{id}/issues/{issue_iid}/resource_state_events/{event_id}": onIssue(func(x *matrix, c *cell, p *projectFixture, f *noteFixture) request {
		return get(issuePath(p, f.issue, "/resource_state_events/"+itoa(f.state)))
	}),
})

package graphql

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// Discussion is a thread of notes. A page's discussions carry their
// notes (loaded with the page); a note's discussion loads them when asked.
type Discussion struct {
	notes        []*Note
	loaded       bool
	noteableType string
	noteableID   int64

	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"createdAt"`
	Resolvable bool      `json:"resolvable"`
	Resolved   bool      `json:"resolved"`
}

const discussionPrefix = "gid://gitlab/Discussion/"

// discussion renders d, its notes' authors among users.
func (v view) discussion(d *service.Discussion, users map[int64]*model.User) *Discussion {
	out := &Discussion{loaded: true, ID: discussionPrefix + d.ID, Resolved: len(d.Notes) > 0}
	for _, n := range d.Notes {
		out.notes = append(out.notes, v.note(n, userOf(users, n.AuthorID)))
		if n.Resolvable {
			out.Resolvable = true
			out.Resolved = out.Resolved && n.ResolvedAt != nil
		}
	}
	out.Resolved = out.Resolvable && out.Resolved
	if len(d.Notes) > 0 {
		out.CreatedAt = d.Notes[0].CreatedAt
	}
	return out
}

// discussionNotes windows a discussion's notes; a note's discussion loads
// them through the service's discussion lookup (same visibility answers).
func (r *Resolver) discussionNotes(ctx context.Context, d *Discussion, after, before *string, first, last *int) (*NoteConnection, error) {
	all := d.notes
	if !d.loaded {
		ref, err := r.svc.NoteableRefByID(ctx, d.noteableType, d.noteableID)
		if err != nil {
			return nil, err
		}
		ds, err := r.svc.GetDiscussion(ctx, callerOf(ctx), ref, d.ID[len(discussionPrefix):])
		if err != nil {
			return nil, err
		}
		if len(ds.Discussions) > 0 {
			all = r.at(ctx).discussion(ds.Discussions[0], ds.Users).notes
		}
	}
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := &NoteConnection{Count: len(all), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(all))}
	for i, n := range list {
		c.Nodes = append(c.Nodes, n)
		c.Edges = append(c.Edges, &NoteEdge{Cursor: cursor(pg.offset + i), Node: n})
	}
	return c, nil
}

type discussionsLoad struct {
	once  sync.Once
	batch *service.DiscussionsBatch
	err   error
}

// loadDiscussions loads one window of the discussions of every node of
// the page, once per window.
func (pg *issuablePage) loadDiscussions(ctx context.Context, w page) (*service.DiscussionsBatch, error) {
	k := notesKey{offset: w.offset, limit: w.limit}
	pg.mu.Lock()
	if pg.discussions == nil {
		pg.discussions = map[notesKey]*discussionsLoad{}
	}
	l := pg.discussions[k]
	if l == nil {
		l = &discussionsLoad{}
		pg.discussions[k] = l
	}
	pg.mu.Unlock()
	l.once.Do(func() {
		ref := service.ProjectRef(pg.p)
		if pg.issues != nil {
			l.batch, l.err = pg.r.svc.IssuesDiscussions(ctx, callerOf(ctx), ref, pg.issues, w.limit, w.offset)
		} else {
			l.batch, l.err = pg.r.svc.MergeRequestsDiscussions(ctx, callerOf(ctx), ref, pg.mrs, w.limit, w.offset)
		}
	})
	return l.batch, l.err
}

func (r *Resolver) issuableDiscussions(ctx context.Context, pg *issuablePage, it issuable, after, before *string,
	first, last *int) (*DiscussionConnection, error) {
	if last != nil || before != nil {
		return nil, errors.New("lablet pages an issue's or merge request's discussions forward: use first and after")
	}
	w, err := window(after, nil, first, nil, nil)
	if err != nil {
		return nil, err
	}
	b, err := pg.loadDiscussions(ctx, w)
	if hidden(err) {
		return &DiscussionConnection{PageInfo: pageInfo(w, 0, false)}, nil
	}
	if err != nil {
		return nil, err
	}
	list, total := b.Discussions[it.id], b.Totals[it.id]
	v := r.at(ctx)
	c := &DiscussionConnection{Count: total, PageInfo: pageInfo(w, len(list), w.offset+len(list) < total)}
	awards := pg.noteAwardsOf(b, discussionsBatchIDs(b))
	for i, d := range list {
		node := v.discussion(d, b.Users)
		for _, n := range node.notes {
			n.awards = awards
		}
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &DiscussionEdge{Cursor: cursor(w.offset + i), Node: node})
	}
	return c, nil
}

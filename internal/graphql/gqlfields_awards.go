package graphql

import (
	"context"
	"sync"
	"time"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/service"
)

// awardEmoji connections of issues, merge requests and notes. The nodes
// of one list share an awardSet: the first node asked loads the awards of
// all of them in one read (two statements with their users), so a page
// costs the same whatever its size (TestGraphQLAwardEmojiNoNPlusOne). The
// nodes were listed through the service's visibility answers, so every
// award on them is the caller's to see, as REST's award list shows.

// Note is a note the caller may read; awards is the set of notes its
// list's award emoji load with (nil: the note alone).
type Note struct {
	nid    int64
	awards *awardSet

	ID       string `json:"id"`
	Body     string `json:"body"`
	Internal *bool  `json:"internal,omitempty"`
	// Deprecated in GitLab 15.5: use internal.
	Confidential *bool       `json:"confidential,omitempty"`
	System       bool        `json:"system"`
	CreatedAt    time.Time   `json:"createdAt"`
	UpdatedAt    time.Time   `json:"updatedAt"`
	Author       *UserCore   `json:"author,omitempty"`
	Discussion   *Discussion `json:"discussion,omitempty"`
}

// awardSet is awardables of one type whose awards load together, once.
type awardSet struct {
	typ string
	ids []int64

	once  sync.Once
	batch *service.AwardsBatch
	err   error
}

func (s *awardSet) load(ctx context.Context, r *Resolver) (*service.AwardsBatch, error) {
	s.once.Do(func() { s.batch, s.err = r.svc.AwardEmojiOfShown(ctx, s.typ, s.ids) })
	return s.batch, s.err
}

// noteAwardSet makes the notes share one awardSet.
func noteAwardSet(notes []*Note) {
	s := &awardSet{typ: model.AwardableNote}
	for _, n := range notes {
		s.ids = append(s.ids, n.nid)
		n.awards = s
	}
}

// issuableAwards is the page's awardSet, made when first asked.
func (pg *issuablePage) issuableAwards() *awardSet {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.awards == nil {
		pg.awards = &awardSet{typ: model.NoteableIssue}
		if pg.issues == nil {
			pg.awards.typ = model.NoteableMergeRequest
			for _, m := range pg.mrs {
				pg.awards.ids = append(pg.awards.ids, m.ID)
			}
		}
		for _, i := range pg.issues {
			pg.awards.ids = append(pg.awards.ids, i.ID)
		}
	}
	return pg.awards
}

// awardConnection windows the awards of awardable id in set.
func (r *Resolver) awardConnection(ctx context.Context, set *awardSet, id int64, after, before *string,
	first, last *int) (*AwardEmojiConnection, error) {
	b, err := set.load(ctx, r)
	if err != nil {
		return nil, err
	}
	all := b.Awards[id]
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	c := &AwardEmojiConnection{Count: len(all), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(all))}
	for i, a := range list {
		node := v.awardEmoji(a, b.Users)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &AwardEmojiEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) issueAwardEmoji(ctx context.Context, obj *Issue, after, before *string, first, last *int) (*AwardEmojiConnection, error) {
	return r.awardConnection(ctx, obj.page.issuableAwards(), obj.i.id, after, before, first, last)
}

func (r *Resolver) mergeRequestAwardEmoji(ctx context.Context, obj *MergeRequest, after, before *string,
	first, last *int) (*AwardEmojiConnection, error) {
	return r.awardConnection(ctx, obj.page.issuableAwards(), obj.i.id, after, before, first, last)
}

func (r *Resolver) noteAwardEmoji(ctx context.Context, obj *Note, after, before *string, first, last *int) (*AwardEmojiConnection, error) {
	set := obj.awards
	if set == nil {
		set = &awardSet{typ: model.AwardableNote, ids: []int64{obj.nid}}
	}
	return r.awardConnection(ctx, set, obj.nid, after, before, first, last)
}

// noteAwardsOf is the awardSet of the notes of one loaded batch of the
// page (key: the batch), made once from ids.
func (pg *issuablePage) noteAwardsOf(key any, ids func() []int64) *awardSet {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.noteAwards == nil {
		pg.noteAwards = map[any]*awardSet{}
	}
	s := pg.noteAwards[key]
	if s == nil {
		s = &awardSet{typ: model.AwardableNote, ids: ids()}
		pg.noteAwards[key] = s
	}
	return s
}

func notesBatchIDs(b *service.NotesBatch) func() []int64 {
	return func() (ids []int64) {
		for _, notes := range b.Notes {
			for _, n := range notes {
				ids = append(ids, n.ID)
			}
		}
		return ids
	}
}

func discussionsBatchIDs(b *service.DiscussionsBatch) func() []int64 {
	return func() (ids []int64) {
		for _, ds := range b.Discussions {
			for _, d := range ds {
				for _, n := range d.Notes {
					ids = append(ids, n.ID)
				}
			}
		}
		return ids
	}
}

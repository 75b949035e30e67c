package graphql

import (
	"context"
	"sync"

	"github.com/lablet/lablet/internal/service"
)

// A merge request's reviewers and approvers. The merge requests of one
// page load theirs together, once, when the first node asks
// (TestGraphQLMergeRequestReviewsNoNPlusOne); the page was listed through
// the service's visibility answers, so every reviewer and approver of its
// nodes is the caller's to see, as REST's reviewers and approvals show.

type reviewsLoad struct {
	once  sync.Once
	batch *service.ReviewsBatch
	err   error
}

// loadReviews loads the reviews of every merge request of the page.
func (pg *issuablePage) loadReviews(ctx context.Context) (*service.ReviewsBatch, error) {
	pg.mu.Lock()
	if pg.reviews == nil {
		pg.reviews = &reviewsLoad{}
	}
	l := pg.reviews
	pg.mu.Unlock()
	l.once.Do(func() {
		ids := make([]int64, 0, len(pg.mrs))
		for _, m := range pg.mrs {
			ids = append(ids, m.ID)
		}
		l.batch, l.err = pg.r.svc.MergeRequestReviewsOfShown(ctx, ids)
	})
	return l.batch, l.err
}

var reviewStates = map[string]MergeRequestReviewState{
	"unreviewed": MergeRequestReviewStateUnreviewed,
	"approved":   MergeRequestReviewStateApproved,
}

func (v view) mergeRequestReviewer(rv service.MergeRequestReviewer) *MergeRequestReviewer {
	u := v.userCore(rv.User)
	state, ok := reviewStates[rv.State]
	if !ok {
		state = MergeRequestReviewStateUnreviewed
	}
	return &MergeRequestReviewer{ID: u.ID, Username: u.Username, Name: u.Name, State: u.State,
		PublicEmail: u.PublicEmail, AvatarURL: u.AvatarURL, WebURL: u.WebURL, WebPath: u.WebPath, Bot: u.Bot,
		CreatedAt: u.CreatedAt, MergeRequestInteraction: &UserMergeRequestInteraction{
			Approved: state == MergeRequestReviewStateApproved, Reviewed: state != MergeRequestReviewStateUnreviewed,
			ReviewState: &state}}
}

func (r *Resolver) mergeRequestReviewers(ctx context.Context, obj *MergeRequest, after, before *string,
	first, last *int) (*MergeRequestReviewerConnection, error) {
	b, err := obj.page.loadReviews(ctx)
	if err != nil {
		return nil, err
	}
	all := b.Reviewers[obj.i.id]
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	v := r.at(ctx)
	// Empty lists, not null, as GitLab's connections answer.
	c := &MergeRequestReviewerConnection{Count: len(all), PageInfo: pageInfo(pg, len(list), pg.offset+len(list) < len(all)),
		Nodes: []*MergeRequestReviewer{}, Edges: []*MergeRequestReviewerEdge{}}
	for i, rv := range list {
		node := v.mergeRequestReviewer(rv)
		c.Nodes = append(c.Nodes, node)
		c.Edges = append(c.Edges, &MergeRequestReviewerEdge{Cursor: cursor(pg.offset + i), Node: node})
	}
	return c, nil
}

func (r *Resolver) mergeRequestApprovedBy(ctx context.Context, obj *MergeRequest, after, before *string,
	first, last *int) (*UserCoreConnection, error) {
	b, err := obj.page.loadReviews(ctx)
	if err != nil {
		return nil, err
	}
	all := b.ApprovedBy[obj.i.id]
	list, pg, err := inMemory(all, after, before, first, last)
	if err != nil {
		return nil, err
	}
	c := r.userConnection(ctx, list, pg, len(all), pg.offset+len(list) < len(all))
	if c.Nodes == nil {
		c.Nodes, c.Edges = []*UserCore{}, []*UserCoreEdge{}
	}
	return c, nil
}

// mergeRequestApproved is CE's approved?: someone approved (GitLab Free
// requires no approvals, so none are left), as REST's approvals answer.
func (r *Resolver) mergeRequestApproved(ctx context.Context, obj *MergeRequest) (bool, error) {
	b, err := obj.page.loadReviews(ctx)
	if err != nil {
		return false, err
	}
	return len(b.ApprovedBy[obj.i.id]) > 0, nil
}

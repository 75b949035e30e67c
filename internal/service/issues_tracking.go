package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// IssueSubscribed is the issue entity's subscribed for the caller: an
// explicit (un)subscription, else whether they participate (author,
// assignee, author of a comment), as GitLab's Subscribable.
func (s *Service) IssueSubscribed(ctx context.Context, id *auth.Identity, ip *IssueInProject) (bool, error) {
	if !id.Authenticated() {
		return false, nil
	}
	return s.subscribed(ctx, s.db.Queries(), id.User.ID, ip.Issue)
}

func (s *Service) subscribed(ctx context.Context, q *store.Queries, uid int64, i *model.Issue) (bool, error) {
	explicit, err := q.Subscription(ctx, uid, model.NoteableIssue, i.ID, 0)
	if err != nil {
		return false, err
	}
	if explicit != nil {
		return *explicit, nil
	}
	ids, err := s.participantIDs(ctx, q, i)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, uid), nil
}

// SetIssueSubscription subscribes or unsubscribes the caller; changed is
// false when they already were (GitLab answers 304).
func (s *Service) SetIssueSubscription(ctx context.Context, id *auth.Identity, ref string, iid int64, subscribe bool) (*IssueInProject, bool, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, false, err
	}
	changed := false
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		cur, err := s.subscribed(ctx, q, id.User.ID, ip.Issue)
		if err != nil || cur == subscribe {
			return err
		}
		changed = true
		return q.SetSubscription(ctx, id.User.ID, model.NoteableIssue, ip.Issue.ID, 0, subscribe)
	})
	return ip, changed, err
}

// participantIDs are the author, the assignees and the authors of user
// notes, in that order, each once.
func (s *Service) participantIDs(ctx context.Context, q *store.Queries, i *model.Issue) ([]int64, error) {
	return noteableParticipants(ctx, q, model.NoteableIssue, i.ID, i.AuthorID, i.AssigneeIDs)
}

// noteableParticipants are a noteable's author, the users of each of
// others (assignees, reviewers) and the authors of its user notes, in
// that order, each once.
func noteableParticipants(ctx context.Context, q *store.Queries, typ string, id int64, author *int64, others ...[]int64) ([]int64, error) {
	var ids []int64
	add := func(v int64) {
		if !slices.Contains(ids, v) {
			ids = append(ids, v)
		}
	}
	if author != nil {
		add(*author)
	}
	for _, list := range others {
		for _, a := range list {
			add(a)
		}
	}
	notes, err := q.NoteAuthorIDs(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	for _, a := range notes {
		add(a)
	}
	return ids, nil
}

// usersInOrder returns the users of ids, in that order, skipping any gone.
func usersInOrder(ctx context.Context, q *store.Queries, ids []int64) ([]*model.User, error) {
	users, err := q.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("service: participants: %w", err)
	}
	out := []*model.User{}
	for _, uid := range ids {
		if u := users[uid]; u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}

// IssueParticipants lists the users taking part in an issue.
func (s *Service) IssueParticipants(ctx context.Context, id *auth.Identity, ref string, iid int64) ([]*model.User, error) {
	ip, err := s.VisibleIssue(ctx, id, ref, iid)
	if err != nil {
		return nil, err
	}
	q := s.db.Queries()
	ids, err := s.participantIDs(ctx, q, ip.Issue)
	if err != nil {
		return nil, err
	}
	return usersInOrder(ctx, q, ids)
}

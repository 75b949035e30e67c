package graphql

import (
	"context"
	"strconv"
	"sync"

	"github.com/lablet/lablet/internal/model"
)

// UserCore.emails without one query per user: the first user's emails
// asked for load those of every user the answer shows so far (noted by
// view.userCore for UserCore.status), in one statement, as statuses do.
type userEmails struct {
	mu     sync.Mutex
	loaded map[int64][]*model.Email
}

func (r *Resolver) emailsOf(ctx context.Context, userID int64) ([]*model.Email, error) {
	l := loaderOf(ctx)
	e := &l.emails
	e.mu.Lock()
	defer e.mu.Unlock()
	if got, ok := e.loaded[userID]; ok {
		return got, nil
	}
	if e.loaded == nil {
		e.loaded = map[int64][]*model.Email{}
	}
	batch := []int64{userID}
	l.users.mu.Lock()
	for uid := range l.users.noted {
		if _, ok := e.loaded[uid]; !ok && uid != userID {
			batch = append(batch, uid)
		}
	}
	l.users.mu.Unlock()
	got, err := r.svc.UsersEmails(ctx, callerOf(ctx), batch)
	if err != nil {
		return nil, err
	}
	for _, uid := range batch {
		e.loaded[uid] = got[uid]
	}
	return got[userID], nil
}

// userEmailConnection is UserCore.emails (GET /users/:id/emails) and
// CurrentUser's (GET /user/emails): empty for a caller who is neither the
// user nor an administrator, as GitLab's read_user_email_address.
func (r *Resolver) userEmailConnection(ctx context.Context, userID int64, after, before *string,
	first, last *int) (*EmailConnection, error) {
	all, err := r.emailsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	nodes := mapped(all, func(e *model.Email) *Email {
		return &Email{ID: strconv.FormatInt(e.ID, 10), Email: e.Email, ConfirmedAt: e.ConfirmedAt,
			CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	})
	list, edges, pi, err := windowed(nodes, after, before, first, last, func(c string, n *Email) *EmailEdge {
		return &EmailEdge{Cursor: c, Node: n}
	})
	if err != nil {
		return nil, err
	}
	return &EmailConnection{Count: len(all), Nodes: list, Edges: edges, PageInfo: pi}, nil
}

func (r *Resolver) userCoreEmails(ctx context.Context, u *UserCore, after, before *string,
	first, last *int) (*EmailConnection, error) {
	id, err := parseGID("User", u.ID)
	if err != nil {
		return nil, err
	}
	return r.userEmailConnection(ctx, id, after, before, first, last)
}

func (r *Resolver) currentUserEmails(ctx context.Context, after, before *string, first, last *int) (*EmailConnection, error) {
	id := callerOf(ctx)
	if !id.Authenticated() {
		return nil, nil
	}
	return r.userEmailConnection(ctx, id.User.ID, after, before, first, last)
}

package graphql

import (
	"context"
	"sync"

	"github.com/lablet/lablet/internal/model"
)

// UserCore.status without one query per user: every user the answer
// converts is noted (view.userCore), and the first status asked for loads
// the statuses of all users noted so far in one statement. gqlgen resolves
// a list's fields after building all its nodes, so a page of users (authors,
// assignees, members) costs one statement.
type userStatuses struct {
	mu       sync.Mutex
	pending  []int64
	noted    map[int64]bool
	statuses map[int64]*model.UserStatus
}

func (u *userStatuses) seen(id int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.noted == nil {
		u.noted, u.statuses = map[int64]bool{}, map[int64]*model.UserStatus{}
	}
	if !u.noted[id] {
		u.noted[id] = true
		u.pending = append(u.pending, id)
	}
}

// status is user id's live status, nil when none; load reads a batch.
func (u *userStatuses) status(ctx context.Context, id int64,
	load func(context.Context, []int64) (map[int64]*model.UserStatus, error)) (*model.UserStatus, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.noted == nil {
		u.noted, u.statuses = map[int64]bool{}, map[int64]*model.UserStatus{}
	}
	if !u.noted[id] {
		u.noted[id] = true
		u.pending = append(u.pending, id)
	}
	if len(u.pending) > 0 {
		batch := u.pending
		got, err := load(ctx, batch)
		if err != nil {
			return nil, err
		}
		u.pending = nil
		for _, uid := range batch {
			u.statuses[uid] = got[uid]
		}
	}
	return u.statuses[id], nil
}

func userStatusOf(st *model.UserStatus) *UserStatus {
	if st == nil {
		return nil
	}
	av := AvailabilityEnumNotSet
	if st.Availability == model.AvailabilityBusy {
		av = AvailabilityEnumBusy
	}
	return &UserStatus{Availability: av, ClearStatusAt: st.ClearStatusAt, Emoji: nonEmpty(st.Emoji),
		Message: nonEmpty(st.Message)}
}

// userCoreStatus is UserCore.status (GET /users/:id/status).
func (r *Resolver) userCoreStatus(ctx context.Context, u *UserCore) (*UserStatus, error) {
	id, err := parseGID("User", u.ID)
	if err != nil {
		return nil, err
	}
	st, err := loaderOf(ctx).users.status(ctx, id, r.svc.UserStatuses)
	if err != nil {
		return nil, err
	}
	return userStatusOf(st), nil
}

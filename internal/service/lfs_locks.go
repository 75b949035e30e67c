package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// Git LFS file locks (GitLab's Lfs::LockFileService, UnlockFileService
// and LocksFinderService). Every lock operation takes push access
// (LFSRepo with write), as GitLab's lock controller does.

// LFSLockExistsError refuses a lock on a path someone holds already; the
// answer shows the existing lock (409).
type LFSLockExistsError struct{ Lock *model.LFSLock }

func (e *LFSLockExistsError) Error() string { return "already locked" }

// lockUser is the user behind a lock request: deploy tokens and keys hold
// no locks.
func lockUser(gr *GitRepo) (*model.User, error) {
	if gr.Pusher == nil {
		return nil, Forbidden("Access forbidden. Check your access level.")
	}
	return gr.Pusher, nil
}

// CreateLFSLock locks path for the caller.
func (s *Service) CreateLFSLock(ctx context.Context, gr *GitRepo, path string) (*model.LFSLock, error) {
	u, err := lockUser(gr)
	if err != nil {
		return nil, err
	}
	path = strings.TrimSpace(path)
	if path == "" || len(path) > 4096 {
		return nil, &Error{Kind: KindUnprocessable, Message: "Path can't be blank"}
	}
	l := &model.LFSLock{ProjectID: gr.Project.ID, UserID: u.ID, Path: path, OwnerName: u.Name}
	err = s.db.WithTx(ctx, func(q *store.Queries) error { return q.InsertLFSLock(ctx, l) })
	if errors.Is(err, store.ErrConflict) {
		held, ferr := s.db.Queries().LFSLockByPath(ctx, gr.Project.ID, path)
		if ferr != nil {
			return nil, Conflict("already locked") // released meanwhile: retrying will do
		}
		return nil, &LFSLockExistsError{Lock: held}
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// LFSLockFilter narrows ListLFSLocks: a path, an id, and the page (after
// the lock id Cursor, at most Limit).
type LFSLockFilter struct {
	Path   string
	ID     int64
	Cursor int64
	Limit  int
}

// maxLFSLocks bounds a page of locks.
const maxLFSLocks = 100

// ListLFSLocks lists a project's locks; next is the cursor of the
// following page, 0 when this is the last one.
func (s *Service) ListLFSLocks(ctx context.Context, gr *GitRepo, f LFSLockFilter) (locks []*model.LFSLock, next int64, err error) {
	if _, err := lockUser(gr); err != nil {
		return nil, 0, err
	}
	q := s.db.Queries()
	switch {
	case f.ID != 0 || f.Path != "":
		var l *model.LFSLock
		if f.ID != 0 {
			l, err = q.LFSLockByID(ctx, gr.Project.ID, f.ID)
		} else {
			l, err = q.LFSLockByPath(ctx, gr.Project.ID, f.Path)
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
			return []*model.LFSLock{}, 0, nil
		case err != nil:
			return nil, 0, err
		case f.Path != "" && l.Path != f.Path:
			return []*model.LFSLock{}, 0, nil
		}
		return []*model.LFSLock{l}, 0, nil
	}
	limit := f.Limit
	if limit <= 0 || limit > maxLFSLocks {
		limit = maxLFSLocks
	}
	locks, err = q.ListLFSLocks(ctx, gr.Project.ID, f.Cursor, limit+1)
	if err != nil {
		return nil, 0, err
	}
	if len(locks) > limit {
		locks = locks[:limit]
		next = locks[limit-1].ID
	}
	if locks == nil {
		locks = []*model.LFSLock{}
	}
	return locks, next, nil
}

// VerifyLFSLocks splits a page of the project's locks into the caller's
// (ours) and everyone else's (theirs), as git-lfs asks before a push.
func (s *Service) VerifyLFSLocks(ctx context.Context, gr *GitRepo, f LFSLockFilter) (ours, theirs []*model.LFSLock, next int64, err error) {
	u, err := lockUser(gr)
	if err != nil {
		return nil, nil, 0, err
	}
	locks, next, err := s.ListLFSLocks(ctx, gr, LFSLockFilter{Cursor: f.Cursor, Limit: f.Limit})
	if err != nil {
		return nil, nil, 0, err
	}
	ours, theirs = []*model.LFSLock{}, []*model.LFSLock{}
	for _, l := range locks {
		if l.UserID == u.ID {
			ours = append(ours, l)
		} else {
			theirs = append(theirs, l)
		}
	}
	return ours, theirs, next, nil
}

// UnlockLFS releases a lock: the holder's own, or anyone's with force by
// a Maintainer (GitLab's admin_project).
func (s *Service) UnlockLFS(ctx context.Context, id *auth.Identity, gr *GitRepo, lockID int64, force bool) (*model.LFSLock, error) {
	u, err := lockUser(gr)
	if err != nil {
		return nil, err
	}
	l, err := s.db.Queries().LFSLockByID(ctx, gr.Project.ID, lockID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Kind: KindNotFound, Message: "Lock not found"}
	}
	if err != nil {
		return nil, err
	}
	if l.UserID != u.ID {
		switch {
		case !force:
			return nil, Forbidden(fmt.Sprintf("%s is locked by GitLab User %d", l.Path, l.UserID))
		case !ProjectCan(id, gr.Project, gr.Level, access.AdminProject):
			return nil, Forbidden("You must have maintainer access to force delete a lock")
		}
	}
	var gone bool
	err = s.db.WithTx(ctx, func(q *store.Queries) error {
		ok, err := q.DeleteLFSLock(ctx, gr.Project.ID, lockID)
		gone = !ok
		return err
	})
	if err != nil {
		return nil, err
	}
	if gone {
		return nil, &Error{Kind: KindNotFound, Message: "Lock not found"}
	}
	return l, nil
}

package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/access"
	"github.com/lablet/lablet/internal/auth"
	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/store"
)

// NamespaceListOptions are the filters of GET /namespaces.
type NamespaceListOptions struct {
	Search        string
	OwnedOnly     bool
	Offset, Limit int
}

// ListNamespaces lists the caller's personal namespace and the groups they
// belong to; administrators get every namespace.
func (s *Service) ListNamespaces(ctx context.Context, id *auth.Identity, o NamespaceListOptions) ([]*model.Namespace, int, error) {
	if !id.Authenticated() {
		return nil, 0, auth.ErrUnauthorized
	}
	return s.db.Queries().ListNamespaces(ctx, model.NamespaceFilter{UserID: id.UserID(), All: id.IsAdmin() && !o.OwnedOnly,
		OwnedOnly: o.OwnedOnly, Search: o.Search, Today: s.Today(), Offset: o.Offset, Limit: o.Limit})
}

// GetNamespace returns a namespace the caller reaches by membership: their
// own, or a group they belong to. Like GitLab, merely public groups are
// not enough; anything else is "404 Namespace Not Found".
func (s *Service) GetNamespace(ctx context.Context, id *auth.Identity, ref string) (*model.Namespace, access.Level, error) {
	ns, err := s.namespaceByRef(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, NotFound("Namespace")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("service: load namespace: %w", err)
	}
	level, err := s.NamespaceLevel(ctx, id, ns)
	if err != nil {
		return nil, 0, err
	}
	if level < access.Guest || ns.MarkedForDeletionOn != nil && level < access.Admin {
		return nil, 0, NotFound("Namespace")
	}
	return ns, level, nil
}

// NamespaceExistence is the answer of GET /namespaces/:id/exists.
type NamespaceExistence struct {
	Exists   bool
	Suggests []string
}

// maxPathSuggestionTries bounds the search for a free path: GitLab tries
// the path, path1 … path4, then time-derived suffixes until one is free.
const maxPathSuggestionTries = 64

// NamespaceExists tells a signed-in caller whether a namespace directly
// below parentID (at the top level when nil) has path, and if so suggests
// a free one, as GitLab's API does: the path cleaned as Namespace.clean_path
// cleans it, then with 1 … 4 appended, then a suffix from the clock, until
// no sibling has it as path or name. Like GitLab it looks at every
// namespace, seen by the caller or not: creating one would tell as much.
func (s *Service) NamespaceExists(ctx context.Context, id *auth.Identity, path string, parentID *int64) (*NamespaceExistence, error) {
	if !id.Authenticated() {
		return nil, auth.ErrUnauthorized
	}
	out := &NamespaceExistence{Suggests: []string{}}
	prefix := ""
	if parentID != nil {
		parent, err := s.db.Queries().NamespaceByID(ctx, *parentID)
		if errors.Is(err, store.ErrNotFound) {
			return out, nil // no such parent: nothing below it
		}
		if err != nil {
			return nil, fmt.Errorf("service: load namespace: %w", err)
		}
		prefix = parent.FullPath + "/"
	}
	// A sibling's path is the last part of its full path, which is indexed.
	pathTaken := func(p string) (bool, error) {
		if p == "" || strings.Contains(p, "/") {
			return false, nil
		}
		_, err := s.db.Queries().NamespaceByFullPath(ctx, prefix+p)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("service: namespace exists: %w", err)
		}
		return true, nil
	}
	exists, err := pathTaken(path)
	if err != nil || !exists {
		return out, err
	}
	out.Exists = true
	slug := CleanPath(path)
	candidate := slug
	for try := 0; try < maxPathSuggestionTries; try++ {
		switch {
		case try > 4:
			candidate = slug + randomizedPathSuffix(s.Now(), try)
		case try > 0:
			candidate = slug + strconv.Itoa(try)
		}
		taken, err := pathTaken(candidate)
		if err == nil && !taken {
			taken, err = s.db.Queries().NamespaceNameTaken(ctx, parentID, candidate)
		}
		if err != nil {
			return nil, err
		}
		if !taken {
			break
		}
	}
	out.Suggests = []string{candidate}
	return out, nil
}

// randomizedPathSuffix is GitLab's Namespaces::RandomizedSuffixPath past its
// fourth try: milliseconds, minute and ISO week of now, without leading
// zeros, plus the tries beyond the fifth.
func randomizedPathSuffix(now time.Time, try int) string {
	_, week := now.ISOWeek()
	n, _ := strconv.Atoi(fmt.Sprintf("%03d%02d%02d", now.Nanosecond()/1e6, now.Minute(), week))
	return strconv.Itoa(n + try - 5)
}

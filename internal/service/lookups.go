package service

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/lablet/lablet/internal/model"
	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// UsersByIDs loads the users an entity shows beside its subject (a
// project's owner, a user's creator), keyed by id; ids that name no user
// are absent. It checks nothing: callers show these users only inside
// answers the caller may already see.
func (s *Service) UsersByIDs(ctx context.Context, ids []int64) (map[int64]*model.User, error) {
	m, err := s.db.Queries().UsersByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("service: users by ids: %w", err)
	}
	return m, nil
}

// UserByID loads a user by id, or answers "404 User Not Found". It checks
// nothing: callers use it for users the caller has already proven to be
// (a grant's subject) or may already see.
func (s *Service) UserByID(ctx context.Context, id int64) (*model.User, error) {
	return s.userByID(ctx, id)
}

// GroupPathsOf lists the full paths of the groups user belongs to,
// directly or by inheritance (OpenID Connect's "groups" claim).
func (s *Service) GroupPathsOf(ctx context.Context, userID int64) ([]string, error) {
	paths, err := s.db.Queries().GroupFullPathsOf(ctx, userID, s.Today())
	if err != nil {
		return nil, fmt.Errorf("service: groups of user %d: %w", userID, err)
	}
	return paths, nil
}

// UserByUsername finds a user by username (case-insensitively), or
// answers "404 User Not Found".
func (s *Service) UserByUsername(ctx context.Context, username string) (*model.User, error) {
	if username == "" || !validRef(username) {
		return nil, NotFound("User")
	}
	u, err := s.db.Queries().UserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound("User")
	}
	if err != nil {
		return nil, fmt.Errorf("service: user by username: %w", err)
	}
	return u, nil
}

// readmeMarkup are README extensions GitLab renders, preferred over a
// plain README when a repository has several.
var readmeMarkup = map[string]bool{"md": true, "markdown": true, "mdown": true, "mkd": true, "rst": true,
	"adoc": true, "asciidoc": true, "org": true, "textile": true, "rdoc": true}

// ReadmeName returns the name of the README at the root of p's default
// branch ("" when there is none), as GitLab picks it for readme_url. It
// reads one root tree on the repository's warm reader, so it belongs to
// single-project answers, not to lists.
func (s *Service) ReadmeName(ctx context.Context, p *model.Project) (string, error) {
	if p.EmptyRepo || p.DefaultBranch == nil || s.repos == nil {
		return "", nil
	}
	entries, err := s.repos.Open(p.ID).Tree(ctx, *p.DefaultBranch, "", false)
	if errors.Is(err, repo.ErrNotFound) {
		return "", nil // no branch or repository: no README
	}
	if err != nil {
		return "", fmt.Errorf("service: readme of project %d: %w", p.ID, err)
	}
	best, bestMarkup := "", false
	for _, e := range entries {
		lower := strings.ToLower(e.Name)
		if e.Type != "blob" || lower != "readme" && !strings.HasPrefix(lower, "readme.") {
			continue
		}
		markup := readmeMarkup[strings.TrimPrefix(path.Ext(lower), ".")]
		if best == "" || markup && !bestMarkup {
			best, bestMarkup = e.Name, markup
		}
	}
	return best, nil
}

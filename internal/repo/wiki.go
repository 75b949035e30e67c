package repo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Wikis are repositories of their own, as GitLab keeps them: a project's
// beside its repository (@hashed/<aa>/<bb>/<sha256(id)>.wiki.git), a
// group's in the group area (@groups/<aa>/<bb>/<sha256(id)>.wiki.git).
// They are created on first write and never borrow objects.

// WikiKind says whose wiki a repository is.
type WikiKind int

// The two wiki holders.
const (
	ProjectWiki WikiKind = iota
	GroupWiki
)

// WikiRelPath is the storage path of a wiki, relative to the store's root.
func WikiRelPath(kind WikiKind, id int64) string {
	area := "@hashed"
	if kind == GroupWiki {
		area = "@groups"
	}
	return hashedPath(area, id, ".wiki.git")
}

// OpenWiki returns a handle on a wiki's repository; it need not exist.
func (s *Store) OpenWiki(kind WikiKind, id int64) *Repo {
	return s.openAt(filepath.Join(s.Root, WikiRelPath(kind, id)))
}

// EnsureWiki returns the wiki's repository, creating it empty with HEAD at
// defaultBranch when it is not there yet (a concurrent creation is fine:
// the loser's temporary repository is discarded).
func (s *Store) EnsureWiki(ctx context.Context, kind WikiKind, id int64, defaultBranch string) (*Repo, error) {
	r := s.OpenWiki(kind, id)
	if r.Exists() {
		return r, nil
	}
	tmp, err := s.Prepare(ctx, defaultBranch)
	if err != nil {
		return nil, fmt.Errorf("create wiki repository: %w", err)
	}
	_ = tmp.Close()
	if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
		s.Discard(tmp)
		return nil, fmt.Errorf("create wiki repository: %w", err)
	}
	s.stampNew(tmp.path)
	if err := os.Rename(tmp.path, r.path); err != nil {
		s.Discard(tmp)
		if errors.Is(err, fs.ErrExist) || r.Exists() { // a concurrent creation won
			return r, nil
		}
		return nil, fmt.Errorf("create wiki repository: %w", err)
	}
	r.RefsChanged()
	return r, nil
}

// DeleteWiki removes a wiki's repository, if any: renamed aside first, so
// no reader sees it half-deleted.
func (s *Store) DeleteWiki(ctx context.Context, kind WikiKind, id int64) error {
	r := s.OpenWiki(kind, id)
	if !r.Exists() {
		return nil
	}
	s.pool.closeRepo(r.path)
	s.updaters.closePath(r.path)
	defer r.RefsChanged()
	aside := fmt.Sprintf("%s+%d.deleted", r.path, time.Now().UnixNano())
	if err := os.Rename(r.path, aside); err != nil {
		return fmt.Errorf("delete wiki repository: %w", err)
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("delete wiki repository: %w", err)
	}
	return nil
}

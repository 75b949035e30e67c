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

// SnippetHashedPath is GitLab's hashed storage path of a snippet's
// repository (@snippets/ab/cd/abcd….git), relative to the storage root.
func SnippetHashedPath(snippetID int64) string { return hashedPath("@snippets", snippetID, ".git") }

// SnippetPath returns the absolute directory of a snippet's repository.
func (s *Store) SnippetPath(snippetID int64) string {
	return filepath.Join(s.Root, SnippetHashedPath(snippetID))
}

// OpenSnippet returns a handle on a snippet's repository.
func (s *Store) OpenSnippet(snippetID int64) *Repo { return s.openAt(s.SnippetPath(snippetID)) }

// PlaceSnippet renames a prepared repository (Prepare) into the snippet's
// place; ErrExists if one is there. tmp must not be used again.
func (s *Store) PlaceSnippet(tmp *Repo, snippetID int64) (*Repo, error) {
	_ = tmp.Close()
	final := s.SnippetPath(snippetID)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return nil, fmt.Errorf("create snippet repository %d: %w", snippetID, err)
	}
	s.stampNew(tmp.path)
	if err := os.Rename(tmp.path, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create snippet repository %d: %w", snippetID, ErrExists)
		}
		return nil, fmt.Errorf("create snippet repository %d: %w", snippetID, err)
	}
	tmp.path = ""
	r := s.OpenSnippet(snippetID)
	r.RefsChanged()
	return r, nil
}

// DeleteSnippet removes a snippet's repository; renamed aside first so
// that no reader sees it half-deleted. A missing one is no error.
func (s *Store) DeleteSnippet(ctx context.Context, snippetID int64) error {
	path := s.SnippetPath(snippetID)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	s.pool.closeRepo(path)
	s.updaters.closePath(path)
	defer s.OpenSnippet(snippetID).RefsChanged()
	aside := fmt.Sprintf("%s+%d.deleted", path, time.Now().UnixNano())
	if err := os.Rename(path, aside); err != nil {
		return fmt.Errorf("delete snippet repository %d: %w", snippetID, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("delete snippet repository %d: %w", snippetID, err)
	}
	return nil
}

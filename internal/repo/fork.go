package repo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// A fork's repository borrows its source's objects instead of copying
// them: objects/info/alternates names the source's objects directory, and
// only the refs are copied (into packed-refs). Forking is then a few small
// files whatever the size of the source. Before a repository others borrow
// from goes away, each borrower gets its own copy of what it needs
// (Detach). Nothing in lablet prunes objects (gc.auto is 0 and there is no
// housekeeping), so a borrowed object never disappears under a fork.

// maxAlternateDepth is how deep a chain of alternates a fork may join: git
// follows alternates nested five deep at most, so the fork of a fork at
// this depth gets its own objects at once.
const maxAlternateDepth = 4

// alternatesFile is the file of a repository that names the object
// directories it borrows from.
func alternatesFile(repoPath string) string {
	return filepath.Join(repoPath, "objects", "info", "alternates")
}

// objectsDir returns the absolute objects directory of a project's
// repository, checked to lie inside the store's root and to be writable
// as one line of an alternates file. Only the store computes it, from a
// project id: no path from outside reaches an alternates file.
func (s *Store) objectsDir(projectID int64) (string, error) {
	root := filepath.Clean(s.Root)
	dir := filepath.Join(root, HashedPath(projectID), "objects")
	rel, err := filepath.Rel(root, dir)
	if !filepath.IsAbs(root) || err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) ||
		strings.ContainsAny(dir, "\n\r") || strings.HasPrefix(dir, `"`) {
		return "", fmt.Errorf("repository %d: objects directory %q: %w", projectID, dir, ErrInvalidPath)
	}
	return dir, nil
}

// forkRef is one ref copied into a fork, with the object an annotated tag
// peels to.
type forkRef struct{ oid, name, peeled string }

// PrepareFork builds in a temporary place, as Prepare does, the repository
// of a fork of project sourceID with HEAD pointing at head: it borrows the
// source's objects and starts with the source's branches and tags, or with
// branch alone when branch is not empty. ErrNotFound when the source has
// no repository or no such branch. Place or Discard it as Prepare's.
func (s *Store) PrepareFork(ctx context.Context, sourceID int64, head, branch string) (*Repo, error) {
	src := s.Open(sourceID)
	if !src.Exists() {
		return nil, fmt.Errorf("fork repository %d: %w", sourceID, ErrNotFound)
	}
	objects, err := s.objectsDir(sourceID)
	if err != nil {
		return nil, err
	}
	refs, err := src.forkRefs(ctx, branch)
	if err != nil {
		return nil, fmt.Errorf("fork repository %d: %w", sourceID, err)
	}
	if branch != "" && len(refs) == 0 {
		return nil, fmt.Errorf("fork repository %d: branch %q: %w", sourceID, branch, ErrNotFound)
	}
	tmp, err := s.Prepare(ctx, head)
	if err != nil {
		return nil, err
	}
	if err := writeFork(tmp.path, objects, refs); err != nil {
		s.Discard(tmp)
		return nil, fmt.Errorf("fork repository %d: %w", sourceID, err)
	}
	if alternateDepth(objects, 0) >= maxAlternateDepth {
		if err := tmp.detach(ctx); err != nil {
			s.Discard(tmp)
			return nil, fmt.Errorf("fork repository %d: %w", sourceID, err)
		}
	}
	return tmp, nil
}

// forkRefs lists the refs a fork starts with, in git's order.
func (r *Repo) forkRefs(ctx context.Context, branch string) ([]forkRef, error) {
	out, err := r.git(ctx, "for-each-ref", "--format=%(objectname) %(refname) %(*objectname)", "refs/heads/", "refs/tags/")
	if err != nil {
		return nil, err
	}
	var refs []forkRef
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) < 2 || checkRefFormat(f[1]) != nil {
			continue
		}
		if branch != "" && f[1] != "refs/heads/"+branch {
			continue
		}
		ref := forkRef{oid: f[0], name: f[1]}
		if len(f) > 2 {
			ref.peeled = f[2]
		}
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].name < refs[j].name })
	return refs, nil
}

// writeFork writes the alternates file naming objects and the refs, as
// packed-refs, into the new repository at dir: two files, however many
// refs.
func writeFork(dir, objects string, refs []forkRef) error {
	info := filepath.Join(dir, "objects", "info")
	if err := os.MkdirAll(info, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(info, "alternates"), []byte(objects+"\n"), 0o600); err != nil {
		return err
	}
	if len(refs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
	for _, r := range refs {
		b.WriteString(r.oid + " " + r.name + "\n")
		if r.peeled != "" {
			b.WriteString("^" + r.peeled + "\n")
		}
	}
	return os.WriteFile(filepath.Join(dir, "packed-refs"), []byte(b.String()), 0o600)
}

// alternateDepth is how many object directories deep the alternates of the
// objects directory dir go (0 without any).
func alternateDepth(dir string, depth int) int {
	if depth > maxAlternateDepth {
		return depth
	}
	b, err := os.ReadFile(filepath.Join(dir, "info", "alternates"))
	if err != nil {
		return 0
	}
	deepest := 0
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		deepest = max(deepest, 1+alternateDepth(line, depth+1))
	}
	return deepest
}

// borrowersDir holds one empty file per project whose repository borrows
// this repository's objects, named by its id: the reverse of alternates,
// so that a repository about to be deleted knows whom to detach first.
func borrowersDir(repoPath string) string {
	return filepath.Join(repoPath, "objects", "info", "lablet-borrowers")
}

// borrowedRepo returns the repository whose objects the repository at
// path borrows ("" for none), as its alternates file names it.
func borrowedRepo(path string) (string, error) {
	b, err := os.ReadFile(alternatesFile(path))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if filepath.Base(line) != "objects" {
		return "", fmt.Errorf("alternates of %s: %q is not an objects directory", path, line)
	}
	return filepath.Dir(line), nil
}

// registerBorrower records in the repository that tmp borrows from that
// project id's repository (tmp, about to be placed) borrows from it.
func (s *Store) registerBorrower(tmp string, id int64) error {
	src, err := borrowedRepo(tmp)
	if err != nil || src == "" {
		return err
	}
	// Never make directories where the source was: a source deleted
	// meanwhile fails the fork.
	if _, err := os.Stat(filepath.Join(src, "objects")); err != nil {
		return fmt.Errorf("fork source: %w", err)
	}
	dir := borrowersDir(src)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, strconv.FormatInt(id, 10)), nil, 0o600)
}

// unregisterBorrower removes project id's mark from the repository its
// repository at path borrows from.
func unregisterBorrower(path string, id int64) error {
	src, err := borrowedRepo(path)
	if err != nil || src == "" {
		return err
	}
	err = os.Remove(filepath.Join(borrowersDir(src), strconv.FormatInt(id, 10)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Borrows reports whether a project's repository borrows objects from
// another (it is a fork that was not detached).
func (s *Store) Borrows(projectID int64) bool {
	_, err := os.Stat(alternatesFile(s.Path(projectID)))
	return err == nil
}

// Detach gives a project's repository its own copy of every object it
// needs and stops it borrowing, when its fork relation goes. The
// repositories that borrow from it are detached first: what they borrow
// through it may lie in the one it leaves. A repository that borrows
// nothing is left as it is.
func (s *Store) Detach(ctx context.Context, projectID int64) error {
	path := s.Path(projectID)
	if err := s.detachBorrowers(ctx, path, 0); err != nil {
		return fmt.Errorf("detach repository %d: %w", projectID, err)
	}
	if err := unregisterBorrower(path, projectID); err != nil {
		return fmt.Errorf("detach repository %d: %w", projectID, err)
	}
	if err := s.Open(projectID).detach(ctx); err != nil {
		return fmt.Errorf("detach repository %d: %w", projectID, err)
	}
	return nil
}

// detachBorrowers detaches every repository that borrows from the one at
// path, each after its own borrowers (deepest first), and drops marks
// that name no borrower any more.
func (s *Store) detachBorrowers(ctx context.Context, path string, depth int) error {
	entries, err := os.ReadDir(borrowersDir(path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if depth > maxAlternateDepth+1 {
		return fmt.Errorf("borrowers of %s nest too deep", path)
	}
	for _, e := range entries {
		mark := filepath.Join(borrowersDir(path), e.Name())
		id, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || id <= 0 {
			continue // not ours
		}
		b := s.Path(id)
		if from, err := borrowedRepo(b); err != nil || from != path {
			if err := os.Remove(mark); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			continue // gone, detached, or never placed
		}
		if err := s.detachBorrowers(ctx, b, depth+1); err != nil {
			return err
		}
		if err := s.Open(id).detach(ctx); err != nil {
			return fmt.Errorf("repository %d: %w", id, err)
		}
		if err := os.Remove(mark); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// detach packs everything the repository's refs (and reflogs) reach,
// borrowed objects included (no --local), into one pack of its own, then
// removes the alternates file. The objects it had of its own stay.
func (r *Repo) detach(ctx context.Context) error {
	alt := alternatesFile(r.path)
	if _, err := os.Stat(alt); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if _, err := r.git(ctx, "repack", "-a", "-d", "-q"); err != nil {
		return err
	}
	if err := os.Remove(alt); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// Pooled readers opened the alternates with the repository.
	_ = r.Close()
	return nil
}

package repo

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is one entry of a repository's consistent copy: a directory, or a
// regular file whose Body holds exactly Size bytes.
type File struct {
	Name    string // slash-separated, relative to the repository
	Dir     bool
	Size    int64
	ModTime time.Time
	Body    io.Reader // nil for a directory
}

// Snapshot writes a project's bare repository to w as a tar stream (files
// at the top: HEAD, config, refs, objects), as Gitaly's GetSnapshot: the
// entries Copy yields. A fork's borrowed objects are included: the
// snapshot stands alone.
func (s *Store) Snapshot(ctx context.Context, projectID int64, w io.Writer) error {
	tw := tar.NewWriter(w)
	err := Copy(ctx, s.Path(projectID), func(f File) error {
		if f.Dir {
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: f.Name + "/", Mode: 0o755, ModTime: f.ModTime})
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.Name, Mode: 0o644, Size: f.Size,
			ModTime: f.ModTime}); err != nil {
			return err
		}
		_, err := io.CopyN(tw, f.Body, f.Size)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return fmt.Errorf("snapshot %d: %w", projectID, err)
	}
	return nil
}

// Copy hands the bare repository at path to put, entry by entry, as a
// consistent copy: the refs are read first (loose ones, then
// packed-refs, as git's readers do, safe against a ref being packed) and
// the objects after, under the maintenance lock of the repository and of
// those it borrows from, so no housekeeping removes an object in between
// and every ref's objects are in the copy. Borrowed objects are copied
// too (the copy stands alone, without alternates). A directory comes
// before its entries; a missing repository is ErrNotFound.
func Copy(ctx context.Context, path string, put func(File) error) error {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNotFound
		}
		return err
	}
	repos := []string{path}
	for len(repos) <= maxAlternateDepth {
		src, err := borrowedRepo(repos[len(repos)-1])
		if err != nil {
			return err
		}
		if src == "" {
			break
		}
		repos = append(repos, src)
	}
	for _, p := range repos {
		unlock, err := lockMaintenance(ctx, p, false)
		if err != nil {
			return err
		}
		defer unlock()
	}
	cw := copyWalker{ctx: ctx, put: put, seen: map[string]bool{}}
	for _, name := range []string{"HEAD", "config", "refs", "packed-refs"} {
		if err := cw.add(filepath.Join(path, name), name); err != nil {
			return err
		}
	}
	for _, p := range repos {
		if err := cw.add(filepath.Join(p, "objects"), "objects"); err != nil {
			return err
		}
	}
	return nil
}

// copyWalker yields a repository's files to put once each.
type copyWalker struct {
	ctx  context.Context
	put  func(File) error
	seen map[string]bool
}

// skipInSnapshot is what a copy leaves out: the borrowing links and marks
// (they name this server's paths), push quarantines and temporary files,
// and the maintenance lock.
func skipInSnapshot(name string) bool {
	base := filepath.Base(name)
	return name == "objects/info/alternates" || name == "objects/info/lablet-borrowers" ||
		strings.HasPrefix(base, "incoming-") || strings.HasPrefix(base, "tmp_") ||
		strings.HasSuffix(base, ".lock") || base == maintenanceLockName
}

// add yields the file or directory tree at src under name; what vanished
// since it was listed (a loose ref deleted or packed) is left out.
func (cw *copyWalker) add(src, name string) error {
	if err := cw.ctx.Err(); err != nil {
		return err
	}
	if skipInSnapshot(name) {
		return nil
	}
	fi, err := os.Lstat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case fi.IsDir():
		entries, err := os.ReadDir(src)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !cw.seen[name] { // a borrowed objects directory adds to this one's
			cw.seen[name] = true
			if err := cw.put(File{Name: name, Dir: true, ModTime: fi.ModTime()}); err != nil {
				return err
			}
		}
		for _, e := range entries {
			if err := cw.add(filepath.Join(src, e.Name()), name+"/"+e.Name()); err != nil {
				return err
			}
		}
		return nil
	case fi.Mode().IsRegular() && !cw.seen[name]:
		return cw.addFile(src, name)
	}
	return nil // links and the like: git writes none in a bare repository
}

func (cw *copyWalker) addFile(src, name string) error {
	f, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	// The size of the file as opened: git replaces files by renaming,
	// so an open file does not change under the copy.
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	cw.seen[name] = true
	return cw.put(File{Name: name, Size: fi.Size(), ModTime: fi.ModTime(), Body: io.LimitReader(f, fi.Size())})
}

// Repositories lists every bare repository under the store's root —
// projects', wikis', snippets' — as slash-separated paths relative to the
// root, in lexical order. Directories being created or removed (names
// starting with a dot) are left out.
func (s *Store) Repositories() ([]string, error) {
	var found []string
	err := filepath.WalkDir(s.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() || path == s.Root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(d.Name(), ".git") {
			rel, err := filepath.Rel(s.Root, path)
			if err != nil {
				return err
			}
			found = append(found, filepath.ToSlash(rel))
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list repositories: %w", err)
	}
	return found, nil
}

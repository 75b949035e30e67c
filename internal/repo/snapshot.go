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
)

// Snapshot writes a project's bare repository to w as a tar stream (files
// at the top: HEAD, config, refs, objects), as Gitaly's GetSnapshot. It is
// consistent: the refs are read first (loose ones, then packed-refs, as
// git's readers do, safe against a ref being packed) and the objects
// after, under the
// maintenance lock of the repository and of those it borrows from, so no
// housekeeping removes an object in between and every ref's objects are
// in the stream. A fork's borrowed objects are included: the snapshot
// stands alone.
func (s *Store) Snapshot(ctx context.Context, projectID int64, w io.Writer) error {
	path := s.Path(projectID)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("snapshot %d: %w", projectID, ErrNotFound)
		}
		return fmt.Errorf("snapshot %d: %w", projectID, err)
	}
	repos := []string{path}
	for len(repos) <= maxAlternateDepth {
		src, err := borrowedRepo(repos[len(repos)-1])
		if err != nil {
			return fmt.Errorf("snapshot %d: %w", projectID, err)
		}
		if src == "" {
			break
		}
		repos = append(repos, src)
	}
	for _, p := range repos {
		unlock, err := lockMaintenance(ctx, p, false)
		if err != nil {
			return fmt.Errorf("snapshot %d: %w", projectID, err)
		}
		defer unlock()
	}
	sw := snapshotWriter{ctx: ctx, tw: tar.NewWriter(w), seen: map[string]bool{}}
	for _, name := range []string{"HEAD", "config", "refs", "packed-refs"} {
		if err := sw.add(filepath.Join(path, name), name); err != nil {
			return fmt.Errorf("snapshot %d: %w", projectID, err)
		}
	}
	for _, p := range repos {
		if err := sw.add(filepath.Join(p, "objects"), "objects"); err != nil {
			return fmt.Errorf("snapshot %d: %w", projectID, err)
		}
	}
	if err := sw.tw.Close(); err != nil {
		return fmt.Errorf("snapshot %d: %w", projectID, err)
	}
	return nil
}

// snapshotWriter adds files to a snapshot's tar stream once each.
type snapshotWriter struct {
	ctx  context.Context
	tw   *tar.Writer
	seen map[string]bool
}

// skipInSnapshot is what a snapshot leaves out: the borrowing links and
// marks (they name this server's paths), push quarantines and temporary
// files, and the maintenance lock.
func skipInSnapshot(name string) bool {
	base := filepath.Base(name)
	return name == "objects/info/alternates" || name == "objects/info/lablet-borrowers" ||
		strings.HasPrefix(base, "incoming-") || strings.HasPrefix(base, "tmp_") ||
		strings.HasSuffix(base, ".lock") || base == maintenanceLockName
}

// add writes the file or directory tree at src under name; what vanished
// since it was listed (a loose ref deleted or packed) is left out.
func (sw *snapshotWriter) add(src, name string) error {
	if err := sw.ctx.Err(); err != nil {
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
		if !sw.seen[name] { // a borrowed objects directory adds to this one's
			sw.seen[name] = true
			if err := sw.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755,
				ModTime: fi.ModTime()}); err != nil {
				return err
			}
		}
		for _, e := range entries {
			if err := sw.add(filepath.Join(src, e.Name()), name+"/"+e.Name()); err != nil {
				return err
			}
		}
		return nil
	case fi.Mode().IsRegular() && !sw.seen[name]:
		return sw.addFile(src, name)
	}
	return nil // links and the like: git writes none in a bare repository
}

func (sw *snapshotWriter) addFile(src, name string) error {
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
	sw.seen[name] = true
	if err := sw.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: fi.Size(),
		ModTime: fi.ModTime()}); err != nil {
		return err
	}
	_, err = io.CopyN(sw.tw, f, fi.Size())
	return err
}

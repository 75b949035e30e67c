// Package backup makes, checks and restores whole copies of a lablet
// instance: its database, every repository and the data dir's files
// (uploads, artifacts, LFS objects, avatars, signing keys), in one tar
// file with a manifest of checksums. A backup is taken while servers keep
// serving; a restore goes into an empty data dir and database only.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lablet/lablet/internal/repo"
	"github.com/lablet/lablet/internal/store"
)

// Options name the instance and how to report.
type Options struct {
	DatabaseURL string // empty: SQLite in DataDir
	DataDir     string
	// RepositoriesDir is where the repositories are (--repositories-dir);
	// empty: the data dir's. Restore only writes into the data dir's.
	RepositoriesDir string
	// LabletVersion is written into the manifest.
	LabletVersion string
	Log           *slog.Logger
	// Previous, when set, makes create incremental: repository objects
	// the backup in this file holds already are referred to, not copied.
	Previous string
	// Progress, when set, is told the bytes to copy (total, which may
	// grow) and the bytes copied so far.
	Progress func(done, total int64)
	// ObjectStore, when set, names the object store the instance keeps
	// its blobs in (no credentials). A backup does not copy a bucket:
	// create refuses, unless WithoutObjectStore says the bucket is backed
	// up on its own.
	ObjectStore        string
	WithoutObjectStore bool
}

// ErrObjectStore: the instance keeps its blobs in an object store, which
// a backup does not copy.
var ErrObjectStore = errors.New("blobs (uploads, LFS objects, CI artifacts and traces, avatars) are kept in object storage, " +
	"which a backup does not copy: back the bucket up with the object store's own tools (versioning, replication, " +
	"mc mirror, aws s3 sync), then run backup create again with --without-object-store")

// instanceFiles are the data dir's files and trees a backup holds
// besides the repositories: blobs (uploads, artifacts, LFS objects,
// avatars, traces), the OpenID Connect signing key and the SSH host key,
// so that tokens, clients' known_hosts and links keep working after a
// restore. The git hooks are written at every start; the builds and the
// runner's cache are scratch.
var instanceFiles = []string{"blobs", "oauth", "ssh_host_ed25519_key"}

// repositoriesDir is where lablet keeps repositories in the data dir.
const repositoriesDir = "repositories"

// repositoriesRoot is the directory the repositories are read from.
func (o Options) repositoriesRoot() string {
	if o.RepositoriesDir != "" {
		return o.RepositoriesDir
	}
	return filepath.Join(o.DataDir, repositoriesDir)
}

// ErrBusy says another backup of the instance is running.
var ErrBusy = errors.New("another backup of this instance is running")

// CreateFile writes a backup of the instance to the file dst, which must
// not exist: it is written beside dst under a temporary name, synced, and
// renamed in only when whole. One backup of a data dir runs at a time.
func CreateFile(ctx context.Context, o Options, dst string) (*Manifest, error) {
	if _, err := os.Lstat(dst); err == nil {
		return nil, fmt.Errorf("backup: %s exists already", dst)
	}
	if o.ObjectStore != "" && !o.WithoutObjectStore {
		return nil, fmt.Errorf("backup: %s: %w", o.ObjectStore, ErrObjectStore)
	}
	if _, err := os.Stat(o.DataDir); err != nil {
		return nil, fmt.Errorf("backup: data dir: %w", err)
	}
	unlock, err := lockBackups(o.DataDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Scratch a killed backup left (under the lock, none is running).
	if stale, err := filepath.Glob(filepath.Join(o.DataDir, ".backup-*")); err == nil {
		for _, dir := range stale {
			os.RemoveAll(dir)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	m, err := create(ctx, o, f)
	if err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("backup: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	// Link, not rename: a dst created meanwhile is kept, not replaced.
	if err := os.Link(f.Name(), dst); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	os.Remove(f.Name())
	done = true
	return m, nil
}

// create writes the backup stream: the database first, then the
// repositories one by one (each consistent in itself, as a clone taken
// at that moment would be), then the other files. Repositories may hold
// pushes newer than the database copy, never older ones: a restored
// instance knows every ref its database points at.
func create(ctx context.Context, o Options, w io.Writer) (*Manifest, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	started := time.Now()
	var done, total int64
	progress := func(n int64) {
		done += n
		if o.Progress != nil {
			o.Progress(done, max(total, done))
		}
	}
	aw := newArchiveWriter(w, progress)

	tmp, err := os.MkdirTemp(o.DataDir, ".backup-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	dumpPath := filepath.Join(tmp, "dump")
	dump, err := store.DumpDatabase(ctx, o.DatabaseURL, o.DataDir, dumpPath)
	if err != nil {
		return nil, fmt.Errorf("backup: database: %w", err)
	}
	entry := sqliteEntry
	if dump.Dialect == store.Postgres {
		entry = postgresEntry
	}
	reposRoot := o.repositoriesRoot()
	total, err = treeSize(o.DataDir, instanceFiles)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	reposSize, err := treeSize(reposRoot, []string{"."})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	total += reposSize
	if err := addFile(aw, dumpPath, entry, &total); err != nil {
		return nil, fmt.Errorf("backup: database: %w", err)
	}
	log.Info("backup: database copied", "database", string(dump.Dialect), "schema_version", dump.SchemaVersion)

	var previous *Previous
	held := map[string]Entry{} // what the previous backups hold
	if o.Previous != "" {
		pm, err := manifestOf(o.Previous)
		if err != nil {
			return nil, fmt.Errorf("backup: previous backup: %w", err)
		}
		previous = &Previous{File: filepath.Base(o.Previous), CreatedAt: pm.CreatedAt, ManifestSHA256: pm.digest}
		for _, e := range pm.Entries {
			held[e.Name] = e
		}
	}

	repos := &repo.Store{Root: reposRoot}
	names, err := repos.Repositories()
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	copied := 0
	for _, name := range names {
		prefix := dataPrefix + repositoriesDir + "/" + name
		err := repo.Copy(ctx, filepath.Join(repos.Root, filepath.FromSlash(name)), func(f repo.File) error {
			name := prefix + "/" + f.Name
			if f.Dir {
				return aw.dir(name, f.ModTime)
			}
			if e, ok := held[name]; ok && e.Size == f.Size && immutableObject(f.Name) {
				aw.reference(e)
				progress(f.Size)
				return nil
			}
			return aw.file(name, f.Size, f.ModTime, f.Body)
		})
		if errors.Is(err, repo.ErrNotFound) {
			continue // deleted since it was listed
		}
		if err != nil {
			return nil, fmt.Errorf("backup: repository %s: %w", name, err)
		}
		copied++
	}
	log.Info("backup: repositories copied", "repositories", copied)

	for _, name := range instanceFiles {
		if err := addTree(ctx, aw, o.DataDir, name, &total); err != nil {
			return nil, fmt.Errorf("backup: %s: %w", name, err)
		}
	}
	m := &Manifest{Format: formatVersion, LabletVersion: o.LabletVersion, CreatedAt: started.UTC(),
		Database: string(dump.Dialect), SchemaVersion: dump.SchemaVersion, Repositories: copied, Previous: previous}
	if err := aw.finish(m); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if o.Progress != nil {
		o.Progress(done, done) // the estimate counted files a copy leaves out
	}
	log.Info("backup: done", "files", len(m.Entries), "bytes", m.Bytes(), "ms", time.Since(started).Milliseconds())
	return m, nil
}

// addFile adds the file at src as name, sized as opened (growing total
// by it when it was not counted before).
func addFile(aw *archiveWriter, src, name string, total *int64) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(name, dataPrefix) {
		*total += fi.Size()
	}
	return aw.file(name, fi.Size(), fi.ModTime(), f)
}

// addTree adds the file or tree rel of the data dir under data/. Files
// that vanish while it walks are left out, as are blob stores' temporary
// files (".tmp-*"), which are never a finished blob.
func addTree(ctx context.Context, aw *archiveWriter, dataDir, rel string, total *int64) error {
	root := filepath.Join(dataDir, rel)
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		r, err := filepath.Rel(dataDir, p)
		if err != nil {
			return err
		}
		name := dataPrefix + filepath.ToSlash(r)
		switch {
		case d.IsDir():
			fi, err := d.Info()
			if err != nil {
				return nil // removed meanwhile
			}
			return aw.dir(name, fi.ModTime())
		case d.Type().IsRegular():
			err := addFile(aw, p, name, total)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return nil
	})
}

// treeSize sums the sizes of the regular files under the data dir's
// entries rels, for progress.
func treeSize(dataDir string, rels []string) (int64, error) {
	var n int64
	for _, rel := range rels {
		err := filepath.WalkDir(filepath.Join(dataDir, rel), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

package backup

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

	"github.com/lablet/lablet/internal/store"
)

// Verify reads the backup file whole and checks it against its manifest;
// an incremental backup's previous backups (beside it) are verified too,
// and must hold every file it refers to.
func Verify(ctx context.Context, file string) (*Manifest, error) {
	ms, _, err := verifyChain(ctx, file)
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// maxChain bounds how many incremental backups may build on each other.
const maxChain = 64

// verifyChain verifies file and the backups it builds on, newest first.
func verifyChain(ctx context.Context, file string) ([]*Manifest, []string, error) {
	var ms []*Manifest
	files := []string{file}
	for {
		cur := files[len(files)-1]
		m, err := verifyOne(ctx, cur)
		if err != nil {
			return nil, nil, err
		}
		if n := len(ms); n > 0 {
			newer := ms[n-1]
			if m.digest != newer.Previous.ManifestSHA256 {
				return nil, nil, fmt.Errorf("verify %s: %w", files[n-1], invalid("its previous backup %s is another backup than the one it was made on", cur))
			}
			have := map[string]Entry{}
			for _, e := range m.Entries {
				have[e.Name] = e
			}
			for name, e := range newer.referenced() {
				if h, ok := have[name]; !ok || h.Size != e.Size || h.SHA256 != e.SHA256 {
					return nil, nil, fmt.Errorf("verify %s: %w", files[n-1], invalid("entry %q is not in its previous backup %s", name, cur))
				}
			}
		} else if len(m.referenced()) > 0 && m.Previous == nil {
			return nil, nil, fmt.Errorf("verify %s: %w", cur, invalid("entries refer to a previous backup the manifest does not name"))
		}
		ms = append(ms, m)
		if m.Previous == nil {
			return ms, files, nil
		}
		if len(files) == maxChain || strings.ContainsAny(m.Previous.File, `/\`) {
			return nil, nil, fmt.Errorf("verify %s: %w", cur, invalid("previous backup %q", m.Previous.File))
		}
		files = append(files, filepath.Join(filepath.Dir(cur), m.Previous.File))
	}
}

// verifyOne reads one backup file whole and checks it against its manifest.
func verifyOne(ctx context.Context, file string) (*Manifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	m, err := readArchive(ctx, f, func(*tar.Header, io.Reader) error { return nil })
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", file, err)
	}
	return m, nil
}

// Restore puts the backup file's instance in place: its files in the
// data dir, which must not exist or be empty, and its database in the
// one o names, which must hold no instance. The file is verified whole
// first; its files are then written into a temporary directory beside
// the data dir, checked again as they are written, and renamed in as
// one. A PostgreSQL database is loaded last, in one transaction; if that
// fails the data dir is taken away again. Nothing is half-restored.
func Restore(ctx context.Context, o Options, file string) (*Manifest, error) {
	ms, files, err := verifyChain(ctx, file)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	m := ms[0]
	if newest := store.SchemaVersion(); m.SchemaVersion > newest {
		return nil, fmt.Errorf("restore: the backup is of a newer lablet (%s, schema version %d; this lablet knows up to %d)",
			m.LabletVersion, m.SchemaVersion, newest)
	}
	if root := o.repositoriesRoot(); root != filepath.Join(o.DataDir, repositoriesDir) {
		return nil, fmt.Errorf("restore: repositories are restored into the data dir's %s, not %s: restore without --repositories-dir, then move them there",
			repositoriesDir, root)
	}
	sqlitePath := store.SQLitePath(o.DatabaseURL, o.DataDir)
	want := string(store.Postgres)
	if sqlitePath != "" {
		want = string(store.SQLite)
	}
	if m.Database != want {
		return nil, fmt.Errorf("restore: the backup holds a %s database and the target is %s; restore it with the database settings of its kind",
			m.Database, store.Describe(o.DatabaseURL, o.DataDir))
	}
	if err := emptyTarget(ctx, o, sqlitePath); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	parent := filepath.Dir(o.DataDir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(o.DataDir)+".restore-*")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	placed := false
	defer func() {
		if !placed {
			os.RemoveAll(tmp)
		}
	}()
	// The newest file first, then from each older one what the newer
	// ones refer to and it holds itself.
	pending := map[string]bool{}
	for i, f := range files {
		take := func(name string) bool { return i == 0 || pending[name] }
		if err := extract(ctx, f, tmp, take); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		for _, e := range ms[i].Entries {
			switch {
			case !take(e.Name):
			case e.InPrevious:
				pending[e.Name] = true
			default:
				delete(pending, e.Name)
			}
		}
	}
	for name := range pending {
		return nil, fmt.Errorf("restore: %w", invalid("entry %q is in none of the backups", name))
	}
	dbFile := filepath.Join(tmp, filepath.Base(sqliteEntry))
	if m.Database == string(store.Postgres) {
		dbFile = filepath.Join(tmp, filepath.Base(postgresEntry))
	}
	// The database's file is not part of the data dir's tree unless it
	// is SQLite's default file there.
	defaultSQLite := sqlitePath == filepath.Join(o.DataDir, "lablet.db")
	outside := filepath.Join(parent, filepath.Base(tmp)+".db")
	if !defaultSQLite {
		if err := os.Rename(dbFile, outside); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		defer os.Remove(outside)
	}
	if err := os.Remove(o.DataDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("restore: %w", err) // not empty any more
	}
	if err := os.Rename(tmp, o.DataDir); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	placed = true
	switch {
	case m.Database == string(store.Postgres):
		err = store.RestoreDatabase(ctx, o.DatabaseURL, outside)
	case !defaultSQLite:
		err = os.Link(outside, sqlitePath) // never over a file created meanwhile
	}
	if err != nil {
		os.RemoveAll(o.DataDir)
		return nil, fmt.Errorf("restore: database: %w", err)
	}
	return m, nil
}

// emptyTarget refuses a data dir with anything in it and a database
// holding an instance.
func emptyTarget(ctx context.Context, o Options, sqlitePath string) error {
	entries, err := os.ReadDir(o.DataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		return fmt.Errorf("data dir %s is not empty (it holds %s): restore into an empty one", o.DataDir, entries[0].Name())
	}
	if sqlitePath != "" {
		if _, err := os.Lstat(sqlitePath); err == nil {
			return fmt.Errorf("%s exists already", store.Describe(o.DatabaseURL, o.DataDir))
		}
		return nil
	}
	return store.RefuseInstance(ctx, o.DatabaseURL, o.DataDir)
}

// extract writes the backup's entries that take wants under dir — data/X
// as X, the database as its base name — checking them against the manifest again
// as they are written (the file may have changed since it was verified).
// Writes go through an os.Root, so no entry lands outside dir.
func extract(ctx context.Context, file, dir string, take func(name string) bool) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	_, err = readArchive(ctx, f, func(hdr *tar.Header, body io.Reader) error {
		if !take(hdr.Name) {
			return nil // an older backup's directories come with the files taken from it
		}
		name := strings.TrimSuffix(hdr.Name, "/")
		if rel, ok := strings.CutPrefix(name, dataPrefix); ok {
			name = rel
		} else {
			name = filepath.Base(name)
		}
		if hdr.Typeflag == tar.TypeDir {
			return root.MkdirAll(name, 0o700)
		}
		if d := filepath.Dir(name); d != "." {
			if err := root.MkdirAll(d, 0o700); err != nil {
				return err
			}
		}
		out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, body); err != nil {
			out.Close()
			return err
		}
		if err := out.Sync(); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		return root.Chtimes(name, hdr.ModTime, hdr.ModTime)
	})
	return err
}

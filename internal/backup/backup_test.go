package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lablet/lablet/internal/labtest"
	"github.com/lablet/lablet/internal/sshd"
	"github.com/lablet/lablet/internal/store"
)

// archive builds a backup stream of files (name → content) with a
// manifest listing them; edit may change the manifest before it is
// written.
func archive(t *testing.T, files [][2]string, edit func(*Manifest)) []byte {
	t.Helper()
	var buf bytes.Buffer
	aw := newArchiveWriter(&buf, nil)
	for _, f := range files {
		if err := aw.file(f[0], int64(len(f[1])), time.Now(), strings.NewReader(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	m := &Manifest{Format: formatVersion, LabletVersion: "test", CreatedAt: time.Now().UTC(), Database: "sqlite",
		SchemaVersion: store.SchemaVersion()}
	m.Entries = aw.entries
	if edit != nil {
		edit(m)
		aw.entries = m.Entries
	}
	if err := aw.finish(m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "backup.tar")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var goodFiles = [][2]string{{sqliteEntry, "not really a database"}, {"data/blobs/a/b", "blob bytes"},
	{"data/repositories/@hashed/aa/bb/x.git/HEAD", "ref: refs/heads/main\n"}}

// TestVerifyRefusesDamage: a truncated, tampered, padded or hostile
// backup is refused, naming what is wrong.
func TestVerifyRefusesDamage(t *testing.T) {
	good := archive(t, goodFiles, nil)
	if _, err := Verify(context.Background(), writeFile(t, good)); err != nil {
		t.Fatalf("a good backup: %v", err)
	}
	tampered := bytes.Clone(good)
	i := bytes.Index(tampered, []byte("blob bytes"))
	tampered[i] = 'B'
	extra := archive(t, append(goodFiles, [2]string{"data/blobs/c", "c"}), func(m *Manifest) {
		m.Entries = m.Entries[:len(m.Entries)-1]
	})
	missing := archive(t, goodFiles, func(m *Manifest) {
		m.Entries = append(m.Entries, Entry{Name: "data/blobs/gone", Size: 1, SHA256: "00"})
	})
	hostile := func(name string, typ byte) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Size: 1, Mode: 0o600, Linkname: "/etc/passwd"})
		if typ == tar.TypeReg {
			tw.Write([]byte("x"))
		}
		tw.Close()
		return buf.Bytes()
	}
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"truncated", good[:len(good)/2], "truncated"},
		{"truncated before the manifest", good[:bytes.Index(good, []byte(manifestName))-512+1], "truncated"},
		{"empty", nil, "no manifest"},
		{"not a tar", []byte(strings.Repeat("garbage ", 200)), "not a lablet backup"},
		{"tampered", tampered, `"data/blobs/a/b": checksum mismatch`},
		{"a file not in the manifest", extra, `"data/blobs/c" is not in the manifest`},
		{"a file missing", missing, `"data/blobs/gone" is missing`},
		{"climbing", hostile("data/../../etc/x", tar.TypeReg), "not a path"},
		{"absolute", hostile("/data/x", tar.TypeReg), "not a path"},
		{"outside data/", hostile("etc/x", tar.TypeReg), "not a path"},
		{"symlink", hostile("data/blobs/l", tar.TypeSymlink), "not a file or a directory"},
		{"hard link", hostile("data/blobs/l", tar.TypeLink), "not a file or a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(context.Background(), writeFile(t, c.file))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Verify = %v, want ErrInvalid saying %q", err, c.want)
			}
		})
	}
}

// TestRestoreRefuses: a backup of a newer lablet, of the other database,
// or into a data dir that holds something is refused, and nothing is
// written.
func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	newer := writeFile(t, archive(t, goodFiles, func(m *Manifest) { m.SchemaVersion = store.SchemaVersion() + 1 }))
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := Restore(ctx, Options{DataDir: dir}, newer); err == nil || !strings.Contains(err.Error(), "newer lablet") {
		t.Fatalf("restore of a newer backup: %v", err)
	}
	pg := writeFile(t, archive(t, goodFiles, func(m *Manifest) { m.Database = "postgres" }))
	if _, err := Restore(ctx, Options{DataDir: dir}, pg); err == nil || !strings.Contains(err.Error(), "postgres database") {
		t.Fatalf("restore of a PostgreSQL backup into SQLite: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("refused restores left %s: %v", dir, err)
	}
	good := writeFile(t, archive(t, goodFiles, nil))
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "mine"), []byte("keep"), 0o600)
	if _, err := Restore(ctx, Options{DataDir: dir}, good); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into a data dir with a file: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the refused restore changed %s: %v", dir, entries)
	}
	if siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".*")); len(siblings) != 0 {
		t.Fatalf("a refused restore left %v", siblings)
	}
	// Into an empty one it restores.
	os.Remove(filepath.Join(dir, "mine"))
	if _, err := Restore(ctx, Options{DataDir: dir}, good); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "blobs", "a", "b")); err != nil || string(b) != "blob bytes" {
		t.Fatalf("restored blob: %q %v", b, err)
	}
}

// TestRestoreRollsBackADatabaseThatFails: a PostgreSQL dump pg_restore
// refuses leaves neither tables nor a data dir behind.
func TestRestoreRollsBackADatabaseThatFails(t *testing.T) {
	dbURL := labtest.DatabaseURL(t)
	if dbURL == "" {
		t.Skip("PostgreSQL only: set LABLET_TEST_DATABASE_URL (CI's PostgreSQL step does)")
	}
	file := writeFile(t, archive(t, [][2]string{{postgresEntry, "PGDMP not a dump"}, {"data/blobs/a", "a"}},
		func(m *Manifest) { m.Database = "postgres" }))
	dir := filepath.Join(t.TempDir(), "data")
	_, err := Restore(context.Background(), Options{DataDir: dir, DatabaseURL: dbURL}, file)
	if err == nil || !strings.Contains(err.Error(), "pg_restore") {
		t.Fatalf("restore of a bad dump: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed restore left the data dir: %v", err)
	}
	if err := store.RefuseInstance(context.Background(), dbURL, dir); err != nil {
		t.Fatalf("a failed restore left the database: %v", err)
	}
}

// TestOneBackupAtATime: a second backup of a data dir is refused while
// one runs.
func TestOneBackupAtATime(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockBackups(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = CreateFile(context.Background(), Options{DataDir: dir}, filepath.Join(t.TempDir(), "b.tar"))
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("a second backup: %v, want ErrBusy", err)
	}
	unlock()
	if again, err := lockBackups(dir); err != nil {
		t.Fatalf("after the first ended: %v", err)
	} else {
		again()
	}
}

// TestInstanceFilesNameTheHostKey keeps the backup's list in step with
// the SSH server's file name.
func TestInstanceFilesNameTheHostKey(t *testing.T) {
	for _, f := range instanceFiles {
		if f == sshd.HostKeyFile {
			return
		}
	}
	t.Fatalf("instanceFiles %v lack the SSH host key %s", instanceFiles, sshd.HostKeyFile)
}

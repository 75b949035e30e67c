package main

import (
	"database/sql"
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirEntries lists what is under dir, relative to it.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTokenCreateNeedsInstance: run where no server ever ran, token create
// used to create a new instance and print a token no server knew. It must
// fail, name the data dir and the database it looked at, and create
// nothing.
func TestTokenCreateNeedsInstance(t *testing.T) {
	pgURL := storageEnv(t)
	t.Run("DefaultDataDir", func(t *testing.T) {
		work := t.TempDir()
		r := runLablet(t, work, baseEnv(pgURL...), "token", "create", "--name", "x")
		dataDir := filepath.Join(work, "lablet-data")
		want := []string{"no lablet instance", "data dir " + dataDir, `start "lablet serve" there first`}
		if len(pgURL) == 0 {
			want = append(want, "SQLite database "+filepath.Join(dataDir, "lablet.db")+" does not exist")
		} else {
			want = append(want, "PostgreSQL database postgres://", "holds no lablet tables")
		}
		checkNoInstance(t, r, want)
		if got := dirEntries(t, work); len(got) != 0 {
			t.Fatalf("token create left %v", got)
		}
		if len(pgURL) > 0 {
			db, err := sql.Open("pgx", strings.TrimPrefix(pgURL[0], "LABLET_DATABASE_URL="))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var tables int
			if err := db.QueryRow(`SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables); err != nil || tables != 0 {
				t.Fatalf("token create made %d tables (%v)", tables, err)
			}
		}
	})
	t.Run("DataDirFlag", func(t *testing.T) {
		work := t.TempDir()
		r := runLablet(t, work, baseEnv(), "token", "create", "--name", "x", "--data-dir", "elsewhere")
		checkNoInstance(t, r, []string{"SQLite database " + filepath.Join(work, "elsewhere", "lablet.db") + " does not exist"})
		if got := dirEntries(t, work); len(got) != 0 {
			t.Fatalf("token create left %v", got)
		}
	})
	t.Run("EmptySQLiteFile", func(t *testing.T) {
		work := t.TempDir()
		db := filepath.Join(work, "lablet-data", "lablet.db")
		if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(db, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		r := runLablet(t, work, baseEnv(), "token", "create", "--name", "x")
		checkNoInstance(t, r, []string{"SQLite database " + db + " holds no lablet tables"})
		if got := dirEntries(t, work); !slices.Equal(got, []string{"lablet-data", filepath.Join("lablet-data", "lablet.db")}) {
			t.Fatalf("token create left %v", got)
		}
		if st, err := os.Stat(db); err != nil || st.Size() != 0 {
			t.Fatalf("token create changed the database file: %v, %v", st, err)
		}
	})
}

func checkNoInstance(t *testing.T, r result, want []string) {
	t.Helper()
	if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("status %d, stdout %q, stderr %q; want status 1, one line on stderr", r.code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %q", r.stderr, w)
		}
	}
}

// TestCommandImportsNoStore: the commands wire config and internal/server
// only; storage stays behind the server and the service layer.
func TestCommandImportsNoStore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp == "github.com/lablet/lablet/internal/store" {
			t.Fatalf("cmd/lablet imports %s; go through internal/server and internal/service", imp)
		}
	}
	if !slices.Contains(pkg.Imports, "github.com/lablet/lablet/internal/server") {
		t.Fatalf("imports = %v: the check looks at the wrong package", pkg.Imports)
	}
}

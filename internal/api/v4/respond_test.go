package v4

import (
	"bytes"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	_ "modernc.org/sqlite"
)

// TestWriteErrorStorageFull: a write that found no space left — a full
// file system, SQLite's "database or disk is full", PostgreSQL's
// disk_full — is 507 with GitLab's body and an error log line naming the
// cause; any other unexpected failure stays a 500.
func TestWriteErrorStorageFull(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		log    string
	}{
		{"ENOSPC", fmt.Errorf("write object: %w", &fs.PathError{Op: "write", Path: "/data/x", Err: syscall.ENOSPC}),
			http.StatusInsufficientStorage, "no space left on device"},
		{"EDQUOT", fmt.Errorf("blob: %w", &fs.PathError{Op: "write", Path: "/data/x", Err: syscall.EDQUOT}),
			http.StatusInsufficientStorage, "quota exceeded"},
		{"SQLite", fmt.Errorf("store: commit: %w", sqliteFull(t)), http.StatusInsufficientStorage, "database or disk is full"},
		{"PostgreSQL", fmt.Errorf("store: %w", &pgconn.PgError{Code: "53100", Message: "could not extend file"}),
			http.StatusInsufficientStorage, "could not extend file"},
		{"Other", fmt.Errorf("write: %w", &fs.PathError{Op: "write", Path: "/data/x", Err: syscall.EIO}),
			http.StatusInternalServerError, "input/output error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			a := &API{log: slog.New(slog.NewJSONHandler(&logs, nil))}
			w := httptest.NewRecorder()
			a.writeError(w, httptest.NewRequest(http.MethodPost, "/api/v4/projects/1/issues", nil), tc.err)
			want := `{"message":"500 Internal Server Error"}` + "\n"
			if tc.status == http.StatusInsufficientStorage {
				want = `{"message":"507 Insufficient Storage"}` + "\n"
			}
			if w.Code != tc.status || w.Body.String() != want {
				t.Errorf("answer %d %s, want %d %s", w.Code, w.Body, tc.status, want)
			}
			if l := logs.String(); strings.Count(l, "\n") != 1 || !strings.Contains(l, `"level":"ERROR"`) || !strings.Contains(l, tc.log) {
				t.Errorf("log %q, want one error line naming %q", l, tc.log)
			}
		})
	}
}

// sqliteFull returns the error of an insert into an SQLite database that
// may not grow.
func sqliteFull(t *testing.T) error {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE t (b BLOB); PRAGMA max_page_count = 3"); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("INSERT INTO t VALUES (zeroblob(1 << 20))")
	if err == nil || !strings.Contains(err.Error(), "database or disk is full") {
		t.Fatalf("insert into a full database: %v", err)
	}
	return err
}

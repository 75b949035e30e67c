// Command refserver is the bench's yardstick: the least a Go server can do
// for a token-free API read — net/http, one SQLite row read by primary key
// (the same driver and pragmas lablet uses), about 1 KB of JSON written.
// The bench drives it with the same load generator, connections and
// duration as lablet's endpoints, so each run says how fast the machine
// was at the time (issue 5 sets its targets against this figure).
//
//	refserver -listen 127.0.0.1:8080 -db /tmp/ref.db
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

// rows is how many rows the table holds; requests pick among them.
const rows = 1000

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on")
	path := flag.String("db", "", "SQLite file to create (required)")
	flag.Parse()
	if *path == "" {
		fmt.Fprintln(os.Stderr, "refserver: -db is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *listen, *path); err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, listen, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := seed(ctx, db); err != nil {
		return err
	}
	stmt, err := db.PrepareContext(ctx, "SELECT body FROM items WHERE id = ?")
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	defer stmt.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, `{"message":"404 Not found"}`, http.StatusNotFound)
			return
		}
		var body []byte
		if err := stmt.QueryRowContext(r.Context(), id).Scan(&body); err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, sql.ErrNoRows) {
				status = http.StatusNotFound
			}
			http.Error(w, `{"message":"`+http.StatusText(status)+`"}`, status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /-/readiness", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	srv := &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	slog.Info("refserver listening", "addr", listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// seed fills the table with rows of about 1 KB of JSON each.
func seed(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	pad := strings.Repeat("x", 900)
	for i := 1; i <= rows; i++ {
		body := fmt.Sprintf(`{"id":%d,"name":"item-%d","path":"group/item-%d","description":%q,"visibility":"private"}`,
			i, i, i, pad)
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO items (id, body) VALUES (?, ?)", i, body); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return tx.Commit()
}

// Package store keeps lablet's records in SQL: SQLite (embedded default) or
// PostgreSQL (scale-out). Queries are written once with ? placeholders and
// rebound for PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/lablet/lablet/internal/cache"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a write breaks a uniqueness constraint.
var ErrConflict = errors.New("store: conflict")

// ErrBusy is returned when a write waited too long for its turn.
var ErrBusy = errors.New("store: database busy")

// DB is a handle on the database. It is safe for concurrent use.
type DB struct {
	sql *sql.DB
	// statements counts the statements run through Queries outside the
	// server's background work (Background), for tests that prove an
	// answer's statements don't grow with its size.
	statements atomic.Int64
	dialect    Dialect
	stmts      stmtCache
	versions   versions
	// myProjects caches each viewer's projects for list endpoints.
	myProjects myProjectsCache
	// issueLists caches pages of issue lists (issue_list_cache.go).
	issueLists *cache.Cache[string, issueListEntry]
	// listLoads loads each cold page once for its concurrent askers.
	listLoads cache.Flight[listLoad, issueListEntry]
	// stmtNames shortens statements in cache keys (statementKey).
	stmtNames statementNames
	// eventCounts caches feeds' totals (events.go countEvents).
	eventCounts *cache.Cache[string, int]
	// public caches the ids visibility lists show everyone (public_ids.go).
	public publicListsCache
	// caches are the point-read caches under the access version.
	caches readCaches
	// writers queues this process's SQLite transactions (nil on
	// PostgreSQL); see acquireWriter.
	writers chan struct{}
	// queueSQL is the job queue's own SQLite handle (nil on PostgreSQL,
	// where River shares sql); see Open.
	queueSQL *sql.DB
}

// Options adjust a DB.
type Options struct {
	// CachesOff keeps no read caches (LABLET_CACHES=off): every answer
	// comes from the database.
	CachesOff bool
	// MaxConns bounds the PostgreSQL connections; 0 means
	// DefaultPostgresConns.
	MaxConns int
}

// DefaultPostgresConns is the PostgreSQL pool's size unless set: 4 per CPU
// this process may use, at least 8 and at most 32. Each connection is a
// PostgreSQL backend that plans its statements and loads the catalog for
// itself; on a machine with two CPUs, 32 of them served a cold project's
// issue list at half the rate 8 did (BENCHMARKS.md), and more connections
// than a few per CPU only queue inside PostgreSQL. pgx's own pool sizes
// itself by the CPUs the same way.
func DefaultPostgresConns() int {
	return min(32, max(8, 4*runtime.GOMAXPROCS(0)))
}

// Open connects to the database named by url, or to SQLite in dataDir when
// url is empty, and applies pending migrations.
func Open(ctx context.Context, url, dataDir string, o Options) (*DB, error) {
	var db *DB
	switch {
	case url == "" || strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("store: create data dir: %w", err)
			}
			path = filepath.Join(dataDir, "lablet.db")
		}
		// _txlock=immediate takes the write lock at BEGIN, so two writers
		// never deadlock upgrading read locks; busy_timeout makes them queue.
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		s, err := openSQLite(dsn, sqliteConns)
		if err != nil {
			return nil, err
		}
		// River's own handle: one connection, as River's SQLite driver
		// advises, so its goroutines never race each other for the
		// write lock; with the same busy timeout and immediate
		// transactions, its writes and the requests' queue behind each
		// other instead of failing with SQLITE_BUSY.
		queue, err := openSQLite(dsn, 1)
		if err != nil {
			s.Close()
			return nil, err
		}
		db = &DB{sql: s, dialect: SQLite, writers: make(chan struct{}, 1), queueSQL: queue}
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		s, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		conns := o.MaxConns
		if conns <= 0 {
			conns = DefaultPostgresConns()
		}
		s.SetMaxOpenConns(conns)
		s.SetMaxIdleConns(conns)
		db = &DB{sql: s, dialect: Postgres}
	default:
		return nil, fmt.Errorf("store: unsupported database url %q", url)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.sql.PingContext(pingCtx); err != nil {
		db.closeSQL()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	db.caches = newReadCaches(o.CachesOff)
	db.issueLists = newIssueListCache(o.CachesOff)
	db.eventCounts = cache.New[string, int](cache.Options{MaxCost: 16 << 20, AvgCost: 1 << 10, Off: o.CachesOff})
	if err := db.migrate(ctx); err != nil {
		db.closeSQL()
		return nil, err
	}
	if db.dialect == Postgres {
		db.startListener(url)
	} else {
		db.versions.listening.Store(true)
	}
	return db, nil
}

// sqliteConns is the size of the requests' SQLite pool.
const sqliteConns = 8

// OpenConnections opens every connection of the SQLite pools now and
// leaves them idle (the pools keep them: no idle timeout); on PostgreSQL
// it does nothing. SQLite opens a database file it may not write
// read-only, and such a connection refuses every write for the life of
// the process: opened on first need, during a moment the data dir
// happens to be read-only, one would keep failing writes after it is
// writable again. `lablet serve` calls it at start; tests that open many
// databases don't (under the race detector a connection costs ~0.1 s).
func (db *DB) OpenConnections(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	if err := fillPool(ctx, db.sql, sqliteConns); err != nil {
		return err
	}
	return fillPool(ctx, db.queueSQL, 1)
}

// fillPool opens n connections of s at once and returns them to the pool.
func fillPool(ctx context.Context, s *sql.DB, n int) error {
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range n {
		c, err := s.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: open sqlite connection: %w", err)
		}
		conns = append(conns, c)
	}
	return nil
}

// openSQLite opens a pool of at most conns connections, kept open.
func openSQLite(dsn string, conns int) (*sql.DB, error) {
	s, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	s.SetMaxOpenConns(conns)
	s.SetMaxIdleConns(conns)
	s.SetConnMaxIdleTime(0)
	return s, nil
}

// Close releases the prepared statements and the connections.
func (db *DB) Close() error {
	db.stopListener()
	db.stmts.close()
	return db.closeSQL()
}

// closeSQL closes the connection pools.
func (db *DB) closeSQL() error {
	if db.queueSQL != nil {
		_ = db.queueSQL.Close()
	}
	return db.sql.Close()
}

// Dialect reports the engine in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL exposes the underlying handle for tests and tools.
func (db *DB) SQL() *sql.DB { return db.sql }

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a database transaction; every store method is also available on it
// through the same Queries methods so that service operations can compose them.
type Tx struct {
	tx *sql.Tx
	db *DB
	// Now is fixed for the whole transaction.
	Now time.Time
	// pending collects what its writes change, published on commit.
	pending change
}

// Queries is the query surface shared by DB and Tx.
type Queries struct {
	q       queryer
	db      *DB
	tx      *sql.Tx // nil outside a transaction
	pending *change // the transaction's changes; nil outside one
	// newRows says the writes only add rows of a project that did not
	// exist: ids are never reused (AUTOINCREMENT, identity) and no cache
	// holds an absence, so they change lists only (TopicListing). It is
	// honoured inside transactions only.
	newRows bool
	// rowOnly, when set, says the writes change only the repository state
	// of that project's row (UpdateProjectRepository): its row version
	// moves, not the access ones.
	rowOnly int64
	dialect Dialect
	now     func() time.Time
}

// Queries returns the query surface outside any transaction.
func (db *DB) Queries() *Queries {
	return &Queries{q: db.sql, db: db, dialect: db.dialect, now: func() time.Time { return time.Now().UTC() }}
}

// Queries returns the query surface inside the transaction.
func (tx *Tx) Queries() *Queries {
	now := tx.Now
	return &Queries{q: tx.tx, db: tx.db, tx: tx.tx, pending: &tx.pending, dialect: tx.db.dialect, now: func() time.Time { return now }}
}

// WithTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise.
func (db *DB) WithTx(ctx context.Context, fn func(q *Queries) error) error {
	for attempt := 0; ; attempt++ {
		err := db.withTx(ctx, fn)
		// PostgreSQL may abort serialisation races on unique inserts; SQLite
		// may report busy past the timeout. Both are safe to retry.
		if err != nil && attempt < 3 && isRetryable(err) {
			continue
		}
		return err
	}
}

// writerWait bounds how long a transaction queues behind this process's
// other writers, as busy_timeout bounds the wait on other processes.
const writerWait = time.Minute

// acquireWriter takes this process's SQLite write turn. SQLite has one
// writer; left to its busy handler, waiting writers poll with growing
// sleeps and a newcomer can take the lock ahead of one that has waited
// for seconds, so under load some writers starve past any timeout. A
// channel wakes blocked senders in arrival order, so writers here are
// served first come, first served; busy_timeout is left to other
// processes (backups, the CLI). The returned func releases the turn.
func (db *DB) acquireWriter(ctx context.Context) (func(), error) {
	if db.writers == nil {
		return func() {}, nil
	}
	timer := time.NewTimer(writerWait)
	defer timer.Stop()
	select {
	case db.writers <- struct{}{}:
		return func() { <-db.writers }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("store: wait for writer: %w", ctx.Err())
	case <-timer.C:
		return nil, fmt.Errorf("store: wait for writer: %w", ErrBusy)
	}
}

func (db *DB) withTx(ctx context.Context, fn func(q *Queries) error) error {
	release, err := db.acquireWriter(ctx)
	if err != nil {
		return err
	}
	defer release()
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", wrapErr(err))
	}
	tx := &Tx{tx: sqlTx, db: db, Now: time.Now().UTC()}
	if err := fn(tx.Queries()); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	c := notifiable(tx.pending)
	if !c.empty() && db.dialect == Postgres {
		// Delivered to every instance's listener if and only if the
		// transaction commits.
		if _, err := sqlTx.ExecContext(ctx, "SELECT pg_notify($1, $2)", versionsChannel, db.versions.payload(c)); err != nil {
			_ = sqlTx.Rollback()
			return fmt.Errorf("store: notify: %w", wrapErr(err))
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", wrapErr(err))
	}
	db.versions.apply(c)
	return nil
}

func isRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}

// IsFull reports whether err is the database out of space: SQLite's
// SQLITE_FULL ("database or disk is full") or PostgreSQL's disk_full.
func IsFull(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "53100"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_FULL
	}
	return false
}

// Now is the current time as seen by this query surface.
func (q *Queries) Now() time.Time { return q.now() }

// rebind turns ? placeholders into $n for PostgreSQL.
func (q *Queries) rebind(query string) string {
	if q.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Statements is how many statements Queries have run so far, leaving
// out those of contexts marked Background.
func (db *DB) Statements() int64 { return db.statements.Load() }

type backgroundKey struct{}

// Background marks ctx as the server's own background work (the job
// queue, periodic syncs): its statements don't count in Statements, so a
// test counting one request's statements isn't disturbed by a job that
// happens to run at the same time.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

func (q *Queries) count(ctx context.Context) {
	if q.db != nil && ctx.Value(backgroundKey{}) == nil {
		q.db.statements.Add(1)
	}
}

func (q *Queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q.count(ctx)
	if q.db != nil {
		// Even a failed statement may have written (bump after, always).
		defer q.changed(ctx, q.db.versions.mask(query))
	}
	if st := q.prepared(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, wrapErr(err)
	}
	res, err := q.q.ExecContext(ctx, q.rebind(query), args...)
	return res, wrapErr(err)
}

func (q *Queries) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q.count(ctx)
	q.writing(ctx, query)
	if st := q.prepared(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, wrapErr(err)
	}
	rows, err := q.q.QueryContext(ctx, q.rebind(query), args...)
	return rows, wrapErr(err)
}

func (q *Queries) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	q.count(ctx)
	q.writing(ctx, query)
	if st := q.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.q.QueryRowContext(ctx, q.rebind(query), args...)
}

// prepared returns the cached prepared statement for query, bound to the
// transaction when q is in one, or nil when the query must run unprepared.
//
// Only SQLite uses the cache: modernc's driver parses and plans the SQL on
// every unprepared call, which was most of the CPU of a point read. pgx
// already keeps a per-connection statement cache for PostgreSQL.
func (q *Queries) prepared(ctx context.Context, query string) *sql.Stmt {
	if q.db == nil || q.dialect != SQLite {
		return nil
	}
	st := q.db.stmts.get(ctx, q.db.sql, query, q.tx != nil)
	if st == nil {
		return nil
	}
	if q.tx != nil {
		// Reuses the statement already prepared on the transaction's
		// connection; the returned handle is closed with the transaction.
		return q.tx.StmtContext(ctx, st)
	}
	return st
}

// maxCachedStmts bounds the statement cache. The store's fixed queries and
// the combinations of its list filters are far fewer; past the bound, new
// query texts (e.g. IN lists of unusual lengths) simply run unprepared.
const maxCachedStmts = 512

// stmtCache keeps one *sql.Stmt per query text. database/sql prepares each
// on a connection the first time it runs there and reuses it afterwards.
// Entries are never evicted (a statement in use elsewhere must not be
// closed under it); the cache only stops growing at maxCachedStmts.
type stmtCache struct {
	m      sync.Map // query text → *sql.Stmt
	n      atomic.Int64
	mu     sync.Mutex // serialises inserts and close
	closed bool
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string, inTx bool) *sql.Stmt {
	if v, ok := c.m.Load(query); ok {
		return v.(*sql.Stmt)
	}
	if c.n.Load() >= maxCachedStmts {
		return nil
	}
	// Prepared without the caller's deadline: the statement outlives the
	// request. An error (e.g. invalid SQL) is reported by the unprepared
	// path, exactly as before. No lock is held while preparing: it may wait
	// for a connection.
	pctx := context.WithoutCancel(ctx)
	if inTx {
		// Preparing needs a pooled connection besides the transaction's
		// own. With every connection held by transactions (the others
		// queued on SQLite's write lock) waiting for one would deadlock
		// until the busy timeout, so wait briefly and otherwise run this
		// once unprepared; a later call caches it.
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(pctx, 5*time.Millisecond)
		defer cancel()
	}
	st, err := db.PrepareContext(pctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m.Load(query); ok {
		_ = st.Close()
		return v.(*sql.Stmt)
	}
	if c.closed || c.n.Load() >= maxCachedStmts {
		_ = st.Close()
		return nil
	}
	c.m.Store(query, st)
	c.n.Add(1)
	return st
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.m.Range(func(k, v any) bool {
		_ = v.(*sql.Stmt).Close()
		c.m.Delete(k)
		return true
	})
	c.n.Store(0)
}

// insert runs an INSERT … RETURNING id and returns the new id.
func (q *Queries) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := q.queryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	if q.db != nil {
		// Outside a transaction the row is committed only once scanned.
		q.changed(ctx, q.db.versions.mask(query))
	}
	if err != nil {
		return 0, wrapErr(err)
	}
	return id, nil
}

// returning runs a write with a RETURNING clause and scans its one row into
// dest (ErrNotFound when no row matched). Outside a transaction the write
// is committed only once scanned, so its topics are bumped again then, as
// insert does.
func (q *Queries) returning(ctx context.Context, query string, args []any, dest ...any) error {
	err := q.queryRow(ctx, query, args...).Scan(dest...)
	if q.db != nil {
		q.changed(ctx, q.db.versions.mask(query))
	}
	return wrapErr(err)
}

// holdRows runs query, a SELECT … FOR [NO KEY] UPDATE, so that its rows
// stay locked until the transaction ends (what names them in errors). Only
// PostgreSQL runs writers at once; SQLite's transactions take the write
// lock at BEGIN and need nothing.
func (q *Queries) holdRows(ctx context.Context, what, query string, args ...any) error {
	if q.dialect != Postgres {
		return nil
	}
	if q.tx == nil {
		return fmt.Errorf("store: lock %s outside a transaction", what)
	}
	if _, err := q.int64s(ctx, query, args...); err != nil {
		return fmt.Errorf("store: lock %s: %w", what, err)
	}
	return nil
}

// writing records the topics of a write run through query or queryRow
// (RETURNING); outside a transaction insert bumps again once it is done.
func (q *Queries) writing(ctx context.Context, query string) {
	if q.db != nil {
		q.changed(ctx, q.db.versions.mask(query))
	}
}

// wrapErr maps driver errors onto the store's sentinels.
func wrapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", ErrConflict, sqErr.Error())
		}
	}
	return err
}

// Millisecond timestamps are stored as integers in both dialects, which keeps
// the SQL portable and ordering exact.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ms(*t), Valid: true}
}

func nullStr(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

func fromNullStr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	s := v.String
	return &s
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// likeEscape escapes LIKE wildcards in user input; queries use ESCAPE '\'.
func likeEscape(s string) string {
	return "%" + strings.ToLower(likeEscaper.Replace(s)) + "%"
}

// collect scans every row with scan, closing rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, wrapErr(rows.Err())
}

func scanInt64(s scanner) (int64, error) {
	var v int64
	err := s.Scan(&v)
	return v, wrapErr(err)
}

// int64s runs a query that returns one integer column.
func (q *Queries) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInt64)
}

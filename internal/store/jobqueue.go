package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// JobQueueDriver is the River driver of the job queue that runs the
// background work (internal/service/background.go). River's tables live
// in lablet's database, created by River's own migrator when the store
// migrates.
func (db *DB) JobQueueDriver() riverdriver.Driver[*sql.Tx] {
	if db.dialect == SQLite {
		return riversqlite.New(db.queueSQL)
	}
	return riverdatabasesql.New(db.sql)
}

// openQueueSQLite opens River's own handle on the SQLite file: one
// connection, as River's SQLite driver advises, so its goroutines never
// race each other for the write lock, and the same busy timeout and
// immediate transactions as the store's, so River and request writers
// queue behind each other instead of failing with SQLITE_BUSY.
func openQueueSQLite(dsn string) (*sql.DB, error) {
	s, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open job queue: %w", err)
	}
	s.SetMaxOpenConns(1)
	s.SetMaxIdleConns(1)
	s.SetConnMaxIdleTime(0)
	return s, nil
}

// migrateJobQueue creates or upgrades River's tables. On PostgreSQL it
// runs under the store's migration lock, so instances starting together
// do not race.
func (db *DB) migrateJobQueue(ctx context.Context) error {
	m, err := rivermigrate.New(db.JobQueueDriver(), nil)
	if err != nil {
		return fmt.Errorf("store: job queue migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: job queue migrations: %w", err)
	}
	return nil
}

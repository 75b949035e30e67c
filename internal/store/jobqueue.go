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

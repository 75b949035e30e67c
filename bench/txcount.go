package main

import (
	"context"
	"database/sql"
	"fmt"
)

// txCounter reads how many transactions PostgreSQL has committed in the
// bench's database (pg_stat_database, every backend of every instance).
// Its figures lag by up to a second (PostgreSQL flushes its statistics
// at most once a second), which a round of several seconds absorbs.
type txCounter struct{ db *sql.DB }

func openTxCounter(dbURL string) (*txCounter, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, fmt.Errorf("transaction counter: %w", err)
	}
	db.SetMaxOpenConns(1)
	return &txCounter{db: db}, nil
}

// committed returns the count so far, -1 if it can't be read.
func (c *txCounter) committed(ctx context.Context) int64 {
	var n int64
	// pg_stat_clear_snapshot: without it the session keeps answering
	// from the snapshot of its first read in a transaction.
	if _, err := c.db.ExecContext(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
		return -1
	}
	err := c.db.QueryRowContext(ctx,
		"SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()").Scan(&n)
	if err != nil {
		return -1
	}
	return n
}

// perRequest returns the transactions committed since before per request
// of res, -1 when either count is missing. The warm-up's transactions
// count too: the figure is an upper bound.
func (c *txCounter) perRequest(ctx context.Context, before int64, res *result) float64 {
	after := c.committed(ctx)
	if before < 0 || after < 0 || res.Requests == 0 {
		return -1
	}
	return float64(after-before) / float64(res.Requests)
}

func (c *txCounter) Close() error { return c.db.Close() }
